"""The operations log: what was sent, what came back, and what is still open.

Every call a sync makes is written here *before* it is sent (``sent``)
and again when its answer arrives (``done`` with the id the service
returned, or ``failed`` with the error). A crash between the two leaves
``sent``: the next run then looks the record up by number and name
before sending anything again, which is what makes a rerun safe. A call
whose answer never arrived (a timeout after sending) is ``unknown`` and
is treated the same way.

When an approval of another plan for the same register and targets is
recorded, the replaced approvals' entries still ``sent`` or ``unknown``
become ``superseded`` (see :mod:`ops_lib.approvals.book`, which records
plans and approvals in the same database). A create whose latest entry is
``superseded`` is still looked up before it is sent again, since its
outcome was never learned.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import Iterator

from ops_lib.core.times import utc_now


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All-or-nothing on an autocommit connection."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@dataclass(frozen=True)
class Entry:
    """The journal's latest word on one call."""

    plan_hash: str
    status: str
    record_id: str
    attempts: int
    message: str


class OperationsLog:
    """The operations in the state database (plans and approvals: :class:`ops_lib.approvals.book.PlanBook`)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # -- operations ----------------------------------------------------

    def _entry(self, where: str, params: tuple[str, ...]) -> Entry | None:
        row = self.db.execute(f"SELECT plan_hash, status, record_id, attempts, message FROM operations WHERE {where}",
                              params).fetchone()
        return None if row is None else Entry(row["plan_hash"], row["status"], row["record_id"],
                                              row["attempts"], row["message"])

    def latest(self, target: str, call_digest: str) -> Entry | None:
        """The most recent entry for this call on this target, under any plan."""
        return self._entry("target = ? AND call_digest = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
                           (target, call_digest))

    def entry(self, plan_hash: str, target: str, call_digest: str) -> Entry | None:
        """This plan's entry for this call on this target."""
        return self._entry("plan_hash = ? AND target = ? AND call_digest = ?", (plan_hash, target, call_digest))

    def begin(self, plan_hash: str, target: str, call_digest: str, action_digest: str, register: str, action: str,
              number: str, name: str, method: str, path: str) -> None:
        """Write ``sent`` before the request leaves (committed, so a crash cannot lose it)."""
        now = utc_now()
        self.db.execute(
            "INSERT INTO operations (plan_hash, target, call_digest, action_digest, register, action, number, name, "
            "method, path, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?) "
            "ON CONFLICT (plan_hash, target, call_digest) DO UPDATE SET status = 'sent', "
            "attempts = attempts + 1, updated_at = excluded.updated_at",
            (plan_hash, target, call_digest, action_digest, register, action, number, name, method, path, now, now),
        )

    def finish(self, plan_hash: str, target: str, call_digest: str, status: str, *, record_id: str = "",
               error_code: str = "", error_id: str = "", message: str = "") -> None:
        self.db.execute(
            "UPDATE operations SET status = ?, record_id = ?, error_code = ?, error_id = ?, message = ?, "
            "updated_at = ? WHERE plan_hash = ? AND target = ? AND call_digest = ?",
            (status, record_id, error_code, error_id, message, utc_now(), plan_hash, target, call_digest),
        )

    def open_calls(self, plan_hash: str) -> list[tuple[str, str, str]]:
        """(target, call digest, action digest) of calls whose outcome a plan never learned.

        ``superseded`` counts as open here: this is asked of the plan being
        applied, which is the current approval again even if another one
        had replaced it in between.
        """
        rows = self.db.execute("SELECT target, call_digest, action_digest FROM operations WHERE plan_hash = ? "
                               "AND status IN ('sent', 'unknown', 'superseded')", (plan_hash,)).fetchall()
        return [(r["target"], r["call_digest"], r["action_digest"]) for r in rows]

    def operations(self, start: str, end: str) -> list[dict[str, object]]:
        """Every entry active between the days ``start`` and ``end`` (YYYY-MM-DD, UTC), oldest first."""
        rows = self.db.execute(
            "SELECT created_at, updated_at, register, action, number, name, method, path, target, status, "
            "record_id, error_code, error_id, message, attempts, plan_hash FROM operations "
            "WHERE substr(created_at, 1, 10) <= ? AND substr(updated_at, 1, 10) >= ? ORDER BY created_at, id",
            (end, start)).fetchall()
        return [dict(r) for r in rows]

    def counts(self, plan_hash: str) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) AS n FROM operations WHERE plan_hash = ? GROUP BY status",
                               (plan_hash,)).fetchall()
        return {r["status"]: r["n"] for r in rows}
