"""Sign-in to the Visma.net sandbox: Visma Connect's tenants, service tokens and the code flow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from ops_lib.sandbox.grants import s256
from ops_lib.sandbox.login import approve_consent
from ops_lib.sandbox.vismanet.config import COMPANY_TENANT, CUSTOMER_TENANT, UNLICENSED_TENANT
from tests.sandbox.vismanet.harness import BASE, DEMO_AUTH, VismaNetHarness

REDIRECT = "http://127.0.0.1:53682/callback"


def test_client_credentials_with_the_company_tenant_issues_an_hour_long_token(vn: VismaNetHarness) -> None:
    answer = vn.token()
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "refresh_token" not in body
    assert "vismanet_erp_service_api:read" in body["scope"].split()


def test_the_secret_may_come_in_the_form_instead_of_basic(vn: VismaNetHarness) -> None:
    answer = vn.http.post("/connect/token", data={
        "grant_type": "client_credentials", "client_id": "ops-demo", "client_secret": "ops-demo-secret",
        "tenant_id": COMPANY_TENANT, "scope": "vismanet_erp_service_api:read"})
    assert answer.status_code == 200
    assert answer.json()["scope"] == "vismanet_erp_service_api:read"


def test_a_wrong_tenant_fails_at_the_token_endpoint(vn: VismaNetHarness) -> None:
    for tenant in ("00000000-0000-0000-0000-000000000000", ""):
        answer = vn.token(tenant)
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_tenant"


def test_a_bad_secret_is_invalid_client(vn: VismaNetHarness) -> None:
    answer = vn.http.post("/connect/token", auth=("ops-demo", "wrong"),
                          data={"grant_type": "client_credentials", "tenant_id": COMPANY_TENANT})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_interactive_scopes_are_refused_to_a_service_client(vn: VismaNetHarness) -> None:
    answer = vn.token(scope="vismanet_erp_interactive_api:read")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"


def test_a_customer_tenant_token_is_issued_but_the_api_answers_401(vn: VismaNetHarness) -> None:
    token = vn.token(CUSTOMER_TENANT)
    assert token.status_code == 200
    answer = vn.http.get("/v1/account", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert answer.status_code == 401
    assert "Authorization has been denied" in answer.json()["message"]
    assert answer.headers["X-RateLimit-Limit"] == "15000"


def test_an_unlicensed_company_answers_the_ipp_envelope(vn: VismaNetHarness) -> None:
    with vn.api(UNLICENSED_TENANT) as client:
        answer = client.get("/v1/account")
    assert answer.status_code == 403
    body = answer.json()
    assert body["ExceptionFaultCode"] == "12027" and body["ExceptionMessage"] == "No license for this company."


def test_an_expired_token_is_refused(vn: VismaNetHarness) -> None:
    with vn.api() as client:
        assert client.get("/v1/ledger").status_code == 200
        vn.clock.advance(3601)
        assert client.get("/v1/ledger").status_code == 401


def test_the_authorization_code_flow_signs_in_to_the_company_picked(vn: VismaNetHarness) -> None:
    verifier = "v" * 48
    url = httpx.URL(f"{BASE}/connect/authorize", params={
        "client_id": "ops-demo", "redirect_uri": REDIRECT, "response_type": "code", "state": "s1",
        "scope": "vismanet_erp_interactive_api:read vismanet_erp_interactive_api:create offline_access",
        "code_challenge": s256(verifier), "code_challenge_method": "S256"})
    location = approve_consent(vn.http, str(url))
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    token = vn.http.post("/connect/token", auth=DEMO_AUTH, data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT,
        "code_verifier": verifier})
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["expires_in"] == 3600 and body["refresh_token"]
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert vn.http.get("/v1/account", headers=headers).status_code == 200
    # read and create were granted, update was not
    assert vn.http.put("/v1/supplier/10001", headers=headers, json={"name": {"value": "X"}}).status_code == 403
    refreshed = vn.http.post("/connect/token", auth=DEMO_AUTH,
                             data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != body["refresh_token"]


def test_the_consent_page_can_pick_the_unlicensed_company(vn: VismaNetHarness) -> None:
    url = httpx.URL(f"{BASE}/connect/authorize", params={
        "client_id": "ops-demo", "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "vismanet_erp_interactive_api:read"})
    location = approve_consent(vn.http, str(url), company_index=1)
    code = parse_qs(urlsplit(location).query)["code"][0]
    token = vn.http.post("/connect/token", auth=DEMO_AUTH, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}).json()
    answer = vn.http.get("/v1/account", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 403 and answer.json()["ExceptionFaultCode"] == "12027"
