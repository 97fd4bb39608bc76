"""Canonical records to eAccounting payloads, following the project-management field mapping.

The rules come from the integration guide users already know:

* customers are always companies; the address is the invoicing address
  (the readers fall back to the head-office address); the contact's
  first and last name arrive joined with a space; terms of payment are
  the company's terms with that many days; the currency is carried over;
* articles take the product's code as number; new ones are coded as
  "services at x % VAT" by the product's VAT rate; the unit is the one
  given, else hours for work types, kilometres for mileage and pieces for
  the rest; the price including VAT is computed from the net price;
* projects become cost centre items in the configured cost centre (short
  name = project number, name = project name, active = open), or
  projects (status ongoing or finished), as the run's options choose.

Lookups (terms, codings, units, the cost centre) are read once per run
into :class:`Lookups`. A payload that cannot be built raises
:class:`~ops_lib.sync.plan.PlanBlocked` with the reason and the fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ops_lib.core.money import round_money, to_decimal
from ops_lib.model.registers import normal_integer
from ops_lib.systems.base import PlanBlocked
from ops_lib.systems.eaccounting.client import EAccountingClient

# canonical field -> eAccounting field (payment terms and activity are special)
CUSTOMER_API: dict[str, str] = {
    "number": "CustomerNumber", "name": "Name", "org_number": "CorporateIdentityNumber", "vat_number": "VatNumber",
    "address1": "InvoiceAddress1", "address2": "InvoiceAddress2", "postal_code": "InvoicePostalCode",
    "city": "InvoiceCity", "country_code": "InvoiceCountryCode", "phone": "Telephone", "email": "EmailAddress",
    "website": "WwwAddress", "contact_name": "ContactPersonName", "contact_email": "ContactPersonEmail",
    "contact_phone": "ContactPersonPhone", "currency": "CurrencyCode", "is_active": "IsActive",
}
ARTICLE_API: dict[str, str] = {"number": "Number", "name": "Name", "price": "NetPrice", "is_active": "IsActive"}
ITEM_API: dict[str, str] = {"number": "ShortName", "name": "Name", "is_active": "IsActive"}
PROJECT_API: dict[str, str] = {"number": "Number", "name": "Name", "is_active": "Status"}

UNIT_WORDS = {
    "hours": ("h", "tim", "timme", "timmar", "hour", "hours"),
    "kilometres": ("km", "kilometer", "kilometre"),
    "pieces": ("st", "styck", "pcs", "piece", "pieces"),
}
MILEAGE_WORDS = ("mil", "km", "körning", "kilometer", "mileage")


def _active(record: Mapping[str, str]) -> bool:
    """Active unless the record says ``false`` (an empty cell means active)."""
    return str(record.get("is_active", "") or "true").strip().lower() == "true"


@dataclass(frozen=True)
class Lookups:
    """The company's terms, codings, units and cost centres, read once per sync."""

    terms_by_days: Mapping[int, str]
    default_terms: str
    service_codings: Mapping[Decimal, str]
    units: Mapping[str, str]
    cost_centers: Mapping[str, str]

    @classmethod
    def read(cls, client: EAccountingClient) -> "Lookups":
        terms: dict[int, str] = {}
        for t in client.terms_of_payment():
            data = t.data
            if t.days is not None and data.get("AvailableForSales", True) is not False:
                # prefer ordinary net terms over cash or special terms with the same days
                if t.days not in terms or data.get("TermsOfPaymentTypeId") == 0:
                    terms[t.days] = t.id
        codings: dict[Decimal, str] = {}
        for c in client.article_account_codings():
            if c.vat_rate is None:
                continue
            percent = (c.vat_rate * 100).normalize()
            if c.type.lower() == "service" and c.is_active and percent not in codings:
                codings[percent] = c.id
        units: dict[str, str] = {}
        for u in client.units():
            for word in (u.code, u.name, str(u.data.get("Abbreviation") or "")):
                if word:
                    units.setdefault(word.strip().casefold(), u.id)
        centers = {c.name.strip().casefold(): c.id for c in client.cost_centers()}
        settings = client.company_settings()
        return cls(terms, str(settings.data.get("TermsOfPaymentId") or ""), codings, units, centers)

    def terms(self, days: str) -> str:
        if not days.strip():
            if not self.default_terms:
                raise PlanBlocked("no terms of payment given and the company has no default; set them in the source")
            return self.default_terms
        try:  # the same rule as the readers: a plain whole number, 0 or more ("1_0" is not 10)
            number = int(normal_integer(days, signed=False))
        except ValueError as exc:
            raise PlanBlocked(f"terms of payment: {exc}; give the number of days as a whole number") from None
        if number not in self.terms_by_days:
            known = ", ".join(str(d) for d in sorted(self.terms_by_days))
            raise PlanBlocked(f"eAccounting has no terms of payment with {number} days (it has {known}); "
                              f"add them in eAccounting or change the customer's terms")
        return self.terms_by_days[number]

    def coding(self, vat_rate: str) -> str:
        if not vat_rate.strip():
            raise PlanBlocked("the product has no VAT rate, so it gets no account coding (the service would answer "
                              "'Error converting value {null} to type System.Guid. Path CodingId'); set the VAT rate")
        rate = to_decimal(vat_rate).normalize()
        if rate not in self.service_codings:
            raise PlanBlocked(f"eAccounting has no account coding 'services at {rate} % VAT'")
        return self.service_codings[rate]

    def unit(self, given: str, kind: str, name: str) -> str:
        """The unit given, else hours for work types, kilometres for mileage, pieces for the rest."""
        if given.strip():
            found = self.units.get(given.strip().casefold())
            if found is None:
                raise PlanBlocked(f"eAccounting has no unit {given!r}; add it or change the product's unit")
            return found
        words = name.casefold().split()
        if kind == "work_type":
            default = "hours"
        elif kind == "travel_expense" and any(w.startswith(MILEAGE_WORDS) for w in words):
            default = "kilometres"
        else:
            default = "pieces"
        for word in UNIT_WORDS[default]:
            if word in self.units:
                return self.units[word]
        raise PlanBlocked(f"eAccounting has no unit for {default}")

    def cost_center(self, name: str) -> str:
        found = self.cost_centers.get(name.strip().casefold())
        if found is None:
            raise PlanBlocked(f"eAccounting has no cost centre {name!r}; a cost centre for the projects must exist "
                              f"before the first transfer (cost centres cannot be created through the API)")
        return found


