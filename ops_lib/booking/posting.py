"""Voucher booking: book an approved plan (:mod:`ops_lib.booking.plan`), each voucher at most once, ever.

:func:`apply_booking` books the approved plan through the ledger:
receipts uploaded, the key written ``sending``, the voucher posted with
its receipts linked, the key written ``booked``. A voucher whose answer
was lost is looked up by the key in its text before it is sent again.
One refused voucher never stops the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Protocol, Sequence

from ops_lib.approvals.approval import Approval
from ops_lib.booking.ledger import OPEN, Booking, Bookings
from ops_lib.booking.plan import (
    ALREADY_BOOKED,
    BLOCKED,
    CHECK_FIRST,
    NEW,
    SECOND_RUN_FIX,
    BookingPlan,
    PlannedVoucher,
    booked_differently,
    booked_twin,
)
from ops_lib.core.errors import OpsError, error_details, outcome_unknown
from ops_lib.model.vouchers import Receipt, VoucherDraft, marker_of

LOOKUP_DELAY = 2.0  # seconds before a lost answer is looked up


class Booked(Protocol):
    id: str
    number: str
    attachment_ids: tuple[str, ...]


class VoucherPoster(Protocol):
    """What an export needs from an accounting system (``ops_lib.systems.eaccounting.vouchers`` for eAccounting)."""

    target: str

    def payload(self, draft: VoucherDraft) -> Mapping[str, Any]:
        """The request body, for the plan's preview."""

    def upload(self, receipt: Receipt) -> str:
        """Upload a receipt; return its attachment id."""

    def send(self, draft: VoucherDraft, attachment_ids: Sequence[str]) -> Booked:
        """Post the voucher with its receipts linked. Raises OpsError."""

    def link(self, voucher_id: str, attachment_ids: Sequence[str]) -> None:
        """Link receipts to a voucher that exists already."""

    def find(self, marker: str, day: date) -> Booked | None:
        """The voucher dated ``day`` whose text carries ``marker``, or None."""


@dataclass(frozen=True)
class VoucherOutcome:
    """What happened to one voucher of the plan."""

    key: str
    sources: str
    date: str
    text: str
    outcome: str  # planned, booked, found, already_booked, blocked, failed, unknown
    amount: Decimal
    voucher_id: str = ""
    voucher_number: str = ""
    receipts: int = 0
    error_code: str = ""
    error_id: str = ""
    message: str = ""
    explanation: str = ""

    @classmethod
    def of(cls, planned: PlannedVoucher, outcome: str, **details: Any) -> "VoucherOutcome":
        d = planned.draft
        if planned.status == BLOCKED:
            details = {"message": f"{d.blocked} (fix: {d.fix})", **details}
        return cls(d.key, planned.number, d.day.isoformat(), d.text, outcome, d.booked_total,
                   receipts=len(d.receipts), **details)


def dry_run_booking(plan: BookingPlan) -> list[VoucherOutcome]:
    return [VoucherOutcome.of(v, "planned" if v.status in (NEW, CHECK_FIRST) else v.status,
                              voucher_number=v.booking.voucher_number if v.booking and v.status == ALREADY_BOOKED
                              else "") for v in plan.vouchers]


