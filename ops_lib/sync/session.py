"""One sync end to end, for ``ops sync`` and the reconcile notebook.

A sync builds on a reconciliation: :func:`open_sync` reads both sides
(an export file, a connected environment, or ``demo-sandbox``) through
:func:`ops_lib.reconciliation.job.open_reconciliation`, which pulls system
registers incrementally through the register cache and reconciles. The
:class:`SyncSession` it returns keeps the connections open so the same
session can plan the sync (:meth:`SyncSession.plan`, a dry run that
shows every call) and apply it once approved (:meth:`SyncSession.run`).
The operations log (in the state database) is opened when the session
first plans: reading two files opens no state database.
"""

from __future__ import annotations

import contextlib
import getpass
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

import httpx

from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, record_plan
from ops_lib.reconciliation.job import open_reconciliation
from ops_lib.reconciliation.result import Reconciliation
from ops_lib.sources.files import load_mapping
from ops_lib.sources.import_file import ImportFileWriter
from ops_lib.sources.open import LoadedRegister, open_state_db
from ops_lib.state.oplog import OperationsLog
from ops_lib.sync.apply import apply_plan, build_plan, dry_run
from ops_lib.sync.plan import SyncPlan, Writer
from ops_lib.sync.result import SyncResult
from ops_lib.sync.settings import SyncSettings
from ops_lib.systems.registry import get as get_system


@dataclass
class SyncSession:
    """Both sides of one register, reconciled, with their connections open.

    ``open_state`` opens the state database of the operations log, once,
    when the session first needs it. Close the session (or use it as a
    context manager) when done.
    """

    register: str
    result: Reconciliation
    sides: dict[str, LoadedRegister]
    open_state: Callable[[], sqlite3.Connection]
    out_dir: Path
    mapping: Mapping[str, Any] | None
    options: Mapping[str, Any]
    prepared_by: str
    language: str = "en"
    sleep: Callable[[float], None] = time.sleep
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)
    _writers: dict[str, Writer] | None = field(default=None, repr=False)
    _oplog: OperationsLog | None = field(default=None, repr=False)

    @property
    def oplog(self) -> OperationsLog:
        """The operations log, opened on first use (planning, approving, applying); reading needs none."""
        if self._oplog is None:
            self._oplog = OperationsLog(self.open_state())
        return self._oplog

    def writers(self) -> dict[str, Writer]:
        """Each side's writer, made once: the system's own for a connected side, an import file for a file."""
        if self._writers is None:
            self._writers = {
                name: (get_system(side.client.system).make_writer(side.client, self.register, **self.options)
                       if side.client is not None
                       else ImportFileWriter(side.path, self.register, self.mapping, self.out_dir))  # type: ignore[arg-type]
                for name, side in self.sides.items()}
        return self._writers

    def plan(self, result: Reconciliation | None = None) -> SyncPlan:
        """The calls the (reviewed) reconciliation implies; recorded with its preparer. Nothing is sent."""
        plan = build_plan(result if result is not None else self.result, self.writers(), self.oplog)
        record_plan(plan, self.book, self.prepared_by)
        return plan

    @property
    def book(self) -> PlanBook:
        """The plans and approvals, in the same state database as the oplog."""
        return PlanBook(self.oplog.db)

    def preparer(self, plan: SyncPlan) -> str:
        """Who prepared ``plan``, as first recorded (four-eyes refuses them as its approver)."""
        return self.book.preparer(plan.plan_hash, self.prepared_by)

    def run(self, plan: SyncPlan, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> SyncResult:
        """A dry run (default), or the approved plan applied through the oplog."""
        if not apply:
            return SyncResult(plan, tuple(dry_run(plan)), False)
        approval = authorise(plan, self.book, approved_hash, approved_by, four_eyes=four_eyes,
                             prepared_by=self.prepared_by)
        writers = self.writers()
        outcomes = apply_plan(plan, writers, self.oplog, approval, language=self.language, sleep=self.sleep)
        written = tuple(str(w.path) for w in writers.values() if isinstance(w, ImportFileWriter) and w.path.exists())
        approval.write(self.out_dir / "sync_approval.json")
        return SyncResult(plan, tuple(outcomes), True, approval, written)

    def record(self, plan: SyncPlan, outcome: Any) -> dict[str, Any]:
        """What the notebook records for ``ops run``, the run header and the audit review.

        ``outcome`` is what the notebook's apply step returned: a
        :class:`SyncResult` headless, the form interactively (whose later
        clicks this cannot know about, so it counts as a dry run here).
        """
        applied = isinstance(outcome, SyncResult) and outcome.applied
        counts = outcome.counts() if applied else {}
        return {"register": self.register, "findings": self.result.findings, "plan_hash": plan.plan_hash,
                "status_counts": self.result.status_counts(), "writes_planned": len(plan.writable),
                "actions_applied": counts.get("done", 0) + counts.get("found", 0), "dry_run": not applied,
                "sources": [side.label for side in self.sides.values()],
                "company": next((side.client.session.connection.company_name for side in self.sides.values()
                                 if side.client is not None), "")}

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "SyncSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_sync(settings: SyncSettings, *, connection: Mapping[str, Any] | None = None,
              transport: httpx.BaseTransport | None = None, language: str = "en",
              client_options: Mapping[str, Any] | None = None) -> SyncSession:
    """Open both sides of the register, pull them (incrementally) and reconcile.

    Parameters
    ----------
    settings:
        What to reconcile (``settings.reconcile``: the register, both sources, the system's options
        block), the state database, ``full_resync`` and who prepares the plan (empty: the OS user).
    connection:
        Connection parameters for system sources; ``settings.reconcile.company`` and
        ``sandbox_url``, when set, win.
    client_options:
        Passed to :func:`ops_lib.connection.connect.open_client` (``sleep``, ``budget``, ``policy``, ``page_size``).
    """
    wanted = settings.reconcile
    connection = {**dict(connection or {}), **wanted.connection}
    client_options = dict(client_options or {})
    opened = open_reconciliation(wanted, connection=connection, transport=transport, state_db=settings.state_db,
                                 full_resync=settings.full_resync, client_options=client_options)
    try:
        def open_state() -> sqlite3.Connection:
            """The database the register cache was read from, else the one the sources name (a file sync)."""
            if opened.state is not None:
                return opened.state
            return open_state_db(opened.stack, (wanted.left, wanted.right), settings.state_db, connection)

        mapping = wanted.mapping or None
        columns = load_mapping(mapping, wanted.register) if mapping else None
        session = SyncSession(wanted.register, opened.result, opened.sides, open_state, Path(wanted.out_dir),
                              columns, opened.options, settings.prepared_by or getpass.getuser(), language,
                              client_options.get("sleep", time.sleep), opened.stack)
    except BaseException:
        opened.close()
        raise
    return session


