"""One invoice-basis export end to end, for ``ops invoices drafts`` and ``40_invoices.ipynb``.

:func:`open_drafts` reads the project tool's invoice-basis export,
connects to the accounting system (a connected environment or
``demo-sandbox``), reads its customers, products and projects through the
register cache and runs the preflight. The :class:`DraftSession` it
returns plans (:meth:`DraftSession.plan`: a dry run that shows every
invoice, its rows, totals and problems) and creates the drafts once
approved (:meth:`DraftSession.run`), keeping the connection open in
between. After an apply, the drafts made are written back to the project
tool as ``Överförd eEkonomi`` in a status import file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

import httpx

from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, record_plan
from ops_lib.core.money import money_text
from ops_lib.invoicing.basis_file import InvoiceBasisFile, read_invoice_basis
from ops_lib.invoicing.commands import apply_command
from ops_lib.invoicing.connected import company_currency, invoice_poster, open_invoicing
from ops_lib.invoicing.draft_apply import apply_drafts, dry_run_drafts
from ops_lib.invoicing.draft_plan import DraftPlan, plan_drafts
from ops_lib.invoicing.draft_result import DraftResult
from ops_lib.invoicing.preflight import InvoicePreflight, read_known, registers_needed, run_preflight
from ops_lib.invoicing.settings import DEMO_EXPORT, DraftSettings
from ops_lib.invoicing.status_file import StatusLine, write_status_file
from ops_lib.invoicing.transfers import CREATED, InvoiceTransfers, invoice_lock
from ops_lib.model.invoices import TRANSFERRED, ZERO
from ops_lib.state.cache import RegisterCache
from ops_lib.state.oplog import OperationsLog
from ops_lib.systems.registry import get as get_system

# The committed demo export, found by path: the flows never import the sandbox.
DEMO_BASIS = Path(__file__).resolve().parent.parent / "sandbox" / "pm_export" / "invoice_basis.csv"


def basis_source(source: str | Path) -> Path:
    """The export to read: the file given, or for ``demo`` the committed demo export."""
    return DEMO_BASIS if str(source) == DEMO_EXPORT else Path(source)


def make_poster(client: Any, options: Mapping[str, Any]) -> Any:
    """The connected system's invoice poster (:func:`ops_lib.invoicing.connected.invoice_poster`).

    Raises
    ------
    ConfigurationError
        The system has no invoice flows.
    """
    return invoice_poster(get_system(client.system), client, options)


@dataclass
class DraftSession:
    """One export's invoice bases, checked against one connected company, with the connection open."""

    source: Path
    label: str
    basis: InvoiceBasisFile
    preflight: InvoicePreflight
    poster: Any
    transfers: InvoiceTransfers
    oplog: OperationsLog
    prepared_by: str
    state_path: str
    out_dir: Path
    language: str = "en"
    sleep: Callable[[float], None] = time.sleep
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def plan(self) -> DraftPlan:
        """Every invoice basis sorted against the preflight, the ledger and the system, recorded with its preparer.

        The bases that would be new are looked up in the system first (one bulk read by marker): a draft
        made from another machine or state database is recorded, never made again.
        """
        plan = plan_drafts(str(self.source), self.basis.bases, self.preflight, self.transfers, self.poster.payload,
                           self.basis.left, self.poster.states)
        record_plan(plan, self.book, self.prepared_by)
        return plan

    @property
    def book(self) -> PlanBook:
        """The plans and approvals, in the same state database as the ledger."""
        return PlanBook(self.oplog.db)

    def preparer(self, plan: DraftPlan) -> str:
        """Who prepared ``plan``, as first recorded (four-eyes refuses them as its approver)."""
        return self.book.preparer(plan.plan_hash, self.prepared_by)

    def run(self, plan: DraftPlan, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> DraftResult:
        """A dry run (default), or the approved plan's drafts created through the ledger.

        Raises
        ------
        ConflictError
            The approval is for another plan, four-eyes refuses the approver, or another run is
            creating drafts for this company now.
        """
        if not apply:
            return DraftResult(plan, tuple(dry_run_drafts(plan)), False)
        approval = authorise(plan, self.book, approved_hash, approved_by, four_eyes=four_eyes,
                             prepared_by=self.prepared_by)
        with invoice_lock(self.state_path, self.transfers.target):
            outcomes = apply_drafts(plan, self.poster, self.transfers, approval, language=self.language,
                                    sleep=self.sleep)
            status = self.report_transferred()
        return DraftResult(plan, tuple(outcomes), True, approval, status)

    def report_transferred(self, day: dt.date | None = None) -> Path | None:
        """Write ``Överförd eEkonomi`` for every draft not yet reported to the project tool; mark them reported.

        Drafts an earlier run made but could not report (it stopped in between) are reported too.
        """
        rows = [r for r in self.transfers.created_rows() if not r.reported_state]
        if not rows:
            return None
        day = day or dt.date.today()
        path = write_status_file(self.out_dir, [StatusLine(r.number, TRANSFERRED, "", day) for r in rows])
        for row in rows:
            self.transfers.reported(row.source_key, TRANSFERRED)
        return path

    def record(self, plan: DraftPlan, outcome: Any) -> dict[str, Any]:
        """What the notebook records for ``ops run``, the run header and the audit review."""
        applied = isinstance(outcome, DraftResult) and outcome.applied
        result = outcome if isinstance(outcome, DraftResult) else self.run(plan)
        total = sum((i.basis.total for i in plan.to_send), ZERO)
        return {"register": plan.register, "findings": result.count("blocked", "failed", "unknown"),
                "plan_hash": plan.plan_hash, "status_counts": result.counts(), "writes_planned": len(plan.to_send),
                "actions_applied": len(result.created) if applied else 0, "dry_run": not applied,
                "sources": [str(self.source), self.label], "company": self.transfers.target,
                "control_planned_total": money_text(total)}

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "DraftSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_drafts(settings: DraftSettings, *, transport: httpx.BaseTransport | None = None, language: str = "en",
                client_options: Mapping[str, Any] | None = None) -> DraftSession:
    """Read the invoice-basis export, connect, read the registers and run the preflight.

    Parameters
    ----------
    settings:
        The export (``source``; ``demo``: the committed demo export), the ``default_article``, the
        ``target`` and its connection, the system's options, the state database and the preparer.
    client_options:
        Passed to the connection (``sleep`` also sets the wait before a lost answer is looked up).

    Raises
    ------
    DataInputError
        The export is unusable (naming the file, row and column).
    ConfigurationError
        The connection cannot be made, or the system cannot take invoice drafts.
    """
    source = basis_source(settings.source)
    basis = read_invoice_basis(source, default_article=settings.default_article)
    stack = contextlib.ExitStack()
    try:
        client_options = dict(client_options or {})
        connected = open_invoicing(stack, settings, transport=transport, client_options=client_options)
        client, label, poster, db = connected.client, connected.label, connected.poster, connected.db
        cache = RegisterCache(db, client.system, client.session.key)
        known, synced, currencies = read_known(client, registers_needed(basis.bases), cache=cache,
                                               options=settings.options())
        transfers = InvoiceTransfers(db, poster.target)
        done = {t.number for t in transfers.of(b.key for b in basis.bases).values() if t.status == CREATED}
        preflight = run_preflight(basis.bases, known, synced, label, poster.check, done, currencies,
                                  company_currency(connected.rules) if connected.rules.country else "")
        session = DraftSession(source, label, basis, preflight, poster, transfers,
                               OperationsLog(db), settings.prepared_by or getpass.getuser(), connected.state_path,
                               Path(settings.out_dir), language, client_options.get("sleep", time.sleep), stack)
    except BaseException:
        stack.close()
        raise
    return session


