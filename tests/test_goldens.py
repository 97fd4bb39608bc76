"""Golden files for what a person reads: the reconciliation report, a sync import file, a voucher proposal.

Each test builds the demo's output on the in-process sandbox and compares
it byte for byte with its file in ``tests/golden/``. What varies between
runs is masked first (the temporary folder in a plan's heading); dates
and plan hashes do not vary, because the sandbox's day and the demo
journals' month are fixed. When an output is meant to change, rewrite the
files and review the diff before committing it::

    .venv/bin/python -m pytest tests/test_goldens.py --update-goldens
"""

from __future__ import annotations

from pathlib import Path

from ops_lib.booking.session import open_booking
from ops_lib.booking.settings import booking_settings
from ops_lib.reconciliation.engine import reconcile
from ops_lib.sandbox.pm_export import ENCODING, PM_EXPORT_DIR
from ops_lib.sources.demo_journals import write_demo_journals
from ops_lib.sources.files import load_mapping, read_file
from ops_lib.sync.session import open_sync
from ops_lib.sync.settings import sync_settings
from ops_lib.systems.eaccounting.registers import read_register
from tests.conftest import TODAY, Golden, SandboxHarness, no_wait

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ROOT / "params" / "columns" / "pm.yaml"


def masked(text: str, tmp_path: Path) -> str:
    """``text`` with the test's temporary folder written as ``<tmp>``."""
    return text.replace(str(tmp_path), "<tmp>")


def test_the_reconciliation_report_of_the_demo_customers(client: object, tmp_path: Path, golden: Golden) -> None:
    left = read_file(PM_EXPORT_DIR / "customers.csv", "customers", load_mapping(COLUMNS, "customers"))
    result = reconcile(left, read_register(client, "customers"), "customers",  # type: ignore[arg-type]
                       left_name="customers.csv", right_name="eaccounting")
    golden.check("reconciliation_customers.txt",
                 result.describe() + "\n\n" + result.summary().to_string(index=False) + "\n")
    golden.check("reconciliation_customers.csv", result.to_csv(tmp_path / "reconciliation.csv").read_text("utf-8"))


def test_the_import_file_a_sync_writes_for_the_demo_export(sandbox: SandboxHarness, tmp_path: Path,
                                                           golden: Golden) -> None:
    sandbox.connect()
    wanted = sync_settings(register="customers", left=str(PM_EXPORT_DIR / "customers.csv"), right="sandbox",
                           mapping=str(COLUMNS), out_dir=str(tmp_path / "out"), state_db=str(tmp_path / "state.sqlite"))
    with open_sync(wanted, transport=sandbox.transport, client_options={"sleep": no_wait}) as session:
        plan = session.plan()
        result = session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    (written,) = (Path(p) for p in result.written)
    assert written.name == "import_customers_customers.csv"
    golden.check(written.name, written.read_bytes(), encoding=ENCODING)  # the PM tool's own encoding and CRLF


def test_the_voucher_proposal_of_the_demo_expenses(sandbox: SandboxHarness, tmp_path: Path, golden: Golden) -> None:
    sandbox.connect()
    source = write_demo_journals(tmp_path / "journal", TODAY.replace(day=1))["expenses"]
    wanted = booking_settings(kind="expenses", source=str(source), target="sandbox",
                              mapping_dir=str(ROOT / "params" / "mappings"), state_db=str(tmp_path / "state.sqlite"))
    with open_booking(wanted, transport=sandbox.transport, client_options={"sleep": no_wait}) as session:
        plan = session.plan()
    golden.check("voucher_proposal_expenses.txt", masked(
        plan.describe() + "\n\nControl totals:\n" + plan.control_totals().to_string(index=False) + "\n", tmp_path))
    golden.check("voucher_proposal_expenses_rows.csv", plan.lines_frame().to_csv(index=False))
