"""The Visma.net ERP part of ``make demo``: its params, its mapping tables against the sandbox, and its runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from ops_lib.cli.main import main
from ops_lib.config.settings import connection_settings, environment
from ops_lib.connection.connect import open_client
from ops_lib.connection.service import connect_service
from ops_lib.demo.vismanet import CONNECT_PARAMS, DEMO_CLIENT_SECRET, VISMANET_RUNS, run_vismanet_demo
from ops_lib.runs.archive import RunArchive
from ops_lib.runs.params import check_parameters
from ops_lib.runs.runner import load_params
from ops_lib.sandbox.vismanet import COMPANY_TENANT, VismaNetConfig
from ops_lib.sandbox.vismanet.server import VismaNetServerThread
from ops_lib.systems.registry import get as get_system
from ops_lib.systems.vismanet.invoices import SupplierInvoicePoster
from ops_lib.systems.vismanet.options import VismaNetOptions

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "params" / "mappings_vismanet"


@pytest.fixture
def connected(tmp_path: Path) -> Iterator[Any]:
    """A loopback Visma.net sandbox with its demo company connected as the demo connects it (service integration)."""
    with VismaNetServerThread(VismaNetConfig()) as server:
        with environment(OPS_CONFIG_DIR=str(tmp_path / "config"), OPS_TOKEN_BACKEND="file",
                         OPS_SANDBOX_URL=server.base_url, OPS_VISMANET_CLIENT_SECRET=DEMO_CLIENT_SECRET):
            params = load_params(ROOT / CONNECT_PARAMS)
            settings = connection_settings({k: params[k] for k in ("system", "environment", "client_id",
                                                                   "tenant_id")})
            status = connect_service(settings)
            assert status.connected and status.company_name == "Demo Sverige AB" and not status.has_refresh_token
            yield settings


def test_the_vismanet_params_are_safe_sandbox_defaults_each_notebook_accepts() -> None:
    for notebook, params_file in VISMANET_RUNS:
        params = load_params(ROOT / params_file)
        check_parameters(ROOT / notebook, params)  # raises naming any parameter the notebook does not take
        assert params["system"] == "vismanet" and params["tenant_id"] == COMPANY_TENANT, params_file
        assert params.get("environment", params.get("target", params.get("right"))) == "sandbox", params_file
        assert params["interactive"] is False and params.get("apply", False) is False, params_file
        assert DEMO_CLIENT_SECRET not in (ROOT / params_file).read_text(encoding="utf-8"), params_file


def test_the_vismanet_mapping_tables_check_clean_against_the_sandbox_and_eaccountings_do_not(
        connected: Any, capsys: pytest.CaptureFixture[str]) -> None:
    check = ["mappings", "check", "--system", "vismanet", "--tenant-id", COMPANY_TENANT, "--target", "sandbox"]
    assert main([*check, "--mappings", str(MAPPINGS)]) == 0
    assert "Every mapping is valid" in capsys.readouterr().out
    # eAccounting's tables name VAT codes (21 and 22 for reverse charge) the Visma.net company numbers otherwise.
    assert main([*check, "--mappings", str(ROOT / "params" / "mappings")]) == 1
    out = capsys.readouterr().out
    assert "no VAT code '22'" in out and "Software (non-EU)" in out


def test_the_vismanet_options_name_a_vendor_payment_method_and_wallet_the_sandbox_has(connected: Any) -> None:
    options = VismaNetOptions.from_mapping(yaml.safe_load((MAPPINGS / "system_options.yaml").read_text("utf-8")))
    setup = yaml.safe_load((MAPPINGS / "accounts.yaml").read_text(encoding="utf-8"))
    assert options.cash_account == setup["card_contra_account"] == "1941"
    booking = load_params(ROOT / "params" / "vismanet_book_expenses.yaml")["system_options"]
    assert VismaNetOptions.from_mapping(booking) == options  # the demo's booking job books with these options
    with open_client(connected) as client:
        assert options.supplier in {s.number for s in client.suppliers()}
        methods = {m["paymentMethodID"]: m for m in client.payment_methods()}
        assert methods[options.payment_method]["meansOfPayment"] == "CreditCard"  # no payment run pays it again
        assert options.cash_account in {c["number"] for c in client.cash_accounts()}
        segments = {s.description for s in client.segments()}
        tags = list(csv.DictReader(io.StringIO((MAPPINGS / "tags.csv").read_text(encoding="utf-8"))))
        assert options.segment in segments and {t["target"] for t in tags} <= segments
        poster = get_system("vismanet").make_voucher_poster(
            client, **{**options.poster_kwargs(), "export_as": "supplier_invoice"})
        assert isinstance(poster, SupplierInvoicePoster) and poster.supplier == "10005"


@pytest.mark.slow
def test_the_vismanet_demo_part_runs_its_four_jobs_and_the_archive_verifies(tmp_path: Path) -> None:
    out = io.StringIO()
    archive, config = tmp_path / "runs", tmp_path / "config"
    config.mkdir(mode=0o700)
    done = run_vismanet_demo(ROOT, archive, config, out)
    text = out.getvalue()
    assert [(d.label, d.run.status) for d in done] == [
        ("vismanet: 00_connect", "clean"), ("vismanet: 20_reconcile suppliers", "findings"),
        ("vismanet: 10_mappings", "clean"), ("vismanet: 30_book_vouchers expenses", "findings")]
    assert "as a service integration (client credentials, tenant " + COMPANY_TENANT in text
    assert "0 mapping problem(s) in 16 categories and 5 tag rows" in text
    assert "4 finding(s)" in text and "(blocked 1, planned 11); 11 write(s) planned, 0 applied (dry run)" in text
    assert main(["audit", "verify", str(archive)]) == 0
    rows = RunArchive(archive).rows()
    report = archive / rows[1]["folder"] / "artifacts" / "reconciliation.csv"
    found = {(r["status"], r["left_number"] or r["right_number"])
             for r in csv.DictReader(io.StringIO(report.read_text(encoding="utf-8")))}
    assert {("name_mismatch", "10003"), ("field_mismatch", "10002"), ("left_only", "10006"),
            ("right_only", "10004"), ("match", "10001"), ("match", "10005")} == found
    booking = (archive / rows[3]["folder"] / "30_book_vouchers.ipynb").read_text(encoding="utf-8")
    assert "vismanet/sandbox" in booking and "2:P100" in booking and "nothing was sent" in booking
    tokens = json.loads((config / "tokens.json").read_text(encoding="utf-8"))
    secrets = [c["token"]["access_token"] for c in tokens["connections"].values() if c.get("system") == "vismanet"]
    assert secrets and not any(s in p.read_text(encoding="utf-8", errors="replace")
                               for p in archive.rglob("*") if p.is_file() for s in secrets)