def run_drafts(settings: DraftSettings, *, out: TextIO | None = None, **open_options: Any) -> int:
    """``ops invoices drafts``: read, preflight, plan, dry-run or create, write the results; return the exit code.

    ``settings.apply``, ``approved_hash``, ``approved_by`` and ``four_eyes`` say whether and under whose
    approval the drafts are created; ``open_options`` go to :func:`open_drafts`.
    """
    out = out or sys.stdout
    apply = settings.apply
    with open_drafts(settings, **open_options) as session:
        plan = session.plan()
        out.write(plan.describe() + "\n\n")
        result = session.run(plan, apply=apply, approved_hash=settings.approved_hash,
                             approved_by=settings.approved_by or (getpass.getuser() if apply else ""),
                             four_eyes=settings.four_eyes)
        written = result.write(Path(settings.out_dir))
    out.write(result.describe() + "\n")
    if not apply and plan.to_send:
        flags = {"--source": settings.source, "--default-article": settings.default_article}
        out.write(f"\nTo create the drafts: {apply_command('drafts', settings, plan.plan_hash, flags)}\n")
    out.write("Written: " + ", ".join(str(p) for p in written.values()) + "\n")
    return result.exit_code


__all__ = ["DEMO_BASIS", "DraftSession", "basis_source", "make_poster", "open_drafts", "run_drafts"]
