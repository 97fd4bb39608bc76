"""What a voucher booking did, per voucher, with its control total.

An :class:`BookingResult` holds one :class:`~ops_lib.booking.posting.VoucherOutcome`
per voucher of the plan: booked (with the voucher number), found after an
interrupted run, already booked, blocked (with the fix), failed (with the
service's ``ErrorCode``, ``ErrorId`` and what it means) or unknown. It
shows a green, red or blue box over the table and the control totals, and
saves as ``booking_results.xlsx``/``.json`` (a dry run: ``booking_plan.*``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pandas as pd

from ops_lib.approvals.approval import Approval
from ops_lib.booking.plan import BookingPlan
from ops_lib.booking.posting import VoucherOutcome
from ops_lib.core.files import write_private_file
from ops_lib.core.money import money_text
from ops_lib.core.report import OutcomeTally, status_box
from ops_lib.core.workbook import write_workbook
from ops_lib.model.vouchers import ZERO

NOT_DONE = ("failed", "unknown")
COLOURS = {"Summary": "#e8f5e9", "Control totals": "#e8f5e9", "failed": "#ffcdd2", "unknown": "#ffcdd2",
           "blocked": "#fff8e1", "booked": "#e8f5e9", "found": "#e8f5e9", "already_booked": "#e8f5e9",
           "planned": "#e3f2fd"}


@dataclass(frozen=True)
class BookingResult(OutcomeTally):
    """Outcomes of one export run (a dry run or an apply)."""

    OUTCOME: ClassVar[type] = VoucherOutcome

    plan: BookingPlan
    outcomes: tuple[VoucherOutcome, ...]
    applied: bool
    approval: Approval | None = None

    @property
    def exit_code(self) -> int:
        """0 all booked or nothing to do; 1 something failed, is blocked, or waits for approval."""
        return 1 if self.count("failed", "unknown", "blocked", "planned") else 0

    def control_total(self) -> dict[str, Decimal]:
        """What this run booked (or, in a dry run, would book) against what its source says."""
        sent = [o for o in self.outcomes if o.outcome in ("booked", "found", "planned")]
        keys = {o.key for o in sent}
        source = sum((v.draft.source_total for v in self.plan.vouchers if v.draft.key in keys), ZERO)
        booked = sum((o.amount for o in sent), ZERO)
        return {"source_total": source, "booked_total": booked, "difference": booked - source}

    def headline(self) -> str:
        total = self.control_total()
        control = (f"control total {money_text(total['booked_total'])} booked for {money_text(total['source_total'])} "
                   f"in the source")
        if not self.applied:
            return (f"Dry run: {self.count('planned')} voucher(s) would be booked ({control}), "
                    f"{self.count('already_booked')} already booked, {self.count('blocked')} blocked; nothing was "
                    f"sent. Plan {self.plan.plan_hash}")
        return (f"{self.count('booked', 'found')} booked ({control}), {self.count('already_booked')} already booked, "
                f"{self.count(*NOT_DONE)} failed, {self.count('blocked')} blocked")

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        table = frame.to_html(index=False, escape=True, classes="ops-export-table") if len(frame) else ""
        box = status_box(self.plan.register, self.headline(), self.applied, bool(self.count(*NOT_DONE)))
        return f"<div class='ops-export-result'>{box}{table}</div>"

    def describe(self) -> str:
        lines = [f"{self.plan.register}: {self.headline()}"]
        for o in self.outcomes:
            if o.outcome in ("booked", "found"):
                lines.append(f"  {o.outcome}: {o.sources} as {o.voucher_number} ({o.amount})")
            elif o.outcome in (*NOT_DONE, "blocked"):
                code = f" [ErrorCode {o.error_code}, ErrorId {o.error_id}]" if o.error_code else ""
                lines.append(f"  {o.outcome}: {o.sources}{code}: {o.explanation or o.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def to_json(self, path: Path | str) -> Path:
        body = {"register": self.plan.register, "plan_hash": self.plan.plan_hash, "applied": self.applied,
                "source": self.plan.source, "target": self.plan.target,
                "approval": asdict(self.approval) if self.approval else None, "counts": self.counts(),
                "control_total": {k: money_text(v) for k, v in self.control_total().items()},
                "payloads": self.plan.payloads, "outcomes": [asdict(o) for o in self.outcomes]}
        # Amounts as exact decimal text: a JSON number would be read back as a float.
        text = json.dumps(body, indent=1, ensure_ascii=False, default=str)
        write_private_file(Path(path), text.encode("utf-8"))
        return Path(path)

    def to_excel(self, path: Path | str) -> Path:
        frame = self.to_frame()
        sheets = {"Summary": pd.DataFrame([{"outcome": k, "count": v} for k, v in self.counts().items()]),
                  "Control totals": self.plan.control_totals()}
        sheets.update({o: frame[frame["outcome"] == o] for o in COLOURS if (frame["outcome"] == o).any()})
        sheets["Vouchers"] = self.plan.to_frame()
        sheets["Rows"] = self.plan.lines_frame()
        return write_workbook(path, sheets, COLOURS)

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        stem = "booking_results" if self.applied else "booking_plan"
        return {"xlsx": self.to_excel(out / f"{stem}.xlsx"), "json": self.to_json(out / f"{stem}.json")}
