"""The checks an approval passes: the exact plan, the crash-rerun rule, four-eyes."""

from __future__ import annotations

import pytest

from ops_lib.approvals.approval import plan_changed
from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, check_four_eyes, record_plan, same_person
from ops_lib.core.errors import ConflictError
from tests.approvals.fakes import Path, Plan, Step, state, steps


def prepared(plan: Plan, by: str = "anna") -> PlanBook:
    book = PlanBook(state())
    record_plan(plan, book, by)
    return book


def test_the_approved_plan_is_authorised_and_recorded() -> None:
    plan = Plan(steps("1", "2", "3"), blocked=frozenset({2}))
    book = prepared(plan)
    approval = authorise(plan, book, plan.plan_hash, " bertil ")
    assert (approval.register, approval.plan_hash, approval.approved_by) == ("things", plan.plan_hash, "bertil")
    assert approval.prepared_by == "anna" and approval.writes == 2 and not approval.four_eyes
    assert approval.resumed_from == ""
    assert book.db.execute("SELECT approved_by FROM approvals").fetchone()[0] == "bertil"


@pytest.mark.parametrize(("approved_hash", "approved_by", "match"), [
    ("", "bertil", "Nothing is applied without approval"),
    ("same", "  ", "needs the approver's name"),
    ("0" * 64, "bertil", "the data changed; review the new plan and approve it again"),
])
def test_nothing_is_authorised_without_the_plan_and_an_approver(approved_hash: str, approved_by: str,
                                                                  match: str) -> None:
    plan = Plan(steps("1"))
    book = prepared(plan)
    with pytest.raises(ConflictError, match=match):
        authorise(plan, book, plan.plan_hash if approved_hash == "same" else approved_hash, approved_by)
    assert book.db.execute("SELECT COUNT(*) FROM approvals").fetchone()[0] == 0


def test_a_rerun_after_a_crash_continues_the_approved_plan() -> None:
    """The writes already made drop out of a fresh plan; the rest are actions of the approved plan."""
    approved = Plan(steps("1", "2", "3"))
    book = prepared(approved)
    fresh = Plan(steps("2", "3"))
    record_plan(fresh, book, "bertil")
    approval = authorise(fresh, book, approved.plan_hash, "bertil")
    assert approval.plan_hash == approved.plan_hash and approval.resumed_from == approved.plan_hash
    assert approval.prepared_by == "anna"


@pytest.mark.parametrize("other", [{"register": "others"}, {"targets": ("toy:two",)}])
def test_a_rerun_never_continues_an_approved_plan_of_another_register_or_target(other: dict[str, object]) -> None:
    """The same action digests in another register or company are not the approved plan's actions."""
    approved = Plan(steps("1", "2", "3"))
    book = prepared(approved)
    elsewhere = Plan(steps("2", "3"), **other)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="the data changed; the approved plan was for things in toy:one"):
        authorise(elsewhere, book, approved.plan_hash, "bertil")
    assert book.db.execute("SELECT COUNT(*) FROM approvals").fetchone()[0] == 0


def test_a_rerun_with_a_new_or_changed_action_needs_a_new_approval() -> None:
    approved = Plan(steps("1", "2"))
    book = prepared(approved)
    moved = Plan((Step("create", "2", "Thing 2"), Step("create", "9", "Thing 9")))
    with pytest.raises(ConflictError, match=r"changed after plan .* was approved: 1 action\(s\) .*create 9 Thing 9"):
        authorise(moved, book, approved.plan_hash, "bertil")


def test_a_write_of_this_approval_gone_since_is_covered_but_not_one_of_another() -> None:
    approved = Plan(steps("1", "2"))
    book = prepared(approved)
    gone = Plan((Step("create", "1", "Thing 1", redo_of=approved.plan_hash),))
    assert authorise(gone, book, approved.plan_hash, "bertil").resumed_from == approved.plan_hash
    other = Plan((Step("create", "1", "Thing 1", redo_of="another"),))
    with pytest.raises(ConflictError, match="changed after plan"):
        authorise(other, book, approved.plan_hash, "bertil")


def test_four_eyes_refuses_the_preparer_on_record_whoever_planned_it_since() -> None:
    plan = Plan(steps("1"))
    book = prepared(plan, "anna")
    record_plan(plan, book, "bertil")  # planning again does not make bertil the preparer
    with pytest.raises(ConflictError, match="Four-eyes approval: Anna  prepared this plan"):
        authorise(plan, book, plan.plan_hash, "Anna ", four_eyes=True, prepared_by="bertil")
    assert book.db.execute("SELECT COUNT(*) FROM approvals").fetchone()[0] == 0
    approval = authorise(plan, book, plan.plan_hash, "bertil", four_eyes=True)
    assert approval.four_eyes and approval.prepared_by == "anna" and approval.approved_by == "bertil"


def test_four_eyes_of_a_plan_never_recorded_falls_back_to_the_given_preparer() -> None:
    book = PlanBook(state())
    assert check_four_eyes(book, "0" * 64, "bertil", four_eyes=True, prepared_by="anna") == "anna"
    with pytest.raises(ConflictError, match="Four-eyes"):
        check_four_eyes(book, "0" * 64, "ANNA", four_eyes=True, prepared_by="anna")
    assert check_four_eyes(book, "0" * 64, "anna", four_eyes=False, prepared_by="anna") == "anna"


def test_the_same_person_ignores_case_and_blanks() -> None:
    assert same_person(" Anna", "anna ") and not same_person("anna", "anne")


def test_an_approval_supersedes_by_the_resources_its_calls_write() -> None:
    from ops_lib.state.oplog import OperationsLog

    earlier = Plan(steps("1"))
    book = prepared(earlier)
    later = Plan((Step("create", "1", "Thing 1", calls=(Path("items/7"),)), Step("create", "5", "Thing 5")))
    record_plan(later, book, "anna")
    OperationsLog(book.db).begin(earlier.plan_hash, "toy:one", "c", "a", "things", "create", "1", "Thing 1", "POST", "items")
    authorise(later, book, later.plan_hash, "bertil")
    assert OperationsLog(book.db).counts(earlier.plan_hash) == {"superseded": 1}


def test_the_changed_plan_error_names_both_plans() -> None:
    assert str(plan_changed("a" * 64, "b" * 64, again="look again")) == (
        f"The approval was given for plan {'a' * 12}…, but the plan is now {'b' * 12}…: "
        "the data changed; look again")
