"""eAccounting's invoice poster: customer invoice drafts out, their states and supplier invoices back.

A draft cannot be told apart from any other by its fields, and eAccounting
has no idempotency key, so each draft's last row is a text row carrying
the invoice basis's marker (``#ops-invoice-<number>``). :meth:`find`
looks for it after a lost answer, and :meth:`states` follows it when the
draft is converted: converting copies the rows into the customer invoice
and removes the draft. A marker matches only as a whole token (the row's
text split at white space), so ``#ops-invoice-10`` never matches
``#ops-invoice-100``. Credit notes are skipped when matching: one made
from an invoice copies its rows, marker and all.

Supplier invoices are read by invoice date (``InvoiceDate ge … and
InvoiceDate le …``); each row's project number comes from the place the
run's ``project_target`` names (the projects register, or the items of
the configured cost centre), as the register sync writes them, and when
the row names none there, from the other place: whoever booked the
invoice may have set the project or its cost centre item.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence, TypeVar

from ops_lib.core.errors import ConflictError
from ops_lib.model.invoices import (
    MISSING,
    PAID,
    SENT,
    TRANSFERRED,
    DraftRef,
    InvoiceBasis,
    InvoiceState,
    SupplierInvoice,
    SupplierInvoiceRow,
)
from ops_lib.systems.eaccounting.client import EAccountingClient
from ops_lib.systems.eaccounting.invoice_payloads import InvoiceRegisters, ProjectLinks, draft_payload, problems
from ops_lib.systems.eaccounting.options import EAccountingOptions
from ops_lib.systems.eaccounting.records import BookedSupplierInvoice, CustomerInvoice, CustomerInvoiceDraft

ZERO = Decimal(0)
T = TypeVar("T", CustomerInvoiceDraft, CustomerInvoice)


def _tokens(texts: Iterable[str]) -> set[str]:
    return {token for text in texts for token in text.split()}


def carries(texts: Iterable[str], marker: str) -> bool:
    """Whether one of ``texts`` holds ``marker`` as a whole token (white space around it, or the text's ends)."""
    return marker in _tokens(texts)


def _index(records: Iterable[T], markers: set[str]) -> dict[str, list[T]]:
    """Marker -> the records whose rows carry it as a whole token (only the markers asked for are kept)."""
    index: dict[str, list[T]] = {}
    for record in records:
        for token in _tokens(record.texts) & markers:
            index.setdefault(token, []).append(record)
    return index


def _invoice_order(invoice: CustomerInvoice) -> tuple[int, str]:
    """The first invoice made comes first (a copy of it carries the marker too)."""
    return (int(invoice.number) if invoice.number.isdigit() else 1 << 62, invoice.id)


def invoice_state(marker: str, invoice: CustomerInvoice) -> InvoiceState:
    """SENT once the invoice has a number; PAID when nothing of a positive total remains."""
    status = TRANSFERRED
    if invoice.number:
        status = SENT
        if invoice.remaining is not None and invoice.remaining == ZERO and (invoice.total or ZERO) > ZERO:
            status = PAID
    return InvoiceState(marker, status, invoice_id=invoice.id, invoice_number=invoice.number,
                        invoice_date=invoice.invoice_date, total=invoice.total, remaining=invoice.remaining)


class EAccountingInvoicePoster:
    """Makes customer invoice drafts in one connected company, follows them, and reads its supplier invoices.

    Parameters
    ----------
    client:
        The connected company.
    options:
        eAccounting's options block (``project_target``, ``cost_center``): where projects live.

    The customers, articles and projects are read once, on first use
    (:class:`~ops_lib.systems.eaccounting.invoice_payloads.InvoiceRegisters`);
    drafts and invoices are read afresh by every :meth:`find` and :meth:`states`.
    """

    def __init__(self, client: EAccountingClient, options: EAccountingOptions | None = None) -> None:
        self.client = client
        self.options = options or EAccountingOptions()
        self.target = client.session.connection.key
        self.registers = InvoiceRegisters(client, self.options)

    def check(self, basis: InvoiceBasis) -> list[str]:
        return problems(basis, self.registers)

    def payload(self, basis: InvoiceBasis) -> dict[str, Any]:
        return draft_payload(basis, self.registers)

    def send(self, basis: InvoiceBasis) -> DraftRef:
        """POST the draft (never retried blindly: after a lost answer, :meth:`find` looks first)."""
        body = draft_payload(basis, self.registers)
        draft = self.client.invoice_drafts.create(body)
        return DraftRef(draft.id, draft.customer_id or str(body["CustomerId"]))

    def find(self, basis: InvoiceBasis) -> DraftRef | None:
        """The customer's draft whose rows carry ``basis.marker``, else the invoice made of it (its id), or None."""
        customer = self.registers.customers.get(basis.customer.customer_number)
        if customer is None:
            return None
        mine = customer.id.lower()
        for draft in self.client.invoice_drafts.list():
            if draft.customer_id.lower() == mine and carries(draft.texts, basis.marker):
                return DraftRef(draft.id, draft.customer_id)
        invoices = [i for i in self.client.customer_invoices.list()
                    if i.customer_id.lower() == mine and not i.data.get("IsCreditInvoice")
                    and carries(i.texts, basis.marker)]
        if invoices:
            first = min(invoices, key=_invoice_order)
            return DraftRef(first.id, first.customer_id)
        return None

    def states(self, markers: Sequence[str]) -> dict[str, InvoiceState]:
        """Every marker's state, from one paged read of the drafts and one of the customer invoices."""
        wanted = set(markers)
        drafts = _index(self.client.invoice_drafts.list(), wanted)
        invoices = _index((i for i in self.client.customer_invoices.list() if not i.data.get("IsCreditInvoice")),
                          wanted)
        states: dict[str, InvoiceState] = {}
        for marker in markers:
            if marker in invoices:
                states[marker] = invoice_state(marker, min(invoices[marker], key=_invoice_order))
            elif marker in drafts:
                draft = drafts[marker][0]
                states[marker] = InvoiceState(marker, TRANSFERRED, draft_id=draft.id,
                                              invoice_date=draft.invoice_date, total=draft.total)
            else:
                states[marker] = InvoiceState(marker, MISSING)
        return states

    def supplier_invoices(self, start: date, end: date) -> list[SupplierInvoice]:
        """The supplier invoices dated ``start``..``end`` (both included), every page, rows with project numbers.

        Raises
        ------
        ConflictError
            A row names a project id the projects register does not hold.
        ConfigurationError
            The configured cost centre does not exist.
        """
        flt = f"InvoiceDate ge {start.isoformat()} and InvoiceDate le {end.isoformat()}"
        return [self._supplier_invoice(i) for i in self.client.supplier_invoices.list(filter=flt)]

    def _project_of(self, record: BookedSupplierInvoice, row: Mapping[str, Any]) -> str:
        """The row's project number: where the options keep projects first, else where the row names one.

        A person booking the invoice may set the project or the projects'
        cost centre item; either is a cost on that project.

        Raises
        ------
        ConflictError
            The row's project id is in neither place.
        """
        number = self.registers.projects.number_of(row)
        if number:
            return number
        other = ("ProjectId",) if self.options.project_target == "cost_center_items" else ProjectLinks.ITEM_FIELDS
        if any(row.get(field) for field in other):
            number = self.registers.other_projects.number_of(row)
        if not number and row.get("ProjectId"):
            raise ConflictError(f"supplier invoice {record.invoice_number} ({record.supplier_name}) has a row on "
                                f"project id {row['ProjectId']}, which eAccounting's projects register does "
                                f"not list; check the invoice in eAccounting")
        return number

    def _supplier_invoice(self, record: BookedSupplierInvoice) -> SupplierInvoice:
        rows = []
        for row in record.rows:
            amount = _amount(row.get("DebetAmount")) - _amount(row.get("CreditAmount"))
            rows.append(SupplierInvoiceRow(str(row.get("AccountNumber") or ""), amount, self._project_of(record, row),
                                           str(row.get("TransactionText") or "")))
        total, vat = record.total or ZERO, record.vat or ZERO
        if record.is_credit:  # a credit note lowers the costs, whichever sign the service gave it
            if sum((r.amount for r in rows), ZERO) > ZERO:
                rows = [SupplierInvoiceRow(r.account, -r.amount, r.project, r.text) for r in rows]
            total, vat = -abs(total), -abs(vat)
        return SupplierInvoice(record.id, record.invoice_number, record.supplier_number, record.supplier_name,
                               record.invoice_date or date.min, record.voucher_number, total, vat,
                               record.currency, tuple(rows), record.is_credit)


def _amount(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


def invoice_poster(client: EAccountingClient, options: Mapping[str, Any]) -> EAccountingInvoicePoster:
    """The poster of one company, ``options`` validated as eAccounting's options block."""
    return EAccountingInvoicePoster(client, EAccountingOptions.from_mapping(options))