def gross_price(net: Decimal, rate_percent: Decimal) -> Decimal:
    """Price including VAT, rounded to öre as the service stores prices."""
    return round_money(net * (1 + rate_percent / 100))


def customer_fields(record: Mapping[str, str], fields: Sequence[str], lookups: Lookups) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        if f == "payment_terms_days":
            body["TermsOfPaymentId"] = lookups.terms(record.get(f, ""))
        elif f == "is_active":
            body["IsActive"] = _active(record)
        elif f in CUSTOMER_API:
            value = record.get(f, "")
            body[CUSTOMER_API[f]] = value if value != "" else None
    return body


def new_customer(record: Mapping[str, str], lookups: Lookups) -> dict[str, Any]:
    fields = [f for f in record if f in CUSTOMER_API and f != "is_active" and record[f] != ""]
    fields += ["payment_terms_days", "is_active"]
    return {"IsPrivatePerson": False, **customer_fields(record, fields, lookups)}


def article_fields(record: Mapping[str, str], fields: Sequence[str], lookups: Lookups) -> dict[str, Any]:
    body: dict[str, Any] = {}
    fields = list(fields)
    if "vat_rate" in fields:
        body["CodingId"] = lookups.coding(record.get("vat_rate", ""))
    if "unit" in fields:
        body["UnitId"] = lookups.unit(record.get("unit", ""), record.get("kind", ""), record.get("name", ""))
    if "price" in fields or "vat_rate" in fields:
        price = record.get("price", "")
        if price:
            net = to_decimal(price)
            body["NetPrice"] = net
            if record.get("vat_rate", ""):
                body["GrossPrice"] = gross_price(net, to_decimal(record["vat_rate"]))
    for f in ("number", "name"):
        if f in fields:
            body[ARTICLE_API[f]] = record.get(f, "")
    if "is_active" in fields:
        body["IsActive"] = _active(record)
    return body


def new_article(record: Mapping[str, str], lookups: Lookups) -> dict[str, Any]:
    return article_fields(record, ["number", "name", "vat_rate", "unit", "price", "is_active"], lookups)


def item_fields(record: Mapping[str, str], fields: Sequence[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        if f == "is_active":
            body["IsActive"] = _active(record)
        elif f in ITEM_API:
            body[ITEM_API[f]] = record.get(f, "")
    return body


def project_fields(record: Mapping[str, str], fields: Sequence[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        if f == "is_active":
            body["Status"] = 1 if _active(record) else 2
        elif f in PROJECT_API:
            body[PROJECT_API[f]] = record.get(f, "")
    return body


def new_project(record: Mapping[str, str], start: dt.date) -> dict[str, Any]:
    """A project; the export carries no start date, so it starts on the day the plan was made."""
    return {**project_fields(record, list(PROJECT_API)), "StartDate": start.isoformat()}
