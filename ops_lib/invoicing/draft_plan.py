"""Which invoice drafts a run would create: each invoice basis sorted against the preflight and the ledger.

:func:`plan_drafts` sorts every invoice basis read from the export
(:mod:`ops_lib.invoicing.basis_file`) into *new*, *already transferred*
(a draft exists: never sent again), *check first* (an earlier run was
interrupted or lost its answer: the system is searched for the draft
before anything is sent), *in the system* (no ledger row here, but the
system already holds a draft, or an invoice made of one, carrying its
marker: made from another machine, another state database or before a
state file was lost; it is recorded at apply, never sent), *blocked* (the preflight's problems, or a
payload the system cannot build, each with the fix) or *credit note*
(credit notes are not transferred, and the plan says so every time it
meets one). The bases that would be new are looked up in the system
first, all in one bulk read (the poster's ``states``), so the ledger is
not the only thing between a basis and a second draft. The plan hash covers the target and every planned invoice's
digest, which holds the basis's own digest and the payload that would be
sent, so an approval cannot carry over to a plan whose rows, prices or
customer moved. :mod:`ops_lib.invoicing.draft_apply` applies the approved plan.
"""

from __future__ import annotations

import functools
import hashlib
import html
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from ops_lib.core.money import canonical_json, money_text
from ops_lib.invoicing.preflight import InvoicePreflight, InvoiceProblem
from ops_lib.invoicing.transfers import CREATED, OPEN, InvoiceTransfer, InvoiceTransfers
from ops_lib.model.invoices import MISSING, TRANSFERRED, ZERO, InvoiceBasis, InvoiceState
from ops_lib.systems.base import PlanBlocked

NEW, ALREADY_TRANSFERRED, CHECK_FIRST, IN_SYSTEM, BLOCKED, CREDIT_NOTE = (
    "new", "already_transferred", "check_first", "in_system", "blocked", "credit_note")
STATUSES = (NEW, CHECK_FIRST, IN_SYSTEM, ALREADY_TRANSFERRED, BLOCKED, CREDIT_NOTE)
INVOICE_DATE_RULE = ("Invoice dates are kept from the project tool: each draft carries its invoice basis's own "
                     "invoice date (Fakturadatum), not the day it is transferred.")
CREDIT_NOTE_RULE = "credit notes are not transferred: make the credit note in the accounting system"


