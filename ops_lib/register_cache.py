"""Cached registers for incremental pulls.

A full pull of a large register costs one request per thousand records
every run. After the first one, only records changed since the last
successful pull are fetched (the system says which field stamps a change,
``ChangedUtc`` or ``ModifiedUtc`` in eAccounting) and merged into the
copy kept here, keyed by the record's id.

The watermark is the newest change stamp the cache holds, in the
service's own clock, so a skewed local clock cannot skip records; the
next pull asks for changes after the watermark minus an overlap, which
catches writes committed late in the same second. The record count is
kept beside it: when the service's count differs from the cache's after
merging, records were deleted and the register is pulled in full again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from .journal import transaction, utc_now
from .money import dumps, loads

DEFAULT_OVERLAP = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SyncMark:
    """Where the last successful pull of one register ended."""

    watermark: str
    record_count: int
    last_sync_at: str

    def since(self, overlap: dt.timedelta = DEFAULT_OVERLAP) -> dt.datetime:
        """The change stamp to ask from: the watermark minus the overlap."""
        moment = dt.datetime.fromisoformat(self.watermark.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment - overlap


class RegisterCache:
    """The cached copy of one system connection's registers."""

    def __init__(self, db: sqlite3.Connection, system: str, connection: str) -> None:
        self.db = db
        self.system = system
        self.connection = connection

    def mark(self, register: str) -> SyncMark | None:
        row = self.db.execute(
            "SELECT watermark, record_count, last_sync_at FROM sync_marks WHERE system = ? AND connection = ? "
            "AND register = ?", (self.system, self.connection, register)).fetchone()
        return None if row is None else SyncMark(row["watermark"], row["record_count"], row["last_sync_at"])

    def records(self, register: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT body FROM cached_records WHERE system = ? AND connection = ? AND register = ? ORDER BY rowid",
            (self.system, self.connection, register)).fetchall()
        return [loads(r["body"]) for r in rows]

    def store(self, register: str, records: Iterable[dict[str, Any]], stamp_field: str, *, replace: bool) -> int:
        """Replace the register (full pull) or merge changed records into it; move the mark. Atomic."""
        key = (self.system, self.connection, register)
        with transaction(self.db):
            if replace:
                self.db.execute("DELETE FROM cached_records WHERE system = ? AND connection = ? AND register = ?", key)
            self.db.executemany(
                "INSERT INTO cached_records VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (system, connection, register, "
                "record_id) DO UPDATE SET changed = excluded.changed, body = excluded.body",
                [(*key, str(r["Id"]), str(r.get(stamp_field) or ""), dumps(r)) for r in records])
            count, newest = self.db.execute(
                "SELECT COUNT(*), COALESCE(MAX(changed), '') FROM cached_records WHERE system = ? AND connection = ? "
                "AND register = ?", key).fetchone()
            self.db.execute(
                "INSERT INTO sync_marks VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (system, connection, register) DO UPDATE "
                "SET watermark = excluded.watermark, record_count = excluded.record_count, "
                "last_sync_at = excluded.last_sync_at", (*key, newest, count, utc_now()))
        return int(count)
