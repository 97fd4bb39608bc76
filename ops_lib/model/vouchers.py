"""Vouchers as the suite proposes them: the rows, receipts and control totals of one booking.

Booking builds these from the source (:mod:`ops_lib.booking.builder`) and
each system's poster turns them into its own payload, so they sit below
both. A draft's :attr:`VoucherDraft.key` goes into its text, so a voucher
can be found again after a crash.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from ops_lib.core.money import canonical_json
from ops_lib.model.references import DimensionItem, VatCodeRef

ZERO = Decimal(0)


@dataclass(frozen=True)
class VoucherLine:
    account: str
    debit: Decimal
    credit: Decimal
    text: str = ""
    vat_code: VatCodeRef | None = None
    dimensions: tuple[tuple[str, DimensionItem], ...] = ()  # (dimension id, item), in the system's order
    project: DimensionItem | None = None


@dataclass(frozen=True)
class Receipt:
    path: Path
    content_type: str
    size: int
    sha256: str


def marker_of(voucher_key: str) -> str:
    """What a voucher's text carries so that it can be found again: ``#ops-<key>``."""
    return f"#ops-{voucher_key}"


@dataclass(frozen=True)
class VoucherDraft:
    """One voucher to send (or why it cannot be sent), with the source it books and its control total."""

    kind: str
    source_keys: tuple[str, ...]
    day: date
    title: str
    series: str
    lines: tuple[VoucherLine, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    source_total: Decimal = ZERO
    booked_total: Decimal = ZERO
    rows: tuple[int, ...] = ()
    blocked: str = ""
    fix: str = ""
    stage: str = ""  # data, mapping or preflight: where a blocked voucher was stopped
    text_max: int = 100
    # (source key, digest of the source rows it books): payroll only, where one key stands for a whole period,
    # so that a second, different run of the period is told apart from a rerun of the same file.
    source_digests: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def key(self) -> str:
        """The voucher's id in its own text: found again by it after a crash."""
        return hashlib.sha256("\n".join(sorted(self.source_keys)).encode("utf-8")).hexdigest()[:12]

    @property
    def marker(self) -> str:
        return marker_of(self.key)

    @property
    def text(self) -> str:
        room = self.text_max - len(self.marker) - 1
        body = self.title if len(self.title) <= room else self.title[: room - 1].rstrip() + "…"
        return f"{body} {self.marker}"

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit

    @functools.cached_property
    def digest(self) -> str:
        lines = [[ln.account, ln.debit, ln.credit, ln.text, ln.vat_code.id if ln.vat_code else "",
                  [[d, i.id] for d, i in ln.dimensions], ln.project.id if ln.project else ""] for ln in self.lines]
        text = canonical_json([self.kind, sorted(self.source_keys), self.day.isoformat(), self.text, self.series,
                               lines, [r.sha256 for r in self.receipts], self.blocked])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def block(self, stage: str, problem: str, fix: str) -> "VoucherDraft":
        return replace(self, lines=(), receipts=(), booked_total=ZERO, blocked=problem, fix=fix, stage=stage)
