"""eAccounting's chart of accounts as :class:`ops_lib.account_setup.Chart`, and its Swedish conventions."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..account_setup import Chart, ChartAccount, SetupRules

# BAS: the card wallet (kortplånbok) sits in the 1940 series; vouchers go in a lettered series.
SETUP_RULES = SetupRules(card_contra_prefix="194", voucher_series_pattern=r"^[A-Z]{1,2}$")


def read_chart(client: Any, day: date) -> Chart:
    """The chart of the fiscal year covering ``day``, and the other years' accounts for better messages."""
    years = list(client.fiscal_years())
    current = next((y for y in years if y.covers(day)), None)
    other: dict[str, ChartAccount] = {}
    for year in years:
        if year is not current:
            other.update({a.number: ChartAccount(a.number, a.name, a.is_active) for a in client.accounts(year.id)})
    if current is None:
        return Chart(day, None, False, {}, other)
    accounts = {a.number: ChartAccount(a.number, a.name, a.is_active) for a in client.accounts(current.id)}
    return Chart(day, (current.start_date, current.end_date), current.is_locked, accounts, other)
