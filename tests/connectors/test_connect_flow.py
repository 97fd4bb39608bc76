"""Connecting a company: PKCE and state, company choice, the catcher and the paste field."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ops_lib.config.settings import connection_settings
from ops_lib.connection.connect import connection_status, disconnect, open_client, start_connect
from ops_lib.connectors.catcher import RedirectCatcher
from ops_lib.core.errors import AuthenticationError, ReconnectNeeded
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from tests.conftest import DEMO_AUTH, TODAY, SandboxHarness, approve


def test_full_flow_with_consent_and_the_second_company(sandbox: SandboxHarness) -> None:
    settings = connection_settings()
    pending = start_connect(settings, use_catcher=False, transport=sandbox.transport)
    query = parse_qs(urlsplit(pending.url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["acr_values"] == ["forceselectcompany:true"]
    assert "code_verifier" not in pending.url

    status = pending.complete(approve(sandbox.http, pending.url, company_index=1))
    assert (status.company_name, status.org_number) == ("Kustväg Bygg AB", "556934-2107")
    assert set(status.scope.split()) == {"ea:api", "ea:sales", "ea:accounting", "ea:purchase", "offline_access"}
    assert status.expires_at is not None and status.has_refresh_token and status.verified

    with open_client(settings, transport=sandbox.transport) as client:
        assert client.company_settings().name == "Kustväg Bygg AB"
        assert len(list(client.customers.list())) == 60


def test_token_file_is_private(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    path = settings.config_dir / "tokens.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_force_select_company_can_be_turned_off(sandbox: SandboxHarness) -> None:
    settings = connection_settings({"force_select_company": False})
    pending = start_connect(settings, use_catcher=False, transport=sandbox.transport)
    assert "acr_values" not in pending.url


def test_a_redirect_with_another_state_is_refused(sandbox: SandboxHarness) -> None:
    pending = start_connect(connection_settings(), use_catcher=False, transport=sandbox.transport)
    redirected = approve(sandbox.http, pending.url)
    forged = redirected.replace("state=", "state=x")
    with pytest.raises(AuthenticationError, match="state differs"):
        pending.complete(forged)
    assert connection_status(connection_settings()).connected is False


def test_declining_consent_is_reported(sandbox: SandboxHarness) -> None:
    pending = start_connect(connection_settings(), use_catcher=False, transport=sandbox.transport)
    with pytest.raises(AuthenticationError, match="did not grant access"):
        pending.complete(approve(sandbox.http, pending.url, decision="deny"))


def test_pasting_something_else_is_explained(sandbox: SandboxHarness) -> None:
    pending = start_connect(connection_settings(), use_catcher=False, transport=sandbox.transport)
    with pytest.raises(AuthenticationError, match="copy the whole address bar"):
        pending.complete("I approved it")


def test_a_wrong_client_secret_is_readable_and_not_echoed(sandbox: SandboxHarness) -> None:
    pending = start_connect(connection_settings(), client_secret="wrong-secret-value", use_catcher=False,
                            transport=sandbox.transport)
    with pytest.raises(AuthenticationError, match="invalid_client") as caught:
        pending.complete(approve(sandbox.http, pending.url))
    assert "wrong-secret-value" not in str(caught.value)


def test_two_companies_need_a_choice(sandbox: SandboxHarness) -> None:
    sandbox.connect(company_index=0)
    sandbox.connect(company_index=1)
    with pytest.raises(Exception, match="Several companies are connected.*set the parameter company"):
        open_client(connection_settings(), transport=sandbox.transport)
    chosen = connection_settings({"company": "556812-3458"})
    with open_client(chosen, transport=sandbox.transport) as client:
        assert client.company_settings().name == "Fjällbris Konsult AB"


def test_headless_use_without_a_connection_names_the_way_back() -> None:
    with pytest.raises(ReconnectNeeded, match=r"00_connect.ipynb.*ops connect --env sandbox"):
        open_client(connection_settings())


def test_disconnect_revokes_and_removes(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    stored = (settings.config_dir / "tokens.json").read_text()
    refresh = next(iter(__import__("json").loads(stored)["connections"].values()))["token"]["refresh_token"]
    status = disconnect(settings, transport=sandbox.transport)
    assert "revoked and removed" in status.note
    assert connection_status(settings).connected is False
    answer = sandbox.http.post("/connect/token", auth=DEMO_AUTH,
                               data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_catcher_takes_one_redirect_and_closes() -> None:
    catcher = RedirectCatcher().start()
    port = catcher.port
    with httpx.Client() as http:
        answer = http.get(f"{catcher.redirect_uri}?code=abc&state=xyz")
    assert answer.status_code == 200 and "close this tab" in answer.text
    assert catcher.wait(5).endswith("/callback?code=abc&state=xyz")
    with pytest.raises(httpx.ConnectError), httpx.Client() as http:
        http.get(f"http://127.0.0.1:{port}/callback")


def test_catcher_times_out_and_frees_its_port() -> None:
    catcher = RedirectCatcher().start()
    with pytest.raises(AuthenticationError, match="No redirect arrived"):
        catcher.wait(0.3)
    with pytest.raises(httpx.ConnectError), httpx.Client() as http:
        http.get(catcher.redirect_uri)


@pytest.mark.slow
def test_full_flow_over_sockets_with_the_loopback_catcher(tmp_path: Path) -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        settings = connection_settings({"sandbox_url": server.base_url})
        pending = start_connect(settings)
        assert pending.catcher is not None and pending.request.redirect_uri == pending.catcher.redirect_uri

        def browser() -> None:
            with httpx.Client() as http:
                http.get(approve(http, pending.url, company_index=0))

        thread = threading.Thread(target=browser)
        thread.start()
        status = pending.wait(20)
        thread.join()
        assert status.company_name == "Fjällbris Konsult AB"
        checked = connection_status(settings, check=True)
        assert checked.verified and checked.org_number == "556812-3458"
