"""Cached registers for incremental pulls.

A full pull of a large register costs one request per thousand records
every run. After the first one, only records changed since the last
successful pull are fetched (the system says which field stamps a change,
``ChangedUtc`` or ``ModifiedUtc`` in eAccounting) and merged into the
copy kept here, keyed by the record's id.

The mark of a register keeps the service's own time when the last
successful pull began (its first answer's HTTP ``Date``): the next pull
asks for changes after that time minus an overlap, which catches writes
stamped just before the pull but committed after it. So the window moves
on with every pull, even one that found nothing new. When the service
sent no usable date, the newest change stamp the cache holds stands in;
both are the service's clock, so a skewed local clock cannot skip
records. The record count is kept beside it: when the service's count
differs from the cache's after merging, records were deleted and the
register is pulled in full again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from ops_lib.core.money import dumps, loads
from ops_lib.core.times import utc_now
from ops_lib.state.oplog import transaction

DEFAULT_OVERLAP = dt.timedelta(minutes=5)


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class SyncMark:
    """Where the last successful pull of one register ended.

    ``watermark`` is the newest change stamp held; ``server_time`` the
    service's time when the pull began ('' when it was not known, and in
    state files from before it was kept); ``last_sync_at`` the local time,
    for people reading the file.
    """

    watermark: str
    record_count: int
    last_sync_at: str
    server_time: str = ""

    def since(self, overlap: dt.timedelta = DEFAULT_OVERLAP) -> dt.datetime | None:
        """The change stamp to ask from: the last pull's server time (else the watermark) minus the overlap.

        None when neither is known (an empty register pulled from a service that sent no date):
        then there is nothing to count from, and the next pull is a full one.
        """
        start = self.server_time or self.watermark
        return _moment(start) - overlap if start else None


class RegisterCache:
    """The cached copy of one system connection's registers."""

    def __init__(self, db: sqlite3.Connection, system: str, connection: str) -> None:
        self.db = db
        self.system = system
        self.connection = connection

    def mark(self, register: str) -> SyncMark | None:
        row = self.db.execute(
            "SELECT watermark, record_count, last_sync_at, server_time FROM sync_marks WHERE system = ? "
            "AND connection = ? AND register = ?", (self.system, self.connection, register)).fetchone()
        return None if row is None else SyncMark(row["watermark"], row["record_count"], row["last_sync_at"],
                                                 row["server_time"])

    def records(self, register: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT body FROM cached_records WHERE system = ? AND connection = ? AND register = ? ORDER BY rowid",
            (self.system, self.connection, register)).fetchall()
        return [loads(r["body"]) for r in rows]

    def store(self, register: str, records: Iterable[dict[str, Any]], stamp_field: str, *, replace: bool,
              server_time: dt.datetime | None = None) -> int:
        """Replace the register (full pull) or merge changed records into it; move the mark. Atomic.

        Parameters
        ----------
        server_time:
            The service's time when this pull's first answer came (None: unknown, so the next
            pull counts from the newest change stamp held).

        Returns
        -------
        int
            How many records the cache holds for the register now.
        """
        served = "" if server_time is None else server_time.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
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
                "INSERT INTO sync_marks (system, connection, register, watermark, record_count, last_sync_at, "
                "server_time) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (system, connection, register) DO UPDATE "
                "SET watermark = excluded.watermark, record_count = excluded.record_count, "
                "last_sync_at = excluded.last_sync_at, server_time = excluded.server_time",
                (*key, newest, count, utc_now(), served))
        return int(count)
