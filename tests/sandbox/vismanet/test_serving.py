"""Serving the Visma.net sandbox: the ``ops sandbox --system vismanet`` wiring and the test controls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ops_lib.cli import main
from ops_lib.sandbox.vismanet import VismaNetConfig
from ops_lib.sandbox.vismanet import server as vismanet_server
from tests.sandbox.vismanet.harness import VismaNetHarness


def test_ops_sandbox_system_vismanet_serves_the_visma_net_app(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[VismaNetConfig, str, int]] = []

    def fake_serve(config: VismaNetConfig, host: str = "", port: int = 0, **_: Any) -> int:
        served.append((config, host, port))
        return 0

    monkeypatch.setattr(vismanet_server, "serve", fake_serve)
    assert main(["sandbox", "--system", "vismanet", "--port", "0", "--auto-consent"]) == 0
    assert main(["sandbox", "--system", "vismanet", "--rate-limit", "50"]) == 0
    (first, host, port), (second, _, _) = served
    assert first.rate_limit == 15000 and first.auto_consent and first.token_ttl == 3600
    assert (host, port) == ("127.0.0.1", 0)
    assert second.rate_limit == 50


def test_injected_faults_answer_in_the_service_envelope_with_rate_headers(vn: VismaNetHarness,
                                                                          api: httpx.Client) -> None:
    assert vn.http.post("/_sandbox/faults", json={"failure_rate": 1.0, "failure_statuses": [503]}).status_code == 200
    answer = api.get("/v1/account")
    assert answer.status_code == 503
    assert answer.json()["message"].startswith("VismaId: ")
    vn.http.post("/_sandbox/faults", json={})
    assert api.get("/v1/account").status_code == 200


def test_expiring_tokens_on_a_running_sandbox(vn: VismaNetHarness, api: httpx.Client) -> None:
    assert api.get("/v1/ledger").status_code == 200
    assert vn.http.post("/_sandbox/expire-tokens").json()["expired"] >= 1
    assert api.get("/v1/ledger").status_code == 401
    info = vn.http.get("/_sandbox").json()
    assert info["system"] == "vismanet" and info["token_ttl"] == 3600


def test_the_journal_list_filters_on_change_time(vn: VismaNetHarness, api: httpx.Client) -> None:
    day = vn.clock.today().isoformat()
    body = {"transactionDate": {"value": day}, "journalTransactionLines": [
        {"operation": "Insert", "accountNumber": {"value": "6110"}, "debitAmountInCurrency": {"value": 10}},
        {"operation": "Insert", "accountNumber": {"value": "1941"}, "creditAmountInCurrency": {"value": 10}}]}
    assert api.post("/v2/journaltransaction", json=body).status_code == 201
    since = vn.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    vn.clock.advance(2)
    assert api.post("/v2/journaltransaction", json=body).status_code == 201
    later = api.get("/v2/journaltransaction", params={"lastModifiedDateTime": since,
                                                       "lastModifiedDateTimeCondition": ">"}).json()
    assert [b["batchNumber"] for b in later] == ["000002"]
