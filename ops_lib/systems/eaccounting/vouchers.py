"""Vouchers into eAccounting: the payload, the receipts, and finding a voucher a crash may have left.

Vouchers are append-only in eAccounting (no update, no delete), so the
only safe retry is one that first looks: every voucher the suite sends
carries its key in ``VoucherText`` (``#ops-<key>``), and :meth:`find`
searches the fiscal year's vouchers of that date for it. Receipts are
uploaded as attachments and linked in the voucher's own POST, so a
voucher and its receipt links are made together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from ops_lib.core.errors import ConfigurationError
from ops_lib.model.vouchers import Receipt, VoucherDraft
from ops_lib.systems.eaccounting.client import DOCUMENT_TYPE_VOUCHER, EAccountingClient

# What eAccounting accepts as an attachment (the upload's ContentType) and how large.
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                    ".tif": "image/tiff", ".tiff": "image/tiff"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# A voucher row carries at most one item of each of the three cost centres, by the cost centre's number.
COST_CENTRE_SLOTS = ("1", "2", "3")


@dataclass(frozen=True)
class BookedVoucher:
    id: str
    number: str
    attachment_ids: tuple[str, ...] = ()


def cost_centre_field(dimension_id: str) -> str:
    """The row field of a cost centre's item: its number names the slot (``CostCenterItemId1..3``).

    Raises
    ------
    ConfigurationError
        The dimension is not one of eAccounting's three cost centres.
    """
    if dimension_id not in COST_CENTRE_SLOTS:
        raise ConfigurationError(f"eAccounting has cost centres {', '.join(COST_CENTRE_SLOTS)}, "
                                 f"not {dimension_id!r}")
    return f"CostCenterItemId{dimension_id}"


def voucher_payload(draft: VoucherDraft, attachment_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The ``POST /vouchers`` body (``useDefaultVoucherSeries=false``: the setup's series is used)."""
    rows = []
    for line in draft.lines:
        row: dict[str, Any] = {"AccountNumber": int(line.account), "DebitAmount": line.debit,
                               "CreditAmount": line.credit}
        if line.text:
            row["TransactionText"] = line.text
        if line.vat_code is not None:
            row["VatCodeId"] = line.vat_code.id
        for dimension_id, item in line.dimensions:
            row[cost_centre_field(dimension_id)] = item.id
        if line.project is not None:
            row["ProjectId"] = line.project.id
        rows.append(row)
    body: dict[str, Any] = {"VoucherDate": draft.day.isoformat(), "VoucherText": draft.text, "Rows": rows,
                            "NumberSeries": draft.series}
    if attachment_ids:
        body["Attachments"] = {"DocumentType": DOCUMENT_TYPE_VOUCHER, "AttachmentIds": list(attachment_ids)}
    return body


class EAccountingVoucherPoster:
    """Sends vouchers to one connected company and finds the ones it sent."""

    def __init__(self, client: EAccountingClient) -> None:
        self.client = client
        self.target = client.session.connection.key
        self._years: list[Any] | None = None

    def payload(self, draft: VoucherDraft) -> dict[str, Any]:
        return voucher_payload(draft)

    def upload(self, receipt: Receipt) -> str:
        return self.client.upload_attachment(receipt.path.name, receipt.path.read_bytes(), receipt.content_type).id

    def send(self, draft: VoucherDraft, attachment_ids: Sequence[str]) -> BookedVoucher:
        voucher = self.client.create_voucher(voucher_payload(draft, attachment_ids), use_default_voucher_series=False)
        return BookedVoucher(voucher.id, voucher.number, tuple(attachment_ids))

    def link(self, voucher_id: str, attachment_ids: Sequence[str]) -> None:
        self.client.link_attachments(voucher_id, list(attachment_ids))

    def find(self, marker: str, day: date) -> BookedVoucher | None:
        """The voucher dated ``day`` whose text carries ``marker``, or None."""
        year = self._year(day)
        if year is None:
            return None
        for data in self.client.iter_data(f"vouchers/{year.id}", {"$filter": f"VoucherDate eq {day}"}):
            if marker in str(data.get("VoucherText") or ""):
                linked = (data.get("Attachments") or {}).get("AttachmentIds") or []
                return BookedVoucher(str(data["Id"]), str(data.get("NumberAndNumberSeries") or ""),
                                     tuple(str(a) for a in linked))
        return None

    def _year(self, day: date) -> Any:
        if self._years is None:
            self._years = list(self.client.fiscal_years())
        return next((y for y in self._years if y.covers(day)), None)

