"""Moments as the suite writes them: UTC, to the second, in ISO 8601."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def utc_stamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with seconds and a ``Z``, e.g. ``2026-11-21T06:00:00Z``: run records and API filters."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
