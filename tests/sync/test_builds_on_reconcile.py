"""A sync builds on a reconciliation: reading two files opens nothing; the state database opens to plan.

This is the reconcile notebook's path (``open_sync`` with two files):
its reconcile step reads only the files, and the operations log appears
in the state database when the sync is first planned.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sync.session import open_sync
from ops_lib.sync.settings import sync_settings

ROOT = Path(__file__).resolve().parents[2]
MAPPING = str(ROOT / "params" / "columns" / "pm.yaml")
CUSTOMERS = str(PM_EXPORT_DIR / "customers.csv")


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token store, the OAuth client, the API session and the client secret cannot be made."""
    from authlib.integrations.httpx_client import OAuth2Client

    from ops_lib.config import secrets
    from ops_lib.connectors import session, tokens

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a sync of two files reached for a connection or a token")

    for owner, name in ((tokens.TokenStore, "__init__"), (tokens, "open_store"), (session.ApiSession, "__init__"),
                        (OAuth2Client, "__init__"), (secrets, "require_client_secret"),
                        (secrets, "find_client_secret")):
        monkeypatch.setattr(owner, name, refuse)


@pytest.mark.usefixtures("no_connection")
def test_two_files_are_reconciled_without_a_state_database_until_planned(tmp_path: Path) -> None:
    config = Path(os.environ["OPS_CONFIG_DIR"])
    with open_sync(sync_settings(register="customers", left=CUSTOMERS, right=CUSTOMERS, mapping=MAPPING,
                                 out_dir=str(tmp_path))) as sync:
        assert sync.result.status_counts()["match"] == 298
        assert list(config.iterdir()) == []
        plan = sync.plan()
        assert (config / "state.sqlite").exists()
        assert sync.preparer(plan) == sync.prepared_by
    assert sorted(p.name for p in config.iterdir() if not p.name.startswith("state.sqlite")) == []


def test_a_named_state_database_is_the_one_the_plan_is_recorded_in(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with open_sync(sync_settings(register="customers", left=CUSTOMERS, right=CUSTOMERS, mapping=MAPPING,
                                 out_dir=str(tmp_path), state_db=str(state))) as sync:
        assert not state.exists()
        plan = sync.plan()
    assert state.exists()
    assert plan.plan_hash
