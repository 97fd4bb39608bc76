"""The identity server: code flow with PKCE and consent, refresh rotation, revocation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import DEMO_AUTH, REDIRECT, SandboxHarness


def _query(response) -> dict[str, list[str]]:  # noqa: ANN001
    return parse_qs(urlsplit(response.headers["location"]).query)


def test_discovery_names_the_real_paths(sandbox: SandboxHarness) -> None:
    doc = sandbox.http.get("/.well-known/openid-configuration").json()
    assert doc["authorization_endpoint"].endswith("/connect/authorize")
    assert doc["token_endpoint"].endswith("/connect/token")
    assert doc["revocation_endpoint"].endswith("/connect/revocation")
    assert set(doc["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert "S256" in doc["code_challenge_methods_supported"]


def test_full_flow_with_pkce_and_consent_binds_the_chosen_company(sandbox: SandboxHarness) -> None:
    page = sandbox.authorize()
    assert page.status_code == 200
    assert "ea:accounting" in page.text and "Kustväg Bygg AB" in page.text and "Fjällbris Konsult AB" in page.text
    answer = sandbox.consent(page, company_index=1)
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(REDIRECT)
    assert _query(answer)["state"] == ["st-123"]
    token = sandbox.exchange(answer).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert set(token["scope"].split()) == {"ea:api", "ea:sales", "ea:accounting", "ea:purchase", "offline_access"}
    with sandbox.api(token) as api:
        assert api.get("companysettings").json()["Name"] == "Kustväg Bygg AB"
        assert api.get("customers").json()["Meta"]["TotalNumberOfResults"] == 60


def test_force_select_company_leaves_no_company_preselected(sandbox: SandboxHarness) -> None:
    plain = sandbox.authorize()
    forced = sandbox.authorize(acr_values="service:ops+forceselectcompany:true")
    assert " checked" in plain.text
    assert " checked" not in forced.text


def test_denied_consent_redirects_with_access_denied(sandbox: SandboxHarness) -> None:
    answer = sandbox.consent(sandbox.authorize(), decision="deny")
    assert _query(answer)["error"] == ["access_denied"]
    assert _query(answer)["state"] == ["st-123"]


def test_wrong_code_verifier_is_rejected(sandbox: SandboxHarness) -> None:
    answer = sandbox.consent(sandbox.authorize())
    token = sandbox.exchange(answer, verifier="not-the-verifier-" + "x" * 30)
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_grant"


def test_a_code_works_once(sandbox: SandboxHarness) -> None:
    answer = sandbox.consent(sandbox.authorize())
    assert sandbox.exchange(answer).status_code == 200
    again = sandbox.exchange(answer)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_an_expired_code_is_rejected(sandbox: SandboxHarness) -> None:
    answer = sandbox.consent(sandbox.authorize())
    sandbox.clock.advance(301)
    assert sandbox.exchange(answer).json()["error"] == "invalid_grant"


def test_unregistered_redirect_is_refused_on_a_page_not_redirected(sandbox: SandboxHarness) -> None:
    page = sandbox.http.get("/connect/authorize", params={
        "client_id": "ops-demo", "redirect_uri": "https://evil.example/callback", "response_type": "code",
        "scope": "ea:api", "state": "s",
    })
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "redirect_uri" in page.text


@pytest.mark.parametrize("redirect", ["http://127.0.0.1:1/callback", "http://localhost:49999/callback"])
def test_loopback_redirect_on_any_port_is_allowed_for_the_demo_client(sandbox: SandboxHarness, redirect: str) -> None:
    page = sandbox.http.get("/connect/authorize", params={
        "client_id": "ops-demo", "redirect_uri": redirect, "response_type": "code", "scope": "ea:api", "state": "s",
    })
    assert page.status_code == 200 and "Allow" in page.text


def test_unknown_scope_goes_back_as_invalid_scope(sandbox: SandboxHarness) -> None:
    answer = sandbox.authorize(scope="ea:api ea:everything")
    assert answer.status_code == 302
    assert _query(answer)["error"] == ["invalid_scope"]


def test_refresh_rotates_and_a_used_refresh_token_is_rejected(sandbox: SandboxHarness) -> None:
    first = sandbox.login()
    second = sandbox.http.post("/connect/token", auth=DEMO_AUTH, data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reused = sandbox.http.post("/connect/token", auth=DEMO_AUTH, data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    third = sandbox.http.post("/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": second.json()["refresh_token"],
        "client_id": "ops-demo", "client_secret": "ops-demo-secret"})
    assert third.status_code == 200, "client_secret_post must work as well"


def test_no_refresh_token_without_offline_access(sandbox: SandboxHarness) -> None:
    token = sandbox.login(scope="ea:api ea:sales")
    assert "refresh_token" not in token


def test_wrong_client_secret_is_invalid_client(sandbox: SandboxHarness) -> None:
    token = sandbox.login()
    answer = sandbox.http.post("/connect/token", auth=("ops-demo", "wrong"), data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert "wrong" not in answer.text


def test_access_token_expires_after_its_ttl(make_sandbox) -> None:  # noqa: ANN001
    sandbox = make_sandbox(token_ttl=60)
    token = sandbox.login()
    assert token["expires_in"] == 60
    with sandbox.api(token) as api:
        assert api.get("units").status_code == 200
        sandbox.clock.advance(61)
        expired = api.get("units")
    assert expired.status_code == 401
    assert expired.json()["ErrorCode"] == 4005


def test_tests_can_expire_tokens_early(sandbox: SandboxHarness) -> None:
    token = sandbox.login()
    assert sandbox.http.post("/_sandbox/expire-tokens").json()["expired"] >= 1
    with sandbox.api(token) as api:
        assert api.get("units").status_code == 401


def test_revoking_the_refresh_token_ends_it_and_its_access_token(sandbox: SandboxHarness) -> None:
    token = sandbox.login()
    answer = sandbox.http.post("/connect/revocation", auth=DEMO_AUTH, data={
        "token": token["refresh_token"], "token_type_hint": "refresh_token"})
    assert answer.status_code == 200
    refresh = sandbox.http.post("/connect/token", auth=DEMO_AUTH, data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
    assert refresh.json()["error"] == "invalid_grant"
    with sandbox.api(token) as api:
        assert api.get("units").status_code == 401


def test_auto_consent_skips_the_page_and_picks_the_first_company(make_sandbox) -> None:  # noqa: ANN001
    sandbox = make_sandbox(auto_consent=True)
    answer = sandbox.authorize()
    assert answer.status_code == 302
    with sandbox.api(sandbox.exchange(answer).json()) as api:
        assert api.get("companysettings").json()["Name"] == "Fjällbris Konsult AB"
