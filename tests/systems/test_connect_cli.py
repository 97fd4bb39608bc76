"""``ops connect``, ``ops status`` and ``ops disconnect`` as a person uses them."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import httpx
import pytest

from ops_lib.cli import terminal
from ops_lib.cli.main import main
from ops_lib.config.settings import connection_settings
from ops_lib.connection.connect import connection_status, open_client
from ops_lib.connectors.tokens import KeyringSecrets, StoredConnection, TokenStore
from ops_lib.core.errors import ReconnectNeeded
from ops_lib.forms.connect import connect_panel
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from tests.conftest import TODAY, approve, find
from tests.connectors.test_tokens import MemoryKeyring


@pytest.fixture
def server() -> object:
    with ServerThread(SandboxConfig(today=TODAY)) as running:
        yield running


def stored_tokens() -> list[str]:
    data = json.loads((Path(os.environ["OPS_CONFIG_DIR"]) / "tokens.json").read_text())
    return [c["token"][k] for c in data["connections"].values() for k in ("access_token", "refresh_token")]


def browser_that_approves(company_index: int) -> tuple[list[str], object]:
    opened: list[str] = []

    def open_url(url: str) -> bool:
        opened.append(url)

        def act() -> None:
            with httpx.Client() as http:
                http.get(approve(http, url, company_index))

        threading.Thread(target=act, daemon=True).start()
        return True

    return opened, open_url


@pytest.mark.slow
def test_connect_opens_a_browser_and_catches_the_redirect(server: ServerThread,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    settings = connection_settings({"sandbox_url": server.base_url})
    opened, browser = browser_that_approves(company_index=1)
    assert terminal.connect(settings, browser=browser, wait=20) == 0
    out = capsys.readouterr().out
    assert opened and opened[0] in out and "A browser window was opened." in out
    assert "Company: Kustväg Bygg AB (556934-2107)" in out and "Granted scopes:" in out
    assert "access token valid until" in out

    assert main(["status", "--sandbox-url", server.base_url, "--check"]) == 0
    status_out = capsys.readouterr().out
    assert "Checked against the service: yes" in status_out
    for secret in [*stored_tokens(), "ops-demo-secret"]:
        assert secret not in out and secret not in status_out


@pytest.mark.slow
def test_connect_with_paste_for_remote_hosts(server: ServerThread, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    redirected: list[str] = []

    class Terminal(io.StringIO):
        def readline(self) -> str:  # the user pastes after approving in their own browser
            printed = capsys.readouterr().out
            url = next(line.strip() for line in printed.splitlines() if "/connect/authorize?" in line)
            with httpx.Client() as http:
                redirected.append(approve(http, url, 0))
            return redirected[0] + "\n"

    monkeypatch.setattr("sys.stdin", Terminal())
    assert main(["connect", "--paste", "--sandbox-url", server.base_url]) == 0
    assert redirected[0].startswith("http://127.0.0.1/callback?code=")
    assert "Fjällbris Konsult AB" in capsys.readouterr().out


def test_status_without_connections_says_how_to_connect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--env", "production", "--client-id", "app"]) == 1
    assert "ops connect --env production" in capsys.readouterr().out


def test_connect_without_a_secret_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connect", "--env", "production", "--client-id", "my-app", "--no-browser"]) == 2
    assert "OPS_EACCOUNTING_CLIENT_SECRET" in capsys.readouterr().err


def test_params_file_feeds_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = tmp_path / "p.yaml"
    params.write_text("environment: visma-sandbox\nclient_id: from-file\ninteractive: false\n")
    assert main(["status", "--params", str(params)]) == 1
    params.write_text("environment: staging\n")
    assert main(["status", "--params", str(params)]) == 2
    assert "Unknown environment 'staging'" in capsys.readouterr().err


@pytest.mark.slow
def test_disconnect_from_the_command_line(server: ServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    settings = connection_settings({"sandbox_url": server.base_url})
    _, browser = browser_that_approves(company_index=0)
    terminal.connect(settings, browser=browser, wait=20)
    assert main(["disconnect", "--sandbox-url", server.base_url]) == 0
    assert "revoked and removed" in capsys.readouterr().out
    assert main(["status", "--sandbox-url", server.base_url]) == 1


def store_connection(backend: object | None = None, token: dict | None = None) -> StoredConnection:
    stored = StoredConnection("eaccounting", "sandbox", "556812-3458", "Fjällbris Konsult AB", "ops-demo",
                              "ea:api offline_access", 1_700_000_000.0,
                              token or {"access_token": "acc-secret-1", "refresh_token": "ref-secret-1",
                                        "expires_at": 2_000_000_000, "token_type": "Bearer"})
    TokenStore(Path(os.environ["OPS_CONFIG_DIR"]), backend).save(stored)  # type: ignore[arg-type]
    return stored


@pytest.mark.parametrize("where", ["file", "keyring"])
def test_status_shows_until_when_without_check(where: str, capsys: pytest.CaptureFixture[str]) -> None:
    store_connection(KeyringSecrets(MemoryKeyring()) if where == "keyring" else None)
    assert main(["status"]) == 0  # this process has the file backend; nothing is sent anywhere
    out = capsys.readouterr().out
    assert "Token: access token expired" not in out
    assert "access token valid until 2033-05-18 03:33:20 UTC" in out and "refreshes automatically" in out
    assert f"Token storage: {'OS keyring' if where == 'keyring' else 'file'}" in out
    assert "acc-secret-1" not in out and "ref-secret-1" not in out


def test_the_connect_form_shows_the_stored_expiry_on_open() -> None:
    store_connection(KeyringSecrets(MemoryKeyring()))
    status = connection_status(connection_settings())
    assert ("Token", status.token_state) in status.rows()
    assert status.token_state.startswith("access token valid until 2033-05-18 03:33:20 UTC")
    form = connect_panel(connection_settings(), interactive=True)
    shown = find(form, "ops-status").value
    assert "access token valid until 2033-05-18 03:33:20 UTC" in shown and "refreshes automatically" in shown


def test_a_keyring_connection_under_cron_names_both_backends(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Connected on the desktop (keyring); a scheduled run with OPS_TOKEN_BACKEND=auto finds no keyring."""
    import keyring
    from keyring.backends import fail

    store_connection(KeyringSecrets(MemoryKeyring()))
    monkeypatch.setenv("OPS_TOKEN_BACKEND", "auto")
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(ReconnectNeeded) as caught:
        open_client(connection_settings())
    message = str(caught.value)
    assert "OS keyring" in message and "file backend" in message and "not connected" not in message.lower()
    assert main(["status", "--check"]) == 2
    err = capsys.readouterr().err
    assert "OS keyring" in err and "file backend" in err
