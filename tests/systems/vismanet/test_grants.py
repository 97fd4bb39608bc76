"""How a Visma.net connection gets its tokens: client credentials with the tenant id, or authorization code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from authlib.integrations.httpx_client import OAuth2Client

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connectors.grants import AuthorizationCode, ClientCredentials
from ops_lib.systems.registry import get
from ops_lib.systems.vismanet.environments import INTERACTIVE_DEFAULT_SCOPES, SERVICE_SCOPES


@dataclass(frozen=True)
class WithTenant(ConnectionSettings):
    """Settings carrying a tenant id, as the connection settings do once they take one."""

    tenant_id: str = "6f0c2f43-57a4-4b5e-9a0e-2d4c1b7a9e01"


def test_a_tenant_id_makes_a_service_integration(tmp_path: Path) -> None:
    settings = WithTenant(system="vismanet", config_dir=tmp_path)
    grant = get("vismanet").grant(settings)
    assert isinstance(grant, ClientCredentials) and not grant.interactive
    assert dict(grant.extra) == {"tenant_id": "6f0c2f43-57a4-4b5e-9a0e-2d4c1b7a9e01", "scope": " ".join(SERVICE_SCOPES)}
    assert "6f0c2f43" not in repr(grant)  # extra parameters never show


def test_without_a_tenant_id_a_person_signs_in(tmp_path: Path) -> None:
    grant = get("vismanet").grant(ConnectionSettings(system="vismanet", config_dir=tmp_path))
    assert isinstance(grant, AuthorizationCode) and grant.interactive
    assert dict(grant.extra_authorize) == {"scope": " ".join(INTERACTIVE_DEFAULT_SCOPES)}


def test_the_token_request_carries_tenant_id_and_the_secret_in_the_form(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def token(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "a", "expires_in": 3600, "token_type": "Bearer"})

    settings = WithTenant(system="vismanet", config_dir=tmp_path)
    grant = get("vismanet").grant(settings)
    client = OAuth2Client("ops-demo", "ops-demo-secret", scope=" ".join(settings.scopes),
                          token_endpoint_auth_method=grant.auth_method, transport=httpx.MockTransport(token))
    assert grant.fetch(client, "http://127.0.0.1:8765/connect/token")["expires_in"] == 3600
    form = dict(httpx.QueryParams(seen[0].content.decode()))
    assert form["grant_type"] == "client_credentials" and form["tenant_id"] == settings.tenant_id
    assert form["client_secret"] == "ops-demo-secret" and form["scope"] == " ".join(SERVICE_SCOPES)


def test_each_grant_asks_for_its_own_family_of_the_scopes_given(tmp_path: Path) -> None:
    system = get("vismanet")
    assert set(system.default_scopes) == {*SERVICE_SCOPES, *INTERACTIVE_DEFAULT_SCOPES} and not system.required_scopes
    read_only = ("vismanet_erp_service_api:read", "vismanet_erp_interactive_api:read")
    service = system.grant(WithTenant(system="vismanet", config_dir=tmp_path, scopes=read_only))
    person = system.grant(ConnectionSettings(system="vismanet", config_dir=tmp_path, scopes=read_only))
    assert service.extra["scope"] == "vismanet_erp_service_api:read"  # type: ignore[attr-defined]
    assert person.extra_authorize["scope"] == "vismanet_erp_interactive_api:read"  # type: ignore[attr-defined]
