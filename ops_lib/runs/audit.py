"""Auditing the run archive: verify the chain, list a period's runs, say what each found and changed.

:func:`verify_archive` re-hashes every archived file and walks the
manifest chain in index order, so a changed byte, a replaced manifest, a
removed or inserted run, or a file added after sealing each shows as a
:class:`Break` naming the run and the file. :func:`audit_review` is what
``notebooks/90_audit_review.ipynb`` shows: a period's runs, whether they
verify, and per run its findings and the changes it made in the
accounting system, exportable to Excel. Beside the runs it lists the
period's operations log from the state database: every call a sync
made, with its status, so an entry an approval left open reads ``sent``
or ``unknown`` and one a newer approval replaced reads ``superseded``.
"""

from __future__ import annotations

import hashlib
import html
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ops_lib.config.settings import connection_settings
from ops_lib.core.errors import DataInputError, OpsError
from ops_lib.core.workbook import write_workbook
from ops_lib.runs.archive import MANIFEST, RunArchive, read_manifest, sha256_file
from ops_lib.runs.results import results_total
from ops_lib.state.db import default_state_path
from ops_lib.state.oplog import OperationsLog

DEFAULT_PERIOD_DAYS = 31
RUN_COLUMNS = ("run_id", "date", "notebook", "subject", "status", "exit_code", "findings", "mode", "actions_planned",
               "actions_applied", "status_counts", "plan_hash", "started_utc", "ended_utc", "user", "host", "folder",
               "message")
OPERATION_COLUMNS = ("created_at", "updated_at", "register", "action", "number", "name", "method", "path", "target",
                     "status", "record_id", "error_code", "error_id", "message", "attempts", "plan_hash")


@dataclass(frozen=True)
class Break:
    """One place where the archive no longer matches what was sealed."""

    run_id: str
    path: str
    reason: str

    def describe(self) -> str:
        return f"run {self.run_id}: {self.path}: {self.reason}"


