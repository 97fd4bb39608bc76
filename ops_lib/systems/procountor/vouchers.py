"""Vouchers into Procountor as ledger receipts of type JOURNAL (``POST /ledgerreceipts``).

Procountor's sign convention: **debits positive, credits negative**, and a
receipt's transactions sum to zero. Each voucher line becomes one
``ENTRY`` transaction whose ``accountingValue`` is its debit minus its
credit; a line with a VAT code carries that code's ``vatStatus`` and
``vatPercent``. On a domestic purchase Procountor adds the VAT from the
percent itself, so the suite's own VAT row of that code is left out
(:func:`receipt_lines`); other VAT rows (reverse charge) go at 0 %. A line's dimension item values split its amount: per
dimension they hold absolute amounts that sum to the line's
(:func:`item_values`).

A new receipt is UNFINISHED. It is approved (``PUT .../approve``) only
when the options ask for it (``approve_receipts``, off by default), and
the plan's preview says so as a step of its own (:meth:`LedgerReceiptPoster.payload`).

Receipts are attached to the journal's automatic invoice:
``referenceType=INVOICE`` and ``referenceId`` the receipt's ``invoiceId``,
so they can only go once the receipt exists. :meth:`LedgerReceiptPoster.upload`
therefore uploads nothing: it returns a token naming the file and its
content hash; :meth:`~LedgerReceiptPoster.send` creates the receipt and
uploads the files under names made from those tokens, and
:meth:`~LedgerReceiptPoster.link` uploads only the names the invoice does
not carry yet, so a run that stopped in between completes without
duplicates. Every receipt's name carries its key (``#ops-<key>``):
:meth:`~LedgerReceiptPoster.find` searches the receipts of the day for it
before anything is sent again (a 500 from the proxy leaves it unknown
whether the receipt was saved).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from ops_lib.core.errors import DataInputError
from ops_lib.model.vouchers import Receipt, VoucherDraft, VoucherLine
from ops_lib.systems.procountor.client import ProcountorClient

ATTACHMENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                    ".gif": "image/gif", ".tif": "image/tiff", ".tiff": "image/tiff"}
MAX_ATTACHMENT_BYTES = 10_000_000  # the service's cap on one attachment
NAME_MAX = 80  # a ledger receipt's name
DOMESTIC_STATUS = 1  # the receipt-level VAT status of a domestic purchase journal
NO_VAT_STATUS = 12  # VAT-exempt / no VAT at 0 %: the rows of a non-domestic receipt that carry no VAT code
TOKEN_PREFIX = "receipt:"
CENT = Decimal("0.01")
LIVE = ("UNFINISHED", "APPROVED")  # an INVALIDATED receipt books nothing


@dataclass(frozen=True)
class BookedReceipt:
    id: str
    number: str
    attachment_ids: tuple[str, ...] = ()


def receipt_token(receipt: Receipt) -> str:
    """What the ledger keeps for a receipt not yet attached: its content hash and its file."""
    return f"{TOKEN_PREFIX}{receipt.sha256[:12]}:{receipt.path}"


def attachment_name(token: str) -> str:
    """The file name a token's receipt is attached under (hash-prefixed, so two receipts never clash)."""
    digest, _, path = token.removeprefix(TOKEN_PREFIX).partition(":")
    return f"{digest}-{Path(path).name}"


def vat_parts(code_id: str) -> tuple[int, Decimal]:
    """(vatStatus, vatPercent) of a Procountor VAT code id ``"<status>:<percent>"`` (see :mod:`.chart`)."""
    status, _, percent = code_id.partition(":")
    return int(status), Decimal(percent or "0")


