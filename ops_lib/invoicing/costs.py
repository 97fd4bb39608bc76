"""Supplier invoices as project costs: the plan, and the ledger that keeps each from going back twice.

The accounting system's supplier invoices for a period (read by the
system's invoice poster, :meth:`~ops_lib.systems.base.InvoicePoster.supplier_invoices`)
become one cost line per invoice and project (:meth:`SupplierInvoice.by_project`):
description "<invoice date> <voucher number> <supplier name>", quantity
1, unit cost and unit price the invoice's amount on that project, VAT the
company's standard rate on the invoice date, billable as the settings
say. An invoice none of whose rows carries a project is listed (so a
person can add the project in the accounting system), never written.

The ledger (:class:`CostTransfers`, table ``cost_transfers``) has one row
per ``supplier-invoice:<id>:<project>`` and company; the same invoice is
never transferred twice, whatever periods overlap and however often the
run is repeated. A line is marked ``writing`` with its file's final name
(committed), the file's content goes to a hidden temp file (fsynced), the
line is marked ``written`` and only then is the temp file renamed to its
final name (:mod:`ops_lib.invoicing.cost_apply`). So a final file exists
only for ``written`` lines, and a ``writing`` line (a crash before that
commit) never reached the project tool: its temp file is deleted and it
is planned again. A ``written`` line is never written again, even when
its file is gone (imported and moved or deleted by a person). A
``writing`` line whose final file holds it (left by a version that wrote
the file before the mark) counts as written.
"""

from __future__ import annotations

import functools
import hashlib
import html
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable, Sequence

import pandas as pd

from ops_lib.core.money import canonical_json, money_text
from ops_lib.core.times import utc_now
from ops_lib.invoicing.cost_file import CostFileLine, file_has_line, unwritable
from ops_lib.invoicing.periods import Period
from ops_lib.model.invoices import ZERO, SupplierInvoice
from ops_lib.state.oplog import transaction

REGISTER = "supplier_costs"
WRITING, WRITTEN = "writing", "written"
NEW, WRITE_AGAIN, ALREADY, FOUND, BLOCKED = "new", "write_again", "already_transferred", "found_written", "blocked"
TO_WRITE = (NEW, WRITE_AGAIN)
NO_PROJECT = "no project on its rows"


@dataclass(frozen=True)
class CostTransfer:
    """One row of the cost ledger: a supplier invoice's cost on one project, and the file it went into."""

    source_key: str
    status: str
    plan_hash: str
    supplier_invoice_id: str
    project: str
    invoice_date: str
    amount: str
    file: str
    updated_at: str


class CostTransfers:
    """The cost ledger of one company (``target``) in the state database."""

    def __init__(self, db: sqlite3.Connection, target: str) -> None:
        self.db = db
        self.target = target

    def of(self, source_keys: Iterable[str]) -> dict[str, CostTransfer]:
        keys = list(dict.fromkeys(source_keys))
        found: dict[str, CostTransfer] = {}
        for at in range(0, len(keys), 500):  # SQLite's bound-parameter limit
            chunk = keys[at:at + 500]
            rows = self.db.execute(
                f"SELECT * FROM cost_transfers WHERE target = ? AND source_key IN ({', '.join('?' * len(chunk))})",
                (self.target, *chunk)).fetchall()
            found.update({r["source_key"]: CostTransfer(
                r["source_key"], r["status"], r["plan_hash"], r["supplier_invoice_id"], r["project"],
                r["invoice_date"], r["amount"], r["file"], r["updated_at"]) for r in rows})
        return found

    def written_of(self, invoice_ids: Iterable[str]) -> dict[str, list[CostTransfer]]:
        """Supplier invoice id -> its ``written`` lines (any project), for the ids that have some."""
        ids = list(dict.fromkeys(invoice_ids))
        found: dict[str, list[CostTransfer]] = {}
        for at in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[at:at + 500]
            rows = self.db.execute(
                f"SELECT source_key FROM cost_transfers WHERE target = ? AND status = 'written' AND "
                f"supplier_invoice_id IN ({', '.join('?' * len(chunk))}) ORDER BY source_key",
                (self.target, *chunk)).fetchall()
            for transfer in self.of(r["source_key"] for r in rows).values():
                found.setdefault(transfer.supplier_invoice_id, []).append(transfer)
        return found

    def files(self) -> list[tuple[str, str]]:
        """Every (file, status) pair the ledger holds, once each: what a recovery looks at."""
        rows = self.db.execute("SELECT DISTINCT file, status FROM cost_transfers WHERE target = ? ORDER BY file",
                               (self.target,)).fetchall()
        return [(r["file"], r["status"]) for r in rows]

    def writing(self, lines: Sequence["CostLine"], plan_hash: str, file: str) -> None:
        """Written (one transaction, committed) before ``file``'s temp file is: its name is then findable."""
        now = utc_now()
        with transaction(self.db):
            self.db.executemany(
                "INSERT INTO cost_transfers (target, source_key, status, plan_hash, supplier_invoice_id, project, "
                "invoice_date, amount, file, updated_at) VALUES (?, ?, 'writing', ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (target, source_key) DO UPDATE SET status = 'writing', plan_hash = excluded.plan_hash, "
                "amount = excluded.amount, file = excluded.file, updated_at = excluded.updated_at",
                [(self.target, line.key, plan_hash, line.invoice_id, line.project, line.invoice_date.isoformat(),
                  str(line.amount), file, now) for line in lines])

    def written(self, source_keys: Sequence[str]) -> None:
        """The lines are in their file's (fsynced) temp file, about to be renamed: never written again."""
        now = utc_now()
        with transaction(self.db):
            self.db.executemany("UPDATE cost_transfers SET status = 'written', updated_at = ? "
                                "WHERE target = ? AND source_key = ?",
                                [(now, self.target, key) for key in source_keys])


