"""The README's headless apply: ``ops run`` a dry run, then ``ops run`` again with the approved hash.

Every ``ops run`` writes into a fresh ``artifacts/`` folder of its own, so
these tests are what catches a plan hash that depends on where the
import file is written. They run the reconcile notebook in a kernel
against a sandbox served on 127.0.0.1, as a scheduled job would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from ops_lib.cli.main import main
from ops_lib.connection.demo_sandbox import store_sandbox_connection
from ops_lib.runs.archive import RunArchive, read_manifest
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sandbox.server import ServerThread
from ops_lib.state.db import default_state_path, open_state
from ops_lib.state.oplog import OperationsLog
from ops_lib.sync.session import open_sync
from ops_lib.sync.settings import sync_settings
from tests.conftest import Crash, Recording, no_wait

ROOT = Path(__file__).resolve().parents[2]
RECONCILE = str(ROOT / "notebooks" / "20_reconcile.ipynb")
PARAMS = str(ROOT / "params" / "reconcile_customers.yaml")
MAPPING = str(ROOT / "params" / "columns" / "pm.yaml")
CREATED_IN_EACCOUNTING = {"1301", "1302", "1305"}

pytestmark = pytest.mark.slow


@pytest.fixture
def served() -> Iterator[ServerThread]:
    """A sandbox on a loopback port with a stored connection, as after ``ops connect``."""
    with ServerThread(SandboxConfig(auto_consent=True)) as server:
        store_sandbox_connection(server.base_url, Path(os.environ["OPS_CONFIG_DIR"]))
        yield server


def ops_run(server: ServerThread, runs: Path, *overrides: str) -> tuple[int, dict[str, Any]]:
    """``ops run`` of the reconcile notebook with the README's params file; its exit code and recorded result."""
    code = main(["run", RECONCILE, "--params", PARAMS, "--set", f"sandbox_url={server.base_url}",
                 *(a for o in overrides for a in ("--set", o)), "--out", str(runs)])
    row = RunArchive(runs).rows()[-1]
    results = read_manifest(runs / row["folder"] / "manifest.json")["results"]
    return code, (results[0] if results else {"message": row["message"]})


def customer_numbers(server: ServerThread) -> list[str]:
    sandbox = server.server.config.app.state.sandbox
    return [c["CustomerNumber"] for c in sandbox.store.all(sandbox.companies[0].id, "customers")]


def approved_apply(plan_hash: str) -> tuple[str, ...]:
    return ("apply=true", f"approved_sync_hash={plan_hash}", "approved_by=bertil")


def test_the_headless_apply_accepts_the_hash_of_an_earlier_dry_run(served: ServerThread, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    code, dry = ops_run(served, runs)
    assert code == 1 and dry["dry_run"] and dry["writes_planned"] > 0, dry
    assert not CREATED_IN_EACCOUNTING & set(customer_numbers(served))

    code, applied = ops_run(served, runs, *approved_apply(dry["plan_hash"]))
    assert code == 1, applied  # 1: the reconciliation's findings; a refused approval fails the run with 2
    assert not applied["dry_run"] and applied["actions_applied"] == dry["writes_planned"]
    numbers = customer_numbers(served)
    assert CREATED_IN_EACCOUNTING <= set(numbers) and len(numbers) == len(set(numbers))
    folders = [r["folder"] for r in RunArchive(runs).rows()]
    assert (runs / folders[1] / "artifacts" / "import_customers_customers.csv").exists()


def test_the_headless_rerun_after_a_crash_accepts_the_approved_hash(served: ServerThread, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    code, dry = ops_run(served, runs)
    assert code == 1 and dry["dry_run"], dry
    plan_hash = dry["plan_hash"]
    # The approved apply dies after its second write reached eAccounting, in a folder of its own.
    settings = sync_settings(register="customers", left=str(PM_EXPORT_DIR / "customers.csv"), right="sandbox",
                             mapping=str(MAPPING), sandbox_url=served.base_url, out_dir=tmp_path / "crashed")
    with httpx.HTTPTransport() as inner, open_sync(
            settings, transport=Recording(inner, crash_at=2, when="after"),
            client_options={"sleep": no_wait}) as session:
        plan = session.plan()
        assert plan.plan_hash == plan_hash
        with pytest.raises(Crash):
            session.run(plan, apply=True, approved_hash=plan_hash, approved_by="bertil")

    code, rerun = ops_run(served, runs, *approved_apply(plan_hash))
    assert code == 1 and not rerun["dry_run"], rerun
    # The writes made before the crash dropped out of the fresh plan: the rerun continues the approved one.
    assert rerun["plan_hash"] != plan_hash and rerun["actions_applied"] == rerun["writes_planned"] > 0
    artifacts = runs / RunArchive(runs).rows()[-1]["folder"] / "artifacts"
    approval = json.loads((artifacts / "sync_approval.json").read_text(encoding="utf-8"))
    assert approval["plan_hash"] == approval["resumed_from"] == plan_hash
    numbers = customer_numbers(served)
    assert CREATED_IN_EACCOUNTING <= set(numbers) and len(numbers) == len(set(numbers))
    oplog = OperationsLog(open_state(default_state_path(Path(os.environ["OPS_CONFIG_DIR"]))))
    try:
        assert set(oplog.counts(plan_hash)) == {"done"}
    finally:
        oplog.db.close()
