"""One connector-conformance suite, run on every registered system against its own sandbox.

Each check goes through the seams only (``open_client``, the system's
pager, grant, translator and writer, the sync's operations log), so a
new system gets the suite by registering itself and adding a kit to
:data:`KITS`: a module in ``tests/systems/<name>/conformance.py`` that says
which list to page through, which record to write, which call its
sandbox refuses and how to age its tokens (see the eAccounting kit). A
system that takes invoice drafts (:class:`InvoicingSystem`) says in its
kit which invoice basis to send (``invoice_basis(client)``); the others
skip that check.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, record_plan
from ops_lib.connection.connect import open_client
from ops_lib.connectors.grants import AuthorizationCode
from ops_lib.connectors.limiter import RequestBudget
from ops_lib.connectors.tokens import TokenStore
from ops_lib.core.errors import ApiError
from ops_lib.core.money import dumps, loads
from ops_lib.model.registers import canonical_frame
from ops_lib.reconciliation.engine import reconcile
from ops_lib.state.db import open_state
from ops_lib.state.oplog import OperationsLog
from ops_lib.sync.apply import apply_plan, build_plan
from ops_lib.systems.base import InvoicePoster, InvoicingSystem, System
from ops_lib.systems.registry import systems
from tests.conftest import Crash, no_wait

# system name -> "module:attribute" of its conformance kit.
KITS = {"eaccounting": "tests.systems.eaccounting.conformance:KIT",
        "vismanet": "tests.systems.vismanet.conformance:KIT",
        "procountor": "tests.systems.procountor.conformance:KIT"}
SANDBOXED = [s for s in systems() if s.sandbox]


def resolve(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


@pytest.fixture(params=SANDBOXED, ids=[s.name for s in SANDBOXED])
def system(request: pytest.FixtureRequest) -> System:
    return request.param


@pytest.fixture
def kit(system: System) -> Any:
    assert system.name in KITS, f"{system.name} has a sandbox but no conformance kit: add it to KITS"
    return resolve(KITS[system.name])


@pytest.fixture
def run(system: System, kit: Any) -> Any:
    with kit.start(resolve(system.sandbox)) as started:
        yield started


def getter(client: Any) -> Any:
    return lambda path, params: loads(client.session.request("GET", path, params=params).content)


def stored_token(run: Any) -> dict[str, Any]:
    store = TokenStore(run.settings.config_dir)
    (connection,) = store.connections(run.settings.system)
    loaded = store.load(connection.key)
    assert loaded is not None
    return dict(loaded.token)


def test_a_long_list_is_paged_to_its_end(system: System, kit: Any, run: Any) -> None:
    path, count = kit.listing
    size = -(-count // 4) - 1  # five pages, the last one short
    with open_client(run.settings, transport=run.transport) as client:
        pages = list(system.pager.with_size(size).pages(getter(client), path))
        assert client.session.stats.requests == len(pages) == 5
    items = [item for page in pages for item in page.items]
    assert len(items) == count and all(page.total in (None, count) for page in pages)


def test_an_expired_token_is_renewed_once_and_stored_before_use(system: System, kit: Any, run: Any) -> None:
    before = stored_token(run)
    run.expire_tokens()
    with open_client(run.settings, transport=run.transport) as client:
        client.session.request("GET", kit.listing[0])
        assert client.session.stats.refreshes == 1
        after = stored_token(run)
        assert after["access_token"] != before["access_token"]
        assert after["access_token"] == client.session.connection.token["access_token"]
    if isinstance(system.grant(run.settings), AuthorizationCode):  # refreshed, and the refresh token rotated
        assert after["refresh_token"] and after["refresh_token"] != before["refresh_token"]


def test_a_429_waits_as_long_as_the_service_says(system: System, kit: Any) -> None:
    with kit.start(resolve(system.sandbox), rate_limit=3) as limited:
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            limited.advance(seconds)

        # No client-side budget here, so the service's own limit is met.
        with open_client(limited.settings, transport=limited.transport, sleep=sleep,
                         budget=RequestBudget(1000)) as client:
            for _ in range(4):
                client.session.request("GET", kit.listing[0])
            assert client.session.stats.rate_limited == 1
    assert len(waits) == 1 and 1 <= waits[0] <= system.rate_policy.window  # the service's window: a minute, an hour


class LosesFirstAnswer(httpx.BaseTransport):
    """The first API POST reaches the service, then the process dies before the answer is read."""

    def __init__(self, inner: httpx.BaseTransport, api_base: str) -> None:
        self.inner, self.api_base, self.crashed = inner, api_base, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and str(request.url).startswith(self.api_base) and not self.crashed:
            self.crashed = True
            self.inner.handle_request(request).read()
            raise Crash("killed after the POST was sent")
        return self.inner.handle_request(request)


def test_a_post_lost_in_a_crash_is_found_again_not_sent_twice(system: System, kit: Any, run: Any,
                                                             tmp_path: Path) -> None:
    register, record = kit.probe
    db = open_state(tmp_path / "state.sqlite")
    oplog = OperationsLog(db)
    crashing = LosesFirstAnswer(run.transport, run.settings.endpoints.api_base)
    try:
        with open_client(run.settings, transport=crashing, sleep=no_wait) as client:
            before = system.read_register(client, register)
            result = reconcile(canonical_frame([record], register, "probe"), before, register, master="left",
                               rules_right=system.name)
            writers = {"right": system.make_writer(client, register)}
            plan = build_plan(result, writers, oplog)
            assert len(plan.writable) == 1 and plan.writable[0].action == "create_right"
            record_plan(plan, PlanBook(oplog.db), "anna")
            approval = authorise(plan, PlanBook(oplog.db), plan.plan_hash, "bertil")
            with pytest.raises(Crash):
                apply_plan(plan, writers, oplog, approval)
        # The rerun of the approved plan looks the record up before sending it again.
        with open_client(run.settings, transport=run.transport, sleep=no_wait) as client:
            writers = {"right": system.make_writer(client, register)}
            (outcome,) = [o for o in apply_plan(plan, writers, oplog, approval) if o.number == record["number"]]
            assert outcome.outcome == "found" and outcome.record_id
            after = system.read_register(client, register)
        assert list(after["number"]).count(record["number"]) == 1 and len(after) == len(before) + 1
    finally:
        db.close()


def test_a_refusal_is_an_api_error_with_its_code_explained_in_every_language(system: System, kit: Any,
                                                                            run: Any) -> None:
    method, path, body = kit.refused
    messages = {}
    for language in system.languages:
        settings = replace(run.settings, language=language)
        with open_client(settings, transport=run.transport) as client:
            with pytest.raises(ApiError) as caught:
                client.session.request(method, path, content=dumps(body).encode("utf-8"),
                                       headers={"Content-Type": "application/json"})
        error = caught.value
        assert error.code == str(kit.refused_code) and 400 <= error.status < 500
        assert error.explanation is not None
        messages[language] = str(error)
    for language, text in kit.explains.items():
        assert text in messages[language]
    assert len(set(messages.values())) == len(messages)  # each language explains in its own words


def test_an_invoice_draft_whose_answer_was_lost_is_found_again_not_sent_twice(system: System, kit: Any,
                                                                             run: Any) -> None:
    if not isinstance(system, InvoicingSystem) or not hasattr(kit, "invoice_basis"):
        pytest.skip(f"{system.name} takes no invoice drafts")
    crashing = LosesFirstAnswer(run.transport, run.settings.endpoints.api_base)
    with open_client(run.settings, transport=crashing, sleep=no_wait) as client:
        poster = system.make_invoice_poster(client)
        assert isinstance(poster, InvoicePoster)
        basis = kit.invoice_basis(client)
        assert poster.check(basis) == [] and poster.find(basis) is None
        with pytest.raises(Crash):
            poster.send(basis)
    with open_client(run.settings, transport=run.transport, sleep=no_wait) as client:
        poster = system.make_invoice_poster(client)
        found = poster.find(basis)
        assert found is not None and found.draft_id
        state = poster.states([basis.marker])[basis.marker]
        assert state.status == "transferred" and state.draft_id == found.draft_id
