"""Supplier invoices back to the project tool as project costs, for ``ops invoices supplier-costs`` and the notebook.

:func:`open_costs` connects to the accounting system and reads the
period's booked supplier invoices. The :class:`CostSession` it returns
plans (:meth:`CostSession.plan`: every cost line sorted against the cost
ledger; nothing is written) and, once the plan is approved
(:mod:`ops_lib.approvals`, as a voucher booking is), writes the new lines
into a new project-cost import file (:meth:`CostSession.run`).

The apply never duplicates and never loses a line, whatever moment a
crash picks: the lines are marked ``writing`` with the file's name
(committed), the content goes to a hidden temp file, the lines are marked
``written``, and the temp file is renamed into place. Each plan and apply
first finishes what a crash left (:func:`~ops_lib.invoicing.cost_apply.recover_files`);
see :mod:`ops_lib.invoicing.cost_apply`.
Nothing is written to the accounting system; the approval is for the
file the project tool will import.
"""

from __future__ import annotations

import contextlib
import getpass
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

import httpx

from ops_lib.approvals.book import PlanBook
from ops_lib.approvals.checks import authorise, record_plan
from ops_lib.core.errors import ConfigurationError
from ops_lib.core.options import connection_values, flag, nested, option, path_text, settings_from, text
from ops_lib.invoicing.commands import apply_command
from ops_lib.invoicing.connected import InvoicingConnection, company_currency, open_invoicing
from ops_lib.invoicing.cost_apply import apply_costs, recover_files
from ops_lib.invoicing.cost_result import CostResult, planned_outcomes
from ops_lib.invoicing.costs import CostPlan, CostTransfers, plan_costs
from ops_lib.invoicing.periods import PERIOD_HELP, SINCE_LAST_MONTH, Period, parse_period, period_text
from ops_lib.invoicing.transfers import invoice_lock
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.country_rules import country_rules
from ops_lib.model.invoices import SupplierInvoice
from ops_lib.sources.open import DEMO_SOURCE
from ops_lib.systems.options import SystemOptions, default_options, system_name, system_options
from ops_lib.systems.registry import DEFAULT_SYSTEM

STANDARD_RATE = "standard"


@dataclass(frozen=True)
class CostSettings:
    """Which company's supplier invoices, for which period, billable or not, and the approval (passed through)."""

    system: str = option(DEFAULT_SYSTEM, system_name, "the accounting system the supplier invoices are in")
    target: str = option(DEMO_SOURCE, text, "demo-sandbox, or a connected environment")
    company: str = option("", text, "organisation number, when several companies are connected")
    sandbox_url: str = option("", text, "empty: OPS_SANDBOX_URL or the default sandbox address")
    tenant_id: str = option("", text, "a service integration's tenant (client-credentials systems); empty: none")
    period: str = option(SINCE_LAST_MONTH, period_text, f"the supplier invoices' dates: {PERIOD_HELP}")
    billable: bool = option(False, flag, "the costs are billable to the project's customer in the project tool")
    state_db: str = option("", path_text, "cost ledger and plans; empty: the configuration directory's")
    out_dir: str = option("build/invoices", path_text, "where the import file and the results go", relative=True)
    prepared_by: str = option("", text, "who prepared the plan; empty: the OS user")
    apply: bool = option(False, flag, "headless: write the approved plan's import file")
    approved_hash: str = option("", text, "headless: the supplier cost plan hash an approver signed off")
    approved_by: str = option("", text, "the approver's name")
    four_eyes: bool = option(False, flag, "the approver must not be the preparer")
    system_options: SystemOptions = nested(default_options, system_options, "the accounting system's options",
                                           key="system")

    @property
    def connection(self) -> dict[str, str]:
        """The connection parameters given (empty ones are left to the defaults; the system always)."""
        return connection_values(self)