def run_and_write(session: Any, plan: Any, out_dir: str | Path, *, apply: bool = False, approved_hash: str = "",
                  approved_by: str = "", four_eyes: bool = False) -> tuple[Any, dict[str, Path]]:
    """The notebook's apply step: dry-run or apply ``plan``, and save the outcome in ``out_dir`` either way.

    ``session`` is a :class:`SyncSession` or an export session: anything
    with ``run(plan, apply=, approved_hash=, approved_by=, four_eyes=)``
    and ``preparer(plan)``. Nothing is sent unless ``apply`` is true and
    ``approved_hash`` names this plan (or, after a crash, the plan it
    continues). Returns the result and the files it was written to.
    """
    result = session.run(plan, apply=apply, approved_hash=approved_hash, approved_by=approved_by,
                         four_eyes=four_eyes)
    return result, result.write(out_dir)


def run_sync(settings: SyncSettings, *, out: TextIO | None = None, **open_options: Any) -> int:
    """``ops sync``: reconcile, plan, dry-run or apply, write the results; return the exit code.

    ``settings.apply``, ``approved_sync_hash``, ``approved_by`` and ``four_eyes`` say whether and
    under whose approval the plan is sent; ``open_options`` go to :func:`open_sync`.
    """
    out = out or sys.stdout
    out_dir = Path(settings.reconcile.out_dir)
    register, apply = settings.reconcile.register, settings.apply
    with open_sync(settings, **open_options) as session:
        session.result.write(out_dir)
        plan = session.plan()
        out.write(session.result.describe() + "\n\n" + plan.describe() + "\n\n")
        result = session.run(plan, apply=apply, approved_hash=settings.approved_sync_hash,
                             approved_by=settings.approved_by or (getpass.getuser() if apply else ""),
                             four_eyes=settings.four_eyes)
        written = result.write(out_dir)
    out.write(result.describe() + "\n")
    if not apply and plan.writable:
        out.write(f"\nTo apply: ops sync {register} ... --apply --approved-hash {plan.plan_hash}\n")
    out.write("Written: " + ", ".join(str(p) for p in [*written.values(), *result.written]) + "\n")
    return result.exit_code

