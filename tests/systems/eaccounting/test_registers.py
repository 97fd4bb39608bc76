"""Incremental pulls of eAccounting registers, through the sync's dry run, against the sandbox.

The sandbox runs on a frozen clock far from the local one, so a window
taken from the local clock could not pass for the server's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from ops_lib.connection.connect import open_client
from ops_lib.connectors.json_api import server_time
from ops_lib.core.times import utc_stamp
from ops_lib.sandbox import Clock, SandboxConfig
from ops_lib.sandbox.clock import parse_datetime
from ops_lib.systems.eaccounting.registers import read_register
from tests.conftest import TODAY, Recording, SandboxHarness
from tests.sync.test_apply import open_session

START = dt.datetime(2026, 6, 15, 6, 0, tzinfo=dt.timezone.utc)  # the sandbox's time, far from the test's
OVERLAP = dt.timedelta(minutes=5)
HOUR = 3600.0


class NoServerDate(httpx.BaseTransport):
    """Answers as a service that sends no ``Date`` header."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "date"]
        return httpx.Response(response.status_code, headers=headers, content=response.read(), request=request)


@pytest.fixture
def frozen() -> Iterator[SandboxHarness]:
    """A sandbox whose clock stands still unless advanced; tokens outlive the hours a test moves it."""
    harness = SandboxHarness(SandboxConfig(today=TODAY, token_ttl=7 * 24 * 3600), Clock(lambda: START))
    harness.connect()
    yield harness
    harness.close()


def bulk_load(harness: SandboxHarness, count: int) -> None:
    answer = harness.http.post("/_sandbox/bulk-customers", json={"company": harness.sandbox.companies[0].id,
                                                                  "count": count})
    assert answer.status_code == 200, answer.text


def dry_run(harness: SandboxHarness, tmp_path: Path, register: str = "customers",
            inner: httpx.BaseTransport | None = None) -> tuple[list[httpx.Request], dict[str, str]]:
    """One ``ops sync`` dry run; the requests it sent to the register's endpoints and number -> phone."""
    recording = Recording(inner or harness.transport)
    with open_session(harness, register, tmp_path, transport=recording) as session:
        session.run(session.plan(), apply=False)
        right = session.result.right
        phones = dict(zip(right["number"], right["phone"])) if register == "customers" else {}
    return [r for r in recording.requests if r.url.path.startswith(f"/v2/{register}")], phones


def since(request: httpx.Request) -> dt.datetime:
    """The moment a ``ChangedUtc gt ...`` filter asks from."""
    text = request.url.params["$filter"]
    assert text.startswith("ChangedUtc gt "), text
    return parse_datetime(text.removeprefix("ChangedUtc gt "))


def first_customer(harness: SandboxHarness) -> dict[str, Any]:
    return dict(harness.sandbox.store.all(harness.sandbox.companies[0].id, "customers")[0])


def test_dry_runs_after_a_bulk_load_ask_only_for_changes_since_the_last_pull(frozen: SandboxHarness,
                                                                            tmp_path: Path) -> None:
    bulk_load(frozen, 10_000)
    frozen.clock.advance(HOUR)  # the runs come an hour after the load, as a scheduled sync would
    first, _ = dry_run(frozen, tmp_path)
    assert len(first) == 11  # 10,300 customers in pages of 1000

    frozen.clock.advance(600)
    second, phones = dry_run(frozen, tmp_path)
    assert len(phones) == 10_300
    assert len(second) <= 2
    assert since(second[0]) == START + dt.timedelta(hours=1) - OVERLAP  # the server's time of the first pull

    frozen.clock.advance(600)
    third, phones = dry_run(frozen, tmp_path)
    assert len(phones) == 10_300
    assert len(third) <= 2
    assert since(third[0]) == START + dt.timedelta(hours=1, minutes=10) - OVERLAP  # moved on, with nothing new


def test_a_record_edited_after_the_pull_is_fetched_by_the_next(frozen: SandboxHarness, tmp_path: Path) -> None:
    bulk_load(frozen, 1500)
    frozen.clock.advance(HOUR)
    dry_run(frozen, tmp_path)
    frozen.clock.advance(60)
    record = first_customer(frozen)
    with frozen.api(frozen.login()) as api:
        api.put(f"customers/{record['Id']}", json={**record, "Telephone": "08-123 45 67"}).raise_for_status()
    frozen.clock.advance(60)

    pulls, phones = dry_run(frozen, tmp_path)
    assert len(pulls) == 2
    assert phones[record["CustomerNumber"]] == "08-123 45 67"


def test_a_change_stamped_within_the_overlap_before_the_last_pull_is_caught(frozen: SandboxHarness,
                                                                          tmp_path: Path) -> None:
    bulk_load(frozen, 1500)
    frozen.clock.advance(HOUR)
    dry_run(frozen, tmp_path)
    # A write stamped two minutes before that pull began but committed after it: the pull could not see it.
    late = {**first_customer(frozen), "Telephone": "08-765 43 21",
            "ChangedUtc": utc_stamp(START + dt.timedelta(hours=1) - dt.timedelta(minutes=2))}
    frozen.sandbox.store.put(frozen.sandbox.companies[0].id, "customers", late["Id"], late)
    frozen.clock.advance(60)

    pulls, phones = dry_run(frozen, tmp_path)
    assert len(pulls) == 2
    assert phones[late["CustomerNumber"]] == "08-765 43 21"


def test_without_a_server_date_the_window_starts_at_the_newest_change_held(frozen: SandboxHarness,
                                                                          tmp_path: Path) -> None:
    quiet = NoServerDate(frozen.transport)
    dry_run(frozen, tmp_path, inner=quiet)
    frozen.clock.advance(HOUR)
    pulls, _ = dry_run(frozen, tmp_path, inner=quiet)
    newest = max(parse_datetime(c["ChangedUtc"]) for c in
                 frozen.sandbox.store.all(frozen.sandbox.companies[0].id, "customers"))
    assert len(pulls) == 2
    assert since(pulls[0]) == newest.replace(microsecond=0) - OVERLAP  # the server's stamps, never the local clock


@pytest.mark.parametrize(("dates", "expected"), [
    (["Mon, 15 Jun 2026 06:00:00 GMT"], START),
    (["Mon, 15 Jun 2026 08:00:00 +0200"], START),
    ([], None),
    (["yesterday"], None),
    (["Mon, 15 Jun 2026 06:00:00 GMT", "Mon, 15 Jun 2026 06:00:09 GMT"], None),  # two clocks: trust neither
])
def test_the_server_time_is_one_readable_date_header(dates: list[str], expected: dt.datetime | None) -> None:
    assert server_time(httpx.Response(200, headers=[("Date", d) for d in dates])) == expected


def test_projects_from_cost_centre_items_are_read_in_one_request(frozen: SandboxHarness) -> None:
    recording = Recording(frozen.transport)
    with open_client(frozen.connect(), transport=recording) as client:
        frame = read_register(client, "projects")
    assert len(frame) > 1
    assert [(r.method, r.url.path) for r in recording.requests if r.url.path.startswith("/v2/")] == [
        ("GET", "/v2/costcenters")]  # every cost centre with all its items; there is no change stamp to ask by
