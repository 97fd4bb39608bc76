"""One sync end to end, for ``ops sync``, ``ops reconcile`` and the reconcile notebook.

:func:`open_sync` opens both sides (an export file, a connected
environment, or ``demo-sandbox``), pulls system registers incrementally
through the state database's cache, and reconciles. The
:class:`SyncSession` it returns keeps the connections open so the same
session can plan the sync (:meth:`SyncSession.plan`, a dry run that
shows every call) and apply it once approved (:meth:`SyncSession.run`).
"""

from __future__ import annotations

import contextlib
import getpass
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

import httpx

from ops_lib.reconciliation.engine import reconcile
from ops_lib.reconciliation.result import Reconciliation
from ops_lib.sources.files import load_mapping
from ops_lib.sources.import_file import ImportFileWriter
from ops_lib.sources.open import LoadedRegister, load_register, state_path_for
from ops_lib.state.db import open_state
from ops_lib.state.oplog import Journal
from ops_lib.sync.apply import apply_plan, authorise, build_plan, dry_run, record_plan
from ops_lib.sync.plan import SyncPlan, Writer
from ops_lib.sync.result import SyncResult
from ops_lib.systems.registry import get as get_system


@dataclass
class SyncSession:
    """Both sides of one register, reconciled, with their connections open.

    Close it (or use it as a context manager) when done.
    """

    register: str
    result: Reconciliation
    sides: dict[str, LoadedRegister]
    journal: Journal
    out_dir: Path
    mapping: Mapping[str, Any] | None
    options: Mapping[str, Any]
    prepared_by: str
    language: str = "en"
    sleep: Callable[[float], None] = time.sleep
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)
    _writers: dict[str, Writer] | None = field(default=None, repr=False)

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
        plan = build_plan(result if result is not None else self.result, self.writers(), self.journal)
        record_plan(plan, self.journal, self.prepared_by)
        return plan

    def preparer(self, plan: SyncPlan) -> str:
        return self.journal.preparer(plan.plan_hash, self.prepared_by)

    def run(self, plan: SyncPlan, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> SyncResult:
        """A dry run (default), or the approved plan applied through the journal."""
        if not apply:
            return SyncResult(plan, tuple(dry_run(plan)), False)
        approval = authorise(plan, self.journal, approved_hash, approved_by, four_eyes=four_eyes,
                             prepared_by=self.prepared_by)
        writers = self.writers()
        outcomes = apply_plan(plan, writers, self.journal, approval, language=self.language, sleep=self.sleep)
        written = tuple(str(w.path) for w in writers.values() if isinstance(w, ImportFileWriter) and w.path.exists())
        approval.write(self.out_dir / "sync_approval.json")
        return SyncResult(plan, tuple(outcomes), True, approval, written)

    def record(self, plan: SyncPlan, outcome: Any) -> dict[str, Any]:
        """What the notebook records for ``ops run``, the run header and the audit review.

        ``outcome`` is what :func:`sync_panel` returned: a
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


def open_sync(register: str, left: str, right: str, *, master: str = "left", mapping: str | Path | None = None,
              threshold: int = 85, connection: Mapping[str, Any] | None = None, company: str = "",
              sandbox_url: str = "", transport: httpx.BaseTransport | None = None,
              project_target: str = "cost_center_items", cost_center: str = "Projekt",
              out_dir: str | Path = "build/reconcile", state_db: str | Path = "", full_resync: bool = False,
              prepared_by: str = "", language: str = "en",
              client_options: Mapping[str, Any] | None = None) -> SyncSession:
    """Open both sides of ``register``, pull them (incrementally) and reconcile.

    Parameters
    ----------
    left, right:
        A file path, a connected environment name, or ``demo-sandbox``.
    project_target, cost_center:
        Where projects live in the accounting system: the items of
        ``cost_center`` (the integration's default) or ``projects``.
    state_db:
        The state database (journal and register cache); empty: the
        configuration directory's ``state.sqlite``.
    full_resync:
        Pull system registers in full, ignoring what the cache holds.
    prepared_by:
        Who prepares the plan (four-eyes); empty: the OS user.
    client_options:
        Passed to :func:`ops_lib.systems.connect.open_client` (``sleep``, ``budget``, ``policy``, ``page_size``).
    """
    connection = {**dict(connection or {}), **{k: v for k, v in (("company", company),
                                                                    ("sandbox_url", sandbox_url)) if v}}
    options = {"project_target": project_target, "cost_center": cost_center}
    stack = contextlib.ExitStack()
    try:
        db = open_state(state_path_for((left, right), state_db, connection))
        stack.callback(db.close)
        client_options = dict(client_options or {})
        sides = {name: load_register(stack, source, register, mapping=mapping, connection=connection,
                                     transport=transport, db=db, full=full_resync, options=options,
                                     client_options=client_options)
                 for name, source in (("left", left), ("right", right))}
        result = reconcile(sides["left"].frame, sides["right"].frame, register, master=master, threshold=threshold,
                           rules_left=sides["left"].rules, rules_right=sides["right"].rules,
                           left_name=sides["left"].label, right_name=sides["right"].label)
        columns = load_mapping(mapping, register) if mapping else None
        session = SyncSession(register, result, sides, Journal(db), Path(out_dir), columns, options,
                              prepared_by or getpass.getuser(), language, client_options.get("sleep", time.sleep),
                              stack)
    except BaseException:
        stack.close()
        raise
    return session


def sync_panel(session: Any, plan: Any, out_dir: str | Path, interactive: bool = True, *,
               apply: bool = False, approved_plan_hash: str = "", approved_by: str = "",
               four_eyes: bool = False) -> Any:
    """The notebook's apply step: the Approve button (interactive), or params (headless).

    ``session`` is a :class:`SyncSession` or an export session: anything
    with ``run(plan, apply=, approved_hash=, approved_by=, four_eyes=)``
    and ``preparer(plan)``. Headless, nothing is sent unless ``apply`` is
    true and ``approved_plan_hash`` names this plan (or, after a crash,
    the plan it continues); the outcome is saved in ``out_dir`` either way.
    """
    if interactive:
        from ops_lib.forms.widgets import sync_form

        return sync_form(session, plan, out_dir, approved_by=approved_by, four_eyes=four_eyes)
    result = session.run(plan, apply=apply, approved_hash=approved_plan_hash, approved_by=approved_by,
                         four_eyes=four_eyes)
    result.write(out_dir)
    return result


def run_sync(register: str, left: str, right: str, *, apply: bool = False, approved_hash: str = "",
             approved_by: str = "", four_eyes: bool = False, out_dir: Path = Path("build/sync"),
             out: TextIO | None = None, **kwargs: Any) -> int:
    """``ops sync``: reconcile, plan, dry-run or apply, write the results; return the exit code."""
    out = out or sys.stdout
    out_dir = Path(out_dir)
    with open_sync(register, left, right, out_dir=out_dir, **kwargs) as session:
        session.result.write(out_dir)
        plan = session.plan()
        out.write(session.result.describe() + "\n\n" + plan.describe() + "\n\n")
        result = session.run(plan, apply=apply, approved_hash=approved_hash,
                             approved_by=approved_by or (getpass.getuser() if apply else ""), four_eyes=four_eyes)
        written = result.write(out_dir)
    out.write(result.describe() + "\n")
    if not apply and plan.writable:
        out.write(f"\nTo apply: ops sync {register} ... --apply --approved-hash {plan.plan_hash}\n")
    out.write("Written: " + ", ".join(str(p) for p in [*written.values(), *result.written]) + "\n")
    return result.exit_code

