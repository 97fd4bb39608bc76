"""Procountor's chart, VAT, dimensions and fiscal years as neutral :class:`References`.

* The chart is one list for the company (``GET /coa``), not one per year;
  each fiscal year (``GET /fiscalyears``) becomes one
  :class:`FiscalYearChart` with the whole chart, locked when it is not
  open. ``locked_to`` is the end of the closed run from the first year.
* A *VAT code* here is a pair Procountor puts on a transaction: a purchase
  ``vatStatus`` (``GET /vats/default``) and a ``vatPercent`` in use for the
  company (``GET /vats/country?countryCode=FI``). Its id is
  ``"<status>:<percent>"`` (``"1:25.5"``, a domestic purchase at 25.5 %),
  which is what a category maps to; its rate is the percent as a
  fraction and, for a domestic purchase (status 1), its account the
  Finnish input VAT account (from the country's rules), so a category that names a rate class finds the code of
  the rate in force on the expense's day.
* The dimensions are Procountor's dimensions, each item keyed by its
  ``codeName``; a transaction names an item by dimension id and item id.

:data:`SETUP_RULES` is the booking conventions: the demo company is
Finnish, so Finland's booking rules and chart accounts apply
(``ops_lib/model/countries/fi.yaml``), the card wallet is in the 194x
series, and a receipt's name holds 80 characters (the key marker among them).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.chart import ChartAccount
from ops_lib.model.references import Dimension, DimensionItem, FiscalYearChart, References, VatCodeRef
from ops_lib.systems.procountor.records import FiscalYearRecord, VatStatusRecord
from ops_lib.systems.procountor.vouchers import ATTACHMENT_TYPES, DOMESTIC_STATUS, MAX_ATTACHMENT_BYTES, NAME_MAX

DIMENSION_NOUN = "dimension"
COUNTRY = "FI"

SETUP_RULES = SetupRules(
    country=COUNTRY, rounding_text="Pyöristys", card_contra_prefix="194",
    dimension_limit=None, voucher_text_max=NAME_MAX, row_text_max=255, receipt_types=ATTACHMENT_TYPES,
    receipt_max_bytes=MAX_ATTACHMENT_BYTES)


def locked_to(years: list[FiscalYearRecord]) -> date | None:
    """The end of the closed run of fiscal years from the first one (None when the first is open)."""
    end = None
    for y in sorted((y for y in years if y.start_date), key=lambda y: y.start_date or date.min):
        if y.is_open:
            break
        end = y.end_date
    return end


def percent_text(value: Any) -> str:
    """A VAT percent as the id shows it (``25.5``, ``24``, ``0``)."""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def vat_codes(client: Any, input_vat_account: str) -> dict[str, VatCodeRef]:
    """Every (purchase VAT status, percent in use) pair as a VAT code (see the module docstring)."""
    defaults = client.vat_defaults()
    statuses = [VatStatusRecord.from_api(s) for s in defaults.get("vatStatuses") or []]
    percents = sorted({percent_text(p.get("vatPercent") if isinstance(p, dict) else p)
                       for p in client.vat_percentages(COUNTRY)}, key=Decimal, reverse=True)
    found = {}
    for status in statuses:
        if not status.purchase or status.status is None:
            continue
        for pct in percents:
            code = f"{status.status}:{pct}"
            # Only a domestic purchase deducts input VAT at the percent; the others' VAT is booked by their rules.
            domestic = status.status == DOMESTIC_STATUS and Decimal(pct) != 0
            accounts = (input_vat_account,) if input_vat_account and domestic else ()
            found[code] = VatCodeRef(code, code, f"{status.description} {pct} %", Decimal(pct) / 100, accounts)
    return found


def read_references(client: Any) -> References:
    """The chart, VAT codes, dimensions and fiscal years of the connected company."""
    accounts = {a.number: ChartAccount(a.number, a.name, a.is_active) for a in client.accounts()}
    years = client.fiscal_years()
    charts = tuple(FiscalYearChart(y.start_date, y.end_date, not y.is_open, accounts)
                   for y in sorted(years, key=lambda y: y.start_date or date.min) if y.start_date and y.end_date)
    rules = SETUP_RULES.country_rules
    vat = vat_codes(client, rules.accounts.get("input_vat_account", "") if rules else "")
    dimensions = tuple(
        Dimension(str(d.id), d.name,
                  {i.code: DimensionItem(str(i.id), i.code, i.description, i.is_active) for i in d.items})
        for d in sorted(client.dimensions(), key=lambda d: d.id or 0))
    company = client.company()
    return References(str(company.get("name") or ""), str(company.get("companyCurrency") or "EUR"), charts, vat,
                      dimensions, {}, locked_to(years), DIMENSION_NOUN)
