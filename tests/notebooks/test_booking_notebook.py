"""The voucher booking notebook headless: a dry run, then booking with ``approved_booking_hash`` from params."""

from __future__ import annotations

import json
from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "30_book_vouchers.ipynb"


def execute(tmp_path: Path, name: str, **params: object) -> None:
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / f"{name}.ipynb"), parameters=params,
                               progress_bar=False, kernel_name="python3", cwd=str(NOTEBOOK.parent))


@pytest.mark.slow
def test_headless_booking_needs_the_approved_booking_hash_and_another_approver(tmp_path: Path) -> None:
    params = {"out_dir": str(tmp_path / "run"), "state_db": str(tmp_path / "state.sqlite"), "interactive": False,
              "prepared_by": "anna"}
    execute(tmp_path, "dry", **params)
    dry = json.loads((tmp_path / "run" / "booking_plan.json").read_text(encoding="utf-8"))
    assert dry["applied"] is False and dry["approval"] is None
    approve = {**params, "apply": True, "approved_booking_hash": dry["plan_hash"], "four_eyes": True}
    with pytest.raises(papermill.PapermillExecutionError, match="Four-eyes approval"):
        execute(tmp_path, "same", **approve, approved_by="Anna")
    execute(tmp_path, "apply", **approve, approved_by="bertil")
    applied = json.loads((tmp_path / "run" / "booking_results.json").read_text(encoding="utf-8"))
    assert applied["applied"] is True and applied["counts"].get("booked", 0) >= 1
    assert {k: applied["approval"][k] for k in ("plan_hash", "approved_by", "prepared_by", "four_eyes")} == {
        "plan_hash": dry["plan_hash"], "approved_by": "bertil", "prepared_by": "anna", "four_eyes": True}
