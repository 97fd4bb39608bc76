"""A process killed after the identity server rotated its refresh token loses nothing."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ops_lib.connection.connect import open_client
from ops_lib.connectors.tokens import TokenStore
from ops_lib.core.errors import ConfigurationError
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from tests.conftest import DEMO_AUTH, TODAY, SandboxHarness, age_stored_token, connect_over_socket

ROOT = Path(__file__).resolve().parents[2]


def stored_token(config_dir: Path) -> dict[str, object]:
    store = TokenStore(config_dir)
    (listed,) = store.connections()
    return dict(store.load(listed.key).token)  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_run_killed_between_the_token_answer_and_the_store_write_can_be_continued() -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        settings = connect_over_socket(server.base_url)
        age_stored_token(settings)
        old = stored_token(settings.config_dir)

        killed = subprocess.run([sys.executable, "-m", "tests.connectors.killed_refresh_worker", server.base_url],
                                cwd=ROOT, capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        for secret in (str(old["access_token"]), str(old["refresh_token"])):
            assert secret not in killed.stdout + killed.stderr

        # The rotated set was on disk beside the store when the process died; the store still holds the old one.
        (kept,) = (settings.config_dir / "recovery").glob("*.json")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert json.loads((settings.config_dir / "tokens.json").read_text())["connections"][
            kept.stem.replace("__", "/")]["token"]["refresh_token"] == old["refresh_token"]
        rotated_then = json.loads(kept.read_text())["token"]
        assert rotated_then["refresh_token"] != old["refresh_token"]
        assert rotated_then["refresh_token"] not in killed.stdout + killed.stderr

        # The identity server did rotate: the refresh token the store held is dead.
        with httpx.Client() as http:
            answer = http.post(settings.endpoints.token_url, auth=DEMO_AUTH,
                               data={"grant_type": "refresh_token", "refresh_token": old["refresh_token"]})
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"

        # A fresh process continues with the rotated token, and can refresh it again.
        resumed = subprocess.run(
            [sys.executable, "-c",
             "import sys; from ops_lib.connection.connect import open_client; from ops_lib.config.settings import connection_settings\n"
             "with open_client(connection_settings({'sandbox_url': sys.argv[1]})) as c:\n"
             "    print(c.company_settings().name, c.session.stats.refreshes)",
             server.base_url],
            cwd=ROOT, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout.split() == ["Fjällbris", "Konsult", "AB", "0"]
        rotated = stored_token(settings.config_dir)
        assert rotated["refresh_token"] != old["refresh_token"]
        assert [p for p in settings.config_dir.rglob("*") if "recovery" in str(p) and p.is_file()] == []

        age_stored_token(settings)
        with open_client(settings) as client:
            assert client.company_settings().name == "Fjällbris Konsult AB"
            assert client.session.stats.refreshes == 1


def test_a_full_disk_during_a_refresh_names_the_recovery_file_and_the_next_run_continues(
        sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sandbox.connect()
    age_stored_token(settings)
    old = stored_token(settings.config_dir)
    real_replace = os.replace

    def full_disk(src: str, dst: str) -> None:
        if Path(dst).name == "tokens.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    with open_client(settings, transport=sandbox.transport) as client:
        with pytest.raises(ConfigurationError, match="No space left on device") as caught:
            client.company_settings()
    monkeypatch.setattr(os, "replace", real_replace)
    (kept,) = (settings.config_dir / "recovery").glob("*.json")
    assert str(kept) in str(caught.value)
    rotated = json.loads(kept.read_text())["token"]
    for secret in (rotated["access_token"], rotated["refresh_token"], old["refresh_token"]):
        assert secret not in str(caught.value)

    with open_client(settings, transport=sandbox.transport) as client:  # the next run
        assert client.company_settings().name == "Fjällbris Konsult AB"
        assert client.session.stats.refreshes == 0
    assert stored_token(settings.config_dir)["refresh_token"] == rotated["refresh_token"]
    assert not kept.exists()
