"""The grants: a client-credentials token is asked for again on expiry; an authorization code refreshes."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from ops_lib.connectors.endpoints import Environment
from ops_lib.connectors.grants import AuthorizationCode, ClientCredentials, Grant
from ops_lib.connectors.session import ApiSession
from ops_lib.connectors.tokens import StoredConnection, TokenStore
from ops_lib.core.errors import ApiError, OpsError, ReconnectNeeded

# A machine-to-machine identity server with its own token path, like Procountor's.
ENVIRONMENT = Environment("test", "https://m2m.example/api/", "https://m2m.example", "a stub",
                          token_path="/oauth/token", authorize_path="/oauth/authorize",
                          revocation_path="/oauth/revoke")


class M2MService:
    """Issues numbered tokens for client credentials plus an API key; the API accepts only the newest."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.token_requests: list[dict[str, list[str]]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            if form.get("api_key") != ["KEY-1"] or form.get("client_secret") != ["s3cret"]:
                return httpx.Response(400, json={"error": "invalid_client"})
            self.issued.append(f"t{len(self.issued) + 1}")
            return httpx.Response(200, json={"access_token": self.issued[-1], "token_type": "Bearer",
                                             "expires_in": 3600})
        if request.headers.get("authorization") != f"Bearer {self.issued[-1] if self.issued else '-'}":
            return httpx.Response(401, json={"errors": [{"status": 401, "message": "Unauthorized"}]})
        return httpx.Response(200, json={"companyId": 42})


def session(tmp_path: Any, service: M2MService, grant: Grant, token: dict[str, Any]) -> ApiSession:
    store = TokenStore(tmp_path)
    connection = StoredConnection("m2m", "test", "42", "Oy Testi Ab", "cid", "", time.time(), token)
    with store.lock(connection.key):
        store.save(connection)

    def translate(response: httpx.Response) -> OpsError:
        return ApiError(f"HTTP {response.status_code}", status=response.status_code)

    return ApiSession(ENVIRONMENT.resolve(""), "cid", "s3cret", store, connection.key, translate=translate,
                      retry_after=lambda _: None, reconnect_hint="reconnect", grant=grant,
                      transport=httpx.MockTransport(service.handle))


def test_client_credentials_ask_again_when_the_token_expires(tmp_path: Any) -> None:
    service = M2MService()
    grant = ClientCredentials(extra={"api_key": "KEY-1"})
    expired = {"access_token": "t0", "token_type": "Bearer", "expires_at": int(time.time()) - 5}
    with session(tmp_path, service, grant, expired) as api:
        assert api.request("GET", "sessioninfo").json() == {"companyId": 42}
        assert api.stats.refreshes == 1 and service.issued == ["t1"]
        (form,) = service.token_requests
        assert form["grant_type"] == ["client_credentials"] and form["client_id"] == ["cid"]
        stored = TokenStore(tmp_path).load(api.key)
        assert stored is not None and stored.token["access_token"] == "t1" and stored.expires_at
        assert "refresh_token" not in stored.token


def test_a_401_makes_client_credentials_ask_again_once(tmp_path: Any) -> None:
    service = M2MService()
    service.issued.append("t1")
    fresh = {"access_token": "stale", "token_type": "Bearer", "expires_at": int(time.time()) + 3000}
    with session(tmp_path, service, ClientCredentials(extra={"api_key": "KEY-1"}), fresh) as api:
        assert api.request("GET", "sessioninfo").status_code == 200
        assert api.stats.by_status[401] == 1 and service.issued == ["t1", "t2"]


def test_a_refusal_in_a_system_s_own_envelope_is_no_token() -> None:
    """A 401 with ``{"errors": [...]}`` and no OAuth ``error`` field is a refusal, not a token without a value."""
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errors": [{"status": 401, "message": "Unauthorized"}]})

    client = OAuth2Client("cid", "s3cret", transport=httpx.MockTransport(refuse))
    with pytest.raises(OAuthError) as refused:
        ClientCredentials(extra={"api_key": "WRONG-KEY"}).fetch(client, "https://m2m.example/oauth/token")
    assert refused.value.error == "no_access_token" and "WRONG-KEY" not in str(refused.value)


def test_the_extra_parameters_are_never_shown() -> None:
    grant = ClientCredentials(extra={"api_key": "KEY-1", "tenant_id": "T-9"})
    assert "KEY-1" not in repr(grant) and "T-9" not in repr(grant)
    assert isinstance(grant, Grant) and not grant.interactive and grant.can_renew({})


def test_an_authorization_code_without_a_refresh_token_needs_a_person(tmp_path: Any) -> None:
    grant = AuthorizationCode(extra_authorize={"acr_values": "forceselectcompany:true"})
    assert grant.interactive and grant.can_renew({"refresh_token": "r"}) and not grant.can_renew({})
    expired = {"access_token": "t0", "token_type": "Bearer", "expires_at": int(time.time()) - 5}
    with session(tmp_path, M2MService(), grant, expired) as api:
        with pytest.raises(ReconnectNeeded, match="no refresh token"):
            api.request("GET", "sessioninfo")


def test_an_environment_names_its_own_identity_paths() -> None:
    endpoints = ENVIRONMENT.resolve("")
    assert endpoints.token_url == "https://m2m.example/oauth/token"
    assert endpoints.identity_host == "https://m2m.example"
