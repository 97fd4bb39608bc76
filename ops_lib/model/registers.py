"""The canonical registers: the fields every reader produces and the engine compares.

A register frame is a pandas DataFrame with one row per record and the
canonical columns of its register, all held as text exactly as the source
wrote them (``0123`` stays ``0123``), except where a field's meaning needs
a normal form so that two systems can be compared: booleans become
``true``/``false``, product kinds one of three words, money and rates
the canonical text of a ``Decimal`` (``2580,00`` and ``2580.00`` both
become ``2580``). Empty cells are empty strings: an empty cell counts
as missing. Two bookkeeping columns say where each row came from:
``_source`` (file or system) and ``_row`` (the line or record number).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ops_lib.core.money import to_decimal

if TYPE_CHECKING:
    import pandas as pd

# The registers compared by number and name; suppliers are the vendors an expense service books against.
REGISTERS = ("customers", "products", "projects", "suppliers")


@dataclass(frozen=True)
class RegisterSpec:
    """The canonical fields of one register and how each is normalised."""

    name: str
    fields: tuple[str, ...]
    required: tuple[str, ...] = ("number", "name")
    booleans: tuple[str, ...] = ("is_active",)
    decimals: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    # Decimal or integer fields that are never negative: days, rates, prices, the debit and credit columns.
    # A minus there is a typo (or a credit in the wrong column), so it is refused, not booked the other way.
    non_negative: tuple[str, ...] = ()
    # (field, fallback field) pairs taken together: when every field of the block is empty,
    # the whole block comes from the fallbacks, which are then dropped (they are never compared).
    fallback_block: tuple[tuple[str, str], ...] = ()


SPECS: dict[str, RegisterSpec] = {
    "customers": RegisterSpec(
        "customers",
        ("number", "name", "org_number", "vat_number", "address1", "address2", "postal_code", "city",
         "country_code", "phone", "email", "website", "contact_name", "contact_email", "contact_phone",
         "payment_terms_days", "currency", "is_active", "office_address1", "office_address2", "office_postal_code",
         "office_city", "office_country_code"),
        integers=("payment_terms_days",), non_negative=("payment_terms_days",),
        # The invoicing address, falling back to the head-office address, as the integration does.
        fallback_block=(("address1", "office_address1"), ("address2", "office_address2"),
                        ("postal_code", "office_postal_code"), ("city", "office_city"),
                        ("country_code", "office_country_code")),
    ),
    "products": RegisterSpec(
        "products", ("number", "name", "kind", "unit", "price", "vat_rate", "is_active"),
        # The service's article prices have a minimum of 0 (see the API reference), so neither may be negative.
        decimals=("price", "vat_rate"), kinds=("kind",), non_negative=("price", "vat_rate"),
    ),
    "projects": RegisterSpec("projects", ("number", "name", "is_active")),
    # Suppliers (vendors): what an expense service and an accounting system must agree on to book a purchase.
    "suppliers": RegisterSpec("suppliers", ("number", "name", "vat_number", "country_code", "is_active")),
    # Journals to book, not registers to compare: read with the same readers, then built into vouchers.
    # One expense may span several lines (a split expense): the lines share its expense_id.
    "expenses": RegisterSpec(
        "expenses",
        ("expense_id", "date", "type", "amount", "currency", "company_amount", "exchange_rate", "vat_amount",
         "vat_code", "category", "tags", "note", "receipt", "employee", "attendees", "seller_country"),
        required=("expense_id", "date", "type", "amount"), booleans=(), integers=("attendees",),
        # A negative amount (with its VAT) is a refund or a credit on the card: legitimate, booked the other way.
        decimals=("amount", "company_amount", "exchange_rate", "vat_amount"), dates=("date",),
        non_negative=("exchange_rate", "attendees"),
    ),
    "payroll": RegisterSpec(
        "payroll", ("account", "debit", "credit", "cost_centre", "project", "text", "period", "date", "employee"),
        required=("account", "period"), booleans=(), decimals=("debit", "credit"), integers=("account",),
        dates=("date",), non_negative=("debit", "credit", "account"),
    ),
}

BOOKKEEPING = ("_source", "_row")

_TRUE = {"true", "1", "yes", "y", "ja", "j", "x", "aktiv", "active", "öppen", "open", "ongoing", "pågående"}
_FALSE = {"false", "0", "no", "n", "nej", "inaktiv", "inactive", "avslutad", "closed", "finished", "stängd"}
_KINDS = {
    "product": "product", "produkt": "product", "artikel": "product", "article": "product", "vara": "product",
    "work_type": "work_type", "work type": "work_type", "arbetstyp": "work_type", "tjänst": "work_type",
    "service": "work_type",
    "travel_expense": "travel_expense", "travel expense": "travel_expense", "reseutgift": "travel_expense",
    "reseutlägg": "travel_expense", "utlägg": "travel_expense", "resekostnad": "travel_expense",
}


def spec(register: str) -> RegisterSpec:
    if register not in SPECS:
        raise ValueError(f"unknown register {register!r}; choose one of {', '.join(SPECS)}")
    return SPECS[register]


def normal_bool(text: str) -> str:
    """``true``/``false`` for the words finance exports use; raises ValueError otherwise."""
    word = text.strip().casefold()
    if word in _TRUE:
        return "true"
    if word in _FALSE:
        return "false"
    raise ValueError(f"{text!r} is not a yes/no value")


def normal_kind(text: str) -> str:
    word = " ".join(text.strip().casefold().replace("-", " ").split())
    if word in _KINDS:
        return _KINDS[word]
    raise ValueError(f"{text!r} is not a product kind (product, work type or travel expense)")


def normal_decimal(text: str | Decimal, *, signed: bool = True) -> str:
    """The canonical text of an amount or rate, whatever its scale: ``2580,00`` and ``2580.0`` -> ``2580``.

    Systems write the same amount with different decimals; the canonical
    text drops trailing zeros so equal amounts compare equal as text. Text
    must be a plain number (:func:`ops_lib.core.money.to_decimal`); with
    ``signed=False`` a negative one is refused too.
    """
    value: Decimal = to_decimal(text)
    if not signed and value < 0:
        raise ValueError(f"{text!r} is negative; this column takes 0 or more")
    return format(value.normalize(), "f") if value else "0"


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%Y/%m/%d")


def normal_date(text: str) -> str:
    """An ISO date from the forms exports write (``2026-10-03``, ``20261003``, ``3.10.2026``, with a time or not).

    Day-first and month-first slashes (``03/10/2026``) are refused: the
    same text means two dates, and a wrong booking date is worse than none.
    """
    word = text.strip()
    head = word.replace("T", " ").split(" ")[0]
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, form).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (write it as YYYY-MM-DD)")


def normal_integer(text: str, *, signed: bool = True) -> str:
    """A whole number as text (``30``, ``30,0``); with ``signed=False`` a negative one is refused."""
    value = to_decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    if not signed and value < 0:
        raise ValueError(f"{text!r} is negative; this column takes 0 or more")
    return str(int(value))


def fold_name(text: str) -> str:
    """A name with case, spacing and Unicode form removed: what makes two names the same "cosmetically"."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def apply_fallbacks(frame: "pd.DataFrame", register: str) -> "pd.DataFrame":
    """Fill each row's empty block from its fallback fields, then drop the fallback columns.

    The block counts as empty when its address line, postal code and city
    are all empty; a partly filled block is kept as it is, so two
    addresses are never mixed.
    """
    block = spec(register).fallback_block
    present = [(f, b) for f, b in block if b in frame.columns]
    if not present:
        return frame
    frame = frame.copy()
    for field, _ in present:
        if field not in frame.columns:
            frame[field] = ""
    key = [f for f, _ in present if f in ("address1", "postal_code", "city")] or [present[0][0]]
    empty = (frame[key].astype(str).apply(lambda col: col.str.strip() == "")).all(axis=1)
    for field, fallback in present:
        frame.loc[empty, field] = frame.loc[empty, fallback]
    return frame.drop(columns=[b for _, b in present])


def canonical_frame(records: list[dict[str, str]], register: str, source: str) -> pd.DataFrame:
    """A register frame from records already holding canonical fields (system readers use it)."""
    import pandas as pd  # only here: the register specs import without pandas

    s = spec(register)
    frame = pd.DataFrame(records, dtype=object)
    present = [f for f in s.fields if f in frame.columns] if len(frame.columns) else list(s.required)
    ids = frame["_id"] if "_id" in frame.columns else None
    frame = frame.reindex(columns=present).fillna("")
    frame["_source"] = source
    frame["_row"] = range(1, len(frame) + 1)
    if ids is not None:
        frame["_id"] = ids.fillna("").astype(str)  # the system's record id, for updates
    return frame
