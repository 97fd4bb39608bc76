"""The store of plans and approvals, in the state database.

A plan is recorded when it is prepared (a dry run), with who prepared it
and the digests of its actions; the first preparer stays on record, so
four-eyes cannot be dodged by planning again under another name, and a
rerun after a crash can check that what it is about to do is still part
of the plan that was approved.

An approval is recorded when a plan is applied under it. It *supersedes*
the approvals of other plans for the same register and the same targets
(the same system connection and company, the same import file): their
operations still ``sent`` or ``unknown`` that write a resource the new
plan writes too (``customers``, ``costcenteritems``, the import file, ...)
become ``superseded``, closed with the plan that replaced them in their
message, so they no longer read as open forever. Only the current
approval's entries stay open for its own rerun. The operations
themselves are the operations log's (:mod:`ops_lib.state.oplog`); this
store only closes them.

The tables (``plans``, ``approvals``) are those of
:mod:`ops_lib.state.db`, unchanged, so a state database written by an
earlier version is read as it is.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Collection

from ops_lib.approvals.approval import ApprovablePlan
from ops_lib.core.times import utc_now
from ops_lib.state.oplog import transaction


@dataclass(frozen=True)
class RecordedPlan:
    """A plan as first recorded: its register, targets, preparer and action digests."""

    plan_hash: str
    register: str
    targets: tuple[str, ...]
    prepared_by: str
    prepared_at: str
    action_digests: frozenset[str]


class PlanBook:
    """Plans and approvals in the state database ``db``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def record_plan(self, plan: ApprovablePlan, prepared_by: str) -> RecordedPlan:
        """Remember a prepared plan (the first preparer stays on record); return it as recorded."""
        self.db.execute(
            "INSERT OR IGNORE INTO plans (plan_hash, register, targets, prepared_by, prepared_at, actions) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (plan.plan_hash, plan.register, json.dumps(list(plan.targets)), prepared_by, utc_now(),
             json.dumps(sorted(a.digest for a in plan.actions))),
        )
        recorded = self.plan(plan.plan_hash)
        assert recorded is not None
        return recorded

    def plan(self, plan_hash: str) -> RecordedPlan | None:
        """The plan recorded under ``plan_hash``, or None when it was never prepared here."""
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
