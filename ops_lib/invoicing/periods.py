"""The period supplier invoices are read for, as a person says it in the settings.

``this_week`` (ISO week, Monday to Sunday), ``this_month``, ``last_month``,
``since_last_month`` (the first day of last month to the last day of this
month: the supplier costs' default) or an explicit ``YYYY-MM-DD..YYYY-MM-DD`` range, both days included. The
relative names are resolved against ``today``, which a test (or a
scheduled run that must read yesterday's month) can inject; by default it
is the local date, because a person asking for "this month" means the
month on their own calendar, not UTC's. Periods may overlap earlier runs
freely: the cost ledger (:mod:`ops_lib.invoicing.costs`) keeps an invoice
from being transferred twice. That is why ``since_last_month`` is the
default for the supplier costs: an invoice dated late in a month and
booked after the month ended is missed by a monthly ``this_month`` run on
either side, and the overlap with last month costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ops_lib.core.errors import ConfigurationError

THIS_WEEK, THIS_MONTH, LAST_MONTH = "this_week", "this_month", "last_month"
SINCE_LAST_MONTH = "since_last_month"
PERIOD_NAMES = (THIS_WEEK, THIS_MONTH, LAST_MONTH, SINCE_LAST_MONTH)
PERIOD_HELP = "this_week | this_month | last_month | since_last_month | YYYY-MM-DD..YYYY-MM-DD"


@dataclass(frozen=True)
class Period:
    """The days ``start``..``end`` (both included), and how the settings named them."""

    start: date
    end: date
    text: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def describe(self) -> str:
        """``this_month (2026-12-01..2026-12-31)``, or just the range when it was given as one."""
        span = f"{self.start.isoformat()}..{self.end.isoformat()}"
        return span if self.text in ("", span) else f"{self.text} ({span})"


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _range(text: str, setting: str) -> Period:
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError(text)
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError as exc:
        raise ConfigurationError(f"{setting} must be {PERIOD_HELP}, not {text!r}") from exc
    if start > end:
        raise ConfigurationError(f"{setting} {text!r} starts after it ends: write the earlier day first")
    return Period(start, end, text)


def parse_period(text: str, *, today: date | None = None, setting: str = "period") -> Period:
    """The period ``text`` names, relative to ``today`` (default: the local date).

    Parameters
    ----------
    text:
        One of :data:`PERIOD_NAMES`, or ``YYYY-MM-DD..YYYY-MM-DD``.
    today:
        The day the relative names are counted from.
    setting:
        The setting's name, for the message when ``text`` is wrong.

    Raises
    ------
    ConfigurationError
        Naming ``setting``: an unknown name, a malformed range, or a range whose start is after its end.
    """
    today = today or date.today()
    name = text.strip()
    if name == THIS_WEEK:
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=6), name)
    if name == THIS_MONTH:
        return Period(*_month(today), name)
    if name == LAST_MONTH:
        return Period(*_month(today.replace(day=1) - timedelta(days=1)), name)
    if name == SINCE_LAST_MONTH:
        return Period(_month(today.replace(day=1) - timedelta(days=1))[0], _month(today)[1], name)
    return _range(name, setting)


def period_text(value: object) -> str:
    """The settings' converter: a period's text, checked now so a bad one fails before anything connects."""
    if not isinstance(value, str):
        raise TypeError(f"must be text ({PERIOD_HELP}), not {value!r}")
    try:
        parse_period(value, today=date(2000, 1, 1), setting="the period")
    except ConfigurationError as exc:
        raise ValueError(str(exc).removeprefix("the period ")) from exc
    return value.strip()


__all__ = ["LAST_MONTH", "PERIOD_HELP", "PERIOD_NAMES", "Period", "SINCE_LAST_MONTH", "THIS_MONTH", "THIS_WEEK", "parse_period",
           "period_text"]
