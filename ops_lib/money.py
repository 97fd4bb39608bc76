"""Money is ``Decimal``: one way in from text, one way out to JSON.

JSON has numbers, Python's ``json`` has floats. Reading uses
``parse_float=Decimal``; writing goes through :func:`dumps`, which writes
each ``Decimal`` as the exact JSON number it holds, never via a float.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any


def to_decimal(text: Any) -> Decimal:
    """Text (point or comma as decimal separator, spaces as grouping) to ``Decimal``.

    Raises ValueError naming the text when it is not a number.
    """
    if isinstance(text, Decimal):
        return text
    if isinstance(text, float):
        raise TypeError("money must not pass through float; give text or Decimal")
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return value


def money_text(amount: Decimal) -> str:
    """An amount as finance people read it: at least two decimals, never rounded (``4795.5`` -> ``4795.50``)."""
    cents = amount.quantize(Decimal("0.01"))
    return format(cents if cents == amount else amount, "f")


def loads(raw: bytes | str) -> Any:
    """JSON with every non-integer number as ``Decimal``."""
    return json.loads(raw, parse_float=Decimal)


def dumps(value: Any) -> str:
    """JSON in which each ``Decimal`` is written exactly as a number."""
    marker = uuid.uuid4().hex
    exact: dict[str, str] = {}

    def default(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            if not obj.is_finite():
                raise ValueError(f"{obj} cannot be sent as a JSON number")
            token = f"{marker}{len(exact)}"
            exact[token] = format(obj, "f")
            return token
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    text = json.dumps(value, default=default, ensure_ascii=False)
    for token, number in exact.items():
        text = text.replace(f'"{token}"', number)
    return text