@dataclass
class Verification:
    """The outcome of :func:`verify_archive`; ``breaks`` in chain order, the first one first."""

    root: Path
    checked: list[str] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None

    @property
    def first_break_text(self) -> str:
        """The first break in words, or "" when the archive verifies: for the Excel sheet and the run record."""
        return self.first_break.describe() if self.first_break else ""

    def describe(self) -> str:
        if self.ok:
            return (f"{self.root}: {len(self.checked)} run(s) verified; every file matches its manifest and the "
                    f"chain of manifests is unbroken")
        lines = [f"{self.root}: the archive does NOT verify. First break: {self.first_break.describe()}"]
        if len(self.breaks) > 1:
            lines += ["All breaks:", *[f"  - {b.describe()}" for b in self.breaks]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour, text = ("#1a7f37", "✔") if self.ok else ("#cf222e", "✘")
        return (f"<div class='ops-audit-verify' style='border-left:6px solid {colour};padding:6px 10px'>"
                f"<b style='color:{colour}'>{text}</b> {html.escape(self.describe()).replace(chr(10), '<br>')}</div>")


def _check_files(folder: Path, manifest: dict[str, Any], run_id: str) -> Iterable[Break]:
    listed = set()
    for entry in manifest.get("files", []):
        path = folder / entry["path"]
        listed.add(path)
        shown = f"{folder.name}/{entry['path']}"
        if not path.is_file():
            yield Break(run_id, shown, "the file is missing")
        elif sha256_file(path) != entry["sha256"]:
            yield Break(run_id, shown, "the file changed after the run was sealed (SHA-256 differs)")
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        if path not in listed:
            yield Break(run_id, f"{folder.name}/{path.relative_to(folder).as_posix()}",
                        "a file was added after the run was sealed")


def verify_archive(root: Path | str, run_ids: Iterable[str] | None = None) -> Verification:
    """Walk the whole chain; re-hash the files of ``run_ids`` (every run when None)."""
    archive = RunArchive(root)
    if not archive.index_path.exists():
        raise DataInputError(f"{archive.index_path}: no run index here, so nothing to verify")
    wanted = set(run_ids) if run_ids is not None else None
    result = Verification(archive.root)
    previous: str | None = None
    indexed = set()
    for sealed in archive.sealed():
        run_id = sealed.row["run_id"]
        indexed.add(sealed.manifest.resolve())
        shown = f"{sealed.row['folder']}/{MANIFEST}"
        try:
            payload = sealed.manifest.read_bytes()
            manifest = read_manifest(sealed.manifest)
        except (OSError, DataInputError) as exc:
            result.breaks.append(Break(run_id, shown, f"the manifest cannot be read ({exc})"))
            previous = sealed.manifest_sha256
            continue
        if hashlib.sha256(payload).hexdigest() != sealed.manifest_sha256:
            result.breaks.append(Break(run_id, shown, "the manifest changed after it was sealed "
                                                      "(its SHA-256 differs from the index)"))
        if manifest.get("previous_manifest_sha256") != previous:
            result.breaks.append(Break(run_id, shown, "the chain is broken here: the manifest does not link to "
                                                      "the run before it in the index (a run was removed, "
                                                      "inserted or reordered)"))
        if manifest.get("run_id") != run_id:
            result.breaks.append(Break(run_id, shown, f"the manifest is of run {manifest.get('run_id')}"))
        if wanted is None or run_id in wanted:
            result.breaks.extend(_check_files(sealed.manifest.parent, manifest, run_id))
            result.checked.append(run_id)
        previous = sealed.manifest_sha256
    for path in archive.manifests_on_disk():
        if path.resolve() not in indexed:
            result.breaks.append(Break(path.parent.name, f"{path.parent.relative_to(archive.root).as_posix()}",
                                       "this run folder is not in the index (its line was removed)"))
    return result


def _mode(results: list[dict[str, Any]]) -> str:
    if results_total(results, "actions_applied"):
        return "applied"
    if any("dry_run" in r for r in results):
        return "dry run"
    return "read only"


def _run_row(root: Path, row: dict[str, str]) -> dict[str, Any]:
    """One run as the review lists it: the index line and what its manifest recorded."""
    try:
        manifest = read_manifest(root / row["folder"] / MANIFEST)
    except DataInputError:
        manifest = {}
    results = manifest.get("results", []) or []
    params = manifest.get("parameters", {}) or {}
    counts: dict[str, int] = {}
    for result in results:
        for status, count in (result.get("status_counts") or {}).items():
            counts[status] = counts.get(status, 0) + int(count)
    return {
        "run_id": row["run_id"], "date": row["date"], "notebook": row["notebook"],
        "subject": ", ".join(str(r["register"]) for r in results if r.get("register")) or params.get("register", ""),
        "status": row["status"], "exit_code": int(row["exit_code"] or 0), "findings": int(row["findings"] or 0),
        "mode": _mode(results),
        "actions_planned": results_total(results, "writes_planned"),
        "actions_applied": results_total(results, "actions_applied"),
        "status_counts": ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
        "plan_hash": ", ".join(str(r["plan_hash"]) for r in results if r.get("plan_hash")),
        "started_utc": row["started_utc"], "ended_utc": row["ended_utc"], "user": row["user"],
        "host": row["host"], "folder": row["folder"], "message": row["message"],
    }


def _day(value: str | date | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataInputError(f"{name}: {value!r} is not a date; write YYYY-MM-DD") from None


@dataclass
class AuditReview:
    """A period's runs, their verification, and per run what it found and changed."""

    root: Path
    start: date
    end: date
    runs: pd.DataFrame
    verification: Verification
    operations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OPERATION_COLUMNS))
    state_db: str = ""  # where ``operations`` came from ("" the configuration directory's), for a new period

    @property
    def breaks(self) -> pd.DataFrame:
        return pd.DataFrame([b.__dict__ for b in self.verification.breaks], columns=["run_id", "path", "reason"])

    def describe(self) -> str:
        failed = int((self.runs["exit_code"] == 2).sum()) if len(self.runs) else 0
        applied = int(self.runs["actions_applied"].sum()) if len(self.runs) else 0
        return (f"Runs from {self.start} to {self.end} in {self.root}: {len(self.runs)} "
                f"({failed} failed, {applied} action(s) applied to accounting systems).\n"
                + self.verification.describe() + "\n" + self.operations_summary())

    def operations_summary(self) -> str:
        """The operations log in one line: entries per status."""
        counts = self.operations["status"].value_counts().sort_index() if len(self.operations) else {}
        return (f"Operations log: {len(self.operations)} entr{'y' if len(self.operations) == 1 else 'ies'}"
                + "".join(f", {n} {status}" for status, n in dict(counts).items()))

    def to_excel(self, path: Path | str) -> Path:
        """The runs, the breaks, the period and the operations log on four sheets."""
        about = pd.DataFrame([{"archive": str(self.root), "from": str(self.start), "to": str(self.end),
                               "runs": len(self.runs), "verified": self.verification.ok,
                               "first_break": self.verification.first_break_text}])
        return write_workbook(path, {"runs": self.runs, "breaks": self.breaks, "period": about,
                                     "operations": self.operations},
                              {"runs": "#ddeeff", "breaks": "#ffdddd", "period": "#eeeeee", "operations": "#eef7ee"})

    def runs_html(self) -> str:
        """The per-run table as HTML, without the archive folder column."""
        return self.runs.drop(columns=["folder"]).to_html(index=False, escape=True, classes="ops-runs-table")

    def export(self, out_dir: Path | str) -> Path:
        """The Excel export under its period's name in ``out_dir``."""
        return self.to_excel(Path(out_dir) / f"audit_{self.start}_{self.end}.xlsx")

    def _repr_html_(self) -> str:
        return (f"<p>Runs from {self.start} to {self.end}: {len(self.runs)}</p>"
                + self.verification._repr_html_() + self.runs_html() + self.operations_html())

    def operations_html(self) -> str:
        """The operations log's summary line and table (without the target key column)."""
        table = (self.operations.drop(columns=["target"]).to_html(index=False, escape=True,
                                                                  classes="ops-operations-table")
                 if len(self.operations) else "")
        return f"<p class='ops-operations'>{html.escape(self.operations_summary())}</p>{table}"

    def record(self) -> dict[str, Any]:
        """What the audit notebook records for ``ops run``: a break is a finding."""
        return {"findings": len(self.verification.breaks), "runs": len(self.runs),
                "period": [str(self.start), str(self.end)], "verified": self.verification.ok,
                "first_break": self.verification.first_break_text}


