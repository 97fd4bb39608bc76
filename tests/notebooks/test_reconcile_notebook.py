"""The reconcile notebook: the review form's callbacks, and headless runs with approval from params."""

from __future__ import annotations

import json
from pathlib import Path

import papermill
import pytest

from ops_lib.forms.review import review_panel
from ops_lib.reconciliation.job import reconcile_sources
from ops_lib.reconciliation.settings import reconcile_settings
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from tests.conftest import find

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "20_reconcile.ipynb"
MAPPING = ROOT / "params" / "columns" / "pm.yaml"


@pytest.fixture(scope="module")
def customers() -> object:
    return reconcile_sources(reconcile_settings(register="customers", left=str(PM_EXPORT_DIR / "customers.csv"),
                                                right="demo-sandbox", mapping=MAPPING))


def test_review_filters_compares_accepts_and_approves(customers: object, tmp_path: Path) -> None:
    form = review_panel(customers, tmp_path, interactive=True)  # type: ignore[arg-type]
    find(form, "ops-filter").value = "name_mismatch"
    assert "Uddbacken" in find(form, "ops-pairs").value and "Parkberga" not in find(form, "ops-pairs").value
    pick = find(form, "ops-pick")
    pick.value = next(v for text, v in pick.options if "Uddbacken" in text)
    side = find(form, "ops-side").value
    assert "Uddbacken Bygg &amp; Partner AB" in side and "Uddbacken Bygg AB" in side
    assert find(form, "ops-accept").disabled
    find(form, "ops-approve").click()
    assert "Type your name" in find(form, "ops-message-area").value
    find(form, "ops-approver").value = "Anna Analytiker"
    find(form, "ops-approve").click()
    approval = json.loads((tmp_path / "approval.json").read_text())
    assert approval["approved_by"] == "Anna Analytiker" and approval["plan_hash"] == customers.plan_hash  # type: ignore[attr-defined]
    assert approval["plan_hash"] in find(form, "ops-message-area").value


def test_review_accepts_a_fuzzy_suggestion(tmp_path: Path) -> None:
    left = tmp_path / "projects.csv"
    left.write_text("number;name;is_active\n9001;Införande Vikholm Teknik;Ja\n", encoding="utf-8")
    result = reconcile_sources(reconcile_settings(register="projects", left=str(left), right="demo-sandbox",
                                                  mapping=""))
    form = review_panel(result, tmp_path, interactive=True)
    find(form, "ops-filter").value = "left_only"
    pick = find(form, "ops-pick")
    pick.value = next(v for text, v in pick.options if "suggests 1025" in text)
    assert not find(form, "ops-accept").disabled
    find(form, "ops-accept").click()
    assert "Accepted the suggestion" in find(form, "ops-message-area").value
    reviewed = form.state["result"]
    linked = reviewed.pairs[reviewed.pairs["left_number"] == "9001"].iloc[0]
    assert (linked["right_number"], linked["action"]) == ("1025", "manual")
    find(form, "ops-approver").value = "Anna"
    find(form, "ops-approve").click()
    assert json.loads((tmp_path / "approval.json").read_text())["accepted_suggestions"] == ["left:9001~1025"]


def test_headless_approval_must_name_the_plan(customers: object, tmp_path: Path) -> None:
    assert "is not approved" in review_panel(customers, tmp_path, interactive=False)  # type: ignore[arg-type]
    assert not (tmp_path / "approval.json").exists()
    done = review_panel(customers, tmp_path, interactive=False,  # type: ignore[arg-type]
                        approved_hash=customers.plan_hash, approved_by="ops")  # type: ignore[attr-defined]
    assert "approved by ops" in done and (tmp_path / "approval.json").exists()


@pytest.mark.slow
def test_headless_notebook_writes_results_and_refuses_a_stale_approval(tmp_path: Path) -> None:
    out = tmp_path / "run"
    params = {"register": "projects", "left": str(PM_EXPORT_DIR / "projects.csv"), "out_dir": str(out),
              "interactive": False}
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "a.ipynb"), parameters=params, progress_bar=False,
                               kernel_name="python3", cwd=str(NOTEBOOK.parent))
    body = json.loads((out / "reconciliation.json").read_text())
    assert body["status_counts"] == {"match": 22, "field_mismatch": 1, "name_mismatch": 1, "number_mismatch": 0,
                                     "duplicate": 0, "left_only": 1, "right_only": 1}
    assert "is not approved" in (tmp_path / "a.ipynb").read_text()
    with pytest.raises(papermill.PapermillExecutionError, match="approve again"):
        papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "b.ipynb"), progress_bar=False,
                                   parameters={**params, "approved_reconciliation_hash": "0" * 64,
                                               "approved_by": "ops"},
                                   kernel_name="python3", cwd=str(NOTEBOOK.parent))
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "c.ipynb"), progress_bar=False,
                               parameters={**params, "approved_reconciliation_hash": body["plan_hash"],
                                           "approved_by": "ops"},
                               kernel_name="python3", cwd=str(NOTEBOOK.parent))
    assert json.loads((out / "approval.json").read_text())["plan_hash"] == body["plan_hash"]


@pytest.mark.slow
def test_headless_sync_is_a_dry_run_until_applied_with_the_approved_hash(tmp_path: Path) -> None:
    out = tmp_path / "run"
    params = {"register": "customers", "out_dir": str(out), "interactive": False}
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "dry.ipynb"), parameters=params, progress_bar=False,
                               kernel_name="python3", cwd=str(NOTEBOOK.parent))
    dry = json.loads((out / "sync_plan.json").read_text())
    assert dry["applied"] is False and dry["counts"] == {"planned": 10}
    assert not (out / "sync_results.json").exists()
    executed = (tmp_path / "dry.ipynb").read_text()
    assert "POST /customers" in executed and "Dry run: 10 action(s) would be sent" in executed
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "apply.ipynb"), progress_bar=False,
                               parameters={**params, "apply": True, "approved_sync_hash": dry["plan_hash"],
                                           "approved_by": "ops"},
                               kernel_name="python3", cwd=str(NOTEBOOK.parent))
    applied = json.loads((out / "sync_results.json").read_text())
    assert applied["transferred"] == 10 and applied["failed"] == 0 and applied["approval"]["approved_by"] == "ops"
    assert (out / "sync_results.xlsx").exists() and (out / "import_customers_customers.csv").exists()
    assert "10 transferred, 0 failed" in (tmp_path / "apply.ipynb").read_text()
