"""eAccounting's registers as canonical register frames (customers, products, projects).

The field mapping is data: canonical field -> how to take it from the API
record. Articles carry no product kind, so the products frame has no
``kind`` column and kinds are not compared against eAccounting.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pandas as pd

from ..readers import canonical_frame
from ..registers import normal_decimal
from .client import EAccountingClient


def _text(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if r.get(name) is None else str(r[name])


def _bool(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "true" if r.get(name) else "false"


def _decimal(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if r.get(name) is None else normal_decimal(str(r[name]))


CUSTOMER_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "number": _text("CustomerNumber"), "name": _text("Name"), "org_number": _text("CorporateIdentityNumber"),
    "vat_number": _text("VatNumber"), "address1": _text("InvoiceAddress1"), "address2": _text("InvoiceAddress2"),
    "postal_code": _text("InvoicePostalCode"), "city": _text("InvoiceCity"),
    "country_code": _text("InvoiceCountryCode"), "phone": _text("Telephone"), "email": _text("EmailAddress"),
    "website": _text("WwwAddress"), "contact_name": _text("ContactPersonName"),
    "contact_email": _text("ContactPersonEmail"), "contact_phone": _text("ContactPersonPhone"),
    "payment_terms_days": lambda r: str((r.get("TermsOfPayment") or {}).get("NumberOfDays") or ""),
    "currency": _text("CurrencyCode"), "is_active": _bool("IsActive"),
}
PROJECT_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "number": _text("Number"), "name": _text("Name"), "is_active": lambda r: "true" if r.get("Status") == 1 else "false",
}


def read_register(client: EAccountingClient, register: str, progress: bool = False) -> pd.DataFrame:
    """One register of the connected company as a canonical frame."""
    source = f"eaccounting:{client.session.key}"
    if register == "customers":
        rows = [dict(c.data) for c in client.customers.list(progress=progress)]
        return canonical_frame([{f: get(r) for f, get in CUSTOMER_FIELDS.items()} for r in rows], register, source)
    if register == "projects":
        rows = [dict(p.data) for p in client.projects.list(progress=progress)]
        return canonical_frame([{f: get(r) for f, get in PROJECT_FIELDS.items()} for r in rows], register, source)
    if register == "products":
        rates = {c.id: c.vat_rate for c in client.article_account_codings()}
        records = []
        for article in client.articles.list(progress=progress):
            r = dict(article.data)
            rate = rates.get(str(r.get("CodingId") or ""))
            records.append({
                "number": _text("Number")(r), "name": _text("Name")(r),
                "unit": str(r.get("UnitAbbreviation") or r.get("UnitName") or ""),
                "price": _decimal("NetPrice")(r),
                "vat_rate": "" if rate is None else normal_decimal(str((rate * Decimal(100)).normalize())),
                "is_active": _bool("IsActive")(r),
            })
        return canonical_frame(records, register, source)
    raise ValueError(f"unknown register {register!r}")
