"""What a supplier-cost run did, per cost line, and the import file it wrote.

A :class:`CostResult` holds one :class:`CostOutcome` per line of the plan:
``written`` (into this run's import file), ``found_written`` (an earlier,
interrupted run's file holds it), ``already_transferred``, ``blocked``
(with why) or, in a dry run, ``planned``; invoices without a project
are listed as ``not_transferred``. It shows the coloured status box over
the table and saves as ``supplier_costs_results.xlsx``/``.json`` (a dry
run: ``supplier_costs_plan.*``); the import file itself is written by the
apply, never by :meth:`CostResult.write`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar, Mapping

import pandas as pd

from ops_lib.approvals.approval import Approval
from ops_lib.core.files import write_private_file
from ops_lib.core.money import money_text
from ops_lib.core.report import OutcomeTally, status_box
from ops_lib.core.workbook import write_workbook
from ops_lib.invoicing.costs import ALREADY, BLOCKED, FOUND, NO_PROJECT, TO_WRITE, CostPlan
from ops_lib.model.invoices import ZERO

COLOURS = {"Summary": "#e8f5e9", "written": "#e8f5e9", "found_written": "#e8f5e9", "already_transferred": "#e8f5e9",
           "blocked": "#fff8e1", "not_transferred": "#fff8e1", "planned": "#e3f2fd"}


@dataclass(frozen=True)
class CostOutcome:
    """What became of one cost line (or of one invoice without a project)."""

    key: str
    supplier_invoice: str
    project: str
    description: str
    amount: str
    outcome: str
    file: str = ""
    message: str = ""


def planned_outcomes(plan: CostPlan, written: str = "", *, applied: bool = False,
                     already: Mapping[str, str] | None = None,
                     blocked: Mapping[str, str] | None = None) -> tuple[CostOutcome, ...]:
    """Each line of ``plan`` as it ends: written into ``written`` (when applied), planned, or as the ledger says.

    ``already`` (key -> file) holds the lines the apply found written since the plan was made: they are
    reported as already transferred, into that earlier file, not as written now; ``blocked`` (key -> why)
    those it left out because their invoice was written on other projects meanwhile.
    """
    outcomes = []
    for c in plan.costs:
        line, problem = c.line, c.problem
        if already and line.key in already:
            outcome, file = ALREADY, already[line.key]
        elif blocked and line.key in blocked:
            outcome, file, problem = BLOCKED, "", blocked[line.key]
        elif c.status in TO_WRITE:
            outcome, file = ("written", written) if applied else ("planned", "")
        else:
            outcome, file = c.status, c.transfer.file if c.transfer else ""
        outcomes.append(CostOutcome(line.key, line.invoice_id, line.project, line.description,
                                    money_text(line.amount), outcome, file, problem))
    outcomes += [CostOutcome("", i.id, "", f"{i.invoice_date} {i.voucher_number} {i.supplier_name}".strip(),
                             money_text(i.total), "not_transferred", "", NO_PROJECT) for i in plan.unassigned]
    return tuple(outcomes)


@dataclass(frozen=True)
class CostResult(OutcomeTally):
    """Outcomes of one supplier-cost run (a dry run or an apply), and the import file it wrote (if any)."""

    OUTCOME: ClassVar[type] = CostOutcome

    plan: CostPlan
    outcomes: tuple[CostOutcome, ...]
    applied: bool
    approval: Approval | None = None
    file: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 all written or nothing to do; 1 a line is blocked or waits for approval.

        An invoice without a project is no finding: most supplier invoices (rent, software) are no project's cost.
        """
        return 1 if self.count(BLOCKED, "planned") else 0

    def headline(self) -> str:
        if not self.applied:
            total = sum((c.line.amount for c in self.plan.writable), ZERO)
            return (f"Dry run: {self.count('planned')} cost line(s) would be written ({money_text(total)}), "
                    f"{self.count(ALREADY, FOUND)} already transferred, {self.count(BLOCKED)} blocked, "
                    f"{self.count('not_transferred')} invoice(s) with {NO_PROJECT}; nothing was written. "
                    f"Plan {self.plan.plan_hash}")
        into = f" into {self.file.name}" if self.file else ""
        return (f"{self.count('written')} cost line(s) written{into}, {self.count(ALREADY, FOUND)} already "
                f"transferred, {self.count(BLOCKED)} blocked, {self.count('not_transferred')} invoice(s) with "
                f"{NO_PROJECT}")

    def describe(self) -> str:
        lines = [f"{self.plan.register}: {self.headline()}"]
        for o in self.outcomes:
            if o.outcome in ("written", BLOCKED, "not_transferred"):
                why = f": {o.message}" if o.message else ""
                lines.append(f"  {o.outcome}: {o.supplier_invoice} {o.project} {o.description} ({o.amount}){why}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        table = frame.to_html(index=False, escape=True, classes="ops-export-table") if len(frame) else ""
        box = status_box(self.plan.register, self.headline(), self.applied, False,
                         attention=bool(self.count(BLOCKED)))
        return f"<div class='ops-export-result'>{box}{table}</div>"

    def to_json(self, path: Path | str) -> Path:
        body = {"register": self.plan.register, "plan_hash": self.plan.plan_hash, "applied": self.applied,
                "period": self.plan.period.describe(), "target": self.plan.target,
                "approval": asdict(self.approval) if self.approval else None, "counts": self.counts(),
                "import_file": str(self.file) if self.file else "", "outcomes": [asdict(o) for o in self.outcomes]}
        write_private_file(Path(path), json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"))
        return Path(path)

    def to_excel(self, path: Path | str) -> Path:
        frame = self.to_frame()
        sheets = {"Summary": pd.DataFrame([{"outcome": k, "count": v} for k, v in self.counts().items()])}
        sheets.update({o: frame[frame["outcome"] == o] for o in COLOURS if (frame["outcome"] == o).any()})
        sheets["Plan"] = self.plan.to_frame()
        return write_workbook(path, sheets, COLOURS)

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        """The results (``xlsx``, ``json``) in ``out_dir``, and the ``import`` file this run wrote, if any."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        stem = "supplier_costs_results" if self.applied else "supplier_costs_plan"
        written = {"xlsx": self.to_excel(out / f"{stem}.xlsx"), "json": self.to_json(out / f"{stem}.json")}
        return {**written, "import": self.file} if self.file else written


__all__ = ["CostOutcome", "CostResult", "planned_outcomes"]
