"""The Procountor part of ``make demo``: its params, its mapping tables against the sandbox, and its runs."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from ops_lib.cli.main import main
from ops_lib.config.settings import connection_settings, environment
from ops_lib.connection.connect import open_client
from ops_lib.connection.service import connect_service
from ops_lib.demo.procountor import (
    CONNECT_PARAMS,
    DEMO_API_KEY,
    DEMO_CLIENT_SECRET,
    PROCOUNTOR_RUNS,
    demo_secrets,
    run_procountor_demo,
)
from ops_lib.demo.procountor_export import FINNISH_EXPENSES, write_finnish_demo_export
from ops_lib.runs.archive import RunArchive
from ops_lib.runs.params import check_parameters
from ops_lib.runs.runner import load_params
from ops_lib.sandbox.procountor import ProcountorConfig
from ops_lib.sandbox.procountor.server import ProcountorServerThread
from ops_lib.sources.journals import read_expenses
from ops_lib.systems.procountor.options import ProcountorOptions
from ops_lib.systems.registry import get as get_system

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "params" / "mappings_procountor"


@pytest.fixture
def connected(tmp_path: Path) -> Iterator[Any]:
    """A loopback Procountor sandbox with its demo company connected as the demo connects it (M2M)."""
    with ProcountorServerThread(ProcountorConfig()) as server:
        with environment(OPS_CONFIG_DIR=str(tmp_path / "config"), OPS_TOKEN_BACKEND="file",
                         OPS_SANDBOX_URL=server.base_url, **demo_secrets()):
            params = load_params(ROOT / CONNECT_PARAMS)
            settings = connection_settings({k: params[k] for k in ("system", "environment", "client_id")})
            status = connect_service(settings)
            assert status.connected and "Demo Suomi Oy" in status.company_name and not status.has_refresh_token
            yield settings


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_procountor_params_are_safe_sandbox_defaults_each_notebook_accepts() -> None:
    for notebook, params_file in PROCOUNTOR_RUNS:
        params = load_params(ROOT / params_file)
        check_parameters(ROOT / notebook, params)  # raises naming any parameter the notebook does not take
        assert params["system"] == "procountor", params_file
        assert params.get("environment", params.get("target", params.get("right"))) == "sandbox", params_file
        assert params["interactive"] is False and params.get("apply", False) is False, params_file
        text = (ROOT / params_file).read_text(encoding="utf-8")
        assert DEMO_CLIENT_SECRET not in text and DEMO_API_KEY not in text, params_file
    booking = load_params(ROOT / "params" / "procountor_book_expenses.yaml")
    assert booking["system_options"]["approve_receipts"] is False  # a booked receipt is approved only when asked
    for path in MAPPINGS.iterdir():
        assert DEMO_CLIENT_SECRET not in path.read_text(encoding="utf-8") and DEMO_API_KEY not in \
            path.read_text(encoding="utf-8"), path


def test_the_finnish_demo_export_is_in_euros_dated_this_month_and_its_receipts_exist(tmp_path: Path) -> None:
    path = write_finnish_demo_export(tmp_path / "export")
    expenses = read_expenses(path)
    assert {e.expense_id for e in expenses} == {row[0] for row in FINNISH_EXPENSES}
    today = date.today()
    for expense in expenses:
        assert expense.day.replace(day=1) == today.replace(day=1) and expense.day <= today
        if expense.currency != "EUR":  # a purchase abroad carries what the card charged in euros
            assert expense.exchange_rate and all(line.company_amount is not None for line in expense.lines)
        assert expense.receipt is None or expense.receipt.is_file()
    assert {e.currency for e in expenses} == {"EUR", "SEK", "USD"}
    assert sum(e.receipt is not None for e in expenses) == 3
    assert not (tmp_path / "export" / "payroll.csv").exists()


def test_the_procountor_mapping_tables_check_clean_against_the_sandbox_and_eaccountings_do_not(
        connected: Any, capsys: pytest.CaptureFixture[str]) -> None:
    check = ["mappings", "check", "--system", "procountor", "--target", "sandbox"]
    assert main([*check, "--mappings", str(MAPPINGS)]) == 0
    assert "Every mapping is valid" in capsys.readouterr().out
    # eAccounting's tables name BAS accounts the Finnish chart does not have.
    assert main([*check, "--mappings", str(ROOT / "params" / "mappings")]) == 1
    assert "1930" in capsys.readouterr().out


def test_the_procountor_tables_name_accounts_vat_and_dimension_items_the_sandbox_has(connected: Any) -> None:
    setup = yaml.safe_load((MAPPINGS / "accounts.yaml").read_text(encoding="utf-8"))
    categories = _csv_rows(MAPPINGS / "categories.csv")
    tags = _csv_rows(MAPPINGS / "tags.csv")
    options = ProcountorOptions.from_mapping(yaml.safe_load((MAPPINGS / "system_options.yaml").read_text("utf-8")))
    booking = load_params(ROOT / "params" / "procountor_book_expenses.yaml")["system_options"]
    assert ProcountorOptions.from_mapping(booking) == options and options.approve_receipts is False
    with open_client(connected) as client:
        refs = get_system("procountor").read_references(client)
    chart = refs.chart(date.today())
    assert chart.fiscal_year is not None and not chart.locked  # this year's fiscal year is open
    for role in ("card_contra_account", "out_of_pocket_account", "reimbursement_contra_account"):
        assert chart.accounts[setup[role]].active, role
    assert setup["card_contra_account"].startswith("194")  # Procountor's card wallet series
    assert all(chart.accounts[c["account"]].active for c in categories)
    # A VAT code is a purchase VAT status with a percent in use: reverse charge at 25.5 %, exempt at 0.
    assert {c["vat_code"] for c in categories if c["vat_code"]} == {"12:0", "5:25.5", "8:25.5"}
    assert {"12:0", "5:25.5", "8:25.5"} <= set(refs.vat_codes)
    assert refs.dimension(options.dimension) is not None
    for row in tags:
        dimension = refs.dimension(row["target"])
        assert dimension is not None, row
        if row["item"]:
            assert dimension.item(row["item"]).active, row  # type: ignore[union-attr]
    exported = {row[4] for row in FINNISH_EXPENSES if row[4]}
    assert exported - {c["category"] for c in categories} == {"Gifts"}  # the demo's one blocked expense


def test_a_domestic_category_gets_the_domestic_vat_status_at_the_rate_of_the_day(connected: Any) -> None:
    with open_client(connected) as client:
        refs = get_system("procountor").read_references(client)
    # A domestic category names a rate class (empty vat_code); its code is the domestic status at the day's rate.
    for rate, code in ((Decimal("0.255"), "1:25.5"), (Decimal("0.135"), "1:13.5")):
        found = refs.vat_code_for("1763", rate)
        assert found is not None and found.id == code, (rate, found)


def _book(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_the_demo_export_books_for_real_once_and_every_receipt_stays_unfinished(
        connected: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_finnish_demo_export(tmp_path / "export")
    args = ["book-vouchers", "--system", "procountor", "--expenses", str(export), "--mappings", str(MAPPINGS),
            "--out", str(tmp_path / "out"), "--state-db", str(tmp_path / "state.sqlite")]
    code, dry = _book(args, capsys)
    assert code == 1 and "nothing was sent" in dry  # Gifts is blocked
    plan = dry.split("Plan ")[-1].split()[0]
    code, booked = _book([*args, "--apply", "--approved-hash", plan, "--approved-by", "Auditor"], capsys)
    assert "10 booked" in booked and "failed" not in booked.split("blocked")[0], booked
    with open_client(connected) as client:
        receipts = client.ledger_receipts()
    assert len(receipts) == 10 and {r["status"] for r in receipts} == {"UNFINISHED"}  # approved only when asked
    code, again = _book([*args, "--apply", "--approved-hash", plan, "--approved-by", "Auditor"], capsys)
    assert "10 already booked" in again  # once and idempotently
    with open_client(connected) as client:
        assert len(client.ledger_receipts()) == 10


@pytest.mark.slow
def test_the_procountor_demo_part_runs_its_four_jobs_and_the_archive_verifies(tmp_path: Path) -> None:
    out = io.StringIO()
    archive, config = tmp_path / "runs", tmp_path / "config"
    config.mkdir(mode=0o700)
    done = run_procountor_demo(ROOT, archive, config, out)
    text = out.getvalue()
    assert [(d.label, d.run.status) for d in done] == [
        ("procountor: 00_connect", "clean"), ("procountor: 20_reconcile suppliers", "findings"),
        ("procountor: 10_mappings", "clean"), ("procountor: 30_book_vouchers expenses", "findings")]
    assert "machine to machine" in text and "never params" in text
    assert "0 mapping problem(s) in 16 categories and 4 tag rows" in text
    assert "(blocked 1, planned 10); 10 write(s) planned, 0 applied (dry run)" in text
    assert main(["audit", "verify", str(archive)]) == 0
    rows = RunArchive(archive).rows()
    report = archive / rows[1]["folder"] / "artifacts" / "reconciliation.csv"
    found = {(r["status"], r["left_number"] or r["right_number"]) for r in _csv_rows(report)}
    assert found == {("match", "5001"), ("name_mismatch", "5002"), ("field_mismatch", "5003"),
                     ("left_only", "5005"), ("right_only", "5004")}  # by number and name, as the issue asks
    booking = (archive / rows[3]["folder"] / "30_book_vouchers.ipynb").read_text(encoding="utf-8")
    assert "procountor/sandbox" in booking and "nothing was sent" in booking
    assert "101:MYYNTI, 102:P200" in booking and "102:P100" in booking  # tags became dimension items
    assert "the category 'Gifts' is not mapped" in booking
    tokens = json.loads((config / "tokens.json").read_text(encoding="utf-8"))
    secrets = [c["token"]["access_token"] for c in tokens["connections"].values() if c.get("system") == "procountor"]
    secrets += [DEMO_CLIENT_SECRET, DEMO_API_KEY]
    assert not any(s in p.read_text(encoding="utf-8", errors="replace")
                   for p in archive.rglob("*") if p.is_file() for s in secrets)