@dataclass(frozen=True)
class CostLine:
    """One supplier invoice's cost on one project, as it goes into the import file."""

    invoice_id: str
    invoice_number: str
    invoice_date: date
    voucher_number: str
    supplier_name: str
    project: str
    amount: Decimal
    vat_rate: Decimal  # a fraction (0.25), the company's standard rate on the invoice date
    billable: bool

    @property
    def key(self) -> str:
        """The ledger key: one invoice's cost on one project goes back once, ever, per company."""
        return f"supplier-invoice:{self.invoice_id}:{self.project}"

    @property
    def description(self) -> str:
        parts = (self.invoice_date.isoformat(), self.voucher_number, self.supplier_name)
        return " ".join(p.strip() for p in parts if p.strip())

    @property
    def file_line(self) -> CostFileLine:
        return CostFileLine(self.project, self.invoice_date, self.description, Decimal(1), self.amount, self.amount,
                            self.vat_rate * 100, self.billable, self.invoice_id)

    @functools.cached_property
    def digest(self) -> str:
        """What the line says, hashed: an approval covers exactly these lines."""
        text = canonical_json([self.key, self.invoice_date.isoformat(), self.description, str(self.amount),
                               str(self.vat_rate), self.billable])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PlannedCost:
    """One cost line of the plan, with what the ledger says about it (and why, when it is blocked)."""

    line: CostLine
    status: str
    transfer: CostTransfer | None = None
    problem: str = ""

    @property
    def digest(self) -> str:
        return self.line.digest

    @property
    def action(self) -> str:
        return "write_cost"

    @property
    def number(self) -> str:
        return f"{self.line.invoice_id}:{self.line.project}"

    @property
    def name(self) -> str:
        return self.line.description


