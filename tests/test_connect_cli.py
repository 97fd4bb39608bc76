"""``ops connect``, ``ops status`` and ``ops disconnect`` as a person uses them."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import httpx
import pytest

from ops_lib import terminal
from ops_lib.cli import main
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from ops_lib.settings import connection_settings
from tests.conftest import TODAY, approve


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
