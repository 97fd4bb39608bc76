"""The M2M token endpoint and the bearer check, as Procountor answers them."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.procountor.harness import BASE, ProcountorHarness


def test_token_with_client_secret_and_api_key_lasts_an_hour(pc: ProcountorHarness) -> None:
    answer = pc.token(redirect_uri="https://example.invalid/ignored")
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "bearer"
    assert "refresh_token" not in body


def test_token_path_with_trailing_slash_and_under_a_version_prefix(pc: ProcountorHarness) -> None:
    form = {"grant_type": "client_credentials", "client_id": "ops-demo", "client_secret": "ops-demo-secret",
            "api_key": "ops-demo-api-key"}
    assert pc.http.post("/api/oauth/token/", data=form).status_code == 200
    assert pc.http.post("/v2604/api/oauth/token", data=form).status_code == 200


@pytest.mark.parametrize("override", [{"client_secret": "wrong"}, {"api_key": "someone-elses-key"},
                                      {"client_id": "unknown"}])
def test_a_wrong_secret_key_or_client_is_401_in_the_real_envelope(pc: ProcountorHarness,
                                                                   override: dict[str, str]) -> None:
    answer = pc.token(**override)
    assert answer.status_code == 401
    assert answer.json() == {"errors": [{"status": 401, "message": "Unauthorized"}]}


def test_a_missing_api_key_or_another_grant_is_400(pc: ProcountorHarness) -> None:
    assert pc.token(api_key="").status_code == 400
    assert pc.token(grant_type="password").json()["errors"][0]["field"] == "grant_type"


def test_no_token_a_bad_token_and_an_expired_token_are_401(pc: ProcountorHarness) -> None:
    assert pc.http.get("/api/coa").status_code == 401
    bad = pc.http.get("/api/coa", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json() == {"errors": [{"status": 401, "message": "Unauthorized"}]}
    with pc.api() as api:
        assert api.get("/coa").status_code == 200
        pc.clock.advance(3601)
        assert api.get("/coa").status_code == 401


def test_a_body_sent_as_headers_without_authorization_is_401(pc: ProcountorHarness) -> None:
    """The PyPI client's calls that put their body in headers carry no Authorization: the service refuses them."""
    answer = pc.http.post("/api/ledgerreceipts", headers={"type": "JOURNAL", "name": "x"})
    assert answer.status_code == 401


def test_logout_ends_the_token(pc: ProcountorHarness) -> None:
    token = pc.token().json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert pc.http.post("/logout", headers=headers).status_code == 200
    assert pc.http.get("/api/sessioninfo", headers=headers).status_code == 401


def test_sessioninfo_names_the_company_the_api_key_belongs_to(api: httpx.Client) -> None:
    info = api.get("/sessioninfo").json()
    assert info["companyId"] == 1234567 and isinstance(info["companyId"], int)
    assert info["userId"] == 4001


@pytest.mark.parametrize("prefix", ["/api", "/latest/api", "/supported/api", "/v2604/api", "/v2501/api"])
def test_every_path_prefix_answers_the_same_api(pc: ProcountorHarness, prefix: str) -> None:
    with pc.api(prefix) as api:
        company = api.get("/company")
    assert company.status_code == 200 and company.json()["name"].startswith("Demo Suomi Oy")
    assert str(company.request.url).startswith(BASE + prefix)


def test_doubled_slashes_are_tolerated(pc: ProcountorHarness) -> None:
    """The PyPI client sends ``/api//dimensions/5/items``."""
    with pc.api() as api:
        assert api.get(f"{BASE}/api//dimensions/101").json()["name"] == "Kustannuspaikka"


def test_injected_fault_answers_the_proxy_html_page(pc: ProcountorHarness) -> None:
    pc.world.faults.configure(failure_rate=1.0, failure_statuses=(502,))
    with pc.api() as api:
        answer = api.get("/coa")
    assert answer.status_code == 502 and "nginx" in answer.text
    assert answer.headers["content-type"].startswith("text/html")