class _Booking:
    """One apply: the poster, the ledger, the approved hash, how to explain errors."""

    def __init__(self, poster: VoucherPoster, bookings: Bookings, plan_hash: str, language: str,
                 sleep: Callable[[float], None]) -> None:
        self.poster, self.bookings, self.plan_hash = poster, bookings, plan_hash
        self.language, self.sleep = language, sleep

    def _ended(self, planned: PlannedVoucher, status: str, exc: OpsError) -> VoucherOutcome:
        d = planned.draft
        self.bookings.ended(d.source_keys, d.key, status, self.plan_hash, d.day.isoformat(), str(exc))
        return VoucherOutcome.of(planned, status, **error_details(exc, self.language))

    def _found(self, planned: PlannedVoucher, found: Booked, attachment_ids: Sequence[str]) -> VoucherOutcome:
        d = planned.draft
        missing = [a for a in attachment_ids if a not in found.attachment_ids]
        if missing:
            self.poster.link(found.id, missing)
        self.bookings.booked(d.source_keys, d.key, self.plan_hash, d.day.isoformat(), found.id, found.number,
                             attachment_ids, message="found after an interrupted run")
        return VoucherOutcome.of(planned, "found", voucher_id=found.id, voucher_number=found.number)

    def _earlier(self, planned: PlannedVoucher, open_: Sequence[Booking],
                 uploaded: Sequence[str]) -> VoucherOutcome | None:
        """Look up what an interrupted run may have sent for these sources, under the key and date it used.

        The draft's own key and date may have changed since (a new grouping, a
        corrected date); the ledger remembers what was sent, so that is what is
        searched. Found under this draft's key: it is this voucher, unless the
        ledger's digest says it was booked from other rows (another payroll
        run of the period). Found under another: those sources are booked, and
        the draft must be planned again.
        """
        d = planned.draft
        for key, day in dict.fromkeys((b.voucher_key, b.voucher_date) for b in open_):
            found = self.poster.find(marker_of(key), date.fromisoformat(day))
            if found is None:
                continue
            keys = [b.source_key for b in open_ if b.voucher_key == key]
            sent = {b.source_key: b.source_digest for b in open_ if b.voucher_key == key}
            other_rows = any(sent.get(k) and sent[k] != digest for k, digest in d.source_digests)
            if key == d.key and not other_rows:
                return self._found(planned, found, uploaded)
            self.bookings.booked(keys, key, self.plan_hash, day, found.id, found.number, found.attachment_ids,
                                 message="found after an interrupted run")
            why = (f"an interrupted run booked other rows for {', '.join(keys)} as {found.number}; {SECOND_RUN_FIX}"
                   if other_rows else f"an interrupted run booked {', '.join(keys)} as {found.number}; "
                                      f"plan again to book the rest")
            return VoucherOutcome.of(planned, BLOCKED, voucher_id=found.id, voucher_number=found.number,
                                     message=why)
        return None

    def book(self, planned: PlannedVoucher) -> VoucherOutcome:
        """Book one voucher; a lost answer is looked up, never sent again in the same run."""
        d = planned.draft
        states = self.bookings.of(d.source_keys)
        booked = [b for b in states.values() if b.status == "booked"]
        if booked:  # booked by another run since the plan was made
            differs = booked_differently(d, states)
            if differs:
                return VoucherOutcome.of(planned, BLOCKED, voucher_number=booked[0].voucher_number,
                                         message=f"{differs}; {SECOND_RUN_FIX}")
            if len(booked) == len(d.source_keys):
                return VoucherOutcome.of(planned, ALREADY_BOOKED, voucher_number=booked[0].voucher_number)
            return VoucherOutcome.of(planned, BLOCKED, message="part of this voucher was booked by another run "
                                                                "since the plan was made; plan again")
        twin = booked_twin(d, self.bookings)  # the same rows, booked by another run since the plan was made
        if twin is not None:
            booking, problem, fix = twin
            return VoucherOutcome.of(planned, BLOCKED, voucher_number=booking.voucher_number,
                                     message=f"{problem}; {fix}")
        uploaded = list(self.bookings.uploads(d.key))
        open_ = [b for b in states.values() if b.status in OPEN]
        try:
            earlier = self._earlier(planned, open_, uploaded) if open_ else None
            if earlier is not None:
                return earlier
            digests = dict(d.source_digests)
            self.bookings.sending(d.source_keys, d.key, self.plan_hash, d.day.isoformat(), uploaded, digests)
            for receipt in d.receipts[len(uploaded):]:
                uploaded.append(self.poster.upload(receipt))
                self.bookings.sending(d.source_keys, d.key, self.plan_hash, d.day.isoformat(), uploaded, digests)
        except OpsError as exc:
            return self._ended(planned, "unknown" if open_ else "failed", exc)
        try:
            voucher = self.poster.send(d, uploaded)
        except OpsError as exc:
            if not outcome_unknown(exc, True):
                return self._ended(planned, "failed", exc)
            # The service may still be working on it: look once, and leave the rest to the next run's lookup.
            self.bookings.ended(d.source_keys, d.key, "unknown", self.plan_hash, d.day.isoformat(), str(exc))
            self.sleep(LOOKUP_DELAY)
            try:
                found = self.poster.find(d.marker, d.day)
                if found is not None:
                    return self._found(planned, found, uploaded)
            except OpsError:
                pass
            return VoucherOutcome.of(planned, "unknown", message=f"{exc}; the answer was lost, so it is not sent "
                                                                  f"again now: the next run looks it up first")
        self.bookings.booked(d.source_keys, d.key, self.plan_hash, d.day.isoformat(), voucher.id, voucher.number,
                             uploaded)
        return VoucherOutcome.of(planned, "booked", voucher_id=voucher.id, voucher_number=voucher.number)


def apply_booking(plan: BookingPlan, poster: VoucherPoster, bookings: Bookings, approval: Approval, *,
                 language: str = "en", sleep: Callable[[float], None] = time.sleep) -> list[VoucherOutcome]:
    """Book every voucher of ``plan`` under ``approval``; one outcome per voucher, failures included."""
    run = _Booking(poster, bookings, approval.plan_hash, language, sleep)
    outcomes = []
    for planned in plan.vouchers:
        if planned.status == BLOCKED:
            outcomes.append(VoucherOutcome.of(planned, BLOCKED))
        elif planned.status == ALREADY_BOOKED:
            outcomes.append(VoucherOutcome.of(planned, ALREADY_BOOKED, voucher_number=planned.booking.voucher_number
                                              if planned.booking else ""))
        else:
            outcomes.append(run.book(planned))
    return outcomes
