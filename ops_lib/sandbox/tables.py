"""How the sandbox writes down a model of the eAccounting v2 API, and answers from it.

Each model is written as a small table, one field a line: the JSON name
(PascalCase, as the service spells it), its type, an optional maximum
length, the flags ``req`` (required on write) and ``ro`` (read-only: set
by the service, ignored on input), and an optional ``=VALUE``. The
sandbox validates request bodies with these tables and shapes every
response from them, so a response always carries every published field.

Types: ``str``, ``uuid``, ``datetime``, ``date``, ``bool``, ``int``,
``number``, ``array`` and ``object``. ``date`` is a calendar date: the
swagger calls it ``date-time`` like every other time field, but documents
its format as ``yyyy-MM-dd``, and that is how the service answers it.
``datetime`` is an instant, answered in UTC with ``Z``.

``=VALUE`` (JSON) is what the service answers for a field that holds no
value: a .NET value type such as a price or a percentage is ``0``, never
``null``, and some strings and lists come back empty. A field without it
answers ``null`` when unset.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from ops_lib.sandbox.clock import parse_date

TYPES = frozenset({"str", "uuid", "datetime", "date", "bool", "int", "number", "array", "object"})


@dataclass(frozen=True)
class Field:
    """One JSON property of a model."""

    name: str
    type: str
    max_length: int | None = None
    required: bool = False
    read_only: bool = False
    default: Any = None

    def answer(self, value: Any) -> Any:
        """``value`` as the service sends it: the default for no value, a calendar date without a time."""
        if value is None:
            return copy.copy(self.default)
        if self.type == "date" and isinstance(value, str):
            try:
                return parse_date(value).isoformat()
            except ValueError:
                return value
        return value


@dataclass(frozen=True)
class Model:
    """A named set of fields, in the order the service documents them."""

    name: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        """Return the field called ``name`` (exact spelling), or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def shape(self, record: dict[str, Any]) -> dict[str, Any]:
        """Return ``record`` with every field of the model as the service answers it (see :meth:`Field.answer`)."""
        return {f.name: f.answer(record.get(f.name)) for f in self.fields}


def model_from_table(name: str, table: str) -> Model:
    """Read one model's field table (see the module docstring); raises ValueError on an unknown type."""
    fields = []
    for line in table.strip().splitlines():
        parts = line.split()
        fname, ftype, rest = parts[0], parts[1], parts[2:]
        if ftype not in TYPES:
            raise ValueError(f"{name}.{fname}: unknown type {ftype!r}")
        max_length = next((int(p) for p in rest if p.isdigit()), None)
        default = next((json.loads(p[1:]) for p in rest if p.startswith("=")), None)
        if ftype == "number" and default is not None:
            default = float(default)
        fields.append(
            Field(fname, ftype, max_length, required="req" in rest, read_only="ro" in rest, default=default)
        )
    return Model(name, tuple(fields))
