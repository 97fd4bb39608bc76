"""Card expenses into Visma.net as supplier (purchase) invoices, paid already, attached and optionally released.

The Pleo guide's "card expenses as purchase invoices": each voucher
becomes one ``Invoice`` of the default supplier (``system_options.supplier``)
whose lines are the expense lines. The draft is a journal voucher, so it
is read back into an invoice:

* lines that carry a VAT code are invoice lines (account, net cost, VAT
  code, subaccount segments, project); Visma.net computes their VAT itself
  (``taxCalculationMode: Net``), so the draft's own VAT rows (lines on a
  VAT account of those codes, without a code) are not sent, their sum is
  the ``vatAmount`` control;
* other debit lines are invoice lines without VAT;
* the credit lines are the card wallet: they become the invoice's
  ``paymentMethod`` and ``cashAccount`` (the wallet), which is what keeps
  the invoice from being paid a second time in a payment run. Both must
  be set, and the supplier too (a :class:`ConfigurationError` otherwise).

A refund (a voucher crediting costs) would be a debit adjustment; that is
booked as a journal transaction instead and refused here. The invoice's
description carries the key marker, found again by :meth:`SupplierInvoicePoster.find`;
receipts follow the journal poster's tokens (:mod:`.vouchers`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Sequence

from ops_lib.core.errors import ConfigurationError, DataInputError
from ops_lib.model.vouchers import ZERO, VoucherDraft
from ops_lib.systems.vismanet.client import VismaNetClient, segment
from ops_lib.systems.vismanet.payloads import wrapped
from ops_lib.systems.vismanet.vouchers import BookedDocument, JournalPoster, journal_line, transaction_date

DOCUMENT_TYPE = "Invoice"
RELEASABLE = ("Balanced",)


def invoice_payload(draft: VoucherDraft, *, supplier: str, payment_method: str, cash_account: str,
                    branch: str = "") -> dict[str, Any]:
    """The ``POST /v1/supplierInvoice`` body of one card-expense draft."""
    vat_accounts = {a for line in draft.lines if line.vat_code is not None for a in line.vat_code.accounts}
    lines, vat, paid = [], ZERO, ZERO
    for line in draft.lines:
        if line.vat_code is None and line.account in vat_accounts:
            vat += line.debit - line.credit
        elif line.credit and line.vat_code is None:
            paid += line.credit - line.debit
        else:
            row = journal_line(line)
            cost = line.debit - line.credit
            invoice_line = {"operation": "Insert", "accountNumber": row["accountNumber"],
                            "quantity": wrapped(Decimal(1)), "unitCostInCurrency": wrapped(cost),
                            "costInCurrency": wrapped(cost)}
            for key in ("transactionDescription", "vatCodeId", "subaccount"):
                if key in row:
                    invoice_line[key] = row[key]
            if line.project is not None:
                invoice_line["projectId"] = wrapped(line.project.code)
            lines.append(invoice_line)
    if paid <= 0:
        raise DataInputError(f"{draft.text}: a refund is not a supplier invoice; book it as a journal transaction")
    body: dict[str, Any] = {
        "documentType": wrapped(DOCUMENT_TYPE), "hold": wrapped(False), "date": wrapped(transaction_date(draft.day)),
        "description": wrapped(draft.text), "supplierNumber": wrapped(supplier),
        "supplierReference": wrapped(draft.key), "taxCalculationMode": wrapped("Net"),
        "paymentMethod": wrapped(payment_method), "cashAccount": wrapped(cash_account),
        "amount": wrapped(paid), "vatAmount": wrapped(vat), "invoiceLines": lines,
    }
    if branch:
        body["branchNumber"] = wrapped(branch)
    return body


class SupplierInvoicePoster(JournalPoster):
    """Sends card-expense vouchers as supplier invoices and finds the ones it sent (see the module docstring)."""

    def __init__(self, client: VismaNetClient, *, supplier: str = "", payment_method: str = "",
                 cash_account: str = "", auto_release: bool = False, transfer_receipts: bool = True,
                 branch: str = "", **_options: Any) -> None:
        missing = [n for n, v in (("supplier", supplier), ("payment_method", payment_method),
                                  ("cash_account", cash_account)) if not v.strip()]
        if missing:
            raise ConfigurationError(f"card expenses as supplier invoices need system_options {', '.join(missing)}: "
                                     f"the default supplier, and the payment method and cash account (the card "
                                     f"wallet) that keep an invoice paid by card from being paid again")
        super().__init__(client, auto_release=auto_release, transfer_receipts=transfer_receipts, branch=branch)
        self.supplier, self.payment_method, self.cash_account = supplier, payment_method, cash_account

    def payload(self, draft: VoucherDraft) -> dict[str, Any]:
        return invoice_payload(draft, supplier=self.supplier, payment_method=self.payment_method,
                               cash_account=self.cash_account, branch=self.branch)

    def send(self, draft: VoucherDraft, attachment_ids: Sequence[str]) -> BookedDocument:
        number = self.client.create("v1/supplierInvoice", self.payload(draft))
        attached = self._attach(number, attachment_ids, ())
        self._release(number)
        return BookedDocument(number, number, attached)

    def link(self, voucher_id: str, attachment_ids: Sequence[str]) -> None:
        current = self.client.supplier_invoice(voucher_id, DOCUMENT_TYPE)
        self._attach(voucher_id, attachment_ids, current.attachment_names)

    def find(self, marker: str, day: date) -> BookedDocument | None:
        """The supplier's invoice dated ``day`` whose description carries ``marker`` (released if due), or None."""
        for invoice in self.client.supplier_invoices(supplier=self.supplier, documentType=DOCUMENT_TYPE,
                                                     expandAttachment="true"):
            if marker in invoice.description and invoice.invoice_date in (day, None):
                if invoice.status in RELEASABLE:
                    self._release(invoice.number)
                return BookedDocument(invoice.number, invoice.number, invoice.attachment_names)
        return None

    def _attachment_path(self, number: str) -> str:
        return f"v1/supplierInvoice/documentType/{DOCUMENT_TYPE}/{segment(number)}/attachment"

    def _release(self, number: str) -> None:
        if self.auto_release:
            self.client.release_supplier_invoice(number, DOCUMENT_TYPE)
