"""The tour on the in-process sandbox, and the end-to-end demo job (``make demo``)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from ops_lib.cli.main import main
from ops_lib.demo.job import run_demo
from ops_lib.demo.tour import tour
from ops_lib.runs.archive import RunArchive
from tests.conftest import planted_differences

ROOT = Path(__file__).resolve().parents[2]


def test_tour_counts_follow_the_planted_differences() -> None:
    summary = tour().summary().set_index("register")
    planted = planted_differences()
    for register in ("customers", "products", "projects"):
        mine = [p for p in planted if p["register"] == register]
        count = lambda kind: sum(p["difference"] == kind for p in mine)  # noqa: E731
        row = summary.loc[register]
        assert row["only_in_eaccounting"] == count("only_in_eaccounting") + count("leading_zero") + count("renumbered")
        assert row["only_in_export"] == count("only_in_export") + count("leading_zero") + count("renumbered")
        assert row["repeated_in_export"] == count("duplicate_number")
    assert summary.loc["customers", "in_eaccounting"] == 300


@pytest.mark.slow
def test_the_demo_runs_end_to_end_and_leaves_a_verifiable_archive(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert run_demo(ROOT, tmp_path / "demo", out=out) == 0
    text = out.getvalue()
    archive = tmp_path / "demo" / "runs"
    rows = RunArchive(archive).rows()
    assert [(r["notebook"], r["status"]) for r in rows] == [
        ("00_connect.ipynb", "clean"), ("20_reconcile.ipynb", "findings"), ("20_reconcile.ipynb", "findings"),
        ("20_reconcile.ipynb", "findings"), ("10_mappings.ipynb", "clean"), ("30_book_vouchers.ipynb", "findings"),
        # the invoice drafts (three blocked: no article, an inactive one, a customer not synced) and the supplier costs
        ("40_invoices.ipynb", "findings"), ("40_invoices.ipynb", "clean"),
        ("90_audit_review.ipynb", "clean"),
        # the Visma.net ERP part, after eAccounting's, into the same chain
        ("00_connect.ipynb", "clean"), ("20_reconcile.ipynb", "findings"), ("10_mappings.ipynb", "clean"),
        ("30_book_vouchers.ipynb", "findings"),
        # the Procountor part, after Visma.net's, into the same chain
        ("00_connect.ipynb", "clean"), ("20_reconcile.ipynb", "findings"), ("10_mappings.ipynb", "clean"),
        ("30_book_vouchers.ipynb", "findings")]
    assert "17 run(s) verified" in text and "30_book_vouchers expenses" in text
    assert re.search(r"40_invoices drafts .*3 finding\(s\) \(blocked 3, credit_note 1, planned 4\); 4 write\(s\) "
                     r"planned, 0 applied \(dry run\)", text)
    assert re.search(r"40_invoices costs .*clean .*write\(s\) planned, 0 applied \(dry run\)", text)
    drafts, costs = (archive / rows[i]["folder"] for i in (6, 7))
    assert (drafts / "artifacts" / "invoice_plan.json").is_file() and not list(drafts.rglob("project_costs_*"))
    assert (costs / "artifacts" / "supplier_costs_plan.json").is_file() and not list(costs.rglob("invoice_plan*"))
    assert not list(archive.rglob("invoice_status_*.csv")) and not list(archive.rglob("project_costs_*.csv"))
    assert "vismanet: 30_book_vouchers expenses" in text and "vismanet: 20_reconcile suppliers" in text
    assert "procountor: 30_book_vouchers expenses" in text and "procountor: 20_reconcile suppliers" in text
    assert "Connected Demo Suomi Oy (Procountor sandbox) machine to machine" in text
    assert "0 mapping problem(s) in 16 categories" in text and str(archive / "index.csv") in text
    assert "20_reconcile customers" in text and "18 finding(s)" in text and "0 applied (dry run)" in text
    assert main(["audit", "verify", str(archive)]) == 0
    header = (archive / rows[1]["folder"] / "20_reconcile.ipynb").read_text(encoding="utf-8")
    assert "Fjällbris Konsult AB" in header and "Dry run" in header
    tokens = json.loads((tmp_path / "demo" / "config" / "tokens.json").read_text(encoding="utf-8"))
    secrets = [v for c in tokens["connections"].values() for k, v in (c.get("token") or {}).items()
               if k in ("access_token", "refresh_token")]
    assert secrets and not any(s in p.read_text(encoding="utf-8", errors="replace")
                               for p in archive.rglob("*") if p.is_file() for s in secrets)
    report = archive / rows[2]["folder"] / "artifacts" / "reconciliation.csv"
    data = bytearray(report.read_bytes())
    data[0] ^= 0x01
    report.write_bytes(bytes(data))
    assert main(["audit", "verify", str(archive)]) == 2
    assert "artifacts/reconciliation.csv" in capsys.readouterr().err
