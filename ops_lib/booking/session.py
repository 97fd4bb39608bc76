"""One journal export end to end, for ``ops export-vouchers`` and ``30_export_vouchers.ipynb``.

:func:`open_export` reads the journal (an expense export or a payroll
journal), connects to the accounting system (a connected environment or
``demo-sandbox``), reads its chart, VAT codes, cost centres and projects,
reads the mapping tables and builds every voucher. The
:class:`ExportSession` it returns plans (:meth:`ExportSession.plan`, a
dry run that shows every voucher, the preflight and the control totals)
and books once approved (:meth:`ExportSession.run`), keeping the
connection open in between.
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

from ops_lib.booking.builder import (
    PER_EXPENSE,
    PER_EXPORT,
    VoucherDraft,
    build_expense_vouchers,
    build_payroll_vouchers,
    merge_per_export,
)
from ops_lib.booking.ledger import Bookings, booking_lock
from ops_lib.booking.mappings import MappingTables
from ops_lib.booking.posting import ExportPlan, apply_export, dry_run_export, plan_export
from ops_lib.booking.result import ExportResult
from ops_lib.booking.setup import SetupRules
from ops_lib.core.errors import ConfigurationError
from ops_lib.core.money import money_text
from ops_lib.model.references import References
from ops_lib.sources.files import load_mapping
from ops_lib.sources.journals import read_expenses, read_payroll
from ops_lib.sources.open import DEMO_SOURCE, open_system, state_path_for
from ops_lib.state.db import open_state
from ops_lib.state.oplog import Journal
from ops_lib.sync.apply import authorise, record_plan
from ops_lib.sync.session import sync_panel
from ops_lib.systems.registry import get as get_system

KINDS = ("expenses", "payroll")
DEMO_JOURNAL = "demo"


def journal_source(kind: str, source: str | Path, out_dir: str | Path) -> Path:
    """The journal to export: the file given, or for ``demo`` this month's demo journal (written to ``out_dir``)."""
    if str(source) != DEMO_JOURNAL:
        return Path(source)
    from ops_lib.demo.journals import write_demo_journals

    return write_demo_journals(Path(out_dir) / "demo_journals")[kind]


def open_connected(stack: contextlib.ExitStack, target: str, *, company: str = "", sandbox_url: str = "",
                   transport: httpx.BaseTransport | None = None,
                   client_options: Mapping[str, Any] | None = None) -> tuple[Any, str, References, SetupRules]:
    """The client of ``target`` (open on ``stack``), its label, its references and its system's rules."""
    connection = {k: v for k, v in (("company", company), ("sandbox_url", sandbox_url)) if v}
    client, label = open_system(stack, target, connection=connection, transport=transport,
                                client_options=client_options)
    system = get_system(client.system)
    return client, label, system.read_references(client), system.setup_rules


