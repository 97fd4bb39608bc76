"""The store of plans and approvals: first preparer kept, old rows read, superseding by resource."""

from __future__ import annotations

import json

from ops_lib.approvals.book import PlanBook
from ops_lib.state.oplog import OperationsLog
from tests.approvals.fakes import Plan, state, steps


def test_the_first_preparer_stays_on_record() -> None:
    book = PlanBook(state())
    plan = Plan(steps("1", "2"))
    assert book.record_plan(plan, "anna").prepared_by == "anna"
    again = book.record_plan(plan, "bertil")
    assert again.prepared_by == "anna" and again.action_digests == {a.digest for a in plan.actions}
    assert book.preparer(plan.plan_hash, "carl") == "anna" and book.preparer("0" * 64, "carl") == "carl"
    assert book.plan("0" * 64) is None


def test_a_plan_row_written_by_the_previous_version_is_read() -> None:
    db = state()
    db.execute("INSERT INTO plans (plan_hash, register, targets, prepared_by, prepared_at, actions) "
               "VALUES ('old', 'customers', ?, 'anna', '2026-06-15T08:00:00Z', ?)",
               (json.dumps(["eaccounting:sandbox/demo"]), json.dumps(["a1", "b2"])))
    recorded = PlanBook(db).plan("old")
    assert recorded is not None and recorded.targets == ("eaccounting:sandbox/demo",)
    assert recorded.prepared_by == "anna" and recorded.action_digests == {"a1", "b2"}


def test_an_approval_is_recorded_with_its_preparer_and_four_eyes() -> None:
    book = PlanBook(state())
    plan = Plan(steps("1"))
    book.record_plan(plan, "anna")
    at = book.record_approval(plan.plan_hash, "bertil", "anna", True)
    row = book.db.execute("SELECT * FROM approvals").fetchone()
    assert dict(row) == {"plan_hash": plan.plan_hash, "approved_by": "bertil", "approved_at": at,
                         "prepared_by": "anna", "four_eyes": 1}


def test_only_an_approval_writing_the_same_resource_supersedes_an_open_entry() -> None:
    """Two plans of one register and targets: the later approval closes the earlier one's open calls it rewrites."""
    db = state()
    book, oplog = PlanBook(db), OperationsLog(db)
    items_1, projects_1, items_2 = (Plan(steps(n)) for n in ("1", "2", "3"))
    for plan in (items_1, projects_1, items_2):
        book.record_plan(plan, "anna")
    oplog.begin(items_1.plan_hash, "toy:one", "call-1", "action-1", "things", "create", "1", "Thing 1",
                  "POST", "items/1")
    book.record_approval(projects_1.plan_hash, "bertil", "anna", False, {"projects"})
    assert oplog.counts(items_1.plan_hash) == {"sent": 1}
    book.record_approval(items_2.plan_hash, "bertil", "anna", False, {"items"})
    assert oplog.counts(items_1.plan_hash) == {"superseded": 1}
    closed = oplog.latest("toy:one", "call-1")
    assert closed is not None and closed.message.startswith(f"superseded by plan {items_2.plan_hash}")


def test_an_approval_of_other_targets_supersedes_nothing() -> None:
    db = state()
    book, oplog = PlanBook(db), OperationsLog(db)
    here, there = Plan(steps("1")), Plan(steps("2"), targets=("toy:two",))
    book.record_plan(here, "anna")
    book.record_plan(there, "anna")
    oplog.begin(here.plan_hash, "toy:one", "call-1", "action-1", "things", "create", "1", "Thing 1", "POST", "items")
    book.record_approval(there.plan_hash, "bertil", "anna", False, {"items"})
    assert oplog.counts(here.plan_hash) == {"sent": 1}
