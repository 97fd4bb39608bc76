"""A service integration connects through ``ops connect --system NAME --tenant-id ...``: client credentials, no browser.

The system is a test's own (``ServiceToy``, the toy with an environment and
a client-credentials grant asking for a tenant), served by a stub identity
server and API on an in-process transport, so nothing here is eAccounting's
or Visma.net's: only the neutral connect path is under test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from ops_lib.cli import terminal
from ops_lib.cli.main import main
from ops_lib.cli.parser import build_parser
from ops_lib.config.settings import ConnectionSettings, connection_settings
from ops_lib.connection.connect import connection_status, find_connection, open_client, reconnect_hint
from ops_lib.connection.service import connect_service
from ops_lib.connectors.endpoints import Environment
from ops_lib.connectors.grants import ClientCredentials
from ops_lib.connectors.tokens import open_store
from ops_lib.core.errors import AuthenticationError, ConfigurationError, OpsError
from ops_lib.model.registers import canonical_frame
from ops_lib.reconciliation.job import reconcile_sources
from ops_lib.reconciliation.settings import reconcile_settings
from ops_lib.systems import registry
from tests.toy_system import ToySystem

BASE = "http://127.0.0.1:8799"
SECRET = "svc-s3cret-value"
TENANTS = {"T-1": "Tenant One AB", "T-2": "Tenant Two AB"}


class ServiceClient:
    """The least client a connected service system gives: its session, to send one request with."""

    system = "svc"

    def __init__(self, session: Any) -> None:
        self.session = session

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "ServiceClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ServiceToy(ToySystem):
    """The toy, reached as a service integration: one environment, client credentials plus a tenant id."""

    name = "svc"
    environments = {"sandbox": Environment("sandbox", "{sandbox_url}/api", "{sandbox_url}", "a stub")}

    def grant(self, settings: Any) -> ClientCredentials:
        return ClientCredentials(extra={"tenant_id": settings.tenant_id})

    def company_identity(self, get: Any) -> tuple[str, str]:
        body = get("company").raise_for_status().json()
        return body["tenant"], body["name"]

    def make_client(self, session: Any, **options: Any) -> ServiceClient:
        return ServiceClient(session)

    def read_register(self, client: ServiceClient, register: str, **options: Any) -> Any:
        """One record per connection, read through the API (so an expired token must be renewed)."""
        body = client.session.request("GET", "company").json()
        return canonical_frame([{"number": body["tenant"], "name": body["name"], "is_active": "true"}],
                               register, "svc")


class IdentityAndApi:
    """Issues numbered tokens per tenant for one client; the API names the token's tenant."""

    def __init__(self) -> None:
        self.token_requests: list[dict[str, list[str]]] = []
        self.tokens: dict[str, str] = {}  # access token -> tenant

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/connect/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            if form.get("client_id") != ["svc-client"] or form.get("client_secret") != [SECRET]:
                return httpx.Response(401, json={"error": "invalid_client"})
            tenant = form.get("tenant_id", [""])[0]
            if form.get("grant_type") != ["client_credentials"] or tenant not in TENANTS:
                return httpx.Response(400, json={"error": "invalid_request", "error_description": "unknown tenant"})
            token = f"access-{len(self.tokens) + 1}-for-{tenant}"
            self.tokens[token] = tenant
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer", "expires_in": 3600})
        tenant = self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if tenant is None:
            return httpx.Response(401, json={"message": "unauthorized"})
        return httpx.Response(200, json={"tenant": tenant, "name": TENANTS[tenant]})


@pytest.fixture
def service() -> Iterator[IdentityAndApi]:
    registry.register(ServiceToy())
    yield IdentityAndApi()
    registry.unregister("svc")


@pytest.fixture
def secret_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_SVC_CLIENT_SECRET", SECRET)


def expire_stored_token(settings: ConnectionSettings) -> None:
    """An hour later: the stored access token has expired."""
    store = open_store(settings.config_dir, settings.token_backend)
    key = find_connection(settings).key
    with store.lock(key):
        stored = store.load(key)
        store.save(stored.with_token({**stored.token, "expires_at": time.time() - 10}))


def cli_settings(*flags: str) -> ConnectionSettings:
    return terminal.settings_from_args(build_parser().parse_args(["connect", *flags]))


FLAGS = ("--system", "svc", "--client-id", "svc-client", "--tenant-id", "T-1", "--sandbox-url", BASE)


@pytest.mark.usefixtures("secret_in_environment")
def test_ops_connect_connects_a_service_integration_without_a_browser(
        service: IdentityAndApi, capsys: pytest.CaptureFixture[str]) -> None:
    settings = cli_settings(*FLAGS)
    assert (settings.system, settings.tenant_id) == ("svc", "T-1")

    def no_browser(url: str) -> bool:
        raise AssertionError("a service integration opened a browser")

    assert terminal.connect(settings, browser=no_browser, transport=httpx.MockTransport(service.handle)) == 0
    (form,) = service.token_requests
    assert form["grant_type"] == ["client_credentials"] and form["tenant_id"] == ["T-1"]
    shown = capsys.readouterr().out
    assert "Connected." in shown and "Tenant One AB (T-1)" in shown and "svc / sandbox" in shown
    assert "asked for again with the client's credentials" in shown  # not "no refresh token"
    assert SECRET not in shown and "access-1" not in shown
    stored = find_connection(settings)
    assert (stored.system, stored.company_key, stored.client_id) == ("svc", "T-1", "svc-client")


