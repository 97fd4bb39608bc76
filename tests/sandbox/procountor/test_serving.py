"""Serving the Procountor sandbox: ``ops sandbox --system procountor``, a real loopback socket, test controls."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from ops_lib.cli import main
from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.procountor import ProcountorConfig
from ops_lib.sandbox.procountor import server as procountor_server
from tests.sandbox.procountor.harness import ProcountorHarness, ValidatingTransport


def test_ops_sandbox_system_procountor_serves_the_procountor_app(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[ProcountorConfig, str, int]] = []

    def fake_serve(config: ProcountorConfig, host: str = "", port: int = 0, **_: Any) -> int:
        served.append((config, host, port))
        return 0

    monkeypatch.setattr(procountor_server, "serve", fake_serve)
    assert main(["sandbox", "--system", "procountor", "--port", "0"]) == 0
    assert main(["sandbox", "--system", "procountor", "--rate-limit", "20", "--token-ttl", "60"]) == 0
    (first, host, port), (second, _, _) = served
    assert first.rate_limit == 60 and first.token_ttl == 3600 and (host, port) == ("127.0.0.1", 0)
    assert second.rate_limit == 20 and second.token_ttl == 60


def test_a_real_socket_serves_token_and_api() -> None:
    with procountor_server.ProcountorServerThread() as server:
        transport = ValidatingTransport(httpx.HTTPTransport(), owns_inner=True)
        with httpx.Client(base_url=server.base_url, transport=transport) as http:
            token = http.post("/api/oauth/token/", data={
                "grant_type": "client_credentials", "client_id": "ops-demo", "client_secret": "ops-demo-secret",
                "api_key": "ops-demo-api-key"}).json()["access_token"]
            answer = http.get("/v2604/api/sessioninfo", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["companyId"] == 1234567
        assert transport.validated == 2


def test_the_per_second_ceiling_answers_429_with_retry_after() -> None:
    clock = Clock(lambda: datetime(2026, 3, 15, 9, 0, 0, 100000, tzinfo=timezone.utc))  # still, so one window
    harness = ProcountorHarness(ProcountorConfig(rate_limit=3), clock)
    try:
        with harness.api() as api:
            statuses = [api.get("/coa").status_code for _ in range(4)]
            assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
            harness.clock.advance(1.5)
            assert api.get("/coa").status_code == 200
    finally:
        harness.close()


def test_sandbox_controls_expire_tokens_and_describe_the_instance(pc: ProcountorHarness, api: httpx.Client) -> None:
    assert api.get("/fiscalyears").status_code == 200
    assert pc.http.post("/_sandbox/expire-tokens").json()["expired"] >= 1
    assert api.get("/fiscalyears").status_code == 401
    info = pc.http.get("/_sandbox").json()
    assert info["system"] == "procountor" and info["token_ttl"] == 3600 and info["company_id"] == 1234567
    assert pc.http.post("/_sandbox/faults", json={"failure_rate": 1.0, "failure_statuses": [503]}).status_code == 200
    assert api.get("/coa").status_code == 503
    assert pc.http.post("/_sandbox/faults", json={"failure_rate": 2}).status_code == 400


def test_a_state_file_resumes_where_it_stopped(tmp_path: Any) -> None:
    state = str(tmp_path / "procountor.sqlite")
    first = ProcountorHarness(ProcountorConfig(state_path=state))
    with first.api() as api:
        made = api.post("/businesspartners", json={"name": "Jatkuva Oy", "type": "SUPPLIER",
                                                   "paymentInfo": {"paymentMethod": "BANK_TRANSFER"}}).json()
    first.close()
    second = ProcountorHarness(ProcountorConfig(state_path=state))
    try:
        with second.api() as api:
            assert api.get(f"/businesspartners/{made['id']}").json()["name"] == "Jatkuva Oy"
    finally:
        second.close()
