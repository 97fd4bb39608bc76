"""The eAccounting error envelope and the codes the sandbox answers with.

The real service answers every failed API call with the same JSON body,
``{ErrorCode, DeveloperErrorMessage, ErrorId, Errors[]}``, and an HTTP
status that depends on the kind of failure. Handlers raise
:class:`ServiceError`; the app turns it into that body, so every error
path looks the same to a client. (The client's own errors live in
``ops_lib.core.errors``; these names differ so a traceback says which
side of the wire it came from.)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse

# ErrorCode -> documented name. Only the codes the sandbox can produce.
ERROR_NAMES: dict[int, str] = {
    2000: "DataModelValidationError",
    3000: "ResourceNotFound",
    3001: "FiscalYearDoesNotExist",
    3002: "AccountNotFound",
    4000: "Conflict",
    4001: "CanNotBeDeleted",
    4005: "NotAuthorized",
    4006: "NoAccessToScopes",
    4010: "TooManyRequests",
    4020: "FiscalYearIsOverlappingOtherYear",
    4021: "FiscalYearMaximumPeriodExceeded",
    4022: "FiscalYearEndDateMustBeLastDayOfMonth",
    4026: "VoucherDateIsInLockedPeriod",
    4038: "VoucherDateIsInLockedYearException",
    5000: "InternalServerError",
    5001: "CantReachSystemDependendency",
    5005: "ProjectEnded",
    5006: "InactiveCostCenter",
    5007: "ItemToAttachNotFound",
    6000: "QueryParameterError",
    6001: "InvalidInput",
}


@dataclass(frozen=True)
class FieldViolation:
    """One entry of ``Errors[]``: which field broke which rule."""

    field: str
    message: str
    code: str = "ValidationError"

    def to_json(self) -> dict[str, Any]:
        return {"Field": self.field, "ErrorCode": self.code, "Message": self.message, "Key": self.field}


@dataclass
class ServiceError(Exception):
    """An API failure, raised by handlers and rendered as the real envelope."""

    error_code: int
    message: str
    status: int = 400
    errors: list[FieldViolation] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.error_code} {self.message}"

    def response(self) -> JSONResponse:
        body = {
            "ErrorCode": self.error_code,
            "DeveloperErrorMessage": self.message,
            "ErrorId": str(uuid.uuid4()),
            "Errors": [e.to_json() for e in self.errors] or None,
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def validation_error(errors: list[FieldViolation]) -> ServiceError:
    """2000: the body broke the model's rules; the message lists them all."""
    return ServiceError(2000, " ".join(e.message for e in errors), 400, errors)


def not_found(what: str, status: int = 404) -> ServiceError:
    """3000 with 404 for a path that names nothing; 400 for a reference in a body."""
    return ServiceError(3000, f"Resource not found: {what}", status)


def conflict(message: str) -> ServiceError:
    """4000: a value that must be unique already exists."""
    return ServiceError(4000, message, 400)