def cost_settings(values: Mapping[str, Any] | None = None, **given: Any) -> CostSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`CostSettings`.

    Raises
    ------
    ConfigurationError
        Naming the unknown parameter, or the field whose value is wrong (a bad ``period``, say).
    """
    return settings_from(CostSettings, {**dict(values or {}), **given}, "supplier costs")


def standard_rate(rules: SetupRules) -> Callable[[date], Decimal]:
    """Day -> the standard VAT rate (a fraction) of the system's country in force that day.

    Raises
    ------
    ConfigurationError
        The system names no country, so the company's default rate is not known.
    """
    if not rules.country:
        raise ConfigurationError("the accounting system names no country, so the company's standard VAT rate for "
                                 "the project costs is not known")
    found = country_rules(rules.country)

    def rate(day: date) -> Decimal:
        try:
            return found.rate(STANDARD_RATE, day)
        except KeyError as exc:
            raise ConfigurationError(f"{rules.country} has no standard VAT rate on {day}: {exc}") from exc
    return rate


@dataclass
class CostSession:
    """One period's supplier invoices, read from one connected company, with the connection open."""

    period: Period
    invoices: list[SupplierInvoice]
    connected: InvoicingConnection
    transfers: CostTransfers
    billable: bool
    out_dir: Path
    prepared_by: str
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    @property
    def label(self) -> str:
        return self.connected.label

    @property
    def book(self) -> PlanBook:
        """The plans and approvals, in the same state database as the cost ledger."""
        return PlanBook(self.transfers.db)

    def plan(self) -> CostPlan:
        """Every cost line sorted against the ledger, recorded with its preparer. Nothing is written."""
        with self._lock():
            recover_files(self.transfers)  # a crash's temp files: renamed into place, or deleted and replanned
        plan = plan_costs(self.transfers.target, self.period, self.invoices, self.transfers,
                          standard_rate(self.connected.rules), self.billable,
                          currency=company_currency(self.connected.rules))
        record_plan(plan, self.book, self.prepared_by)
        return plan

    def preparer(self, plan: CostPlan) -> str:
        """Who prepared ``plan``, as first recorded (four-eyes refuses them as its approver)."""
        return self.book.preparer(plan.plan_hash, self.prepared_by)

    def run(self, plan: CostPlan, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> CostResult:
        """A dry run (default), or the approved plan's new lines written into a new import file."""
        if not apply:
            return CostResult(plan, planned_outcomes(plan), False)
        approval = authorise(plan, self.book, approved_hash, approved_by, four_eyes=four_eyes,
                             prepared_by=self.prepared_by)
        with self._lock():
            applied = apply_costs(plan, self.transfers, self.out_dir)
        outcomes = planned_outcomes(plan, str(applied.file or ""), applied=True, already=applied.already,
                                    blocked=applied.blocked)
        return CostResult(plan, outcomes, True, approval, applied.file)

    def _lock(self) -> Any:
        """The supplier costs' lock: one plan recovery or apply per company at a time."""
        return invoice_lock(self.connected.state_path, self.transfers.target, "supplier costs")

    def record(self, plan: CostPlan, outcome: Any) -> dict[str, Any]:
        """What the notebook records for ``ops run``, the run header and the audit review."""
        applied = isinstance(outcome, CostResult) and outcome.applied
        result = outcome if isinstance(outcome, CostResult) else self.run(plan)
        return {"register": plan.register, "findings": result.count("blocked"), "plan_hash": plan.plan_hash,
                "status_counts": result.counts(), "writes_planned": len(plan.writable),
                "actions_applied": result.count("written") if applied else 0, "dry_run": not applied,
                "sources": [self.label], "period": self.period.describe(),
                "import_file": str(result.file) if result.file else ""}

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "CostSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_costs(settings: CostSettings, *, transport: httpx.BaseTransport | None = None,
               client_options: Mapping[str, Any] | None = None, today: date | None = None) -> CostSession:
    """Connect and read the period's supplier invoices.

    Parameters
    ----------
    settings:
        The ``target`` (a connected environment or ``demo-sandbox``), the ``period``, ``billable``, the state
        database, the output folder and who prepares the plan.
    today:
        The day the relative period names (``since_last_month``, ``this_week``, ...) count from (default: the local date).

    Raises
    ------
    ConfigurationError
        A bad period, or a system without invoice flows.
    """
    period = parse_period(settings.period, today=today)
    stack = contextlib.ExitStack()
    try:
        connected = open_invoicing(stack, settings, transport=transport, client_options=client_options)
        invoices = connected.poster.supplier_invoices(period.start, period.end)
        session = CostSession(period, list(invoices), connected, CostTransfers(connected.db, connected.poster.target),
                              settings.billable, Path(settings.out_dir), settings.prepared_by or getpass.getuser(),
                              stack)
    except BaseException:
        stack.close()
        raise
    return session


def run_costs(settings: CostSettings, *, out: TextIO | None = None, **open_options: Any) -> int:
    """``ops invoices supplier-costs``: read, plan, dry-run or write the import file, save the results.

    ``settings.apply``, ``approved_hash``, ``approved_by`` and ``four_eyes`` say whether and under whose
    approval the file is written; ``open_options`` go to :func:`open_costs`. Returns the exit code.
    """
    out = out or sys.stdout
    with open_costs(settings, **open_options) as session:
        plan = session.plan()
        out.write(plan.describe() + "\n\n")
        result = session.run(plan, apply=settings.apply, approved_hash=settings.approved_hash,
                             approved_by=settings.approved_by or (getpass.getuser() if settings.apply else ""),
                             four_eyes=settings.four_eyes)
        written = result.write(Path(settings.out_dir))
    out.write(result.describe() + "\n")
    if not settings.apply and plan.writable:
        flags = {"--period": settings.period, "--billable" if settings.billable else "--not-billable": True}
        command = apply_command("supplier-costs", settings, plan.plan_hash, flags)
        out.write(f"\nTo write the import file: {command}\n")
    out.write("Written: " + ", ".join(str(p) for p in written.values()) + "\n")
    return result.exit_code


__all__ = ["CostSession", "CostSettings", "company_currency", "cost_settings", "open_costs", "run_costs",
           "standard_rate"]