def operations_log(state_db: Path | str | None, start: date, end: date) -> pd.DataFrame:
    """The operations log entries active in the period, read without changing the database.

    ``state_db`` empty or None: the configuration directory's ``state.sqlite``, and an empty log
    when none exists yet. A ``state_db`` given that does not exist, or is no state database, is
    refused: an auditor must never read "no calls" from a typo.

    Raises
    ------
    DataInputError
        Naming the given file that is missing or unreadable.
    """
    path = Path(state_db) if state_db else default_state_path(connection_settings({}).config_dir)
    if not path.is_file():
        if state_db:
            raise DataInputError(f"{path}: no such state database")
        return pd.DataFrame(columns=OPERATION_COLUMNS)
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        rows = OperationsLog(db).operations(start.isoformat(), end.isoformat())
    except sqlite3.DatabaseError as exc:
        raise DataInputError(f"{path}: not a state database the audit review can read ({exc})") from exc
    finally:
        db.close()
    return pd.DataFrame(rows, columns=OPERATION_COLUMNS)


def audit_review(root: Path | str, start: str | date | None = None, end: str | date | None = None,
                 today: date | None = None, state_db: Path | str | None = None) -> AuditReview:
    """The runs of a period (default: the last 31 days up to today), their verification, and the operations log.

    ``state_db``: the state database whose operations log is listed
    (empty or None: the configuration directory's).
    """
    end_day = _day(end, "period_end") or today or date.today()
    start_day = _day(start, "period_start") or end_day - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start_day > end_day:
        raise DataInputError(f"period_start {start_day} is after period_end {end_day}")
    archive = RunArchive(root)
    rows = [r for r in archive.rows() if start_day.isoformat() <= r["date"] <= end_day.isoformat()]
    runs = pd.DataFrame([_run_row(archive.root, r) for r in rows], columns=RUN_COLUMNS)
    try:
        verification = verify_archive(root, [r["run_id"] for r in rows])
    except DataInputError:
        verification = Verification(archive.root)  # no archive yet: nothing to verify, nothing broken
    return AuditReview(archive.root, start_day, end_day, runs, verification,
                       operations_log(state_db, start_day, end_day), str(state_db or ""))


def verify_command(root: str) -> int:
    """``ops audit verify``: 0 when the archive verifies, 2 naming the first break when it does not."""
    try:
        result = verify_archive(root)
    except OpsError as exc:
        print(f"ops audit verify: {exc}", file=sys.stderr)
        return 2
    print(result.describe(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 2
