"""One journal export end to end, for ``ops book-vouchers`` and ``30_book_vouchers.ipynb``.

:func:`open_booking` reads the journal (an expense export or a payroll
journal), connects to the accounting system (a connected environment or
``demo-sandbox``), reads its chart, VAT codes, dimensions and projects,
reads the mapping tables and builds every voucher. The
:class:`BookingSession` it returns plans (:meth:`BookingSession.plan`, a
dry run that shows every voucher, the preflight and the control totals)
and books once approved (:meth:`BookingSession.run`), keeping the
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

from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, record_plan
from ops_lib.booking.builder import PER_EXPORT, build_expense_vouchers, merge_per_export
from ops_lib.booking.ledger import Bookings, booking_lock
from ops_lib.booking.mappings import MappingTables
from ops_lib.booking.payroll import build_payroll_vouchers
from ops_lib.booking.plan import BookingPlan, plan_export
from ops_lib.booking.posting import apply_booking, dry_run_booking
from ops_lib.booking.result import BookingResult
from ops_lib.booking.settings import BookingSettings
from ops_lib.core.money import money_text
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.references import References
from ops_lib.model.vouchers import VoucherDraft
from ops_lib.sources.files import load_mapping
from ops_lib.sources.journals import read_expenses, read_payroll
from ops_lib.sources.open import open_system, state_path_for
from ops_lib.state.db import open_state
from ops_lib.state.oplog import OperationsLog
from ops_lib.systems.registry import get as get_system

DEMO_JOURNAL = "demo"


def journal_source(kind: str, source: str | Path, out_dir: str | Path) -> Path:
    """The journal to export: the file given, or for ``demo`` this month's demo journal (written to ``out_dir``)."""
    if str(source) != DEMO_JOURNAL:
        return Path(source)
    from ops_lib.sources.demo_journals import write_demo_journals

    return write_demo_journals(Path(out_dir) / "demo_journals")[kind]


def open_connected(stack: contextlib.ExitStack, target: str, *, connection: Mapping[str, Any] | None = None,
                   transport: httpx.BaseTransport | None = None,
                   client_options: Mapping[str, Any] | None = None) -> tuple[Any, str, References, SetupRules]:
    """The client of ``target`` (open on ``stack``), its label, its references and its system's rules.

    ``connection`` holds the job's ``system``, ``company`` and ``sandbox_url`` (a settings' ``connection``).
    """
    client, label = open_system(stack, target, connection=connection, transport=transport,
                                client_options=client_options)
    system = get_system(client.system)
    return client, label, system.read_references(client), system.setup_rules


