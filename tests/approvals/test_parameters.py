"""One parameter name per thing approved, in every notebook that approves something."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_lib.runs.params import declared_parameters

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# What each notebook approves, by the name of its parameter; the same name never means two things.
APPROVED = {"20_reconcile": {"approved_reconciliation_hash", "approved_sync_hash"},
            "30_book_vouchers": {"approved_booking_hash"},
            "40_invoices": {"approved_draft_hash", "approved_cost_hash"}}


@pytest.mark.parametrize("notebook", sorted(APPROVED))
def test_each_approval_has_its_own_parameter(notebook: str) -> None:
    declared = declared_parameters(NOTEBOOKS / f"{notebook}.ipynb")
    assert {name for name in declared if name.startswith("approved_") and name.endswith("_hash")} == APPROVED[notebook]
    assert {"approved_by", "prepared_by", "four_eyes"} <= set(declared)


def test_no_other_notebook_approves_anything() -> None:
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if path.stem not in APPROVED:
            assert not [n for n in declared_parameters(path) if n.startswith("approved_")], path.name
