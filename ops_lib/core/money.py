"""Money is ``Decimal``: one way in from text, one way to round, one way out to JSON.

JSON has numbers, Python's ``json`` has floats. Reading uses
``parse_float=Decimal``; writing goes through :func:`dumps`, which writes
each ``Decimal`` as the exact JSON number it holds, never via a float.

Every amount the suite rounds goes through :func:`round_money`, so a
voucher row, a price sent to a system and a price written to an import
file can never be rounded two ways.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

# What a person types as a number: ASCII digits, an optional sign, one decimal comma or point, and spaces
# (or no-break spaces) only between groups of three. Python's Decimal() also reads "3e1", "1_0", "NaN" and
# non-ASCII digits; none of those is an amount anybody means, so they are refused, never guessed at.
_PLAIN = re.compile(r"^([+-]?)((?:[0-9]{1,3}(?:[ \u00a0][0-9]{3})+)|[0-9]*)(?:[.,]([0-9]*))?$")


def to_decimal(text: Any) -> Decimal:
    """A plain number as text (a decimal comma or point, spaces between thousands) to ``Decimal``.

    ``Decimal`` and ``int`` values pass through (they come from a system, not
    from a person). Text must be a plain number: no exponent (``3e1``), no
    underscore (``1_0``), no comma or point as a thousands separator, no
    digits other than 0-9. The sign is allowed here; whether a column may be
    negative is the caller's rule.

    Raises ValueError naming the text when it is not a plain number.
    """
    if isinstance(text, Decimal):
        return text
    if isinstance(text, float):
        raise TypeError("money must not pass through float; give text or Decimal")
    if isinstance(text, bool):
        raise TypeError("a yes/no value is not a number")
    if isinstance(text, int):
        return Decimal(text)
    match = _PLAIN.match(str(text).strip())
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueError(f"{text!r} is not a number: write digits with one decimal comma or point and spaces "
                         f"between thousands (no exponent, no underscore)")
    sign, whole, fraction = match.groups()
    digits = whole.replace(" ", "").replace("\u00a0", "") or "0"
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


# Half away from zero: 0.005 -> 0.01 and -0.005 -> -0.01 (Decimal's ROUND_HALF_UP is symmetric about zero).
MONEY_ROUNDING = ROUND_HALF_UP


def round_money(amount: Decimal, places: int = 2) -> Decimal:
    """``amount`` rounded to ``places`` decimals (öre, cents), half away from zero.

    Why this mode: the accounting systems take at most two decimals
    (eAccounting's voucher rows and prices, Procountor's accounting values)
    and document no rounding mode, so the suite rounds as Swedish and
    Finnish bookkeeping does by hand: a half öre or cent goes up, as a person
    checking a voucher with a calculator expects. Decimal's own default,
    half to even (banker's rounding), would book 0.125 as 0.12 and surprise
    that reader. The mode is symmetric, so a credit rounds exactly as the
    debit it mirrors and a voucher built from rounded rows still balances.
    """
    return amount.quantize(Decimal(1).scaleb(-places), rounding=MONEY_ROUNDING)


def money_text(amount: Decimal) -> str:
    """An amount as finance people read it: at least two decimals, never rounded (``4795.5`` -> ``4795.50``)."""
    cents = round_money(amount)
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


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and exact decimals: the same payload always hashes the same."""
    def ordered(v: Any) -> Any:
        if isinstance(v, Mapping):
            return {k: ordered(v[k]) for k in sorted(v)}
        if isinstance(v, (list, tuple)):
            return [ordered(x) for x in v]
        return v
    return dumps(ordered(value))
