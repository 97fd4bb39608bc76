"""A system registered from a test runs reconcile, plan and apply through the library's own path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, record_plan
from ops_lib.model.registers import canonical_frame
from ops_lib.reconciliation.engine import reconcile
from ops_lib.state.db import open_state
from ops_lib.state.oplog import OperationsLog
from ops_lib.sync.apply import apply_plan, build_plan
from ops_lib.systems import registry
from ops_lib.systems.base import System
from tests.toy_system import TOY, ToyClient, ToySystem

PM = [{"number": "P1", "name": "Harbour bridge", "is_active": "true"},
      {"number": "P2", "name": "Mill renovation", "is_active": "false"},
      {"number": "P3", "name": "New school", "is_active": "true"},
      {"number": "P4", "name": "A name far too long for the toy", "is_active": "true"}]
IN_TOY = {"7": {"number": "P1", "name": "Harbour bridge", "is_active": "true"},
          "8": {"number": "P2", "name": "Mill renovation", "is_active": "true"}}


@pytest.fixture
def toy() -> Iterator[ToySystem]:
    registry.register(TOY)
    yield TOY
    registry.unregister(TOY.name)


def sync(system: System, client: ToyClient, oplog: OperationsLog) -> tuple[dict[str, str], list[str]]:
    """One sync of projects from the PM export to the toy, approved by a second person.

    Returns the issues the toy's rules found (by number) and the outcome of every write.
    """
    left = canonical_frame(PM, "projects", "pm.csv")
    right = system.read_register(client, "projects")
    result = reconcile(left, right, "projects", master="left", rules_right=system.name,
                       left_name="pm.csv", right_name=system.name)
    writers = {"right": system.make_writer(client, "projects")}
    plan = build_plan(result, writers, oplog)
    record_plan(plan, PlanBook(oplog.db), "anna")
    approval = authorise(plan, PlanBook(oplog.db), plan.plan_hash, "bertil", four_eyes=True, prepared_by="anna")
    issues = {n: i for n, i in zip(result.pairs["left_number"], result.pairs["issues"]) if i}
    return issues, [o.outcome for o in apply_plan(plan, writers, oplog, approval)]


def test_a_toy_system_is_reconciled_planned_and_applied(toy: ToySystem, tmp_path: Path) -> None:
    assert isinstance(toy, System) and registry.get("toy") is toy
    client = toy.make_client(None, records=IN_TOY)
    db = open_state(tmp_path / "state.sqlite")
    try:
        oplog = OperationsLog(db)
        issues, outcomes = sync(toy, client, oplog)
        assert issues == {"P4": "toy_name_over_20"}  # the toy's own rule, found through the registry
        assert outcomes == ["done", "done"]
        assert sorted(r["number"] for r in client.records.values()) == ["P1", "P2", "P3"]
        assert client.records["8"]["is_active"] == "false"
        assert sorted(c.method for c in client.sent) == ["POST", "PUT"]

        again_issues, again = sync(toy, client, oplog)
        assert again == [] and len(client.sent) == 2 and again_issues == issues
    finally:
        db.close()