@dataclass
class BookingSession:
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
    oplog: OperationsLog
    grouping: str
    prepared_by: str
    state_path: str
    language: str = "en"
    sleep: Callable[[float], None] = time.sleep
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def plan(self) -> BookingPlan:
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
        record_plan(plan, self.book, self.prepared_by)
        return plan

    @property
    def book(self) -> PlanBook:
        """The plans and approvals, in the same state database as the journal."""
        return PlanBook(self.oplog.db)

    def preparer(self, plan: BookingPlan) -> str:
        """Who prepared ``plan``, as first recorded (four-eyes refuses them as its approver)."""
        return self.book.preparer(plan.plan_hash, self.prepared_by)

    def run(self, plan: BookingPlan, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> BookingResult:
        """A dry run (default), or the approved plan booked through the ledger."""
        if not apply:
            return BookingResult(plan, tuple(dry_run_booking(plan)), False)
        approval = authorise(plan, self.book, approved_hash, approved_by, four_eyes=four_eyes,
                             prepared_by=self.prepared_by)
        with booking_lock(self.state_path, self.bookings.target):
            outcomes = apply_booking(plan, self.poster, self.bookings, approval, language=self.language,
                                    sleep=self.sleep)
        return BookingResult(plan, tuple(outcomes), True, approval)

    def record(self, plan: BookingPlan, outcome: Any) -> dict[str, Any]:
        """What the notebook records for ``ops run``, the run header and the audit review."""
        applied = isinstance(outcome, BookingResult) and outcome.applied
        result = outcome if isinstance(outcome, BookingResult) else self.run(plan)
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

    def __enter__(self) -> "BookingSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_booking(settings: BookingSettings, *, source: str | Path | None = None,
                transport: httpx.BaseTransport | None = None, language: str = "en",
                client_options: Mapping[str, Any] | None = None) -> BookingSession:
    """Read the journal and the mapping tables, connect, and build every voucher.

    Parameters
    ----------
    settings:
        The ``kind`` (``expenses`` or ``payroll``), the journal ``source``, its ``columns`` mapping, the
        ``mapping_dir`` tables, the ``target`` (a connected environment or ``demo-sandbox``), the
        ``grouping`` (``per_expense`` or ``per_export``: one voucher per export and fiscal year), the
        ``journal_id`` (payroll only: names a second payroll run of a period, so it is booked beside
        the first; without it, rows for a booked period that differ from the booked ones are blocked),
        the state database and who prepares the plan.
    source:
        The journal file, when it is not ``settings.source`` as given (the notebook's ``demo`` resolved
        by :func:`journal_source`); receipts are found relative to its folder.

    Raises
    ------
    DataInputError
        The journal, the column mapping or a mapping table is unusable (naming the file, row and field).
    """
    kind, target, connection = settings.kind, settings.target, settings.connection
    source = settings.source if source is None else source
    columns = settings.columns or None
    source = Path(source)
    names = load_mapping(columns, kind) if columns else None
    tables = MappingTables.read(settings.mapping_dir)
    stack = contextlib.ExitStack()
    try:
        client_options = dict(client_options or {})
        client, label, refs, rules = open_connected(stack, target, connection=connection,
                                                    transport=transport, client_options=client_options)
        tables = tables.with_setup_defaults(rules)
        if kind == "expenses":
            drafts = build_expense_vouchers(read_expenses(source, names or None), tables, refs, rules)
        else:
            drafts = build_payroll_vouchers(read_payroll(source, names or None), tables, refs, rules,
                                            settings.journal_id)
        state_path = state_path_for((target,), settings.state_db, connection)
        db = open_state(state_path)
        stack.callback(db.close)
        poster = get_system(client.system).make_voucher_poster(client, **settings.poster_options())
        session = BookingSession(kind, source, label, refs, rules, tables, drafts, poster, Bookings(db, poster.target),
                                OperationsLog(db), settings.grouping, settings.prepared_by or getpass.getuser(), state_path,
                                language,
                                client_options.get("sleep", time.sleep), stack)
    except BaseException:
        stack.close()
        raise
    return session


def run_booking(settings: BookingSettings, *, out: TextIO | None = None, **open_options: Any) -> int:
    """``ops book-vouchers``: build, plan, dry-run or book, write the results; return the exit code.

    ``settings.apply``, ``approved_booking_hash``, ``approved_by`` and ``four_eyes`` say whether and under
    whose approval the plan is booked; ``open_options`` go to :func:`open_booking`.
    """
    out = out or sys.stdout
    kind, source, target, apply = settings.kind, settings.source, settings.target, settings.apply
    with open_booking(settings, **open_options) as session:
        plan = session.plan()
        out.write(plan.describe() + "\n\n")
        result = session.run(plan, apply=apply, approved_hash=settings.approved_booking_hash,
                             approved_by=settings.approved_by or (getpass.getuser() if apply else ""),
                             four_eyes=settings.four_eyes)
        written = result.write(Path(settings.out_dir))
    out.write(result.describe() + "\n")
    if not apply and plan.to_send:
        out.write(f"\nTo book: ops book-vouchers --{kind} {source} --target {target} --apply "
                  f"--approved-hash {plan.plan_hash}\n")
    out.write("Written: " + ", ".join(str(p) for p in written.values()) + "\n")
    return result.exit_code

