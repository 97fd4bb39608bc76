"""A sync plan: every call a sync would make, before it makes any.

A reconciliation says *what* should change (create on the right, update
from the master, ...). A :class:`SyncPlan` says *how*: for each planned
action, the exact calls to the target, with their payloads, built by the
target's :class:`Writer` (an accounting system's API, or an import file
for a file-based side). The plan is what an analyst reviews and
approves: its :attr:`SyncPlan.plan_hash` covers every call, the targets
they go to and every action that could not be planned, so an approval
cannot be carried over to a plan that differs in any payload.

The hash covers what the plan does, never where its report is written:
a target is named by its stable key (the system and company connection,
or ``file:`` and an import file's name), not by the folder the import
file lands in. So a plan approved after one run's dry run is the same
plan in the next run, whose ``--out`` (or ``ops run`` artifacts folder)
differs.
"""

from __future__ import annotations

import functools
import hashlib
import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ops_lib.core.money import canonical_json

# Writers of every system build these, so they live with the system seams; re-exported for the sync.
from ops_lib.systems.base import Call, PlanBlocked, Writer  # noqa: F401


@dataclass(frozen=True)
class PlannedAction:
    """One reconciliation row's write: its calls, or why it cannot be written.

    ``target`` is the writer's label as people read it (a company name, the
    import file's full path); ``destination`` is the writer's stable key
    (:attr:`Writer.target`), and only that is hashed.
    """

    row: int
    register: str
    action: str
    number: str
    name: str
    target: str
    calls: tuple[Call, ...] = ()
    blocked: str = ""
    destination: str = ""
    redo_of: str = ""
    earlier_id: str = ""

    @functools.cached_property
    def digest(self) -> str:
        parts: list[Any] = [self.register, self.action, self.number, self.name, self.destination, self.blocked,
                            [c.digest for c in self.calls]]
        if self.redo_of:  # a write made before and gone since: approving it again is a new decision
            parts.append(["redo_of", self.redo_of])
        return hashlib.sha256(canonical_json(parts).encode("utf-8")).hexdigest()

    @property
    def note(self) -> str:
        """Why a person should look twice at this action (empty for most)."""
        if not self.redo_of:
            return ""
        return (f"applied earlier under plan {self.redo_of[:12]}… (id {self.earlier_id or '?'}), no longer there; "
                f"approving this plan writes it again")




@dataclass(frozen=True)
class SyncPlan:
    """Every planned action of one register, with its calls."""

    register: str
    master: str
    left_name: str
    right_name: str
    targets: tuple[str, ...]
    actions: tuple[PlannedAction, ...]
    untouched: pd.DataFrame = field(repr=False, compare=False, default_factory=pd.DataFrame)
    reconciliation_hash: str = ""

    @functools.cached_property
    def plan_hash(self) -> str:
        digest = hashlib.sha256(canonical_json([self.register, sorted(self.targets)]).encode("utf-8"))
        for d in sorted(a.digest for a in self.actions):
            digest.update(d.encode("ascii"))
        return digest.hexdigest()

    @property
    def writable(self) -> tuple[PlannedAction, ...]:
        return tuple(a for a in self.actions if not a.blocked)

    @property
    def calls(self) -> int:
        return sum(len(a.calls) for a in self.writable)

    @property
    def manual(self) -> int:
        """Rows the reconciliation leaves for a person (manual, blocked)."""
        if self.untouched.empty:
            return 0
        return int(self.untouched["action"].isin(["manual", "blocked"]).sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per call (an action that cannot be written is one row with its reason)."""
        rows = []
        for a in self.actions:
            base = {"row": a.row, "action": a.action, "number": a.number, "name": a.name, "target": a.target}
            if a.blocked:
                rows.append({**base, "call": "", "blocked": a.blocked, "note": ""})
            for c in a.calls:
                rows.append({**base, "call": c.describe(), "blocked": "", "note": a.note})
        return pd.DataFrame(rows, columns=["row", "action", "number", "name", "target", "call", "blocked", "note"])

    def describe(self) -> str:
        blocked = len(self.actions) - len(self.writable)
        lines = [f"Sync plan {self.plan_hash} for {self.register} (master: {self.master}):",
                 f"  {len(self.writable)} action(s), {self.calls} call(s); {blocked} cannot be written; "
                 f"{self.manual} row(s) left for manual work"]
        for a in self.actions:
            if a.blocked:
                lines.append(f"  - {a.action} {a.number} {a.name}: not written ({a.blocked})")
            for c in a.calls:
                lines.append(f"  - {a.action} {a.number}: {c.describe()}" + (f" ({a.note})" if a.note else ""))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        head = (f"<p class='ops-plan-head'><b>Sync plan</b> <code>{self.plan_hash}</code>: "
                f"{len(self.writable)} action(s), {self.calls} call(s) to {html.escape(', '.join(self.targets))}; "
                f"{len(self.actions) - len(self.writable)} cannot be written; {self.manual} left for manual work. "
                f"Nothing has been sent.</p>")
        return head + (frame.to_html(index=False, escape=True, classes="ops-plan-table") if len(frame)
                       else "<p>Nothing to write.</p>")

    def __repr__(self) -> str:
        return self.describe()
