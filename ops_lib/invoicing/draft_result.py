"""What an invoice-drafts run did, per invoice basis.

A :class:`DraftResult` holds one :class:`~ops_lib.invoicing.draft_apply.DraftOutcome`
per invoice basis of the plan: created (with the draft's id), found after
an interrupted run, already transferred, blocked (with the fix), a credit
note (not transferred), failed (with the system's ``ErrorCode``,
``ErrorId`` and what it means) or unknown (looked up first on the next
run). It shows a green, red or blue box over the table, says the invoice
date rule, and saves as ``invoice_drafts.xlsx``/``.json`` (a dry run:
``invoice_plan.*``); ``status_file`` is the status import file written
for the drafts this run created, when there were any.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd

from ops_lib.approvals.approval import Approval
from ops_lib.core.files import write_private_file
from ops_lib.core.money import money_text
from ops_lib.core.report import OutcomeTally, status_box
from ops_lib.core.workbook import write_workbook
from ops_lib.invoicing.draft_apply import CREATED_OUTCOMES, DraftOutcome
from ops_lib.invoicing.draft_plan import INVOICE_DATE_RULE, DraftPlan
from ops_lib.model.invoices import ZERO

NOT_DONE = ("failed", "unknown")
COLOURS = {"Summary": "#e8f5e9", "failed": "#ffcdd2", "unknown": "#ffcdd2", "blocked": "#fff8e1",
           "credit_note": "#fff8e1", "created": "#e8f5e9", "found": "#e8f5e9", "in_system": "#e8f5e9",
           "already_transferred": "#e8f5e9",
           "planned": "#e3f2fd"}


@dataclass(frozen=True)
class DraftResult(OutcomeTally):
    """Outcomes of one invoice-drafts run (a dry run or an apply)."""

    OUTCOME: ClassVar[type] = DraftOutcome

    plan: DraftPlan
    outcomes: tuple[DraftOutcome, ...]
    applied: bool
    approval: Approval | None = None
    status_file: Path | None = None

    @property
    def created(self) -> tuple[DraftOutcome, ...]:
        """The drafts this run made or found again (what the status file reports as transferred)."""
        return tuple(o for o in self.outcomes if o.outcome in CREATED_OUTCOMES)

    @property
    def exit_code(self) -> int:
        """0 all done or nothing to do; 1 something failed, is blocked, or waits for approval.

        A credit note is not a finding: it is never transferred, and the plan says so.
        """
        return 1 if self.count("failed", "unknown", "blocked", "planned") else 0

    def headline(self) -> str:
        if not self.applied:
            total = sum((o.total for o in self.outcomes if o.outcome == "planned"), ZERO)
            return (f"Dry run: {self.count('planned')} draft(s) would be created ({money_text(total)} before VAT), "
                    f"{self.count('already_transferred')} already transferred, {self.count('in_system')} found in "
                    f"the system (recorded at apply, not sent), {self.count('blocked')} blocked, "
                    f"{self.count('credit_note')} credit note(s) not transferred; nothing was sent. "
                    f"Plan {self.plan.plan_hash}")
        total = sum((o.total for o in self.created), ZERO)
        return (f"{len(self.created)} draft(s) created ({money_text(total)} before VAT), "
                f"{self.count('already_transferred')} already transferred, {self.count(*NOT_DONE)} failed, "
                f"{self.count('blocked')} blocked, {self.count('credit_note')} credit note(s) not transferred")

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        table = frame.to_html(index=False, escape=True, classes="ops-export-table") if len(frame) else ""
        box = status_box(self.plan.register, self.headline(), self.applied, bool(self.count(*NOT_DONE)))
        rule = f"<p>{html.escape(INVOICE_DATE_RULE)}</p>"
        written = f"<p>Status file: <code>{html.escape(str(self.status_file))}</code></p>" if self.status_file else ""
        return f"<div class='ops-export-result'>{box}{rule}{written}{table}</div>"

    def describe(self) -> str:
        lines = [f"{self.plan.register}: {self.headline()}", f"  {INVOICE_DATE_RULE}"]
        for o in self.outcomes:
            if o.outcome in CREATED_OUTCOMES:
                lines.append(f"  {o.outcome}: {o.number} {o.customer} as draft {o.draft_id} ({money_text(o.total)})")
            elif o.outcome in (*NOT_DONE, "blocked", "credit_note", "in_system"):
                code = f" [ErrorCode {o.error_code}, ErrorId {o.error_id}]" if o.error_code else ""
                lines.append(f"  {o.outcome}: {o.number} {o.customer}{code}: {o.explanation or o.message}")
        if self.status_file:
            lines.append(f"  status file for the project tool: {self.status_file}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def to_json(self, path: Path | str) -> Path:
        body = {"register": self.plan.register, "plan_hash": self.plan.plan_hash, "applied": self.applied,
                "source": self.plan.source, "target": self.plan.target, "invoice_date_rule": INVOICE_DATE_RULE,
                "approval": asdict(self.approval) if self.approval else None, "counts": self.counts(),
                "status_file": str(self.status_file) if self.status_file else None,
                "payloads": self.plan.payloads, "outcomes": [asdict(o) for o in self.outcomes]}
        # Amounts as exact decimal text: a JSON number would be read back as a float.
        write_private_file(Path(path), json.dumps(body, indent=1, ensure_ascii=False, default=str).encode("utf-8"))
        return Path(path)

    def to_excel(self, path: Path | str) -> Path:
        frame = self.to_frame()
        sheets = {"Summary": pd.DataFrame([{"outcome": k, "count": v} for k, v in self.counts().items()])}
        sheets.update({o: frame[frame["outcome"] == o] for o in COLOURS if (frame["outcome"] == o).any()})
        sheets["Invoices"] = self.plan.to_frame()
        sheets["Rows"] = self.plan.rows_frame()
        sheets["Preflight"] = self.plan.preflight.to_frame()
        return write_workbook(path, sheets, COLOURS)

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        """The results workbook and JSON in ``out_dir`` (and the status file, when this run wrote one)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        stem = "invoice_drafts" if self.applied else "invoice_plan"
        written = {"xlsx": self.to_excel(out / f"{stem}.xlsx"), "json": self.to_json(out / f"{stem}.json")}
        if self.status_file:
            written["status"] = self.status_file
        return written


__all__ = ["DraftResult"]
