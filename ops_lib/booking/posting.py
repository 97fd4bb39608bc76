"""Voucher booking: plan which vouchers go out, then book them once approved, each at most once, ever.

:func:`plan_export` sorts the built vouchers (:mod:`ops_lib.booking.builder`)
against the bookings ledger (:mod:`ops_lib.booking.ledger`): *new*, *already
booked* (never sent again, whatever changed in the mapping), *check
first* (an earlier run was interrupted: the accounting system is searched
for it before anything is sent) or *blocked* (with the reason and the
fix). A payroll period booked from other rows than this file's is
blocked, not already booked: it is a second run, booked only under its
own journal id (:func:`booked_differently`). The plan
hash covers every voucher's rows, so an approval cannot carry over to a
plan whose accounts or amounts moved.

:func:`apply_booking` then books the approved plan through the ledger:
receipts uploaded, the key written ``sending``, the voucher posted with
its receipts linked, the key written ``booked``. A voucher whose answer
was lost is looked up by the key in its text before it is sent again.
One refused voucher never stops the others.
"""

from __future__ import annotations

import functools
import hashlib
import html
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Protocol, Sequence

import pandas as pd

from ops_lib.approvals.approval import Approval
from ops_lib.booking.ledger import OPEN, Booking, Bookings
from ops_lib.core.errors import OpsError, error_details, outcome_unknown
from ops_lib.core.money import canonical_json, money_text
from ops_lib.model.vouchers import ZERO, Receipt, VoucherDraft, marker_of

LOOKUP_DELAY = 2.0  # seconds before a lost answer is looked up
NEW, ALREADY_BOOKED, CHECK_FIRST, BLOCKED = "new", "already_booked", "check_first", "blocked"


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
class PlannedVoucher:
    """One voucher of the plan, with what the ledger says about its sources."""

    draft: VoucherDraft
    status: str
    booking: Booking | None = None

    @property
    def digest(self) -> str:
        """The voucher's content: the same whether it is new or to be checked first after a crash."""
        return self.draft.digest

    @property
    def action(self) -> str:
        return "book_voucher"

    @property
    def number(self) -> str:
        return ", ".join(k.split(":", 1)[1] for k in self.draft.source_keys)

    @property
    def name(self) -> str:
        return self.draft.title