@dataclass(frozen=True)
class CostPlan:
    """The supplier costs of one period for one company, sorted against the ledger."""

    target: str
    period: Period
    costs: tuple[PlannedCost, ...]
    unassigned: tuple[SupplierInvoice, ...] = ()

    @property
    def register(self) -> str:
        return REGISTER

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    @property
    def actions(self) -> tuple[PlannedCost, ...]:
        """What the approval covers: every line not in a file already (those drop out on a rerun)."""
        return tuple(c for c in self.costs if c.status not in (ALREADY, FOUND))

    @property
    def writable(self) -> tuple[PlannedCost, ...]:
        """The lines this run writes into a new import file."""
        return self.with_status(*TO_WRITE)

    def with_status(self, *statuses: str) -> tuple[PlannedCost, ...]:
        return tuple(c for c in self.costs if c.status in statuses)

    @functools.cached_property
    def plan_hash(self) -> str:
        digest = hashlib.sha256(canonical_json([self.register, self.target]).encode("utf-8"))
        for d in sorted(c.digest for c in self.actions):
            digest.update(d.encode("ascii"))
        return digest.hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """One row per cost line (and per invoice without a project), with its status and file."""
        rows = [{"key": c.line.key, "supplier_invoice": c.line.invoice_id, "invoice_number": c.line.invoice_number,
                 "project": c.line.project, "date": c.line.invoice_date.isoformat(),
                 "description": c.line.description, "quantity": 1, "unit_cost": c.line.amount,
                 "unit_price": c.line.amount, "vat_percent": c.line.vat_rate * 100, "billable": c.line.billable,
                 "status": c.status, "file": c.transfer.file if c.transfer else "", "problem": c.problem}
                for c in self.costs]
        rows += [{"key": "", "supplier_invoice": i.id, "invoice_number": i.invoice_number, "project": "",
                  "date": i.invoice_date.isoformat(), "description": f"{i.voucher_number} {i.supplier_name}".strip(),
                  "quantity": 1, "unit_cost": i.total, "unit_price": i.total, "vat_percent": None, "billable": None,
                  "status": "not_transferred", "file": "", "problem": NO_PROJECT} for i in self.unassigned]
        return pd.DataFrame(rows, columns=["key", "supplier_invoice", "invoice_number", "project", "date",
                                           "description", "quantity", "unit_cost", "unit_price", "vat_percent",
                                           "billable", "status", "file", "problem"])

    def headline(self) -> str:
        total = sum((c.line.amount for c in self.writable), ZERO)
        return (f"{len(self.writable)} cost line(s) to write ({money_text(total)}), "
                f"{len(self.with_status(ALREADY, FOUND))} already transferred, "
                f"{len(self.with_status(BLOCKED))} blocked, {len(self.unassigned)} invoice(s) with {NO_PROJECT}")

    def describe(self) -> str:
        lines = [f"Supplier cost plan {self.plan_hash} ({self.period.describe()} from {self.target}):",
                 f"  {self.headline()}"]
        for c in self.costs:
            if c.status == BLOCKED:
                lines.append(f"  - blocked {c.number}: {c.problem}")
            elif c.status in (ALREADY, FOUND):
                lines.append(f"  - already transferred {c.number} ({c.transfer.file if c.transfer else ''})")
            else:
                again = " (an interrupted run never published its file)" if c.status == WRITE_AGAIN else ""
                lines.append(f"  - {c.status} {c.line.project}: {c.line.description}: {money_text(c.line.amount)}"
                             f"{again}")
        for invoice in self.unassigned:
            lines.append(f"  - not transferred: supplier invoice {invoice.invoice_number or invoice.id} "
                         f"({invoice.supplier_name}, {invoice.invoice_date}): {NO_PROJECT}; set the project on "
                         f"the rows in the accounting system if it is a project cost")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        head = (f"<p class='ops-plan-head'><b>Supplier cost plan</b> <code>{html.escape(self.plan_hash)}</code> "
                f"({html.escape(self.period.describe())}): {html.escape(self.headline())}. "
                f"Nothing has been written.</p>")
        return head + self.to_frame().to_html(index=False, escape=True, classes="ops-plan-table")


def cost_lines(invoice: SupplierInvoice, vat_rate: Decimal, billable: bool) -> list[CostLine]:
    """One line per project on ``invoice``'s rows, in project order (none when no row has a project)."""
    return [CostLine(invoice.id, invoice.invoice_number, invoice.invoice_date, invoice.voucher_number,
                     invoice.supplier_name, project, amount, vat_rate, billable)
            for project, amount in sorted(invoice.by_project().items())]


def moved_problem(line: CostLine, written: Sequence[CostTransfer]) -> str:
    """Why a new line of an invoice already written on other projects is not written ("" when it is not one).

    The ledger key is invoice and project, so an invoice moved from P100 to P200 after its transfer
    would otherwise go again, as a cost on P200 beside the one still on P100. Lines of one invoice
    split across projects go together in its first transfer, so a new project later means a change.
    """
    others = [t for t in written if t.project != line.project]
    if not others:
        return ""
    projects = ", ".join(sorted({t.project for t in others}))
    days = ", ".join(sorted({t.updated_at[:10] for t in others}))
    return (f"supplier invoice {line.invoice_number or line.invoice_id} of {line.supplier_name} was transferred to "
            f"project(s) {projects} on {days}; its project rows changed since — correct it in the project tool "
            f"by hand")