def item_values(amount: Decimal, dimensions: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The ``dimensionItemValues`` of one transaction: per dimension, its items split ``|amount|``.

    Items of the same dimension share the amount evenly in cents, the last
    one taking the remainder, so each dimension's values sum to it exactly.
    """
    total = abs(amount)
    by_dimension: dict[str, list[Any]] = {}
    for dimension_id, item in dimensions:
        by_dimension.setdefault(str(dimension_id), []).append(item)
    values = []
    for dimension_id, items in by_dimension.items():
        share = (total / len(items)).quantize(CENT, rounding="ROUND_DOWN")
        for n, item in enumerate(items):
            value = total - share * (len(items) - 1) if n == len(items) - 1 else share
            values.append({"dimensionId": int(dimension_id), "itemId": int(item.id), "value": value})
        assert sum((v["value"] for v in values if v["dimensionId"] == int(dimension_id)), Decimal(0)) == total
    return values


def transaction(line: VoucherLine) -> dict[str, Any]:
    """One ``ENTRY`` transaction of a voucher line: debit positive, credit negative."""
    value = line.debit - line.credit
    row: dict[str, Any] = {"transactionType": "ENTRY", "account": str(line.account), "accountingValue": value,
                           "vatPercent": Decimal(0)}
    if line.vat_code is not None:
        status, percent = vat_parts(line.vat_code.id)
        row.update(vatPercent=percent, vatStatus=status, vatType="PURCHASE")
    if line.text:
        row["description"] = line.text[:255]
    if line.dimensions:  # tags are dimension items here (no projects register), so line.project stays None
        row["dimensionItemValues"] = item_values(value, line.dimensions)
    return row


def procountor_vat(value: Decimal, percent: Decimal) -> Decimal:
    """The VAT Procountor adds to a domestic ``ENTRY`` of net ``value`` at ``percent`` (to the cent)."""
    return (value * percent / 100).quantize(CENT, rounding="ROUND_HALF_UP")


def _is_vat_row(line: VoucherLine, code: Any) -> bool:
    """Whether ``line`` is the suite's deductible-VAT row of ``code`` (what Procountor books itself).

    The booking writes one such row per VAT code, without a code, its text
    ``VAT <the code's description>`` (whichever input VAT account the setup names).
    """
    return line.vat_code is None and line.text.startswith(f"VAT {code.description}"[:40])


def receipt_lines(draft: VoucherDraft) -> list[dict[str, Any]]:
    """The transactions of a draft, its VAT as Procountor books it.

    A domestic purchase (VAT status 1) carries its *net* amount and
    Procountor adds the VAT from ``vatPercent`` itself, so the suite's own
    deductible-VAT row of that code is left out; a cent the two VAT sums
    differ by stays on the input VAT account, so the receipt's VAT is what
    the expense says. A code with no deductible VAT (representation in
    Finland) goes at 0 %: Procountor must add nothing.
    """
    codes = {line.vat_code.id: line.vat_code for line in draft.lines
             if line.vat_code is not None and vat_parts(line.vat_code.id)[0] == DOMESTIC_STATUS
             and vat_parts(line.vat_code.id)[1]}
    vat_rows = {cid: [ln for ln in draft.lines if _is_vat_row(ln, code)]
                for cid, code in codes.items()}
    left_out = [ln for found in vat_rows.values() for ln in found]
    rows: list[dict[str, Any]] = []
    added: dict[str, Decimal] = {}
    for line in draft.lines:
        if any(line is ln for ln in left_out):
            continue
        row = transaction(line)
        cid = line.vat_code.id if line.vat_code is not None else ""
        if cid in codes and not vat_rows[cid]:
            row["vatPercent"] = Decimal(0)  # no deductible VAT: Procountor must add none
        elif cid in codes:
            added[cid] = added.get(cid, Decimal(0)) + procountor_vat(row["accountingValue"], row["vatPercent"])
        rows.append(row)
    for cid, found in vat_rows.items():
        difference = sum((ln.debit - ln.credit for ln in found), Decimal(0)) - added.get(cid, Decimal(0))
        if found and difference:
            rows.append({"transactionType": "ENTRY", "account": str(found[0].account), "accountingValue": difference,
                         "vatPercent": Decimal(0),
                         "description": f"{found[0].text} (difference to Procountor's VAT)"[:255]})
    statuses = [r["vatStatus"] for r in rows if "vatStatus" in r]
    if statuses and statuses[0] != DOMESTIC_STATUS:
        # A reverse-charge (or other non-domestic) receipt's status needs a non-zero percent; rows without a VAT
        # code (the suite's own reverse-charge VAT rows, the contra) would inherit it at 0 %, which Procountor
        # refuses (ERROR_VATSTATUS_VATPERC). They say "no VAT" themselves.
        for row in rows:
            row.setdefault("vatStatus", NO_VAT_STATUS)
    return rows


def receipt_payload(draft: VoucherDraft) -> dict[str, Any]:
    """The ``POST /ledgerreceipts`` body of one draft (a JOURNAL; with Procountor's VAT, it sums to zero)."""
    rows = receipt_lines(draft)
    total = sum((r["accountingValue"] + (procountor_vat(r["accountingValue"], r["vatPercent"])
                                         if r.get("vatStatus") == DOMESTIC_STATUS else 0) for r in rows), Decimal(0))
    if total:
        raise DataInputError(f"the voucher {draft.key} does not balance ({total}); plan again")
    statuses = [r["vatStatus"] for r in rows if "vatStatus" in r]
    return {"type": "JOURNAL", "name": draft.text[:NAME_MAX], "receiptDate": draft.day.isoformat(),
            "vatType": "PURCHASE", "vatStatus": statuses[0] if statuses else DOMESTIC_STATUS,
            "transactions": rows}


class LedgerReceiptPoster:
    """Sends vouchers to one connected company as JOURNAL ledger receipts and finds the ones it sent.

    Parameters
    ----------
    approve_receipts:
        Approve each receipt in Procountor once booked (and its files attached); off, it stays
        UNFINISHED for someone to approve in Procountor.
    transfer_receipts:
        Attach the receipt files; off, receipts go without them.
    create_reconciliation:
        Ask Procountor to add the balancing RECONCILIATION_ENTRY (``createReconciliation``); the
        suite balances its vouchers itself, so it is off by default.
    """

    def __init__(self, client: ProcountorClient, *, approve_receipts: bool = False, transfer_receipts: bool = True,
                 create_reconciliation: bool = False) -> None:
        self.client = client
        self.target = client.session.connection.key
        self.approve_receipts = approve_receipts
        self.transfer_receipts = transfer_receipts
        self.create_reconciliation = create_reconciliation

    def steps(self) -> list[str]:
        """What booking one voucher does, in order, as the plan shows it."""
        found = ["POST /ledgerreceipts (a JOURNAL, created UNFINISHED)"]
        if self.transfer_receipts:
            found.append("POST /attachments for each receipt file (referenceType INVOICE, the journal's invoiceId)")
        found.append("PUT /ledgerreceipts/{id}/approve: approve the receipt in Procountor (approve_receipts is on)"
                     if self.approve_receipts else
                     "no approval: the receipt stays UNFINISHED until someone approves it in Procountor "
                     "(set system_options.approve_receipts to approve it here)")
        return found

    def payload(self, draft: VoucherDraft) -> dict[str, Any]:
        """The plan's preview: the receipt's body and the steps, approval among them said explicitly."""
        return {"ledgerReceipt": receipt_payload(draft), "steps": self.steps()}

    def upload(self, receipt: Receipt) -> str:
        """Nothing is sent yet (the receipt must exist first): the token :meth:`send` attaches it by."""
        return receipt_token(receipt)

    def send(self, draft: VoucherDraft, attachment_ids: Sequence[str]) -> BookedReceipt:
        params = {"createReconciliation": "true"} if self.create_reconciliation else None
        saved = self.client.create("ledgerreceipts", receipt_payload(draft), params)
        receipt_id = str(saved.get("id") or "")
        invoice_id = saved.get("invoiceId")
        attached = self._attach(invoice_id, attachment_ids, ())
        self._approve(receipt_id, str(saved.get("status") or "UNFINISHED"))
        return BookedReceipt(receipt_id, str(saved.get("receiptNumber") or receipt_id), attached)

    def link(self, voucher_id: str, attachment_ids: Sequence[str]) -> None:
        """Attach the files the receipt's invoice does not carry yet (by name), then approve it if due."""
        current = self.client.ledger_receipt(int(voucher_id))
        self._attach(current.invoice_id, attachment_ids, self._present(current.invoice_id))
        self._approve(voucher_id, current.status)

    def find(self, marker: str, day: date) -> BookedReceipt | None:
        """The live JOURNAL receipt dated ``day`` whose name carries ``marker``, or None.

        A found one still UNFINISHED is approved when the options say so: the
        run that booked it stopped before it could.
        """
        for basic in self.client.ledger_receipts(startDate=day.isoformat(), endDate=day.isoformat(), types="JOURNAL"):
            if marker in str(basic.get("name") or "") and str(basic.get("status") or "") in LIVE:
                receipt = self.client.ledger_receipt(int(basic["id"]))
                self._approve(str(receipt.id), receipt.status)
                names = self._present(receipt.invoice_id)
                return BookedReceipt(str(receipt.id), str(basic.get("receiptNumber") or receipt.id), names)
        return None

    # -- helpers -------------------------------------------------------

    def _present(self, invoice_id: int | None) -> tuple[str, ...]:
        if invoice_id is None or not self.transfer_receipts:
            return ()
        return tuple(str(a.get("name") or "") for a in self.client.attachments(invoice_id))

    def _attach(self, invoice_id: Any, tokens: Sequence[str], present: Sequence[str]) -> tuple[str, ...]:
        if not self.transfer_receipts:
            return ()
        done = []
        for token in tokens:
            name = attachment_name(token) if token.startswith(TOKEN_PREFIX) else token
            if name not in present and token.startswith(TOKEN_PREFIX):
                if invoice_id is None:
                    raise DataInputError("Procountor gave the journal no invoiceId, so its receipts cannot be "
                                         "attached; attach them by hand in Procountor")
                path = Path(token.removeprefix(TOKEN_PREFIX).partition(":")[2])
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    raise DataInputError(f"the receipt {path} cannot be read ({type(exc).__name__}); "
                                         f"restore it, then run again") from exc
                if hashlib.sha256(content).hexdigest()[:12] != name.partition("-")[0]:
                    raise DataInputError(f"the receipt {path} changed since the plan was approved; plan again")
                meta = {"name": name, "referenceType": "INVOICE", "referenceId": int(invoice_id),
                        "sendWithInvoice": False}
                kind = ATTACHMENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
                self.client.upload_attachment(meta, name, content, kind)
            done.append(token)
        return tuple(done)

    def _approve(self, receipt_id: str, status: str) -> None:
        if self.approve_receipts and status == "UNFINISHED" and receipt_id:
            self.client.approve_ledger_receipt(int(receipt_id))