@dataclass(frozen=True)
class BookingPlan:
    """Every voucher of one journal export, sorted against the ledger, with its control totals."""

    kind: str
    source: str
    target: str
    vouchers: tuple[PlannedVoucher, ...]
    payloads: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def register(self) -> str:
        return f"vouchers:{self.kind}"

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    @property
    def actions(self) -> tuple[PlannedVoucher, ...]:
        """What the approval covers: every voucher but those booked already (they drop out on a rerun)."""
        return tuple(v for v in self.vouchers if v.status != ALREADY_BOOKED)

    @functools.cached_property
    def plan_hash(self) -> str:
        digest = hashlib.sha256(canonical_json([self.register, self.target]).encode("utf-8"))
        for d in sorted(v.digest for v in self.actions):
            digest.update(d.encode("ascii"))
        return digest.hexdigest()

    def with_status(self, *statuses: str) -> tuple[PlannedVoucher, ...]:
        return tuple(v for v in self.vouchers if v.status in statuses)

    @property
    def to_send(self) -> tuple[PlannedVoucher, ...]:
        return self.with_status(NEW, CHECK_FIRST)

    @property
    def writable(self) -> tuple[PlannedVoucher, ...]:
        """What the approval form's button books (the same as :attr:`to_send`)."""
        return self.to_send

    def control_totals(self) -> pd.DataFrame:
        """Source and booked totals per status: what the source says, what the vouchers book, the difference."""
        rows = []
        for status in (NEW, CHECK_FIRST, ALREADY_BOOKED, BLOCKED):
            group = self.with_status(status)
            source = sum((v.draft.source_total for v in group), ZERO)
            booked = sum((v.draft.booked_total for v in group), ZERO)
            rows.append({"status": status, "vouchers": len(group), "source_total": source,
                         "booked_total": booked if status in (NEW, CHECK_FIRST) else ZERO,
                         "difference": booked - source if status in (NEW, CHECK_FIRST) else ZERO})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per voucher: its sources, date, text, totals, status, and the reason and fix when blocked."""
        return pd.DataFrame([{
            "key": v.draft.key, "sources": v.number, "rows": ", ".join(str(r) for r in v.draft.rows),
            "date": v.draft.day.isoformat(), "text": v.draft.text, "debit": v.draft.debit, "credit": v.draft.credit,
            "source_total": v.draft.source_total, "booked_total": v.draft.booked_total,
            "receipts": len(v.draft.receipts), "status": v.status,
            "voucher_number": v.booking.voucher_number if v.booking else "",
            "stage": v.draft.stage, "problem": v.draft.blocked, "fix": v.draft.fix} for v in self.vouchers],
            columns=["key", "sources", "rows", "date", "text", "debit", "credit", "source_total", "booked_total",
                     "receipts", "status", "voucher_number", "stage", "problem", "fix"])

    def lines_frame(self) -> pd.DataFrame:
        """One row per voucher row to send: account, debit, credit, VAT code, dimension items, project, text."""
        rows = []
        for v in self.to_send:
            for line in v.draft.lines:
                rows.append({"key": v.draft.key, "date": v.draft.day.isoformat(), "account": line.account,
                             "debit": line.debit, "credit": line.credit,
                             "vat_code": line.vat_code.code if line.vat_code else "",
                             "dimensions": ", ".join(f"{d}:{i.code}" for d, i in line.dimensions),
                             "project": line.project.code if line.project else "", "text": line.text})
        return pd.DataFrame(rows, columns=["key", "date", "account", "debit", "credit", "vat_code", "dimensions",
                                           "project", "text"])

    def preflight(self) -> pd.DataFrame:
        """What stops vouchers before anything is sent (fiscal year, locked period), with the fix."""
        frame = self.to_frame()
        return frame[frame["stage"] == "preflight"][["sources", "date", "problem", "fix"]].reset_index(drop=True)

    def headline(self) -> str:
        booked = sum((v.draft.booked_total for v in self.to_send), ZERO)
        source = sum((v.draft.source_total for v in self.to_send), ZERO)
        return (f"{len(self.to_send)} voucher(s) to book ({money_text(booked)} booked for "
                f"{money_text(source)} in the source), "
                f"{len(self.with_status(ALREADY_BOOKED))} already booked, {len(self.with_status(BLOCKED))} blocked")

    def describe(self) -> str:
        lines = [f"Voucher booking plan {self.plan_hash} ({self.kind} from {self.source} to {self.target}):",
                 f"  {self.headline()}"]
        for v in self.vouchers:
            if v.status == BLOCKED:
                lines.append(f"  - blocked {v.number}: {v.draft.blocked} (fix: {v.draft.fix})")
            elif v.status == ALREADY_BOOKED and v.booking:
                lines.append(f"  - already booked {v.number} as {v.booking.voucher_number}")
            else:
                lines.append(f"  - {v.status} {v.draft.day} {v.draft.text}: {v.draft.debit} "
                             f"({len(v.draft.lines)} rows, {len(v.draft.receipts)} receipt(s))")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        head = (f"<p class='ops-plan-head'><b>Voucher booking plan</b> <code>{self.plan_hash}</code>: "
                f"{html.escape(self.headline())}. Nothing has been sent.</p>")
        return (head + "<h4>Control totals</h4>" + self.control_totals().to_html(index=False, classes="ops-control")
                + "<h4>Vouchers</h4>" + self.to_frame().to_html(index=False, escape=True, classes="ops-plan-table"))


SECOND_RUN_FIX = ("if this is a second payroll run for the period, book it under its own --journal-id (journal_id "
                  "in the notebook's parameters); if it corrects the booked run, correct that voucher in the "
                  "accounting system instead")


def booked_differently(draft: VoucherDraft, states: Mapping[str, Booking]) -> str:
    """Why a draft whose sources are booked is not what was booked (other payroll rows), or ``""``.

    A key booked before digests were kept (an empty digest) counts as the same.
    """
    for key, digest in draft.source_digests:
        b = states.get(key)
        if b is not None and b.status == "booked" and b.source_digest and b.source_digest != digest:
            return (f"{key} is booked already as voucher {b.voucher_number} ({b.voucher_date}) from other rows; "
                    f"this file's rows for it differ")
    return ""


def _booked_twin(draft: VoucherDraft, bookings: Bookings) -> Booking | None:
    """A booking of exactly these rows under another key (the same payroll file given another journal id)."""
    twins = bookings.with_digests(digest for _, digest in draft.source_digests)
    return next((twins[d] for k, d in draft.source_digests if d in twins and twins[d].source_key != k), None)


def _sorted(draft: VoucherDraft, bookings: Bookings) -> PlannedVoucher:
    """One bookable draft against the ledger: new, already booked, check first, or blocked with why."""
    states = bookings.of(draft.source_keys)
    booked = [b for b in states.values() if b.status == "booked"]
    if booked and len(booked) == len(draft.source_keys):
        differs = booked_differently(draft, states)
        if differs:
            return PlannedVoucher(draft.block("data", differs, SECOND_RUN_FIX), BLOCKED, booked[0])
        return PlannedVoucher(draft, ALREADY_BOOKED, booked[0])
    if booked:
        listed = ", ".join(f"{b.source_key} ({b.voucher_number})" for b in booked[:5])
        return PlannedVoucher(draft.block("data", f"part of this voucher is booked already: {listed}",
                                          "book per expense, or leave the booked ones out"), BLOCKED)
    twin = _booked_twin(draft, bookings)
    if twin is not None:
        return PlannedVoucher(draft.block("data", f"the same rows are booked already as {twin.source_key} (voucher "
                                                  f"{twin.voucher_number}); a journal id is for a run with other rows",
                                          "leave this file out: it is booked"), BLOCKED, twin)
    if any(b.status in OPEN for b in states.values()):
        return PlannedVoucher(draft, CHECK_FIRST, next(iter(states.values())))
    return PlannedVoucher(draft, NEW)


def plan_export(kind: str, source: str, drafts: Sequence[VoucherDraft], bookings: Bookings,
                payload: Callable[[VoucherDraft], Mapping[str, Any]] | None = None) -> BookingPlan:
    """Sort the drafts against the ledger; a draft whose sources are partly booked is blocked with why."""
    vouchers = []
    for draft in drafts:
        if not draft.blocked and not draft.lines:
            draft = draft.block("data", "nothing to book: every amount is zero", "leave the expense out of the export")
        if not draft.blocked and not draft.balanced:
            draft = draft.block("data", f"the voucher does not balance: debit {draft.debit}, credit {draft.credit}",
                                "report this: a voucher that does not balance is never sent")
        vouchers.append(PlannedVoucher(draft, BLOCKED) if draft.blocked else _sorted(draft, bookings))
    payloads = {v.draft.key: payload(v.draft) for v in vouchers if payload and v.status in (NEW, CHECK_FIRST)}
    return BookingPlan(kind, source, bookings.target, tuple(vouchers), payloads)


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
