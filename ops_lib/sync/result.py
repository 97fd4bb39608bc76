"""What a sync did, per action, and the red or green box users know from the integrations.

A :class:`SyncResult` holds one :class:`~ops_lib.sync.Outcome` per planned
action: the record, the action, the outcome, the service's ``ErrorCode``
and ``ErrorId`` and the error catalogue's explanation. It shows itself as
a summary box (green when everything planned was transferred, red when
anything failed, amber when a write made earlier is gone again) over the table, and saves as ``sync_results.xlsx`` and
``sync_results.json`` beside the reconciliation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

import pandas as pd

from ops_lib.approvals.approval import Approval
from ops_lib.core.files import write_private_file
from ops_lib.core.report import OutcomeTally, status_box
from ops_lib.core.workbook import write_workbook
from ops_lib.sync.apply import Outcome
from ops_lib.sync.plan import SyncPlan

TRANSFERRED = ("done", "found", "already_done")
NOT_DONE = ("failed", "unknown")
COLOURS = {"Summary": "#e8f5e9", "failed": "#ffcdd2", "unknown": "#ffcdd2", "blocked": "#fff8e1",
           "gone": "#ffe0b2", "done": "#e8f5e9", "found": "#e8f5e9", "already_done": "#e8f5e9",
           "planned": "#e3f2fd"}


@dataclass(frozen=True)
class SyncResult(OutcomeTally):
    """Outcomes of one sync run (a dry run or an apply)."""

    OUTCOME: ClassVar[type] = Outcome

    plan: SyncPlan
    outcomes: tuple[Outcome, ...]
    applied: bool
    approval: Approval | None = None
    written: tuple[str, ...] = field(default=())

    @property
    def transferred(self) -> int:
        return sum(n for k, n in self._counts.items() if k in TRANSFERRED)

    @property
    def failed(self) -> int:
        return sum(n for k, n in self._counts.items() if k in NOT_DONE)

    @property
    def blocked(self) -> int:
        return self._counts.get("blocked", 0)

    @property
    def pending(self) -> int:
        return self._counts.get("planned", 0)

    @property
    def gone(self) -> int:
        """Writes this approval made earlier that the fresh read no longer shows: not transferred."""
        return self._counts.get("gone", 0)

    @property
    def exit_code(self) -> int:
        """0 nothing to do or all applied; 1 something failed, is gone again, waits for approval, or needs a person."""
        return 1 if (self.failed or self.blocked or self.pending or self.gone or self.plan.manual) else 0

    def headline(self) -> str:
        if not self.applied:
            return (f"Dry run: {self.pending} action(s) would be sent, {self.blocked} cannot be written; "
                    f"nothing was sent. Plan {self.plan.plan_hash}")
        gone = (f"{self.gone} applied earlier but no longer there (dry-run again to recreate); "
                if self.gone else "")
        return (f"{self.transferred} transferred, {self.failed} failed, {self.blocked} not written; {gone}"
                f"{self.plan.manual} row(s) left for manual work")

    def summary_box(self) -> str:
        return status_box(self.plan.register, self.headline(), self.applied, bool(self.failed), bool(self.gone))

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        shown = frame[frame["outcome"] != "already_done"] if len(frame) else frame
        table = shown.to_html(index=False, escape=True, classes="ops-sync-table") if len(shown) else ""
        return f"<div class='ops-sync-result'>{self.summary_box()}{table}</div>"

    def describe(self) -> str:
        lines = [f"{self.plan.register}: {self.headline()}"]
        for o in self.outcomes:
            if o.outcome in ("failed", "unknown", "blocked", "gone"):
                code = f" [ErrorCode {o.error_code}, ErrorId {o.error_id}]" if o.error_code else ""
                lines.append(f"  {o.outcome}: {o.action} {o.number} {o.name}{code}: {o.explanation or o.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def to_json(self, path: Path | str) -> Path:
        body = {"register": self.plan.register, "plan_hash": self.plan.plan_hash, "applied": self.applied,
                "approval": asdict(self.approval) if self.approval else None, "counts": self.counts(),
                "transferred": self.transferred, "failed": self.failed, "blocked": self.blocked, "gone": self.gone,
                "manual": self.plan.manual, "written": list(self.written),
                "outcomes": [asdict(o) for o in self.outcomes]}
        write_private_file(Path(path), json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"))
        return Path(path)

    def to_excel(self, path: Path | str) -> Path:
        frame = self.to_frame()
        summary = pd.DataFrame([{"outcome": k, "count": v} for k, v in self.counts().items()]
                               + [{"outcome": "left for manual work", "count": self.plan.manual}])
        sheets = {"Summary": summary}
        sheets.update({o: frame[frame["outcome"] == o] for o in COLOURS if o != "Summary" and (frame["outcome"] == o).any()})
        sheets["Plan"] = self.plan.to_frame()
        return write_workbook(path, sheets, COLOURS)

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        """``sync_results.xlsx`` and ``.json`` (dry runs write ``sync_plan.*``) in ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        stem = "sync_results" if self.applied else "sync_plan"
        return {"xlsx": self.to_excel(out / f"{stem}.xlsx"), "json": self.to_json(out / f"{stem}.json")}
