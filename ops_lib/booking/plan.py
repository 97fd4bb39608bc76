"""Which vouchers a booking would send: each built voucher sorted against the bookings ledger.

:func:`plan_export` sorts the built vouchers (:mod:`ops_lib.booking.builder`)
against the bookings ledger (:mod:`ops_lib.booking.ledger`): *new*, *already
booked* (never sent again, whatever changed in the mapping), *check
first* (an earlier run was interrupted: the accounting system is searched
for it before anything is sent) or *blocked* (with the reason and the
fix). A payroll period booked from other rows than this file's is
blocked, not already booked: it is a second run, booked only under its
own journal id (:func:`booked_differently`). The plan hash covers every
voucher's rows, so an approval cannot carry over to a plan whose accounts
or amounts moved. :mod:`ops_lib.booking.posting` books the approved plan.
"""

from __future__ import annotations

import functools
import hashlib
import html
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from ops_lib.booking.ledger import OPEN, Booking, Bookings
from ops_lib.core.money import canonical_json, money_text
from ops_lib.model.vouchers import ZERO, VoucherDraft

NEW, ALREADY_BOOKED, CHECK_FIRST, BLOCKED = "new", "already_booked", "check_first", "blocked"


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
                lines.append(f"  - {v.status} {v.draft.day} {v.draft.text}: {v.draft.booked_total} "
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


def booked_twin(draft: VoucherDraft, bookings: Bookings) -> tuple[Booking, str, str] | None:
    """A booking of exactly these rows under another key (the same payroll file given another journal id).

    Returns the booking, why this draft is blocked and the fix, or None. A twin
    still open (a run was interrupted, its voucher may exist) blocks too: it is
    looked up by rerunning without the journal id, never sent beside.
    """
    twins = bookings.with_digests(digest for _, digest in draft.source_digests)
    twin = next((twins[d] for k, d in draft.source_digests if d in twins and twins[d].source_key != k), None)
    if twin is None:
        return None
    if twin.status in OPEN:
        return (twin, f"the same rows were being booked as {twin.source_key} when a run was interrupted; "
                      f"that voucher may exist already",
                "rerun without the journal id, so that the interrupted voucher is looked up first")
    return (twin, f"the same rows are booked already as {twin.source_key} (voucher {twin.voucher_number}); "
                  f"a journal id is for a run with other rows", "leave this file out: it is booked")


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
    twin = booked_twin(draft, bookings)
    if twin is not None:
        booking, problem, fix = twin
        return PlannedVoucher(draft.block("data", problem, fix), BLOCKED, booking)
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
