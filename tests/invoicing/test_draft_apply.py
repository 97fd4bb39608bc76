"""Applying a draft plan with a fake poster: once, a rerun makes nothing, crashes and lost answers never make two."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_lib.approvals.approval import Approval
from ops_lib.invoicing.draft_apply import LOOKUP_DELAY, apply_drafts
from ops_lib.invoicing.draft_plan import DraftPlan
from ops_lib.invoicing.draft_result import DraftResult
from ops_lib.invoicing.transfers import InvoiceTransfers
from ops_lib.state.db import open_state
from tests.conftest import Crash
from tests.invoicing.fake_poster import FakePoster
from tests.invoicing.test_draft_plan import make_plan


@pytest.fixture
def transfers(tmp_path: Path) -> InvoiceTransfers:
    db = open_state(tmp_path / "state.sqlite")
    yield InvoiceTransfers(db, FakePoster.target)
    db.close()


def apply(plan: DraftPlan, poster: FakePoster, transfers: InvoiceTransfers, waits: list[float] | None = None) -> dict:
    approval = Approval(plan.register, plan.plan_hash, "approver", "2026-11-30T10:00:00Z")
    outcomes = apply_drafts(plan, poster, transfers, approval, sleep=(waits if waits is not None else []).append)
    return {o.number: o for o in outcomes}


def test_drafts_are_created_once_and_a_rerun_creates_nothing(transfers: InvoiceTransfers) -> None:
    poster = FakePoster()
    outcomes = apply(make_plan(transfers, poster=poster), poster, transfers)
    assert {n: o.outcome for n, o in outcomes.items()} == {
        "7001": "created", "7002": "created", "7003": "blocked", "7004": "created", "7005": "created",
        "7006": "created", "7008": "credit_note", "7009": "blocked"}
    assert poster.sent == ["7001", "7002", "7004", "7005", "7006"]
    row = transfers.of(["invoice:7001"])["invoice:7001"]
    assert (row.status, row.draft_id, row.attempts) == ("created", outcomes["7001"].draft_id, 1)
    again = apply(make_plan(transfers, poster=poster), poster, transfers)
    assert poster.sent == ["7001", "7002", "7004", "7005", "7006"]
    assert again["7001"].outcome == "already_transferred" and again["7001"].draft_id == row.draft_id
    assert "credit notes are not transferred" in again["7008"].message


def test_a_refused_draft_fails_with_the_explanation_and_the_others_go_on(transfers: InvoiceTransfers) -> None:
    poster = FakePoster(refuse=["7002"])
    outcomes = apply(make_plan(transfers, poster=poster), poster, transfers)
    failed = outcomes["7002"]
    assert (failed.outcome, failed.error_code, failed.error_id) == ("failed", "4005", "e-1")
    assert "Customer is inactive" in failed.message
    assert outcomes["7004"].outcome == "created"
    assert transfers.of(["invoice:7002"])["invoice:7002"].status == "failed"
    poster.refuse.clear()  # fixed in the system: a failed invoice may be sent again
    assert apply(make_plan(transfers, poster=poster), poster, transfers)["7002"].outcome == "created"


def test_a_lost_answer_is_looked_up_once_and_never_sent_twice(transfers: InvoiceTransfers) -> None:
    poster = FakePoster(lose={"7001": "made"})
    waits: list[float] = []
    outcomes = apply(make_plan(transfers, poster=poster), poster, transfers, waits)
    assert outcomes["7001"].outcome == "found" and waits == [LOOKUP_DELAY]
    assert poster.sent.count("7001") == 1 and poster.made("7001") == 1 and len(poster.drafts) == 5
    assert transfers.of(["invoice:7001"])["invoice:7001"].status == "created"


def test_a_lost_answer_not_seen_is_left_for_the_next_run_to_look_up(transfers: InvoiceTransfers) -> None:
    poster = FakePoster(lose={"7001": "not_made"})
    outcomes = apply(make_plan(transfers, poster=poster), poster, transfers)
    assert outcomes["7001"].outcome == "unknown" and "the next run looks it up first" in outcomes["7001"].message
    plan = make_plan(transfers, poster=poster)
    assert {i.number: i.status for i in plan.invoices}["7001"] == "check_first"
    poster.looked_up.clear()
    again = apply(plan, poster, transfers)
    assert poster.looked_up == ["7001"] and again["7001"].outcome == "created"  # looked up, not there: sent once
    assert poster.sent.count("7001") == 2 and poster.made("7001") == 1


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_crash_during_apply_makes_no_second_draft(transfers: InvoiceTransfers, when: str) -> None:
    poster = FakePoster(crash={"7002": when})
    with pytest.raises(Crash):
        apply(make_plan(transfers, poster=poster), poster, transfers)
    assert transfers.of(["invoice:7002"])["invoice:7002"].status == "sending"  # written before the request left
    plan = make_plan(transfers, poster=poster)
    assert {i.number: i.status for i in plan.invoices}["7002"] == "check_first"
    outcomes = apply(plan, poster, transfers)
    assert outcomes["7001"].outcome == "already_transferred"
    assert outcomes["7002"].outcome == ("found" if when == "after" else "created")
    assert poster.made("7002") == 1 and len(poster.drafts) == 5  # one draft per invoice, whatever the crash
    assert transfers.of(["invoice:7002"])["invoice:7002"].status == "created"


def test_the_result_counts_and_says_the_invoice_date_rule(transfers: InvoiceTransfers, tmp_path: Path) -> None:
    poster = FakePoster(refuse=["7005"])
    plan = make_plan(transfers, poster=poster)
    result = DraftResult(plan, tuple(apply(plan, poster, transfers).values()), True)
    assert result.counts()["created"] == 4 and result.count("failed") == 1 and result.exit_code == 1
    assert "Invoice dates are kept from the project tool" in result.describe()
    assert "failed: 7005 Vikbacken Fastigheter AB [ErrorCode 4005, ErrorId e-1]" in result.describe()
    written = result.write(tmp_path / "out")
    assert set(written) == {"xlsx", "json"} and written["json"].stat().st_mode & 0o777 == 0o600


def test_an_open_invoice_that_cannot_be_looked_up_is_not_sent(transfers: InvoiceTransfers) -> None:
    poster = FakePoster(crash={"7001": "before"})
    with pytest.raises(Crash):
        apply(make_plan(transfers, poster=poster), poster, transfers)
    poster.unlooked.add("7001")
    outcomes = apply(make_plan(transfers, poster=poster), poster, transfers)
    assert outcomes["7001"].outcome == "unknown" and "could not be looked up" in outcomes["7001"].message
    assert poster.sent.count("7001") == 1 and outcomes["7002"].outcome == "created"
    assert transfers.of(["invoice:7001"])["invoice:7001"].status == "unknown"


def test_the_result_page_escapes_the_systems_words(transfers: InvoiceTransfers) -> None:
    poster = FakePoster(refuse=["7001"], problems={"7002": ["<b>name</b> is longer than 50 characters"]})
    plan = make_plan(transfers, poster=poster)
    page = DraftResult(plan, tuple(apply(plan, poster, transfers).values()), True)._repr_html_()
    assert "<b>name</b>" not in page and "&lt;b&gt;name&lt;/b&gt;" in page
    assert "Invoice dates are kept from the project tool" in page and "ops-sync-failed" in page
    assert "<b>name</b>" not in plan._repr_html_() and "&lt;b&gt;name" in plan.preflight._repr_html_()