@dataclass
class ExportSession:
    """One journal's vouchers, built against one connected company, with the connection open."""

    kind: str
    source: Path
    label: str
    references: References
    rules: SetupRules
    tables: MappingTables
    drafts: list[VoucherDraft]
    poster: Any
    bookings: Bookings
    journal: Journal
    grouping: str
    prepared_by: str
    state_path: str
    language: str = "en"
    sleep: Callable[[float], None] = time.sleep
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def plan(self) -> ExportPlan:
        """Every voucher sorted against the ledger, recorded with its preparer. Nothing is sent."""
        drafts = self.drafts
        if self.grouping == PER_EXPORT:
            booked = {k for k, b in self.bookings.of(k for d in drafts for k in d.source_keys).items()
                      if b.status == "booked"}
            kept: list[VoucherDraft] = []
            fresh: list[VoucherDraft] = []
            for draft in drafts:
                (kept if draft.blocked or booked & set(draft.source_keys) else fresh).append(draft)
            drafts = kept + merge_per_export(fresh, self.source.name, self.references)
        plan = plan_export(self.kind, str(self.source), drafts, self.bookings, self.poster.payload)
        record_plan(plan, self.journal, self.prepared_by)
        return plan

    def preparer(self, plan: ExportPlan) -> str:
        return self.journal.preparer(plan.plan_hash, self.prepared_by)

    def run(self, plan: ExportPlan, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> ExportResult:
        """A dry run (default), or the approved plan booked through the ledger."""
        if not apply:
            return ExportResult(plan, tuple(dry_run_export(plan)), False)
        approval = authorise(plan, self.journal, approved_hash, approved_by, four_eyes=four_eyes,
                             prepared_by=self.prepared_by)
        with booking_lock(self.state_path, self.bookings.target):
            outcomes = apply_export(plan, self.poster, self.bookings, approval, language=self.language,
                                    sleep=self.sleep)
        return ExportResult(plan, tuple(outcomes), True, approval)

    def record(self, plan: ExportPlan, outcome: Any) -> dict[str, Any]:
        """What the notebook records for ``ops run``, the run header and the audit review."""
        applied = isinstance(outcome, ExportResult) and outcome.applied
        result = outcome if isinstance(outcome, ExportResult) else self.run(plan)
        total = result.control_total()
        counts = result.counts()
        return {"register": plan.register, "findings": result.count("blocked", "failed", "unknown"),
                "plan_hash": plan.plan_hash, "status_counts": counts, "writes_planned": len(plan.to_send),
                "actions_applied": result.count("booked", "found") if applied else 0, "dry_run": not applied,
                "sources": [str(self.source), self.label], "company": self.references.company,
                "control_source_total": money_text(total["source_total"]),
                "control_booked_total": money_text(total["booked_total"])}

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "ExportSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_export(kind: str, source: str | Path, target: str = DEMO_SOURCE, *, mappings: str | Path = "params/mappings",
                columns: str | Path | None = None, grouping: str = PER_EXPENSE, journal_id: str = "",
                company: str = "", sandbox_url: str = "", transport: httpx.BaseTransport | None = None,
                state_db: str | Path = "", prepared_by: str = "", language: str = "en",
                client_options: Mapping[str, Any] | None = None) -> ExportSession:
    """Read the journal and the mapping tables, connect, and build every voucher.

    Parameters
    ----------
    kind:
        ``expenses`` (an expense export) or ``payroll`` (a payroll journal export).
    source:
        The export file (CSV or XLSX); receipts are found relative to its folder.
    target:
        A connected environment (``sandbox``, ``production``) or ``demo-sandbox``.
    mappings:
        The folder with ``accounts.yaml``, ``categories.csv`` and ``tags.csv``.
    columns:
        A column mapping YAML whose ``expenses:``/``payroll:`` section renames the export's headers.
    grouping:
        ``per_expense`` (one voucher each) or ``per_export`` (one per export and fiscal year).
    journal_id:
        Payroll only: names a second payroll run of a period, so it is booked beside the first. Without
        it, rows for a booked period that differ from the booked ones are blocked; the same rows are
        already booked.

    Raises
    ------
    ConfigurationError
        An unknown kind or grouping.
    DataInputError
        The journal, the column mapping or a mapping table is unusable (naming the file, row and field).
    """
    if kind not in KINDS:
        raise ConfigurationError(f"kind is one of {', '.join(KINDS)}, not {kind!r}")
    if grouping not in (PER_EXPENSE, PER_EXPORT):
        raise ConfigurationError(f"grouping is {PER_EXPENSE!r} or {PER_EXPORT!r}, not {grouping!r}")
    source = Path(source)
    names = load_mapping(columns, kind) if columns else None
    tables = MappingTables.read(mappings)
    stack = contextlib.ExitStack()
    try:
        client_options = dict(client_options or {})
        client, label, refs, rules = open_connected(stack, target, company=company, sandbox_url=sandbox_url,
                                                    transport=transport, client_options=client_options)
        if kind == "expenses":
            drafts = build_expense_vouchers(read_expenses(source, names or None), tables, refs, rules)
        else:
            drafts = build_payroll_vouchers(read_payroll(source, names or None), tables, refs, rules, journal_id)
        state_path = state_path_for((target,), state_db, {"company": company, "sandbox_url": sandbox_url})
        db = open_state(state_path)
        stack.callback(db.close)
        poster = get_system(client.system).make_voucher_poster(client)
        session = ExportSession(kind, source, label, refs, rules, tables, drafts, poster, Bookings(db, poster.target),
                                Journal(db), grouping, prepared_by or getpass.getuser(), state_path, language,
                                client_options.get("sleep", time.sleep), stack)
    except BaseException:
        stack.close()
        raise
    return session


# The booking step is the sync's approval step: the Approve button, or params headless.
export_panel = sync_panel


def run_export(kind: str, source: str, target: str, *, apply: bool = False, approved_hash: str = "",
               approved_by: str = "", four_eyes: bool = False, out_dir: Path = Path("build/export"),
               out: TextIO | None = None, **kwargs: Any) -> int:
    """``ops export-vouchers``: build, plan, dry-run or book, write the results; return the exit code."""
    out = out or sys.stdout
    with open_export(kind, source, target, **kwargs) as session:
        plan = session.plan()
        out.write(plan.describe() + "\n\n")
        result = session.run(plan, apply=apply, approved_hash=approved_hash,
                             approved_by=approved_by or (getpass.getuser() if apply else ""), four_eyes=four_eyes)
        written = result.write(out_dir)
    out.write(result.describe() + "\n")
    if not apply and plan.to_send:
        out.write(f"\nTo book: ops export-vouchers --{kind} {source} --target {target} --apply "
                  f"--approved-hash {plan.plan_hash}\n")
    out.write("Written: " + ", ".join(str(p) for p in written.values()) + "\n")
    return result.exit_code

