"""Every notebook runs headless with ``params/ci.yaml`` through ``ops run``, against the sandbox.

A new notebook without a section in ``params/ci.yaml`` fails here, so
none can ship that only works interactively. nbval (``make test``) runs
them too, with the sanitising rules in ``tests/nbval_sanitize.cfg``.
"""

from __future__ import annotations

import configparser
import os
import re
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from ops_lib.config.settings import environment
from ops_lib.connection.demo_sandbox import store_sandbox_connection
from ops_lib.runs.archive import read_manifest
from ops_lib.runs.runner import archived_run, load_params
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CI = ROOT / "params" / "ci.yaml"


@pytest.fixture(scope="module")
def connected() -> Iterator[str]:
    """A served sandbox with a stored connection, as after 00_connect."""
    with ServerThread(SandboxConfig(auto_consent=True)) as server:
        yield server.base_url


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_runs_headless_with_the_ci_parameters(notebook: Path, connected: str, tmp_path: Path) -> None:
    params = load_params(CI, (), notebook)
    if "runs_dir" in nbformat.read(notebook, as_version=4).cells[1].source:
        params["runs_dir"] = str(tmp_path / "runs")
    with environment(OPS_SANDBOX_URL=connected):
        store_sandbox_connection(connected, Path(os.environ["OPS_CONFIG_DIR"]))
        run = archived_run(notebook, params, tmp_path / "runs", params_file=CI, lock_dir=tmp_path / "locks")
    assert run.exit_code in (0, 1), run.message
    manifest = read_manifest(run.manifest)
    files = {f["path"] for f in manifest["files"]}
    assert {notebook.name, f"{notebook.stem}.html"} <= files and not manifest["quarantined"]
    executed = nbformat.read(run.folder / notebook.name, as_version=4)
    assert "ops-run-header" in executed.cells[0].metadata.tags
    results = manifest["results"]
    if notebook.stem == "20_reconcile":
        assert {"artifacts/reconciliation.xlsx", "artifacts/reconciliation.csv", "artifacts/sync_plan.json"} <= files
        assert results[0]["register"] == "customers" and results[0]["findings"] == 18 and results[0]["dry_run"]
        assert run.exit_code == 1 and "Dry run" in executed.cells[0].source
    elif notebook.stem == "10_mappings":
        assert "artifacts/mapping_check.json" in files and run.exit_code == 0
        assert results[0]["register"] == "mappings" and results[0]["findings"] == 0 and results[0]["categories"] == 16
    elif notebook.stem == "30_book_vouchers":
        assert {"artifacts/booking_plan.json", "artifacts/booking_plan.xlsx", "artifacts/demo_journals/expenses.csv",
                "artifacts/demo_journals/receipts/e-1002.pdf"} <= files
        assert results[0]["register"] == "vouchers:expenses" and results[0]["dry_run"]
        assert results[0]["findings"] == 1 and results[0]["writes_planned"] == 11  # the unmapped demo category
        assert results[0]["control_source_total"] == results[0]["control_booked_total"] == "9799.30"
        assert run.exit_code == 1 and "Dry run" in executed.cells[0].source
    elif notebook.stem == "40_invoices":
        assert {"artifacts/invoice_plan.json", "artifacts/invoice_status_results.json",
                "artifacts/supplier_costs_plan.json"} <= files, files
        drafts, status, costs = results
        assert drafts["register"] == "invoices" and drafts["dry_run"] and drafts["writes_planned"] == 4
        assert drafts["status_counts"] == {"blocked": 3, "credit_note": 1, "planned": 4}, drafts
        assert status["register"] == "invoices:status" and status["lines_reported"] == 0
        assert costs["register"] == "supplier_costs" and costs["dry_run"] and costs["writes_planned"] > 0
        assert run.exit_code == 1 and "Dry run" in executed.cells[0].source
    elif notebook.stem == "90_audit_review":
        assert any(re.fullmatch(r"artifacts/audit_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.xlsx", f) for f in files)
        assert results == [{"findings": 0, "runs": 0, "period": results[0]["period"], "verified": True,
                            "first_break": ""}]
    elif notebook.stem == "00_connect":
        assert "connected" in (run.folder / notebook.name).read_text(encoding="utf-8").lower()
        assert "Read only" in executed.cells[0].source
    elif notebook.stem == "00_sandbox_tour":
        assert "numbers_in_both" in (run.folder / notebook.name).read_text(encoding="utf-8")
    else:
        pytest.fail(f"{notebook.name} has no assertion on its artifacts here")


def test_the_sanitising_rules_hide_what_changes_between_runs() -> None:
    rules = configparser.ConfigParser(interpolation=None)
    rules.read(ROOT / "tests" / "nbval_sanitize.cfg")
    text = ("run 20261121T060000Z-3fa2c1 at 2026-11-21T06:00:00Z on http://127.0.0.1:41234 id "
            "0b5c7a8e-1f2d-4c3b-9a8e-7d6c5b4a3f21 hash " + "ab" * 32 + " in /tmp/pytest-1/x/runs")
    for section in rules.sections():
        text = re.sub(rules[section]["regex"], rules[section]["replace"], text)
    assert text == ("run RUN-ID at TIMESTAMP on http://127.0.0.1:PORT id GUID hash SHA256 in TMP-PATH")