def currency_problem(invoice: SupplierInvoice, currency: str) -> str:
    """Why ``invoice`` cannot go as a cost in the company's ``currency`` ("" when it is in it, or names none).

    The project tool's cost file has no currency column: its amounts are the company's currency. An
    invoice in another currency would land with its foreign amount read as, say, SEK.
    """
    own = (invoice.currency or "").strip().upper()
    if not own or own == currency.upper():
        return ""
    return (f"the supplier invoice is in {own}, not the company's currency {currency.upper()}: the project "
            f"tool's cost file has no currency, so its amounts would be read as {currency.upper()}; enter the "
            f"cost in the project tool by hand, in {currency.upper()}")


def _sorted(line: CostLine, transfer: CostTransfer | None, written: Sequence[CostTransfer] = (),
            foreign: str = "") -> PlannedCost:
    """One line against its ledger row: new, already transferred, found in its file, to write again, blocked."""
    if transfer is not None and transfer.status == WRITTEN:
        return PlannedCost(line, ALREADY, transfer)
    if transfer is not None and file_has_line(transfer.file, line.invoice_id, line.project):
        return PlannedCost(line, FOUND, transfer)
    if foreign:
        return PlannedCost(line, BLOCKED, transfer, problem=foreign)
    if transfer is not None:
        return PlannedCost(line, WRITE_AGAIN, transfer)
    moved = moved_problem(line, written)
    if moved:
        return PlannedCost(line, BLOCKED, problem=moved)
    if line.amount == ZERO:
        return PlannedCost(line, BLOCKED, problem="the rows on this project sum to zero: nothing to transfer")
    problem = unwritable(line.file_line)
    return PlannedCost(line, BLOCKED, problem=problem) if problem else PlannedCost(line, NEW)


def plan_costs(target: str, period: Period, invoices: Sequence[SupplierInvoice], transfers: CostTransfers,
               vat_rate: Callable[[date], Decimal], billable: bool, *, currency: str) -> CostPlan:
    """Sort the period's supplier invoices' cost lines against the ledger. Nothing is written.

    Parameters
    ----------
    target:
        The company's stable key (the ledger's and the plan hash's).
    period:
        The days read; an invoice dated outside it (a system that filters loosely) is left out.
    invoices:
        The booked supplier invoices of the period.
    transfers:
        The cost ledger of ``target``.
    vat_rate:
        Day -> the company's standard VAT rate (a fraction) in force that day.
    billable:
        Whether the costs are billable in the project tool.
    currency:
        The company's currency (the country's, ``SEK``): a line of an invoice in another one is blocked.
    """
    lines: list[CostLine] = []
    foreign: dict[str, str] = {}
    unassigned: list[SupplierInvoice] = []
    unique = {i.id: i for i in invoices if i.invoice_date in period}  # a system that pages loosely may repeat one
    for invoice in sorted(unique.values(), key=lambda i: (i.invoice_date, i.voucher_number, i.id)):
        found = cost_lines(invoice, vat_rate(invoice.invoice_date), billable)
        if found:
            lines.extend(found)
            foreign[invoice.id] = currency_problem(invoice, currency)
        else:
            unassigned.append(invoice)
    known = transfers.of(line.key for line in lines)
    written = transfers.written_of(line.invoice_id for line in lines if line.key not in known)
    costs = tuple(_sorted(line, known.get(line.key), written.get(line.invoice_id, ()), foreign[line.invoice_id])
                  for line in lines)
    return CostPlan(transfers.target, period, costs, tuple(unassigned))


__all__ = ["ALREADY", "BLOCKED", "CostLine", "CostPlan", "CostTransfer", "CostTransfers", "FOUND", "NEW",
           "NO_PROJECT", "PlannedCost", "REGISTER", "WRITE_AGAIN", "WRITING", "WRITTEN", "cost_lines", "currency_problem",
           "moved_problem", "plan_costs"]