@dataclass(frozen=True)
class PlannedInvoice:
    """One invoice basis of the plan, with its problems, the payload it would send and the ledger's row."""

    basis: InvoiceBasis
    status: str
    problems: tuple[InvoiceProblem, ...] = ()
    payload: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    transfer: InvoiceTransfer | None = None
    note: str = ""
    found: InvoiceState | None = None

    @property
    def found_id(self) -> str:
        """The id of what the system holds (the draft, else the invoice made of it); "" when not found."""
        return (self.found.draft_id or self.found.invoice_id) if self.found else ""

    @functools.cached_property
    def digest(self) -> str:
        """The basis's content, the payload and the problems: the same whether new or checked first.

        A problem counts by what it is, not by its fix: the fix says when a register was last synced, and
        each run's own read moves that, so the dry run and its apply would never plan the same.
        """
        problems = [[p.code, p.message] for p in self.problems]
        parts: list[Any] = [self.basis.digest, dict(self.payload or {}), problems]
        if self.status == IN_SYSTEM:  # recorded, not sent: an approval of sending it does not cover this
            parts.append([IN_SYSTEM, self.found_id])
        text = canonical_json(parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def action(self) -> str:
        return "create_invoice_draft"

    @property
    def number(self) -> str:
        return self.basis.number

    @property
    def name(self) -> str:
        return self.basis.customer.name

    @property
    def why(self) -> str:
        """Why it is not sent now: the problems, the credit-note rule, or the ledger's note."""
        if self.problems:
            return "; ".join(p.sentence for p in self.problems)
        return CREDIT_NOTE_RULE if self.status == CREDIT_NOTE else self.note


@dataclass(frozen=True)
class DraftPlan:
    """Every invoice basis of one export, sorted for one company; nothing has been sent."""

    source: str
    target: str
    invoices: tuple[PlannedInvoice, ...]
    preflight: InvoicePreflight
    left: Mapping[str, int] = field(default_factory=dict)

    @property
    def register(self) -> str:
        return "invoices"

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    @property
    def actions(self) -> tuple[PlannedInvoice, ...]:
        """What the approval covers: every invoice but those transferred already and the credit notes."""
        return tuple(i for i in self.invoices if i.status not in (ALREADY_TRANSFERRED, CREDIT_NOTE))

    @functools.cached_property
    def plan_hash(self) -> str:
        digest = hashlib.sha256(canonical_json([self.register, self.target]).encode("utf-8"))
        for d in sorted(i.digest for i in self.actions):
            digest.update(d.encode("ascii"))
        return digest.hexdigest()

    def with_status(self, *statuses: str) -> tuple[PlannedInvoice, ...]:
        return tuple(i for i in self.invoices if i.status in statuses)

    @property
    def to_send(self) -> tuple[PlannedInvoice, ...]:
        return self.with_status(NEW, CHECK_FIRST)

    @property
    def writable(self) -> tuple[PlannedInvoice, ...]:
        """What the approval form's button creates (the same as :attr:`to_send`)."""
        return self.to_send

    @property
    def payloads(self) -> dict[str, Mapping[str, Any]]:
        """Invoice basis number -> the draft body it would send (for the review and the results file)."""
        return {i.number: i.payload for i in self.to_send if i.payload is not None}

    def totals(self) -> pd.DataFrame:
        """Invoices and their row totals (before VAT, unrounded) per status."""
        return pd.DataFrame([{"status": s, "invoices": len(self.with_status(s)),
                              "total": sum((i.basis.total for i in self.with_status(s)), ZERO)} for s in STATUSES])

    def to_frame(self) -> pd.DataFrame:
        """One row per invoice basis: customer, dates, rows, total, status, draft, and why it waits."""
        return pd.DataFrame([{
            "invoice": i.number, "customer_number": i.basis.customer.customer_number, "customer": i.name,
            "invoice_date": i.basis.invoice_date.isoformat(),
            "due_date": i.basis.due_date.isoformat() if i.basis.due_date else "",
            "rows": len(i.basis.rows), "total": i.basis.total, "status": i.status,
            "draft_id": i.found_id or (i.transfer.draft_id if i.transfer else ""), "why": i.why} for i in self.invoices],
            columns=["invoice", "customer_number", "customer", "invoice_date", "due_date", "rows", "total", "status",
                     "draft_id", "why"])

    def rows_frame(self) -> pd.DataFrame:
        """One row per invoice row, text rows in place: what each draft would hold."""
        return pd.DataFrame([{
            "invoice": i.number, "line": r.line, "kind": r.kind, "article": r.article, "defaulted": r.defaulted,
            "text": r.text, "quantity": r.quantity, "unit": r.unit, "unit_price": r.unit_price, "amount": r.amount,
            "project": r.project, "status": i.status} for i in self.invoices for r in i.basis.rows],
            columns=["invoice", "line", "kind", "article", "defaulted", "text", "quantity", "unit", "unit_price",
                     "amount", "project", "status"])

    def headline(self) -> str:
        total = sum((i.basis.total for i in self.to_send), ZERO)
        return (f"{len(self.to_send)} draft(s) to create ({money_text(total)} before VAT), "
                f"{len(self.with_status(ALREADY_TRANSFERRED))} already transferred, "
                f"{len(self.with_status(IN_SYSTEM))} found in the system (recorded, not sent), "
                f"{len(self.with_status(BLOCKED))} blocked, {len(self.with_status(CREDIT_NOTE))} credit note(s) "
                f"not transferred")

    def left_text(self) -> str:
        if not self.left:
            return ""
        states = ", ".join(f"{s or '(no status)'}: {n}" for s, n in sorted(self.left.items()))
        return f"{sum(self.left.values())} invoice basis(es) left in other states ({states})"

    def describe(self) -> str:
        lines = [f"Invoice draft plan {self.plan_hash} ({self.source} to {self.target}):", f"  {self.headline()}",
                 f"  {INVOICE_DATE_RULE}"]
        if self.left:
            lines.append(f"  {self.left_text()}")
        for register in self.preflight.registers_to_sync:
            lines.append(f"  reconcile and sync {register} first (last synced: "
                         f"{self.preflight.synced.get(register, 'never')})")
        for i in self.invoices:
            b = i.basis
            head = f"  - {i.status} {b.number} {b.invoice_date} {b.customer.customer_number} {b.customer.name}"
            if i.status in (BLOCKED, CREDIT_NOTE):
                lines.append(f"{head}: {i.why}")
            elif i.status == IN_SYSTEM:
                lines.append(f"{head}: {i.note}")
            elif i.status == ALREADY_TRANSFERRED:
                lines.append(f"{head}: draft {i.transfer.draft_id if i.transfer else ''}"
                             f"{'; ' + i.note if i.note else ''}")
            else:
                lines.append(f"{head}: {money_text(b.total)} ({len(b.article_rows)} invoice row(s), "
                             f"{len(b.rows) - len(b.article_rows)} text row(s))"
                             f"{'; ' + i.note if i.note else ''}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        notes = [INVOICE_DATE_RULE, *([self.left_text()] if self.left else [])]
        head = (f"<p class='ops-plan-head'><b>Invoice draft plan</b> <code>{html.escape(self.plan_hash)}</code>: "
                f"{html.escape(self.headline())}. Nothing has been sent.</p>"
                + "".join(f"<p>{html.escape(n)}</p>" for n in notes))
        return (head + "<h4>Preflight</h4>" + self.preflight._repr_html_()
                + "<h4>Invoices</h4>" + self.to_frame().to_html(index=False, escape=True, classes="ops-plan-table")
                + "<h4>Rows</h4>" + self.rows_frame().to_html(index=False, escape=True, classes="ops-plan-rows"))


def _sorted(basis: InvoiceBasis, problems: tuple[InvoiceProblem, ...], transfer: InvoiceTransfer | None,
            payload: Callable[[InvoiceBasis], Mapping[str, Any]] | None) -> PlannedInvoice:
    """One invoice basis against its problems and the ledger."""
    if basis.is_credit:
        return PlannedInvoice(basis, CREDIT_NOTE)
    if transfer is not None and transfer.status == CREATED:
        changed = transfer.source_digest and transfer.source_digest != basis.digest
        return PlannedInvoice(basis, ALREADY_TRANSFERRED, transfer=transfer,
                              note="the invoice basis changed since it was transferred; change the draft in the "
                                   "accounting system" if changed else "")
    if problems:
        return PlannedInvoice(basis, BLOCKED, problems, transfer=transfer)
    try:
        body = payload(basis) if payload else None
    except PlanBlocked as exc:
        problem = InvoiceProblem(basis.number, "lookup", str(exc), "reconcile and sync the registers first")
        return PlannedInvoice(basis, BLOCKED, (problem,), transfer=transfer)
    if transfer is not None and transfer.status in OPEN:
        return PlannedInvoice(basis, CHECK_FIRST, payload=body, transfer=transfer,
                              note="an earlier run was interrupted: the draft is looked up before anything is sent")
    return PlannedInvoice(basis, NEW, payload=body, transfer=transfer,
                          note=f"refused before: {transfer.message}" if transfer is not None and transfer.message
                          else "")


def found_note(state: InvoiceState) -> str:
    """What the system holds for a basis the ledger does not know, and what the run does about it."""
    held = (f"draft {state.draft_id}" if state.status == TRANSFERRED
            else f"invoice {state.invoice_number or state.invoice_id} ({state.status})")
    return f"already in the accounting system as {held}; recorded, not sent again"


def _look_up(invoices: tuple[PlannedInvoice, ...],
             states: Callable[[Sequence[str]], Mapping[str, InvoiceState]] | None) -> tuple[PlannedInvoice, ...]:
    """The new invoices the system already holds (by marker, in one bulk read) become ``in_system``."""
    markers = [i.basis.marker for i in invoices if i.status == NEW]
    if states is None or not markers:
        return invoices
    held = {m: s for m, s in states(markers).items() if s.status != MISSING}
    return tuple(PlannedInvoice(i.basis, IN_SYSTEM, transfer=i.transfer, note=found_note(held[i.basis.marker]),
                                found=held[i.basis.marker])
                 if i.status == NEW and i.basis.marker in held else i for i in invoices)


def plan_drafts(source: str, bases: Sequence[InvoiceBasis], preflight: InvoicePreflight, transfers: InvoiceTransfers,
                payload: Callable[[InvoiceBasis], Mapping[str, Any]] | None = None,
                left: Mapping[str, int] | None = None,
                states: Callable[[Sequence[str]], Mapping[str, InvoiceState]] | None = None) -> DraftPlan:
    """Sort every invoice basis against the preflight, the ledger and the system; nothing is sent.

    ``payload`` is the invoice poster's (its :class:`~ops_lib.systems.base.PlanBlocked` blocks that invoice
    only); ``left`` counts the invoice bases the export holds in other states; ``states`` is the poster's
    bulk read by marker: the bases that would be new are looked up in the system with one call of it.
    """
    ledger = transfers.of(b.key for b in bases)
    invoices = tuple(_sorted(b, preflight.of(b.number), ledger.get(b.key), payload) for b in bases)
    return DraftPlan(source, transfers.target, _look_up(invoices, states), preflight, dict(left or {}))


__all__ = ["ALREADY_TRANSFERRED", "BLOCKED", "CHECK_FIRST", "CREDIT_NOTE", "CREDIT_NOTE_RULE", "DraftPlan",
           "INVOICE_DATE_RULE", "IN_SYSTEM", "NEW", "found_note", "PlannedInvoice", "STATUSES", "plan_drafts"]
