"""Vouchers into Visma.net as journal transactions (GL batches, ``/v2/journaltransaction``).

A batch is posted with ``hold: false``, so a balanced one is *Balanced*
at once; with ``auto_release`` it is then released (to *Unposted*, or
*Posted* when the company posts on release). The service derives the
financial period from the transaction date and the ledger from the
branch unless the options name them (a branch without a default posting
ledger answers "'Ledger' cannot be empty", V1: set ``ledger``).

Receipts are attached to the batch itself, by a multipart upload to
``/v2/journaltransaction/module/GL/{batch}/attachment``, so they can only
be sent once the batch exists. :meth:`JournalPoster.upload` therefore
uploads nothing: it returns a token naming the receipt file and its
content hash, which the booking ledger keeps; :meth:`JournalPoster.send`
posts the batch and uploads the files under names made from those
tokens; :meth:`JournalPoster.link` uploads only the names the batch does
not carry yet, so a run that stopped between the two completes without
duplicates.

Every batch's description carries its key (``#ops-<key>``);
:meth:`JournalPoster.find` searches the batches of the date's financial
period for it before anything is sent again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from ops_lib.core.errors import DataInputError
from ops_lib.model.vouchers import Receipt, VoucherDraft
from ops_lib.systems.vismanet.client import VismaNetClient, segment
from ops_lib.systems.vismanet.payloads import wrapped
from ops_lib.systems.vismanet.records import FinancialPeriod

# What Visma.net takes as a receipt here, and how large (the service documents no limit; the suite's choice).
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                    ".tif": "image/tiff", ".tiff": "image/tiff"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MODULE = "GL"  # new batches exist only in the general ledger
RELEASABLE = ("Balanced",)
TOKEN_PREFIX = "receipt:"


@dataclass(frozen=True)
class BookedDocument:
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


def transaction_date(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def journal_line(line: Any) -> dict[str, Any]:
    """One ``JournalTransactionLineUpdateDto`` (operation Insert) from a voucher line."""
    row: dict[str, Any] = {"operation": "Insert", "accountNumber": wrapped(str(line.account))}
    if line.debit:
        row["debitAmountInCurrency"] = wrapped(line.debit)
    if line.credit:
        row["creditAmountInCurrency"] = wrapped(line.credit)
    if not line.debit and not line.credit:
        row["debitAmountInCurrency"] = wrapped(line.debit)
    if line.text:
        row["transactionDescription"] = wrapped(line.text)
    if line.vat_code is not None:
        row["vatCodeId"] = wrapped(line.vat_code.id)
    if line.dimensions:
        row["subaccount"] = [{"segmentId": int(dimension_id), "segmentValue": item.code}
                             for dimension_id, item in line.dimensions]
    if line.project is not None:
        row["project"] = wrapped(line.project.code)
    return row


def journal_payload(draft: VoucherDraft, *, ledger: str = "", branch: str = "") -> dict[str, Any]:
    """The ``POST /v2/journaltransaction`` body of one draft (hold off: a balanced batch is Balanced)."""
    body: dict[str, Any] = {"transactionDate": wrapped(transaction_date(draft.day)),
                            "description": wrapped(draft.text), "hold": wrapped(False),
                            "journalTransactionLines": [journal_line(line) for line in draft.lines]}
    if ledger:
        body["ledger"] = wrapped(ledger)
    if branch:
        body["branch"] = wrapped(branch)
    return body


class JournalPoster:
    """Sends vouchers to one connected company as journal transactions and finds the ones it sent.

    Parameters
    ----------
    auto_release:
        Release each batch once it is posted (and its receipts attached).
    transfer_receipts:
        Attach the receipts; off, batches go without them.
    ledger, branch:
        Sent on each batch when given; otherwise the branch's defaults apply.
    """

    def __init__(self, client: VismaNetClient, *, auto_release: bool = False, transfer_receipts: bool = True,
                 ledger: str = "", branch: str = "") -> None:
        self.client = client
        self.target = client.session.connection.key
        self.auto_release = auto_release
        self.transfer_receipts = transfer_receipts
        self.ledger, self.branch = ledger, branch
        self._periods: list[FinancialPeriod] | None = None

    def payload(self, draft: VoucherDraft) -> dict[str, Any]:
        return journal_payload(draft, ledger=self.ledger, branch=self.branch)

    def upload(self, receipt: Receipt) -> str:
        """Nothing is sent yet (a batch must exist first): the token :meth:`send` attaches it by."""
        return receipt_token(receipt)

    def send(self, draft: VoucherDraft, attachment_ids: Sequence[str]) -> BookedDocument:
        number = self.client.create("v2/journaltransaction", self.payload(draft))
        attached = self._attach(number, attachment_ids, ())
        self._release(number)
        return BookedDocument(number, number, attached)

    def link(self, voucher_id: str, attachment_ids: Sequence[str]) -> None:
        """Attach the receipts the batch does not carry yet (by name), then release it if it is due."""
        current = self.client.journal_transaction(voucher_id)
        self._attach(voucher_id, attachment_ids, current.attachment_names)

    def find(self, marker: str, day: date) -> BookedDocument | None:
        """The batch of ``day``'s financial period whose description carries ``marker``, or None.

        A found batch that is still Balanced is released when the options say
        so: the run that posted it stopped before it could.
        """
        for batch in self.client.journal_transactions(self._period_id(day)):
            if marker in batch.description and batch.module.removeprefix("Module") == MODULE:
                if batch.status in RELEASABLE:
                    self._release(batch.number)
                names = batch.attachment_names
                return BookedDocument(batch.number, batch.number, names)
        return None

    # -- helpers -------------------------------------------------------

    def _attach(self, number: str, tokens: Sequence[str], present: Sequence[str]) -> tuple[str, ...]:
        if not self.transfer_receipts:
            return ()
        done = []
        for token in tokens:
            name = attachment_name(token) if token.startswith(TOKEN_PREFIX) else token
            if name not in present and token.startswith(TOKEN_PREFIX):
                path = Path(token.removeprefix(TOKEN_PREFIX).partition(":")[2])
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    raise DataInputError(f"the receipt {path} cannot be read ({type(exc).__name__}); "
                                         f"restore it, then run again") from exc
                if hashlib.sha256(content).hexdigest()[:12] != name.partition("-")[0]:
                    raise DataInputError(f"the receipt {path} changed since the plan was approved; plan again")
                kind = ATTACHMENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
                self.client.upload_attachment(self._attachment_path(number), name, content, kind)
            done.append(token)
        return tuple(done)

    def _attachment_path(self, number: str) -> str:
        return f"v2/journaltransaction/module/{MODULE}/{segment(number)}/attachment"

    def _release(self, number: str) -> None:
        if self.auto_release:
            self.client.release_journal_transaction(number)

    def _period_id(self, day: date) -> str:
        """The ``YYYYPP`` of the financial period covering ``day`` (the calendar month when none is found)."""
        if self._periods is None:
            self._periods = self.client.financial_periods()
        for p in self._periods:
            if p.start_date and p.end_date and p.start_date <= day <= p.end_date:
                return p.period
        return f"{day.year}{day.month:02d}"