def test_the_secret_comes_from_the_secrets_file(service: IdentityAndApi, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_file = tmp_path / "secrets.yaml"
    secrets_file.write_text(f"svc:\n  sandbox:\n    svc-client: {SECRET}\n", encoding="utf-8")
    os.chmod(secrets_file, 0o600)
    monkeypatch.setenv("OPS_SECRETS_FILE", str(secrets_file))
    status = connect_service(cli_settings(*FLAGS), transport=httpx.MockTransport(service.handle))
    assert status.connected and status.company_name == "Tenant One AB"


@pytest.mark.usefixtures("secret_in_environment")
def test_a_headless_run_uses_the_stored_service_connection_and_asks_again_on_expiry(
        service: IdentityAndApi) -> None:
    transport = httpx.MockTransport(service.handle)
    settings = cli_settings(*FLAGS)
    connect_service(settings, transport=transport)
    assert connection_status(settings, check=True, transport=transport).verified
    expire_stored_token(settings)
    with open_client(settings, transport=transport) as client:
        assert client.session.request("GET", "company").json()["tenant"] == "T-1"
    assert len(service.token_requests) == 2  # the connect, then the renewal: nobody signed in again
    assert service.token_requests[-1]["tenant_id"] == ["T-1"]


@pytest.mark.usefixtures("secret_in_environment")
def test_a_wrong_tenant_is_refused_at_the_token_endpoint_without_echoing_the_secret(
        service: IdentityAndApi) -> None:
    settings = cli_settings(*FLAGS[:-3], "T-9", *FLAGS[-2:])
    with pytest.raises(AuthenticationError, match=r"unknown tenant") as caught:
        connect_service(settings, transport=httpx.MockTransport(service.handle))
    assert SECRET not in str(caught.value)


def test_without_a_secret_the_error_says_where_to_put_it(service: IdentityAndApi) -> None:
    with pytest.raises(ConfigurationError, match=r"Set OPS_SVC_CLIENT_SECRET, or put it in .*secrets.yaml"):
        connect_service(cli_settings(*FLAGS), transport=httpx.MockTransport(service.handle))


def test_an_interactive_system_is_not_connected_as_a_service() -> None:
    with pytest.raises(ConfigurationError, match=r"eaccounting connects by signing in in a browser"):
        connect_service(connection_settings({}))


def test_the_reconnect_hint_names_the_system_and_tenant(service: IdentityAndApi) -> None:
    assert "`ops connect --system svc --env sandbox --tenant-id T-1`" in reconnect_hint(cli_settings(*FLAGS))
    assert "`ops connect --env sandbox`" in reconnect_hint(connection_settings({}))


@pytest.mark.usefixtures("secret_in_environment")
def test_ops_status_lists_every_systems_connections_and_disconnect_takes_the_system(
        service: IdentityAndApi, capsys: pytest.CaptureFixture[str]) -> None:
    connect_service(cli_settings(*FLAGS), transport=httpx.MockTransport(service.handle))
    assert main(["status"]) == 0
    assert "Tenant One AB (T-1)" in capsys.readouterr().out
    assert main(["status", "--system", "eaccounting"]) == 1  # none of eAccounting's
    settings = terminal.settings_from_args(build_parser().parse_args(["disconnect", *FLAGS]))
    assert terminal.disconnect(settings, transport=httpx.MockTransport(service.handle)) == 0
    assert "Disconnected from Tenant One AB (T-1)" in capsys.readouterr().out
    assert main(["status"]) == 1


@pytest.mark.usefixtures("secret_in_environment")
def test_a_job_passes_system_and_tenant_to_the_connection_it_reads_through(
        service: IdentityAndApi, tmp_path: Path) -> None:
    transport = httpx.MockTransport(service.handle)
    connect_service(cli_settings(*FLAGS), transport=transport)
    expire_stored_token(cli_settings(*FLAGS))
    export = tmp_path / "projects.csv"
    export.write_text("number,name,is_active\nT-1,Tenant One AB,true\n", encoding="utf-8")
    wanted = dict(register="projects", left=str(export), right="sandbox", mapping="", system="svc",
                  sandbox_url=BASE)
    with pytest.raises(OpsError):  # without the tenant the renewal is refused at the token endpoint
        reconcile_sources(reconcile_settings(wanted), transport=transport)
    assert service.token_requests[-1].get("tenant_id", [""]) == [""]  # asked for no tenant
    result = reconcile_sources(reconcile_settings(wanted, tenant_id="T-1"), transport=transport)
    assert service.token_requests[-1]["tenant_id"] == ["T-1"]
    assert result.pairs["status"].tolist() == ["match"]
