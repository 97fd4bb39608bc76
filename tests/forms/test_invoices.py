"""The invoices notebook's steps: a step left out opens nothing and records nothing; one that runs is the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import IPython.display
import pytest

from ops_lib.core.errors import ConflictError
from ops_lib.forms.invoices import (
    invoice_panel,
    invoice_review,
    record_status,
    record_step,
    status_panel,
    status_review,
)
from ops_lib.invoicing.cost_session import cost_settings, open_costs
from ops_lib.invoicing.status_session import status_settings
from ops_lib.runs.results import RESULT_MIME


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    found: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: found.append(obj))
    return found


def test_a_step_left_out_opens_no_session_and_records_nothing(shown: list[Any], tmp_path: Path) -> None:
    opened: list[Any] = []
    step = invoice_review("costs", ["drafts"], lambda settings: opened.append(settings), cost_settings())
    assert not step.ran and opened == []
    assert "not in this run's" in step._repr_html_()
    assert invoice_panel(step, tmp_path, interactive=False, apply=True, approved_hash="x") is None
    record_step(step, None)
    status = status_review("drafts", status_settings())
    assert status_panel(status, tmp_path) is None
    record_status(status)
    assert shown == [] and list(tmp_path.iterdir()) == []


def test_a_step_that_runs_shows_its_plan_and_applies_only_its_own_hash(shown: list[Any], tmp_path: Path) -> None:
    settings = cost_settings(target="demo-sandbox", state_db=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path))
    step = invoice_review("costs", "drafts,costs", open_costs, settings)
    try:
        assert step.ran and step._repr_html_() == step.plan._repr_html_()
        with pytest.raises(ConflictError, match="approve it again"):
            invoice_panel(step, tmp_path, interactive=False, apply=True, approved_hash="0" * 64, approved_by="B")
        dry = invoice_panel(step, tmp_path, interactive=False)
        assert not dry.applied and not list(tmp_path.glob("project_costs_*.csv"))
        record_step(step, dry)
        (recorded,) = shown
        assert recorded[RESULT_MIME]["plan_hash"] == step.plan.plan_hash and recorded[RESULT_MIME]["dry_run"]
    finally:
        step.session.close()


def test_the_status_step_records_what_it_read(shown: list[Any], tmp_path: Path) -> None:
    step = status_review(["status"], status_settings(target="demo-sandbox", state_db=str(tmp_path / "s.sqlite"),
                                                     out_dir=str(tmp_path)))
    try:
        report = status_panel(step, tmp_path)
        assert report.file is None and (tmp_path / "invoice_status_results.json").is_file()
        record_status(step, report)
        (recorded,) = shown
        assert recorded[RESULT_MIME]["register"] == "invoices:status"
        assert (recorded[RESULT_MIME]["findings"], recorded[RESULT_MIME]["lines_reported"]) == (0, 0)
    finally:
        step.session.close()
