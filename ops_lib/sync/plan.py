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
from typing import Any, Mapping, Protocol, Sequence

import pandas as pd

from ops_lib.core.money import dumps


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and exact decimals: the same payload always hashes the same."""
    def ordered(v: Any) -> Any:
        if isinstance(v, Mapping):
            return {k: ordered(v[k]) for k in sorted(v)}
        if isinstance(v, (list, tuple)):
            return [ordered(x) for x in v]
        return v
    return dumps(ordered(value))


@dataclass(frozen=True)
class Call:
    """One request to a target (or one row of an import file).

    ``method`` is the HTTP method, or ``ROW`` for a row of an import
    file. For an update, ``body`` holds only the fields being set; the
    writer reads the current record and sends it whole.
    """

    target: str
    method: str
    path: str
    body: Mapping[str, Any]
    number: str
    name: str
    record_id: str = ""
    kind: str = ""

    @functools.cached_property
    def digest(self) -> str:
        text = canonical_json([self.target, self.method, self.path, self.body, self.number, self.name, self.kind])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_create(self) -> bool:
        return self.method in ("POST", "ROW")

    def describe(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in self.body.items())
        where = self.path if self.method == "ROW" else f"/{self.path}"
        return f"{self.method} {where} {{{fields}}}"


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


class PlanBlocked(Exception):
    """A payload cannot be built (a missing lookup): the action is blocked with this reason."""


class Writer(Protocol):
    """What a sync needs from a target: plan calls, send them, find what a lost call created."""

    label: str  # what people read: a company, an import file's path
    target: str  # what is hashed: the system and connection, or ``file:`` and the file's name

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        """The calls for one action; raise :class:`PlanBlocked` when it cannot be built."""

    def send(self, call: Call) -> str:
        """Make the call; return the id of the record written. Raises OpsError."""

    def find(self, call: Call) -> str | None:
        """The id of the record a create may have made (same number and name), or None."""

    def finish(self) -> list[str]:
        """Complete deferred writes (import files); return what was written."""


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
