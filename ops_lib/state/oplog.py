"""The operations journal: what was sent, what came back, and what is still open.

Every call a sync makes is written here *before* it is sent (``sent``)
and again when its answer arrives (``done`` with the id the service
returned, or ``failed`` with the error). A crash between the two leaves
``sent``: the next run then looks the record up by number and name
before sending anything again, which is what makes a rerun safe. A call
whose answer never arrived (a timeout after sending) is ``unknown`` and
is treated the same way.

An approval is *superseded* when an approval of another plan for the same
register and the same targets (the same system connection and company,
and the same import file) is recorded. At that moment the replaced
approvals' entries still ``sent`` or ``unknown`` that write a resource
the new plan writes too (``customers``, ``costcenteritems``, the import
file, ...) become ``superseded``: closed, with the plan that replaced
them in their message, so they no longer read as open forever. Only the
current approval's entries stay open for its own rerun; and a create
whose latest entry is ``superseded`` is still looked up before it is
sent again, since its outcome was never learned.

Plans are recorded here too, with who prepared them and the digests of
their actions, so a rerun after a crash can check that what it is about
to do is still part of the plan that was approved.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Collection, Iterator

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
class RecordedPlan:
    plan_hash: str
    register: str
    targets: tuple[str, ...]
    prepared_by: str
    prepared_at: str
    action_digests: frozenset[str]


@dataclass(frozen=True)
class Entry:
    """The journal's latest word on one call."""

    plan_hash: str
    status: str
    record_id: str
    attempts: int
    message: str


class Journal:
    """Plans, approvals and operations in the state database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # -- plans and approvals -------------------------------------------

    def record_plan(self, plan_hash: str, register: str, targets: tuple[str, ...], prepared_by: str,
                    action_digests: list[str]) -> RecordedPlan:
        """Remember a prepared plan (the first preparer stays on record)."""
        self.db.execute(
            "INSERT OR IGNORE INTO plans (plan_hash, register, targets, prepared_by, prepared_at, actions) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (plan_hash, register, json.dumps(list(targets)), prepared_by, utc_now(), json.dumps(sorted(action_digests))),
        )
        plan = self.plan(plan_hash)
        assert plan is not None
        return plan

    def plan(self, plan_hash: str) -> RecordedPlan | None:
        row = self.db.execute("SELECT * FROM plans WHERE plan_hash = ?", (plan_hash,)).fetchone()
        if row is None:
            return None
        return RecordedPlan(row["plan_hash"], row["register"], tuple(json.loads(row["targets"])),
                            row["prepared_by"], row["prepared_at"], frozenset(json.loads(row["actions"])))

    def preparer(self, plan_hash: str, default: str) -> str:
        """Who prepared the plan, as first recorded; ``default`` for a plan never recorded."""
        recorded = self.plan(plan_hash)
        return recorded.prepared_by if recorded else default

    def record_approval(self, plan_hash: str, approved_by: str, prepared_by: str, four_eyes: bool,
                        resources: Collection[str] = ()) -> str:
        """Record an approval and close the open entries of the approvals it replaces; return when.

        ``resources``: what the approved plan writes (the first segment of
        each call's path); open entries of other plans for the same register
        and targets that write one of them are marked ``superseded``.
        """
        at = utc_now()
        with transaction(self.db):
            self.db.execute("INSERT INTO approvals VALUES (?, ?, ?, ?, ?)",
                            (plan_hash, approved_by, at, prepared_by, int(four_eyes)))
            self._supersede(plan_hash, at, sorted(set(resources)))
        return at

    def _supersede(self, plan_hash: str, at: str, resources: list[str]) -> None:
        row = self.db.execute("SELECT register, targets FROM plans WHERE plan_hash = ?", (plan_hash,)).fetchone()
        if row is None or not resources:
            return
        self.db.execute(
            "UPDATE operations SET status = 'superseded', updated_at = ?, "
            "message = 'superseded by plan ' || ? || ', approved at ' || ? || "
            "CASE WHEN message = '' THEN '' ELSE ' (' || message || ')' END "
            "WHERE status IN ('sent', 'unknown') AND plan_hash != ? "
            f"AND substr(path, 1, instr(path || '/', '/') - 1) IN ({', '.join('?' * len(resources))}) "
            "AND plan_hash IN (SELECT plan_hash FROM plans WHERE register = ? AND targets = ?)",
            (at, plan_hash, at, plan_hash, *resources, row["register"], row["targets"]))

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
