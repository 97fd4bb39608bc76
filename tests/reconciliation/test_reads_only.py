"""Reconciling only reads: two files are compared without a state database, a token store or a connection.

The CLI runs in a fresh interpreter so what it imported can be checked as
well as what it left on disk; in process, the constructors of everything a
connection needs are made to fail, so touching any of them fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops_lib.reconciliation.job import open_reconciliation, reconcile_sources
from ops_lib.reconciliation.settings import reconcile_settings
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR

ROOT = Path(__file__).resolve().parents[2]
MAPPING = str(ROOT / "params" / "columns" / "pm.yaml")
CUSTOMERS = str(PM_EXPORT_DIR / "customers.csv")

# What a comparison of two files has no business loading: connections, tokens, secrets, state, sync, booking.
NOT_FOR_FILES = ("authlib", "keyring", "ops_lib.connectors", "ops_lib.config", "ops_lib.connection.connect",
                 "ops_lib.systems.eaccounting", "ops_lib.state", "ops_lib.sync", "ops_lib.booking", "ops_lib.demo")
# Declarations only, which the job's settings object is built from: no I/O, no connection machinery.
SETTINGS_DECLARATIONS = {"ops_lib.config", "ops_lib.core.options", "ops_lib.systems.eaccounting",
                         "ops_lib.systems.eaccounting.options"}

CLI = """
import json, sys
from ops_lib.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_ops_reconcile_of_two_files_loads_and_leaves_nothing_of_a_connection(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "OPS_CONFIG_DIR": str(config), "OPS_TOKEN_BACKEND": "auto"}
    run = subprocess.run([sys.executable, "-c", CLI, "reconcile", "customers", "--left", CUSTOMERS,
                          "--right", CUSTOMERS, "--mapping", MAPPING, "--out", str(out)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["code"] == 1  # the demo export has duplicates: findings, not an error
    assert list(config.iterdir()) == []  # no state.sqlite, no tokens.json, no token store files, no locks
    assert (out / "reconciliation.csv").exists()
    loaded = [m for m in report["modules"] if m.startswith(NOT_FOR_FILES) and m not in SETTINGS_DECLARATIONS]
    assert loaded == []


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way into a connection, a token store, the secrets or the state database raises."""
    from authlib.integrations.httpx_client import OAuth2Client

    from ops_lib.config import secrets, settings
    from ops_lib.connectors import session, tokens
    from ops_lib.state import db

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reconciliation of two files reached for a connection, a token or the state")

    for owner, name in ((tokens.TokenStore, "__init__"), (tokens, "open_store"), (session.ApiSession, "__init__"),
                        (OAuth2Client, "__init__"), (secrets, "require_client_secret"),
                        (secrets, "find_client_secret"), (settings, "connection_settings"), (db, "open_state")):
        monkeypatch.setattr(owner, name, refuse)


@pytest.mark.usefixtures("no_connection")
def test_reconcile_sources_of_two_files_reads_only_the_files(tmp_path: Path) -> None:
    config = Path(os.environ["OPS_CONFIG_DIR"])
    wanted = reconcile_settings(register="customers", left=CUSTOMERS, right=CUSTOMERS, mapping=MAPPING)
    result = reconcile_sources(wanted)
    with open_reconciliation(wanted, state_db=tmp_path / "state.sqlite") as opened:
        assert opened.state is None
    assert result.status_counts()["match"] == 298
    assert list(config.iterdir()) == [] and not (tmp_path / "state.sqlite").exists()
