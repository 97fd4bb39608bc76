"""Invoices as the suite moves them: project-tool invoice bases going out, supplier invoices coming back.

An :class:`InvoiceBasis` is one invoice as the project tool exported it
(customer, address, references, text rows and invoice rows), before any
accounting system's ids are known; each system's invoice poster turns it
into its own draft payload. A :class:`SupplierInvoice` is one booked
supplier invoice read from an accounting system, with the project of
each row, so it can go back to the project tool as a project cost.

Both sit below the invoice flows (:mod:`ops_lib.invoicing`) and the
systems that implement them, so neither has to import the other.
An invoice basis's :attr:`InvoiceBasis.marker` goes into the last text row
of the draft made from it: that is how a draft whose answer was lost,
and the invoice it later becomes, are found again.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ops_lib.core.money import canonical_json
from ops_lib.model.vouchers import marker_of

ZERO = Decimal(0)

ARTICLE_ROW = "article"  # an invoice row: article, quantity, unit price
TEXT_ROW = "text"  # a free-text row before or after the invoice rows

# Where an invoice stands in the accounting system, as it goes back to the project tool.
TRANSFERRED = "transferred"  # a draft exists (or the invoice made of it is not yet found)
SENT = "sent"  # the draft became an invoice with a number
PAID = "paid"  # nothing remains to pay on that invoice
MISSING = "missing"  # neither the draft nor an invoice made of it is there any more
INVOICE_STATES = (TRANSFERRED, SENT, PAID, MISSING)


@dataclass(frozen=True)
class InvoiceRow:
    """One row of an invoice basis, in the order the project tool lists them.

    ``line`` is the row's line in the export file, so a problem can name it.
    ``article`` is the article (product, work type or travel-expense code);
    ``defaulted`` says it came from the settings' default article because
    the row named none. ``project`` is the project number the row is
    booked to (empty: none).
    """

    line: int
    kind: str
    text: str
    article: str = ""
    quantity: Decimal = ZERO
    unit: str = ""
    unit_price: Decimal = ZERO
    project: str = ""
    defaulted: bool = False

    @property
    def amount(self) -> Decimal:
        """Quantity × unit price, unrounded (the system rounds the invoice as it totals it)."""
        return self.quantity * self.unit_price if self.kind == ARTICLE_ROW else ZERO


@dataclass(frozen=True)
class InvoiceParty:
    """The customer an invoice is addressed to, as the invoice basis names it."""

    customer_number: str
    name: str
    address1: str = ""
    address2: str = ""
    postal_code: str = ""
    city: str = ""
    country_code: str = ""


@dataclass(frozen=True)
class InvoiceBasis:
    """One invoice basis from the project tool, read and checked, not yet sent anywhere.

    ``number`` is the project tool's own invoice-basis number: the key the
    flow remembers it by. ``is_credit`` marks a credit note, which is never
    transferred (credit notes are made in the accounting system).
    """

    number: str
    customer: InvoiceParty
    invoice_date: date
    rows: tuple[InvoiceRow, ...]
    source: str
    first_line: int
    due_date: date | None = None
    terms_days: int | None = None
    your_reference: str = ""
    our_reference: str = ""
    currency: str = ""
    is_credit: bool = False

    @property
    def key(self) -> str:
        """The ledger key: one invoice basis is transferred at most once, ever, per company."""
        return f"invoice:{self.number}"

    @property
    def marker(self) -> str:
        """What the draft's last text row carries, so it (and the invoice made of it) can be found again."""
        return marker_of(f"invoice-{self.number}")

    @property
    def article_rows(self) -> tuple[InvoiceRow, ...]:
        return tuple(r for r in self.rows if r.kind == ARTICLE_ROW)

    @property
    def total(self) -> Decimal:
        """The invoice rows' sum before VAT, unrounded."""
        return sum((r.amount for r in self.article_rows), ZERO)

    @functools.cached_property
    def digest(self) -> str:
        """What the basis says, hashed: a plan covers exactly these contents."""
        rows = [[r.kind, r.text, r.article, str(r.quantity), r.unit, str(r.unit_price), r.project]
                for r in self.rows]
        c = self.customer
        text = canonical_json([self.number, [c.customer_number, c.name, c.address1, c.address2, c.postal_code,
                                             c.city, c.country_code], self.invoice_date.isoformat(),
                               self.due_date.isoformat() if self.due_date else "", self.terms_days,
                               self.your_reference, self.our_reference, self.currency, self.is_credit, rows])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DraftRef:
    """A draft an accounting system holds for one invoice basis: its id, and its customer's id."""

    draft_id: str
    customer_id: str = ""


@dataclass(frozen=True)
class InvoiceState:
    """Where the draft made from one invoice basis stands now (one of :data:`INVOICE_STATES`).

    ``invoice_number`` is the number the accounting system gave the invoice
    (empty while it is a draft); ``remaining`` what is left to pay on it.
    """

    marker: str
    status: str
    draft_id: str = ""
    invoice_id: str = ""
    invoice_number: str = ""
    invoice_date: date | None = None
    total: Decimal | None = None
    remaining: Decimal | None = None


@dataclass(frozen=True)
class SupplierInvoiceRow:
    """One cost row of a booked supplier invoice: the account, the net amount (debit − credit), its project."""

    account: str
    amount: Decimal
    project: str = ""
    text: str = ""


@dataclass(frozen=True)
class SupplierInvoice:
    """One booked supplier invoice, as read from the accounting system.

    ``id`` is the system's own id: the key that keeps it from being
    transferred twice, whatever period it is read in. ``rows`` are its
    cost rows with their projects, translated to project numbers.
    """

    id: str
    invoice_number: str
    supplier_number: str
    supplier_name: str
    invoice_date: date
    voucher_number: str
    total: Decimal
    vat: Decimal
    currency: str
    rows: tuple[SupplierInvoiceRow, ...]
    is_credit: bool = False

    def by_project(self) -> dict[str, Decimal]:
        """Project number -> the sum of this invoice's rows on it (rows without a project are left out)."""
        amounts: dict[str, Decimal] = {}
        for row in self.rows:
            if row.project:
                amounts[row.project] = amounts.get(row.project, ZERO) + row.amount
        return amounts


__all__ = ["ARTICLE_ROW", "DraftRef", "INVOICE_STATES", "InvoiceBasis", "InvoiceParty", "InvoiceRow",
           "InvoiceState", "MISSING", "PAID", "SENT", "SupplierInvoice", "SupplierInvoiceRow", "TEXT_ROW",
           "TRANSFERRED"]
