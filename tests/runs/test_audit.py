"""The run archive verifies, and any change to it is caught and named; the audit review lists a period."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from ops_lib.cli.main import main
from ops_lib.core.errors import DataInputError
from ops_lib.runs.archive import RunArchive
from ops_lib.runs.audit import audit_review, verify_archive


def sealed_run(root: Path, day: int, results: list[dict[str, object]], status: str = "findings") -> Path:
    """A run sealed through the archive as the runner does, with a notebook, an html copy and two artifacts."""
    archive = RunArchive(root)
    slot = archive.begin(Path("notebooks/20_reconcile.ipynb"), datetime(2026, 11, day, 6, 0, tzinfo=timezone.utc))
    slot.executed.write_text('{"cells": []}', encoding="utf-8")
    slot.html.write_text("<html>run</html>", encoding="utf-8")
    (slot.artifacts / "reconciliation.xlsx").write_bytes(b"PK\x03\x04 workbook bytes")
    (slot.artifacts / "sync_plan.json").write_text('{"calls": 3}', encoding="utf-8")
    findings = sum(int(r.get("findings", 0)) for r in results)  # type: ignore[call-overload]
    archive.seal(slot, {"notebook": "notebooks/20_reconcile.ipynb", "parameters": {"register": "customers"},
                        "status": status, "exit_code": 1 if findings else 0, "message": "ran",
                        "results": results, "findings": findings, "user": "anna", "host": "ops-1",
                        "ended_utc": f"2026-11-{day:02d}T06:01:00Z"})
    return slot.folder


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    sealed_run(root, 2, [{"register": "customers", "findings": 4, "writes_planned": 3, "dry_run": True,
                          "status_counts": {"match": 10, "name_mismatch": 4}}])
    sealed_run(root, 9, [{"register": "products", "findings": 2, "writes_planned": 2, "actions_applied": 2,
                          "dry_run": False, "plan_hash": "ab" * 32, "status_counts": {"match": 5, "only_left": 2}}])
    sealed_run(root, 20, [{"register": "projects", "findings": 0, "dry_run": True}], status="clean")
    return root


def folders(root: Path) -> list[Path]:
    return [root / row["folder"] for row in RunArchive(root).rows()]


def test_an_untouched_archive_verifies(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = verify_archive(archive)
    assert result.ok and len(result.checked) == 3
    assert main(["audit", "verify", str(archive)]) == 0
    assert "3 run(s) verified" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["20_reconcile.ipynb", "20_reconcile.html", "artifacts/reconciliation.xlsx",
                                  "artifacts/sync_plan.json", "manifest.json"])
def test_changing_one_byte_of_any_archived_file_fails_verify_and_names_it(archive: Path, name: str,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = folders(archive)[1] / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = verify_archive(archive)
    assert not result.ok and result.first_break is not None
    assert result.first_break.path.endswith(name) and result.first_break.run_id == RunArchive(archive).rows()[1]["run_id"]
    assert main(["audit", "verify", str(archive)]) == 2
    err = capsys.readouterr().err
    assert "does NOT verify" in err and name in err


def test_a_rewritten_manifest_breaks_the_link_from_the_next_run(archive: Path) -> None:
    """Changing a file and rewriting its manifest to match still shows: the next run links to the old manifest."""
    first, second, _ = folders(archive)
    (first / "artifacts" / "sync_plan.json").write_text('{"calls": 0}', encoding="utf-8")
    rows = RunArchive(archive).rows()
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256((first / entry["path"]).read_bytes()).hexdigest()
    payload = (json.dumps(manifest, indent=2) + "\n").encode()
    (first / "manifest.json").write_bytes(payload)
    rows[0]["manifest_sha256"] = hashlib.sha256(payload).hexdigest()  # the forger fixes the index too
    with (archive / "index.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = verify_archive(archive)
    assert [b.run_id for b in result.breaks] == [rows[1]["run_id"]]
    assert "chain is broken" in result.breaks[0].reason


def test_a_removed_run_or_an_added_file_is_caught(archive: Path) -> None:
    first, second, third = folders(archive)
    (third / "artifacts" / "extra.csv").write_text("added later\n", encoding="utf-8")
    lines = (archive / "index.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (archive / "index.csv").write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")  # drop the 2nd run
    reasons = {b.reason.split(":")[0].split(" (")[0] for b in verify_archive(archive).breaks}
    assert reasons == {"the chain is broken here", "a file was added after the run was sealed",
                       "this run folder is not in the index"}
    shutil.rmtree(third)
    assert any("manifest cannot be read" in b.reason for b in verify_archive(archive).breaks)


def test_the_review_lists_a_period_with_what_each_run_found_and_changed(archive: Path, tmp_path: Path) -> None:
    review = audit_review(archive, "2026-11-01", "2026-11-15")
    assert list(review.runs["subject"]) == ["customers", "products"]
    assert list(review.runs["mode"]) == ["dry run", "applied"]
    assert list(review.runs["actions_applied"]) == [0, 2] and list(review.runs["findings"]) == [4, 2]
    assert review.runs["status_counts"].iloc[0] == "match: 10, name_mismatch: 4"
    assert review.verification.ok and len(review.verification.checked) == 2
    assert review.record() == {"findings": 0, "runs": 2, "period": ["2026-11-01", "2026-11-15"], "verified": True,
                               "first_break": ""}
    book = openpyxl.load_workbook(review.to_excel(tmp_path / "audit.xlsx"))
    assert book.sheetnames == ["runs", "breaks", "period", "operations"]
    assert [c.value for c in book["runs"]["D"]][1:] == ["customers", "products"]
    default = audit_review(archive, today=date(2026, 11, 25))
    assert (default.start, len(default.runs)) == (date(2026, 10, 26), 3)
    with pytest.raises(DataInputError, match="not a date"):
        audit_review(archive, "21/11/2026")


def test_the_operations_log_is_read_without_touching_the_state_database(tmp_path: Path) -> None:
    """An auditor's review reads; a state database given by mistake is named, never read as 'no calls'."""
    import datetime as dt
    import sqlite3

    from ops_lib.core.errors import DataInputError
    from ops_lib.runs.audit import operations_log

    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with pytest.raises(DataInputError, match="no such state database"):
        operations_log(tmp_path / "typo.sqlite", *year)
    (tmp_path / "notes.sqlite").write_text("not a database", encoding="utf-8")
    with pytest.raises(DataInputError, match="notes.sqlite: not a state database"):
        operations_log(tmp_path / "notes.sqlite", *year)
    old = tmp_path / "old.sqlite"  # a table as an earlier version made it: no 'superseded' status allowed
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE operations (id INTEGER PRIMARY KEY, plan_hash TEXT, target TEXT, call_digest TEXT, "
               "action_digest TEXT, register TEXT, action TEXT, number TEXT, name TEXT, method TEXT, path TEXT, "
               "status TEXT CHECK (status IN ('sent', 'done', 'failed', 'unknown')), record_id TEXT, error_code TEXT, "
               "error_id TEXT, message TEXT, attempts INTEGER, created_at TEXT, updated_at TEXT)")
    db.commit()
    schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'operations'").fetchone()[0]
    db.close()
    assert operations_log(old, *year).empty
    db = sqlite3.connect(old)
    assert db.execute("SELECT sql FROM sqlite_master WHERE name = 'operations'").fetchone()[0] == schema
    db.close()
