"""Check a request body against a model's field table, as the service does.

The service binds JSON to a .NET model before any business rule runs, so
the first errors a client meets are binding and data-annotation errors:
wrong types, missing required fields, strings over their maximum length.
Their wording follows the .NET messages that integrators quote in support
cases ("The field Name must be a string with a maximum length of 50.").
Unknown properties are ignored and read-only ones are dropped, as a .NET
model binder does.
"""

from __future__ import annotations

import uuid
from typing import Any

from ops_lib.sandbox.clock import parse_datetime
from ops_lib.sandbox.errors import FieldViolation, ServiceError, validation_error
from ops_lib.sandbox.tables import Field, Model

_NET_TYPES = {
    "uuid": "System.Guid",
    "bool": "System.Boolean",
    "int": "System.Int32",
    "number": "System.Double",
    "datetime": "System.DateTime",
    "date": "System.DateTime",
}


def _type_error(field: Field, value: Any, path: str) -> FieldViolation | None:
    if value is None:
        if field.required and field.type in _NET_TYPES:
            return FieldViolation(
                path,
                f"Error converting value {{null}} to type '{_NET_TYPES[field.type]}'. Path '{path}'.",
            )
        return None
    ok = True
    if field.type == "str":
        ok = isinstance(value, str)
    elif field.type == "uuid":
        ok = isinstance(value, str) and _is_uuid(value)
    elif field.type == "bool":
        ok = isinstance(value, bool)
    elif field.type == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif field.type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif field.type in ("datetime", "date"):
        ok = isinstance(value, str) and _is_datetime(value)
    elif field.type == "array":
        ok = isinstance(value, list)
    elif field.type == "object":
        ok = isinstance(value, dict)
    if ok:
        return None
    shown = value if isinstance(value, str) else repr(value)
    target = _NET_TYPES.get(field.type, field.type)
    return FieldViolation(path, f"Error converting value \"{shown}\" to type '{target}'. Path '{path}'.")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True


def check_fields(model: Model, body: Any, prefix: str = "") -> tuple[dict[str, Any], list[FieldViolation]]:
    """Return the writable fields of ``body`` and every rule they break.

    Parameters
    ----------
    model:
        The model the body is bound to.
    body:
        The parsed JSON; anything but an object is one error.
    prefix:
        Path prefix for nested models, e.g. ``"Rows[0]."``.
    """
    if not isinstance(body, dict):
        return {}, [FieldViolation(prefix.rstrip(".") or "body", "The request body must be a JSON object.")]
    errors: list[FieldViolation] = []
    clean: dict[str, Any] = {}
    for field in model.fields:
        if field.read_only:
            continue
        path = f"{prefix}{field.name}"
        present = field.name in body
        value = body.get(field.name)
        problem = _type_error(field, value, path) if present else None
        if problem:
            errors.append(problem)
            continue
        if field.required and (not present or value is None or (isinstance(value, str) and not value.strip())):
            errors.append(FieldViolation(path, f"The {field.name} field is required."))
            continue
        if field.max_length is not None and isinstance(value, str) and len(value) > field.max_length:
            errors.append(
                FieldViolation(
                    path,
                    f"The field {field.name} must be a string with a maximum length of {field.max_length}.",
                )
            )
            continue
        if present:
            clean[field.name] = value
    return clean, errors


def validate(model: Model, body: Any) -> dict[str, Any]:
    """Return the writable fields of ``body``; raise 2000 when any rule is broken."""
    clean, errors = check_fields(model, body)
    if errors:
        raise validation_error(errors)
    return clean


def require(condition: bool, field: str, message: str) -> None:
    """Raise a one-field 2000 error unless ``condition`` holds."""
    if not condition:
        raise validation_error([FieldViolation(field, message)])


__all__ = ["ServiceError", "check_fields", "require", "validate"]
