"""Visma.net's chart, VAT codes, subaccount segments and financial periods as neutral :class:`References`.

* The chart is one list for the company (``GET /v1/account``), not one
  per year; an account's ``description`` is its name.
* Each *financial period* becomes one :class:`FiscalYearChart` with the
  whole chart, locked when the period is closed in the general ledger or
  inactive: Visma.net opens and closes periods one by one, so a month
  closed in the middle of a year blocks exactly that month. ``locked_to``
  is the end of the last period of the closed run from the first period.
* A VAT code's rate is the one its schedule has in force today; its
  accounts are the claimable (input) and payable (output) VAT accounts.
* The dimensions are the segments of ``SUBACCOUNT`` in segment order, each
  a :class:`Dimension` whose id is the segment id: a journal line names its
  values as ``subaccount: [{segmentId, segmentValue}]``.
* Projects are not read (the tags live in a segment, ``system_options.segment``).

:data:`SETUP_RULES` is the booking conventions: the demo company is
Swedish, so Sweden's booking rules and BAS accounts apply
(``ops_lib/model/countries/se.yaml``), the card wallet is in the 1940 series,
and a batch's description holds 255 characters (the key marker among them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.chart import ChartAccount
from ops_lib.model.references import Dimension, DimensionItem, FiscalYearChart, References, VatCodeRef
from ops_lib.systems.vismanet.client import SUBACCOUNT
from ops_lib.systems.vismanet.records import FinancialPeriod
from ops_lib.systems.vismanet.vouchers import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

DIMENSION_NOUN = "subaccount segment"

SETUP_RULES = SetupRules(
    country="SE", rounding_text="Öresavrundning", card_contra_prefix="194",
    dimension_limit=None, voucher_text_max=255, row_text_max=255, receipt_types=ATTACHMENT_TYPES,
    receipt_max_bytes=MAX_ATTACHMENT_BYTES)


def locked_to(periods: list[FinancialPeriod]) -> date | None:
    """The end of the closed run of periods from the first one (None when the first is open)."""
    end = None
    for p in sorted((p for p in periods if p.start_date), key=lambda p: p.start_date or date.min):
        if not p.is_locked:
            break
        end = p.end_date
    return end


def read_references(client: Any, *, today: date | None = None) -> References:
    """The chart, VAT codes, ``SUBACCOUNT`` segments and financial periods of the connected company."""
    day = today or date.today()
    accounts = {a.number: ChartAccount(a.number, a.name, a.is_active) for a in client.accounts()}
    periods = client.financial_periods()
    years = tuple(FiscalYearChart(p.start_date, p.end_date, p.is_locked, accounts)
                  for p in sorted(periods, key=lambda p: p.start_date or date.min) if p.start_date and p.end_date)
    vat = {v.id: VatCodeRef(v.id, v.id, v.description, v.rate(day), v.accounts) for v in client.vat_codes()}
    dimensions = tuple(
        Dimension(str(s.id), s.description,
                  {v.value: DimensionItem(v.value, v.value, v.description, v.is_active) for v in s.values})
        for s in sorted(client.segments(SUBACCOUNT), key=lambda s: s.id or 0))
    branches = client.branches()
    main = next((b for b in branches if b.is_main), branches[0] if branches else None)
    return References(main.name if main else "", (main.currency if main else "") or "SEK", years, vat,
                      dimensions, {}, locked_to(periods), DIMENSION_NOUN)
