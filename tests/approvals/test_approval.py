"""The one approval record: written, and read back, the previous version's files included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops_lib.approvals.approval import Approval
from ops_lib.core.errors import DataInputError

# What the previous version wrote: approval.json of a reconciliation, sync_approval.json of a sync.
OLD_REVIEW = {"register": "customers", "plan_hash": "ab" * 32, "approved_by": "Anna",
              "approved_at": "2026-06-15T08:00:00Z", "writes": 3, "accepted_suggestions": ["left:9001~1025"], "rejected_suggestions": [], "note": ""}
OLD_SYNC = {"register": "customers", "plan_hash": "cd" * 32, "approved_by": "bertil",
            "approved_at": "2026-06-15T09:00:00Z", "prepared_by": "anna", "four_eyes": True, "resumed_from": ""}


def test_an_approval_written_reads_back_the_same(tmp_path: Path) -> None:
    approval = Approval("things", "ef" * 32, "bertil", "2026-06-15T10:00:00Z", writes=2, prepared_by="anna",
                        four_eyes=True, accepted_suggestions=("left:1~2",))
    path = approval.write(tmp_path / "approval.json")
    assert Approval.read(path) == approval
    assert json.loads(path.read_text(encoding="utf-8"))["accepted_suggestions"] == ["left:1~2"]


@pytest.mark.parametrize("old", [OLD_REVIEW, OLD_SYNC], ids=["approval.json", "sync_approval.json"])
def test_the_files_of_the_previous_version_are_read(tmp_path: Path, old: dict[str, object]) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({**old, "from_a_later_version": 1}), encoding="utf-8")
    approval = Approval.read(path)
    assert approval.plan_hash == old["plan_hash"] and approval.approved_by == old["approved_by"]
    assert approval.accepted_suggestions == tuple(old.get("accepted_suggestions", ()))  # type: ignore[arg-type]
    assert approval.four_eyes is bool(old.get("four_eyes", False))
    written = json.loads(approval.write(tmp_path / "again.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k in old} == old


def test_a_file_that_is_no_approval_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "approval.json"
    path.write_text(json.dumps({"register": "things", "plan_hash": "ab"}), encoding="utf-8")
    with pytest.raises(DataInputError, match=r"approval.json: An approval needs approved_by, approved_at"):
        Approval.read(path)
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DataInputError, match="a JSON object"):
        Approval.read(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(DataInputError, match="not a readable approval"):
        Approval.read(path)
