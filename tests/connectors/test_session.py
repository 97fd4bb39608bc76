"""The token lifecycle and the resilience of every request, against the in-process sandbox.

Refresh after expiry and waiting out a 429 are checked for every system in test_conformance.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import open_client
from ops_lib.connectors.limiter import RequestBudget, endpoint_key
from ops_lib.connectors.session import RetryPolicy
from ops_lib.connectors.tokens import TokenStore
from ops_lib.core.errors import ApiError, ReconnectNeeded, ServiceUnreachable
from tests.conftest import DEMO_AUTH, SandboxHarness, age_stored_token

FAST = RetryPolicy(base_delay=0.001, max_delay=0.01)


class Sleeps:
    """Records waits instead of sleeping; can advance the sandbox's clock by them."""

    def __init__(self, harness: SandboxHarness | None = None) -> None:
        self.waits: list[float] = []
        self.harness = harness

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.harness is not None:
            self.harness.clock.advance(seconds)


class FlakyTransport(httpx.BaseTransport):
    """Answers the first ``failures`` API calls with ``status`` (or a connection error), then passes through."""

    def __init__(self, inner: httpx.BaseTransport, failures: int, status: int | None = 503,
                 error: type[Exception] | None = None) -> None:
        self.inner, self.failures, self.status, self.error = inner, failures, status, error
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/v2/" in request.url.path:
            self.seen.append(request.method)
            if self.failures > 0:
                self.failures -= 1
                if self.error is not None:
                    raise self.error("injected", request=request)
                body = {"ErrorCode": 5001, "DeveloperErrorMessage": "Service unavailable", "ErrorId": "e-1"}
                return httpx.Response(self.status or 503, json=body, request=request)
        return self.inner.handle_request(request)


def stored_token(settings: ConnectionSettings) -> dict[str, Any]:
    store = TokenStore(settings.config_dir)
    (connection,) = store.connections()
    loaded = store.load(connection.key)
    assert loaded is not None
    return dict(loaded.token)


