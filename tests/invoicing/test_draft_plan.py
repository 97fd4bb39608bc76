"""The draft plan: each invoice sorted, credit notes stated, the hash stable for the same data and moved by a change."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.invoicing.basis_file import read_invoice_basis
from ops_lib.invoicing.draft_plan import CREDIT_NOTE_RULE, INVOICE_DATE_RULE, DraftPlan, plan_drafts
from ops_lib.invoicing.preflight import run_preflight
from ops_lib.invoicing.transfers import InvoiceTransfers
from ops_lib.model.invoices import DraftRef, InvoiceBasis
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.state.db import open_state
from tests.invoicing.fake_poster import FakePoster
from tests.invoicing.test_preflight import EVERYTHING, SYNCED

DEMO = PM_EXPORT_DIR / "invoice_basis.csv"


@pytest.fixture
def transfers(tmp_path: Path) -> InvoiceTransfers:
    db = open_state(tmp_path / "state.sqlite")
    yield InvoiceTransfers(db, FakePoster.target)
    db.close()


def make_plan(transfers: InvoiceTransfers, bases: tuple[InvoiceBasis, ...] | None = None,
              poster: FakePoster | None = None, synced: dict[str, str] | None = None) -> DraftPlan:
    read = read_invoice_basis(DEMO)
    bases = read.bases if bases is None else bases
    poster = poster or FakePoster(problems={"7006": ["article A07 is inactive (409)"]})
    preflight = run_preflight(bases, EVERYTHING, synced or SYNCED, "Demo AB", poster.check)
    return plan_drafts(str(DEMO), bases, preflight, transfers, poster.payload, read.left)


def test_each_invoice_is_sorted_and_the_plan_says_why(transfers: InvoiceTransfers) -> None:
    plan = make_plan(transfers)
    assert {i.number: i.status for i in plan.invoices} == {
        "7001": "new", "7002": "new", "7003": "blocked", "7004": "new", "7005": "new", "7006": "blocked",
        "7008": "credit_note", "7009": "blocked"}
    assert [i.number for i in plan.writable] == ["7001", "7002", "7004", "7005"]
    assert "7008" not in [a.number for a in plan.actions]
    text = plan.describe()
    assert f"credit_note 7008 2026-11-23 1002 Åsholm Teknik AB: {CREDIT_NOTE_RULE}" in text
    assert INVOICE_DATE_RULE in text and "1 invoice basis(es) left in other states (Utkast: 1)" in text
    assert "reconcile and sync customers first (last synced: 2026-10-30T08:00:00Z)" in text
    assert plan.payloads["7001"]["InvoiceDate"] == "2026-11-02"
    frame = plan.to_frame().set_index("invoice")
    assert frame.loc["7001", "total"] == Decimal("12.5") * 1650 + 4 * 1250 + 4250
    assert "inactive" in frame.loc["7006", "why"]
    rows = plan.rows_frame()
    assert rows[rows["invoice"] == "7001"]["kind"].tolist() == ["text", "article", "article", "article", "text"]
    totals = plan.totals().set_index("status")
    assert totals.loc["new", "invoices"] == 4 and totals.loc["credit_note", "invoices"] == 1


def test_the_hash_is_stable_and_moves_with_the_data(transfers: InvoiceTransfers) -> None:
    first, again = make_plan(transfers), make_plan(transfers)
    assert first.plan_hash == again.plan_hash and len(first.plan_hash) == 64
    later = make_plan(transfers, synced={**SYNCED, "customers": "2026-11-30T08:00:00Z"})
    assert later.plan_hash == first.plan_hash  # a fresher sync time alone is not a change to approve again
    bases = read_invoice_basis(DEMO).bases
    row = bases[0].rows[1]
    cheaper = dataclasses.replace(bases[0], rows=(bases[0].rows[0], dataclasses.replace(row, unit_price=Decimal(1)),
                                                  *bases[0].rows[2:]))
    assert make_plan(transfers, (cheaper, *bases[1:])).plan_hash != first.plan_hash
    unblocked = make_plan(transfers, poster=FakePoster())
    assert unblocked.plan_hash != first.plan_hash  # 7006's problem went away: approve again
    transfers.sending("invoice:7001", first.plan_hash, bases[0].digest)
    checked = make_plan(transfers)
    assert checked.plan_hash == first.plan_hash  # interrupted: the same action, looked up first
    assert {i.number: i.status for i in checked.invoices}["7001"] == "check_first"
    transfers.created("invoice:7001", first.plan_hash, "draft-1")
    done = make_plan(transfers)
    assert {i.number: i.status for i in done.invoices}["7001"] == "already_transferred"
    assert done.plan_hash != first.plan_hash and "7001" not in [a.number for a in done.actions]


def test_a_payload_the_system_cannot_build_blocks_that_invoice(transfers: InvoiceTransfers) -> None:
    plan = make_plan(transfers, poster=FakePoster(blocked=["7002"]))
    planned = {i.number: i for i in plan.invoices}
    assert planned["7002"].status == "blocked" and "no customer id for 1002" in planned["7002"].why
    assert planned["7001"].status == "new"


def test_the_review_escapes_what_the_export_says(transfers: InvoiceTransfers) -> None:
    bases = read_invoice_basis(DEMO).bases
    customer = dataclasses.replace(bases[0].customer, name="<script>alert(1)</script> AB")
    plan = make_plan(transfers, (dataclasses.replace(bases[0], customer=customer),))
    page = plan._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Nothing has been sent" in page and "Invoice dates are kept from the project tool" in page


def test_new_invoices_the_system_already_holds_are_in_system_from_one_bulk_read(
        transfers: InvoiceTransfers) -> None:
    """The ledger is not the only guard: a draft made elsewhere is found by its marker and never sent again."""
    read = read_invoice_basis(DEMO)
    poster = FakePoster(problems={"7006": ["article A07 is inactive (409)"]})
    poster.drafts.append(("#ops-invoice-7002", DraftRef("draft-elsewhere", "customer-1002")))
    asked: list[list[str]] = []

    def states(markers):  # noqa: ANN001, ANN202 - the poster's bulk read, recorded
        asked.append(list(markers))
        return poster.states(markers)

    before = make_plan(transfers, poster=poster)
    preflight = run_preflight(read.bases, EVERYTHING, SYNCED, "Demo AB", poster.check)
    plan = plan_drafts(str(DEMO), read.bases, preflight, transfers, poster.payload, read.left, states)
    assert asked == [[f"#ops-invoice-{n}" for n in ("7001", "7002", "7004", "7005")]]  # the new ones, once
    found = {i.number: i for i in plan.invoices}["7002"]
    assert found.status == "in_system" and found.found_id == "draft-elsewhere" and found.payload is None
    assert found.why == "already in the accounting system as draft draft-elsewhere; recorded, not sent again"
    assert [i.number for i in plan.to_send] == ["7001", "7004", "7005"] and "7002" in [a.number for a in plan.actions]
    assert plan.plan_hash != before.plan_hash and "1 found in the system (recorded, not sent)" in plan.headline()
