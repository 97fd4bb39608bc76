"""Time for the sandbox: an injectable clock and the service's date formats.

Tests move the clock instead of sleeping, so token expiry, rate-limit
windows and ``ChangedUtc`` stamps are all read from one :class:`Clock`.
Change stamps never repeat: two writes in the same millisecond still get
increasing ``ChangedUtc`` values, so a client that asks for
``ChangedUtc gt <last seen>`` never misses a record.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from typing import Callable

UTC = timezone.utc


class Clock:
    """Wall-clock time in UTC, replaceable and advanceable in tests."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self._offset = timedelta()
        self._last_stamp: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward, for tests of expiry and rate-limit windows."""
        self._offset += timedelta(seconds=seconds)

    def today(self) -> date:
        return self.now().date()

    def stamp(self) -> str:
        """Return a change stamp strictly later than every earlier one."""
        with self._lock:
            current = self.now()
            now = current.replace(microsecond=(current.microsecond // 1000) * 1000)
            if self._last_stamp is not None and now <= self._last_stamp:
                now = self._last_stamp + timedelta(milliseconds=1)
            self._last_stamp = now
            return format_utc(now)


def format_utc(moment: datetime) -> str:
    """Format as the service does for ``ChangedUtc``: milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def format_date(day: date) -> str:
    """Format a calendar date the way date-only fields come back: ``yyyy-MM-dd``, no time."""
    return day.isoformat()


def parse_datetime(text: str) -> datetime:
    """Parse the ISO-8601 forms clients send: a date, or a date-time with or without zone.

    Naive values are taken as UTC, as the service does. Raises ValueError.
    """
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if len(value) == 10:
        parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
    else:
        parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_date(text: str) -> date:
    """The calendar date of a date or date-time value. Raises ValueError."""
    return parse_datetime(text).date()
