"""Sync: turn a reconciliation into calls, and make them safely once approved.

:func:`build_plan` asks each side's writer for the calls of every planned
write (dry run: nothing is sent). Before anything is applied, the plan's
approval is checked and recorded by :func:`ops_lib.approvals.checks.authorise`
(the exact hash, the crash-rerun rule, four-eyes).

:func:`apply_plan` then makes the calls through the operations oplog
(:mod:`ops_lib.state.oplog`): each call is journalled ``sent`` before it
leaves and ``done`` or ``failed`` after; a create whose outcome is
unknown is looked up by number and name before it is sent again. One
failed action never stops the others.

A write the oplog holds as done that this run's fresh read shows
missing again (the record was deleted there since) is not "already
done": rerunning the approval that made it reports it as ``gone`` and
sends nothing, and a new dry run plans it as a redo under a new hash,
so writing it again takes a new approval.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd

from ops_lib.approvals.approval import Approval
from ops_lib.core.errors import OpsError, error_details, outcome_unknown
from ops_lib.reconciliation.result import WRITE_ACTIONS, Reconciliation
from ops_lib.state.oplog import Entry, OperationsLog
from ops_lib.sync.plan import PlannedAction, SyncPlan, Writer
from ops_lib.systems.base import Call, PlanBlocked

RESEND_ATTEMPTS = 4


def _record(frame: pd.DataFrame, position: int) -> dict[str, str] | None:
    if position < 0:
        return None
    row = frame.iloc[position]
    return {str(k): "" if pd.isna(v) else str(v) for k, v in row.items()}


def _done_before(oplog: OperationsLog | None, writer: Writer | None, calls: tuple[Call, ...]) -> Entry | None:
    """The oplog's ``done`` entry of a call the fresh read shows still to be made, or None.

    Only for a system read afresh in this run: a row written to an import
    file stays out of the export until the other tool imports it, so a
    done row planned again is waiting there, not gone.
    """
    if oplog is None or writer is None or getattr(writer, "deferred", False):
        return None
    for call in calls:
        latest = oplog.latest(call.target, call.digest)
        if latest is not None and latest.status == "done":
            return latest
    return None


def build_plan(result: Reconciliation, writers: Mapping[str, Writer], oplog: OperationsLog | None = None) -> SyncPlan:
    """The calls of every planned write; actions whose payload cannot be built are kept, blocked, with why.

    ``writers`` maps ``left``/``right`` to the writer of that side. With
    the ``oplog``, a write it holds as done that the fresh read shows
    missing again (deleted or changed back in that system since) is
    marked ``redo_of`` the plan that made it: its digest differs, so the
    old approval cannot silently write it a second time.
    """
    actions = []
    pairs = result.pairs
    for index in pairs.index[pairs["action"].isin(WRITE_ACTIONS)]:
        row = pairs.loc[index]
        side = "right" if row["action"].endswith("_right") else "left"
        writer = writers.get(side)
        source_frame, target_frame = (result.left, result.right) if side == "right" else (result.right, result.left)
        source_id, target_id = (row["left_id"], row["right_id"]) if side == "right" else (row["right_id"], row["left_id"])
        record = _record(source_frame, int(source_id)) or {}
        current = _record(target_frame, int(target_id))
        calls: tuple[Call, ...] = ()
        blocked = ""
        if writer is None:
            blocked = f"the {side} side cannot be written to"
        else:
            differences = [d for d in str(row["differences"]).split(";") if d]
            try:
                calls = tuple(writer.plan(row["action"], record, current, differences))
            except PlanBlocked as exc:
                blocked = str(exc)
        earlier = _done_before(oplog, writer, calls)
        actions.append(PlannedAction(int(index), result.register, row["action"], record.get("number", ""),
                                     record.get("name", ""), writer.label if writer else side, calls, blocked,
                                     writer.target if writer else side, earlier.plan_hash if earlier else "",
                                     earlier.record_id if earlier else ""))
    untouched = pairs[~pairs["action"].isin(WRITE_ACTIONS + ("none",))]
    targets = tuple(sorted({w.target for w in writers.values()}))
    return SyncPlan(result.register, result.master, result.left_name, result.right_name, targets, tuple(actions),
                    untouched.reset_index(drop=True), result.plan_hash)


@dataclass(frozen=True)
class Outcome:
    """What happened to one planned action."""

    row: int
    register: str
    action: str
    number: str
    name: str
    target: str
    outcome: str  # planned, done, already_done, found, gone, failed, blocked, unknown
    record_id: str = ""
    error_code: str = ""
    error_id: str = ""
    message: str = ""
    explanation: str = ""
    calls: int = 0

    @classmethod
    def of(cls, action: PlannedAction, outcome: str, **details: str) -> "Outcome":
        """The outcome of ``action``: its record and target, with what happened."""
        if action.blocked:
            outcome, details = "blocked", {"message": action.blocked}
        return cls(action.row, action.register, action.action, action.number, action.name, action.target,
                   outcome, calls=len(action.calls), **details)


def dry_run(plan: SyncPlan) -> list[Outcome]:
    return [Outcome.of(a, "planned") for a in plan.actions]


class _Run:
    """One apply: the oplog, the writers and the approved hash the calls are journalled under."""

    def __init__(self, oplog: OperationsLog, writers: Mapping[str, Writer], plan_hash: str, language: str,
                 sleep: Callable[[float], None]) -> None:
        self.oplog = oplog
        self.writers = writers
        self.plan_hash = plan_hash
        self.language = language
        self.sleep = sleep
        self.deferred: list[tuple[Call, str]] = []  # (call, record id) written at finish()

    def failed(self, action: PlannedAction, call: Call, exc: OpsError, status: str = "failed") -> Outcome:
        details = error_details(exc, self.language)
        self.oplog.finish(self.plan_hash, call.target, call.digest, status, error_code=details["error_code"],
                            error_id=details["error_id"], message=details["message"])
        return Outcome.of(action, status, **details)

    def call(self, action: PlannedAction, call: Call, writer: Writer) -> tuple[str, str]:
        """Make one call through the oplog; return (outcome, record id). Raises OpsError."""
        own = self.oplog.entry(self.plan_hash, call.target, call.digest)
        if own is not None and own.status == "done":
            return "already_done", own.record_id
        latest = self.oplog.latest(call.target, call.digest)
        if call.is_create and latest is not None and latest.status in ("sent", "unknown", "superseded", "done"):
            if found := self._look_up(action, call, writer):  # a crash or a lost answer: it may exist already
                return "found", found
        for attempt in range(RESEND_ATTEMPTS):
            self._begin(action, call)
            try:
                record_id = writer.send(call)
            except OpsError as exc:
                if not outcome_unknown(exc, call.is_create) or attempt + 1 == RESEND_ATTEMPTS:
                    raise
                self.oplog.finish(self.plan_hash, call.target, call.digest, "unknown", message=str(exc))
                self.sleep(min(0.2 * 2 ** attempt, 5.0))
                if found := self._look_up(action, call, writer):
                    return "found", found
                continue
            if getattr(writer, "deferred", False):
                self.deferred.append((call, record_id))
            else:
                self.oplog.finish(self.plan_hash, call.target, call.digest, "done", record_id=record_id)
            return "done", record_id
        raise AssertionError("unreachable")

    def _look_up(self, action: PlannedAction, call: Call, writer: Writer) -> str | None:
        """The id of the record a create made after all, journalled as found; None when it is not there."""
        found = writer.find(call)
        if found:
            self._journal_found(action, call, found)
        return found

    def _begin(self, action: PlannedAction, call: Call) -> None:
        self.oplog.begin(self.plan_hash, call.target, call.digest, action.digest, action.register, action.action,
                           action.number, action.name, call.method, call.path)

    def _journal_found(self, action: PlannedAction, call: Call, found: str) -> None:
        self._begin(action, call)
        self.oplog.finish(self.plan_hash, call.target, call.digest, "done", record_id=found,
                            message="found after an unknown outcome")

    def action(self, action: PlannedAction) -> Outcome:
        if action.redo_of == self.plan_hash:
            return Outcome.of(action, "gone", record_id=action.earlier_id, message=(
                f"applied earlier under this approval, no longer there (deleted or changed in {action.target} "
                f"since); nothing was sent: dry-run again to recreate it"))
        writer = next(w for w in self.writers.values() if w.label == action.target)
        outcomes, record_id = [], ""
        for call in action.calls:
            try:
                outcome, record_id = self.call(action, call, writer)
            except OpsError as exc:
                status = "unknown" if outcome_unknown(exc, call.is_create) else "failed"
                return self.failed(action, call, exc, status)
            outcomes.append(outcome)
        overall = "already_done" if outcomes and all(o == "already_done" for o in outcomes) else (
            "found" if "found" in outcomes else "done")
        return Outcome.of(action, overall, record_id=record_id)


def apply_plan(plan: SyncPlan, writers: Mapping[str, Writer], oplog: OperationsLog, approval: Approval, *,
               language: str = "en", sleep: Callable[[float], None] = time.sleep) -> list[Outcome]:
    """Make every call of ``plan`` under ``approval``; one outcome per action, failures included."""
    run = _Run(oplog, writers, approval.plan_hash, language, sleep)
    outcomes = [Outcome.of(a, "blocked") if a.blocked else run.action(a) for a in plan.actions]
    for writer in writers.values():
        try:
            writer.finish()
        except OSError as exc:
            for call, _ in run.deferred:
                if call.target == writer.target:
                    oplog.finish(approval.plan_hash, call.target, call.digest, "failed", message=str(exc))
            raise OpsError(f"{writer.label}: the import file could not be written ({exc})") from None
    for call, record_id in run.deferred:
        oplog.finish(approval.plan_hash, call.target, call.digest, "done", record_id=record_id)
    # Calls a crash left open whose action a fresh read no longer needs: the service has them.
    planned = {a.digest for a in plan.actions}
    for target, call_digest, action_digest in oplog.open_calls(approval.plan_hash):
        if action_digest not in planned:
            oplog.finish(approval.plan_hash, target, call_digest, "done",
                           message="confirmed by a fresh read after an interrupted run")
    return outcomes
