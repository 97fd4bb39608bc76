"""Invoice drafts: create an approved plan's drafts (:mod:`ops_lib.invoicing.draft_plan`), each at most once, ever.

:func:`apply_drafts` goes through the approved plan invoice by invoice:
the ledger row written ``sending`` (committed) before the draft's request
leaves, the draft created, the row written ``created`` with the draft's
id. An invoice an earlier run left open (``sending`` after a crash,
``unknown`` after a lost answer) is first looked up by the marker in its
draft's last text row, and sent only when it is not there. A lost answer
is looked up once after a short wait; when the draft is still not seen
the row stays ``unknown`` for the next run's lookup, never sent blindly
again. A refused draft is ``failed`` with the system's own explanation.
One refused invoice never stops the others. An invoice the plan found in
the system already (``in_system``: made elsewhere, its ledger row missing
here) is recorded ``created`` with the id found, and never sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from ops_lib.approvals.approval import Approval
from ops_lib.core.errors import OpsError, error_details, outcome_unknown
from ops_lib.invoicing.draft_plan import (
    ALREADY_TRANSFERRED,
    BLOCKED,
    CHECK_FIRST,
    CREDIT_NOTE,
    IN_SYSTEM,
    NEW,
    DraftPlan,
    PlannedInvoice,
)
from ops_lib.invoicing.transfers import CREATED, FAILED, OPEN, UNKNOWN, InvoiceTransfers
from ops_lib.model.invoices import TRANSFERRED, DraftRef

LOOKUP_DELAY = 2.0  # seconds before a lost answer is looked up
CREATED_OUTCOMES = ("created", "found")


@dataclass(frozen=True)
class DraftOutcome:
    """What happened to one invoice basis of the plan.

    ``outcome`` is planned, created, found (made by an interrupted run and
    found again), already_transferred, blocked, credit_note, failed or unknown.
    """

    number: str
    customer_number: str
    customer: str
    invoice_date: str
    outcome: str
    total: Decimal
    draft_id: str = ""
    error_code: str = ""
    error_id: str = ""
    message: str = ""
    explanation: str = ""

    @classmethod
    def of(cls, planned: PlannedInvoice, outcome: str, **details: Any) -> "DraftOutcome":
        b = planned.basis
        if planned.status in (BLOCKED, CREDIT_NOTE) and "message" not in details:
            details = {"message": planned.why, **details}
        return cls(b.number, b.customer.customer_number, b.customer.name, b.invoice_date.isoformat(), outcome,
                   b.total, **details)


def dry_run_drafts(plan: DraftPlan) -> list[DraftOutcome]:
    """What an apply would do, sent nowhere."""
    return [DraftOutcome.of(i, "planned" if i.status in (NEW, CHECK_FIRST) else i.status,
                            draft_id=i.found_id or (i.transfer.draft_id if i.transfer and i.status ==
                                                    ALREADY_TRANSFERRED else ""),
                            **({"message": i.note} if i.status == IN_SYSTEM else {}))
            for i in plan.invoices]


class _Drafting:
    """One apply: the poster, the ledger, the approved hash, how to explain errors."""

    def __init__(self, poster: Any, transfers: InvoiceTransfers, plan_hash: str, language: str,
                 sleep: Callable[[float], None]) -> None:
        self.poster, self.transfers, self.plan_hash = poster, transfers, plan_hash
        self.language, self.sleep = language, sleep

    def _ended(self, planned: PlannedInvoice, status: str, exc: OpsError, note: str = "") -> DraftOutcome:
        self.transfers.ended(planned.basis.key, status, self.plan_hash, str(exc))
        details = error_details(exc, self.language)
        if note:
            details["message"] = f"{details['message']}; {note}"
        return DraftOutcome.of(planned, status, **details)

    def _found(self, planned: PlannedInvoice, found: DraftRef) -> DraftOutcome:
        self.transfers.created(planned.basis.key, self.plan_hash, found.draft_id,
                               message="found after an interrupted run")
        return DraftOutcome.of(planned, "found", draft_id=found.draft_id, message="found after an interrupted run")

    def _lost(self, planned: PlannedInvoice, exc: OpsError) -> DraftOutcome:
        """The answer was lost: look once after a short wait; else leave it ``unknown`` for the next run."""
        self.transfers.ended(planned.basis.key, UNKNOWN, self.plan_hash, str(exc))
        self.sleep(LOOKUP_DELAY)
        try:
            found = self.poster.find(planned.basis)
        except OpsError:
            found = None
        if found is not None:
            return self._found(planned, found)
        return DraftOutcome.of(planned, UNKNOWN, **{
            **error_details(exc, self.language),
            "message": f"{exc}; the answer was lost, so it is not sent again now: the next run looks it up first"})

    def record_found(self, planned: PlannedInvoice) -> DraftOutcome:
        """An invoice the plan found in the system: recorded ``created`` with what was found, never sent."""
        key, found = planned.basis.key, planned.found
        row = self.transfers.of([key]).get(key)
        if row is not None and row.status == CREATED:  # recorded by another run since the plan was made
            return DraftOutcome.of(planned, ALREADY_TRANSFERRED, draft_id=row.draft_id)
        self.transfers.created(key, self.plan_hash, planned.found_id, message=planned.note)
        if found is not None and found.status != TRANSFERRED:
            self.transfers.set_state(key, found.status, found.invoice_number)
        return DraftOutcome.of(planned, "found", draft_id=planned.found_id, message=planned.note)

    def create(self, planned: PlannedInvoice) -> DraftOutcome:
        """Create one draft; an open ledger row is looked up first, a lost answer never sent twice."""
        basis = planned.basis
        row = self.transfers.of([basis.key]).get(basis.key)
        if row is not None and row.status == CREATED:  # made by another run since the plan was made
            return DraftOutcome.of(planned, ALREADY_TRANSFERRED, draft_id=row.draft_id)
        if row is not None and row.status in OPEN:
            try:
                found = self.poster.find(basis)
            except OpsError as exc:
                return self._ended(planned, UNKNOWN, exc, "it could not be looked up, so it is not sent: the next "
                                                          "run looks again")
            if found is not None:
                return self._found(planned, found)
        self.transfers.sending(basis.key, self.plan_hash, basis.digest)
        try:
            draft = self.poster.send(basis)
        except OpsError as exc:
            if outcome_unknown(exc, True):
                return self._lost(planned, exc)
            return self._ended(planned, FAILED, exc)
        self.transfers.created(basis.key, self.plan_hash, draft.draft_id)
        return DraftOutcome.of(planned, "created", draft_id=draft.draft_id)


def apply_drafts(plan: DraftPlan, poster: Any, transfers: InvoiceTransfers, approval: Approval, *,
                 language: str = "en", sleep: Callable[[float], None] = time.sleep) -> list[DraftOutcome]:
    """Create every draft of ``plan`` under ``approval``; one outcome per invoice basis, failures included.

    ``poster`` is the system's :class:`~ops_lib.systems.base.InvoicePoster`; hold the run's
    :func:`~ops_lib.invoicing.transfers.invoice_lock` around this call.
    """
    run = _Drafting(poster, transfers, approval.plan_hash, language, sleep)
    outcomes = []
    for planned in plan.invoices:
        if planned.status in (NEW, CHECK_FIRST):
            outcomes.append(run.create(planned))
        elif planned.status == IN_SYSTEM:
            outcomes.append(run.record_found(planned))
        else:
            outcomes.append(DraftOutcome.of(planned, planned.status, draft_id=planned.transfer.draft_id
                                            if planned.transfer and planned.status == ALREADY_TRANSFERRED else ""))
    return outcomes


__all__ = ["CREATED_OUTCOMES", "DraftOutcome", "LOOKUP_DELAY", "apply_drafts", "dry_run_drafts"]