def test_a_401_refreshes_once_and_succeeds(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    sandbox.http.post("/_sandbox/expire-tokens")
    with open_client(settings, transport=sandbox.transport) as client:
        assert len(list(client.customers.list())) == 300
        assert client.session.stats.refreshes == 1
        assert client.session.stats.by_status[401] == 1


def test_reused_rotated_refresh_token_fails_and_the_connector_recovers_from_the_store(
        sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    old_refresh = stored_token(settings)["refresh_token"]
    age_stored_token(settings)
    # Two sessions loaded the same (aging) token, as two processes would.
    first = open_client(settings, transport=sandbox.transport)
    second = open_client(settings, transport=sandbox.transport)
    try:
        first.company_settings()  # rotates: old_refresh is now dead
        reuse = sandbox.http.post("/connect/token", auth=DEMO_AUTH,
                                  data={"grant_type": "refresh_token", "refresh_token": old_refresh})
        assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
        assert second.session.connection.token["refresh_token"] == old_refresh
        assert second.company_settings().name  # re-reads the store instead of using its dead token
        assert second.session.stats.refreshes == 0
    finally:
        first.close()
        second.close()


def test_invalid_grant_is_a_reconnect_error(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    token = stored_token(settings)
    sandbox.http.post("/connect/revocation", auth=DEMO_AUTH,
                      data={"token": token["refresh_token"], "token_type_hint": "refresh_token"})
    age_stored_token(settings)
    with open_client(settings, transport=sandbox.transport) as client:
        with pytest.raises(ReconnectNeeded) as caught:
            client.company_settings()
    message = str(caught.value)
    assert "notebooks/00_connect.ipynb" in message and "ops connect --env sandbox" in message
    assert token["refresh_token"] not in message and token["access_token"] not in message


def test_the_client_side_budget_avoids_429s(make_sandbox: Any) -> None:
    harness = make_sandbox(rate_limit=5)
    settings = harness.connect()
    harness.clock.advance(61)  # the connect's own call leaves the service's window
    sleeps = Sleeps(harness)
    budget = RequestBudget(5, clock=lambda: harness.clock.now().timestamp(), sleep=sleeps)
    with open_client(settings, transport=harness.transport, sleep=sleeps, budget=budget) as client:
        for _ in range(12):
            client.company_settings()
        assert client.session.stats.rate_limited == 0
    assert sum(1 for w in sleeps.waits if w > 1) == 2 and budget.waited_seconds > 120


def test_a_burst_of_503s_is_retried_for_reads(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    flaky = FlakyTransport(sandbox.transport, failures=3)
    sleeps = Sleeps()
    with open_client(settings, transport=flaky, sleep=sleeps, policy=FAST) as client:
        assert client.company_settings().org_number == "556812-3458"
        assert client.session.stats.retries == 3
    assert flaky.seen == ["GET"] * 4
    assert all(0 <= w <= 0.01 for w in sleeps.waits)


def test_sandbox_injected_faults_are_ridden_out(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    sandbox.http.post("/_sandbox/faults", json={"failure_rate": 0.3, "failure_statuses": [503, 500], "seed": 7})
    with open_client(settings, transport=sandbox.transport, policy=RetryPolicy(attempts=8, base_delay=0.001),
                     sleep=Sleeps(), page_size=25) as client:
        assert len(list(client.customers.list(filter="IsActive eq true"))) == 282
        assert client.session.stats.retries > 0


def test_retries_end_with_a_clear_error(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    flaky = FlakyTransport(sandbox.transport, failures=10)
    with open_client(settings, transport=flaky, sleep=Sleeps(), policy=FAST) as client:
        with pytest.raises(ApiError, match="HTTP 503") as caught:
            client.company_settings()
    assert caught.value.code == "5001" and caught.value.error_id == "e-1"
    assert flaky.seen == ["GET"] * 5


def test_a_post_is_not_retried_after_a_5xx(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    flaky = FlakyTransport(sandbox.transport, failures=1)
    with open_client(settings, transport=flaky, sleep=Sleeps(), policy=FAST) as client:
        with pytest.raises(ApiError):
            client.projects.create({"Number": "9001", "Name": "Probe", "StartDate": "2026-01-01"})
    assert flaky.seen == ["POST"]


def test_a_post_that_may_have_landed_is_outcome_unknown(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    flaky = FlakyTransport(sandbox.transport, failures=1, error=httpx.ReadTimeout)
    with open_client(settings, transport=flaky, sleep=Sleeps(), policy=FAST) as client:
        with pytest.raises(ServiceUnreachable, match="look the record up") as caught:
            client.projects.create({"Number": "9001", "Name": "Probe", "StartDate": "2026-01-01"})
    assert caught.value.outcome_unknown and flaky.seen == ["POST"]


def test_a_post_that_never_left_is_sent_again(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    flaky = FlakyTransport(sandbox.transport, failures=1, error=httpx.ConnectError)
    with open_client(settings, transport=flaky, sleep=Sleeps(), policy=FAST) as client:
        created = client.projects.create({"Number": "9001", "Name": "Probe", "StartDate": "2026-01-01"})
    assert created.number == "9001" and flaky.seen == ["POST", "POST"]


def test_every_request_has_a_timeout(sandbox: SandboxHarness) -> None:
    settings = sandbox.connect()
    with open_client(settings, transport=sandbox.transport) as client:
        timeout = client.session._client.timeout
        assert None not in (timeout.connect, timeout.read, timeout.write, timeout.pool)


def test_logs_and_errors_carry_no_secret(sandbox: SandboxHarness, caplog: pytest.LogCaptureFixture,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    settings = sandbox.connect()
    sandbox.http.post("/_sandbox/expire-tokens")
    with open_client(settings, transport=sandbox.transport) as client:
        client.company_settings()
        with pytest.raises(ApiError) as caught:
            client.customers.create({"Name": "x" * 60})
    token = stored_token(settings)
    captured = capsys.readouterr()
    texts = [caplog.text, captured.out, captured.err, str(caught.value), repr(caught.value),
             json.dumps(vars(caught.value), default=str)]
    for secret in (token["access_token"], token["refresh_token"], "ops-demo-secret"):
        assert all(secret not in text for text in texts)


def test_endpoint_keys_blank_ids() -> None:
    assert endpoint_key("get", "customers/2f1f0b6e-3c1a-4a57-9d0e-4c1c2b0a9f11") == "GET customers/{}"
    assert endpoint_key("GET", "accounts/abc/1930") == "GET accounts/abc/{}"


def test_budget_never_allows_more_than_the_limit_in_any_window() -> None:
    now = [0.0]
    sent: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = RequestBudget(10, window=60, clock=lambda: now[0], sleep=sleep)
    for i in range(35):
        budget.acquire("GET customers")
        sent.append(now[0])
        now[0] += 0.5
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 60) <= 10
