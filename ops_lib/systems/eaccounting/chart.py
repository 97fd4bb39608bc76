"""eAccounting's chart, VAT codes, cost centres and projects as system-neutral :class:`References`.

eAccounting's dimensions are its cost centres, numbered 1 to 3: each
becomes a :class:`Dimension` whose id is that number, the slot a voucher
row names its item in (``CostCenterItemId1..3``, see
:func:`ops_lib.systems.eaccounting.vouchers.voucher_payload`).

Also the conventions journal export follows here (:data:`SETUP_RULES`):
its companies are Swedish, so Sweden's booking rules and BAS accounts
apply (``ops_lib/model/countries/se.yaml``: input VAT on 2641, öre
rounding on 3740, reverse charge on 2614/2645, ...), a payroll's rounding row reads
"Öresavrundning"; BAS puts the card wallet (kortplånbok) in the 1940
series, vouchers go in a lettered series, and the Pleo integration exports
only the first cost centre, so a tag of any other cost centre makes its
expense fail.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.chart import Chart, ChartAccount
from ops_lib.model.references import Dimension, DimensionItem, FiscalYearChart, References, VatCodeRef
from ops_lib.systems.eaccounting.vouchers import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

PROJECT_ENDED = 2

DIMENSION_NOUN = "cost centre"

SETUP_RULES = SetupRules(
    country="SE", rounding_text="Öresavrundning",
    card_contra_prefix="194", voucher_series_pattern=r"^[A-Z]{1,2}$", dimension_limit=1,
    dimension_limit_reason="eEkonomi exports only the first cost centre: an expense tagged with another "
                           "cost centre fails when it is exported",
    voucher_text_max=100, row_text_max=50, receipt_types=ATTACHMENT_TYPES, receipt_max_bytes=MAX_ATTACHMENT_BYTES)


def read_references(client: Any) -> References:
    """Every fiscal year with its chart, the VAT codes, cost centres (in number order) and projects."""
    years = []
    for year in client.fiscal_years():
        accounts = {a.number: ChartAccount(a.number, a.name, a.is_active) for a in client.accounts(year.id)}
        years.append(FiscalYearChart(year.start_date, year.end_date, year.is_locked, accounts))
    vat = {v.code: VatCodeRef(v.id, v.code, v.description, Decimal(str(v.rate or 0)),
                                 v.related_accounts) for v in client.vat_codes()}
    centres = []
    for centre in sorted(client.cost_centers(), key=lambda c: int(c.number or 0)):
        items = {i.short_name: DimensionItem(i.id, i.short_name, i.name, i.is_active) for i in centre.items}
        centres.append(Dimension(str(int(centre.number or 0)), centre.name, items, centre.is_active))
    projects = {p.number: DimensionItem(p.id, p.number, p.name, p.status != PROJECT_ENDED)
                for p in client.projects.list()}
    settings = client.company_settings()
    return References(settings.name, settings.currency or "SEK", tuple(sorted(years, key=lambda y: y.start)), vat,
                      tuple(centres), projects, settings.accounting_locked_to, DIMENSION_NOUN)


def read_chart(client: Any, day: date) -> Chart:
    """The chart of the fiscal year covering ``day``, and the other years' accounts for better messages."""
    return read_references(client).chart(day)
