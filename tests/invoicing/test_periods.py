"""The supplier-cost period as the settings name it: ISO weeks, calendar months, explicit ranges."""

from __future__ import annotations

from datetime import date

import pytest

from ops_lib.core.errors import ConfigurationError
from ops_lib.invoicing.cost_session import cost_settings
from ops_lib.invoicing.periods import parse_period


@pytest.mark.parametrize(("today", "start", "end"), [
    (date(2026, 12, 3), date(2026, 11, 30), date(2026, 12, 6)),  # a Thursday: the week spans two months
    (date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 6)),  # a Monday
    (date(2026, 12, 6), date(2026, 11, 30), date(2026, 12, 6)),  # a Sunday
    (date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 3)),  # ISO week 53 over the new year
])
def test_this_week_is_the_iso_week_monday_to_sunday(today: date, start: date, end: date) -> None:
    period = parse_period("this_week", today=today)
    assert (period.start, period.end) == (start, end)
    assert period.start.weekday() == 0 and period.end.weekday() == 6


@pytest.mark.parametrize(("today", "this", "last"), [
    (date(2026, 12, 15), (date(2026, 12, 1), date(2026, 12, 31)), (date(2026, 11, 1), date(2026, 11, 30))),
    (date(2027, 1, 1), (date(2027, 1, 1), date(2027, 1, 31)), (date(2026, 12, 1), date(2026, 12, 31))),
    (date(2028, 3, 31), (date(2028, 3, 1), date(2028, 3, 31)), (date(2028, 2, 1), date(2028, 2, 29))),
])
def test_this_and_last_month_are_calendar_months(today: date, this: tuple[date, date],
                                                 last: tuple[date, date]) -> None:
    got = parse_period("this_month", today=today)
    assert (got.start, got.end) == this
    got = parse_period("last_month", today=today)
    assert (got.start, got.end) == last
    assert got.describe() == f"last_month ({last[0]}..{last[1]})"


@pytest.mark.parametrize(("today", "start", "end"), [
    (date(2026, 12, 15), date(2026, 11, 1), date(2026, 12, 31)),
    (date(2027, 1, 1), date(2026, 12, 1), date(2027, 1, 31)),
    (date(2028, 3, 31), date(2028, 2, 1), date(2028, 3, 31)),
])
def test_since_last_month_spans_last_month_and_this_month(today: date, start: date, end: date) -> None:
    got = parse_period("since_last_month", today=today)
    assert (got.start, got.end) == (start, end)
    assert got.describe() == f"since_last_month ({start}..{end})"


def test_since_last_month_is_the_supplier_costs_default_and_catches_a_late_booked_invoice() -> None:
    assert cost_settings().period == "since_last_month"
    late = date(2026, 11, 29)  # dated late in November, booked on 3 December
    assert late in parse_period(cost_settings().period, today=date(2026, 12, 3))
    assert late not in parse_period("this_month", today=date(2026, 12, 3))


def test_a_range_includes_both_days_and_a_single_day_is_a_range() -> None:
    period = parse_period("2026-11-15..2026-12-10")
    assert (period.start, period.end) == (date(2026, 11, 15), date(2026, 12, 10))
    assert date(2026, 11, 15) in period and date(2026, 12, 10) in period
    assert date(2026, 11, 14) not in period and date(2026, 12, 11) not in period
    one = parse_period("2026-12-01..2026-12-01")
    assert one.start == one.end == date(2026, 12, 1)
    assert one.describe() == "2026-12-01..2026-12-01"


def test_the_local_date_is_the_default_today() -> None:
    period = parse_period("this_month")
    assert period.start <= date.today() <= period.end


@pytest.mark.parametrize("text", ["2026-12-10..2026-12-01", "next_month", "2026-12-01", "2026-12-01..",
                                  "2026-13-01..2026-12-31", ""])
def test_a_bad_period_is_refused_naming_the_setting(text: str) -> None:
    with pytest.raises(ConfigurationError, match="^period"):
        parse_period(text, today=date(2026, 12, 1))


def test_the_settings_refuse_a_bad_period_before_anything_connects() -> None:
    with pytest.raises(ConfigurationError, match="supplier costs parameter period .*starts after it ends"):
        cost_settings(period="2026-12-10..2026-12-01")
    with pytest.raises(ConfigurationError, match="supplier costs parameter period must be"):
        cost_settings(period="fortnight")
    assert cost_settings(period=" last_month ").period == "last_month"
