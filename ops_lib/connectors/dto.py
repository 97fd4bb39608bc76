"""Typed, immutable views of JSON DTOs named by dotted paths: the read records of systems whose answers nest.

A record keeps the fields the suite reasons about as typed attributes,
each named in ``API`` by a dotted path into the DTO
(``mainAddress.country.id``), and the whole answer in ``data``
(read-only), so nothing the service sent is lost. Visma.net and
Procountor both read their answers this way; the converters go by the
attribute's annotation, and amounts stay ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Mapping, TypeVar

R = TypeVar("R", bound="DtoRecord")


def dig(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of a DTO (None when any step is missing)."""
    value: Any = data
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def as_date(value: Any) -> date | None:
    """An API date or date-time as its date (None when empty)."""
    return date.fromisoformat(str(value)[:10]) if value else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# Annotations are strings here (postponed evaluation), so converters are keyed by them.
_CONVERT = {"str": _text, "bool": bool, "date | None": as_date, "Decimal | None": _decimal,
            "int | None": lambda v: None if v is None else int(v)}


@dataclass(frozen=True)
class DtoRecord:
    """Base of the typed records: ``API`` maps attribute -> dotted DTO path."""

    API: ClassVar[dict[str, str]] = {}
    data: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls: type[R], data: Mapping[str, Any]) -> R:
        values = {f.name: _CONVERT[str(f.type)](dig(data, cls.API[f.name])) for f in fields(cls) if f.name != "data"}
        return cls(**values, data=MappingProxyType(dict(data)))
