"""The sandbox dates its answers (HTTP ``Date``) by its own clock, as the service does by its own."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

from ops_lib.sandbox import Clock, SandboxConfig
from ops_lib.sandbox.server import ServerThread
from tests.conftest import TODAY, SandboxHarness

START = datetime(2026, 6, 15, 6, 0, 0, 700_000, tzinfo=timezone.utc)


def test_every_answer_carries_the_sandbox_clocks_date() -> None:
    harness = SandboxHarness(SandboxConfig(today=TODAY), Clock(lambda: START))
    try:
        assert harness.http.get("/_sandbox").headers["date"] == "Mon, 15 Jun 2026 06:00:00 GMT"
        harness.clock.advance(86_400 + 90)
        token = harness.login()
        with harness.api(token) as api:
            answers = [api.get("customers"), api.get("customers/no-such-id")]
        assert [a.headers.get_list("date") for a in answers] == [["Tue, 16 Jun 2026 06:01:30 GMT"]] * 2
    finally:
        harness.close()


def test_a_served_answer_has_one_date() -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        answer = httpx.get(f"{server.base_url}/_sandbox")
    assert len(answer.headers.get_list("date")) == 1
