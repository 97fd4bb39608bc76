"""Journal transactions and supplier invoices: payloads, receipts after the batch, found again after a crash."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.core.errors import ConfigurationError
from ops_lib.model.references import DimensionItem, VatCodeRef
from ops_lib.model.vouchers import ZERO, Receipt, VoucherDraft, VoucherLine
from ops_lib.systems.registry import get
from ops_lib.systems.vismanet.invoices import SupplierInvoicePoster, invoice_payload
from ops_lib.systems.vismanet.vouchers import JournalPoster, attachment_name, journal_payload
from tests.systems.vismanet.fake import FakeVismaNet, connect, sent_json

VAT25 = VatCodeRef("1", "1", "Ingående moms 25 %", Decimal("0.25"), ("2641",))
PROJECT = DimensionItem("P01", "P01", "Lansering", True)


def receipt(tmp_path: Path, name: str = "kvitto.pdf", content: bytes = b"%PDF-1.4 receipt") -> Receipt:
    path = tmp_path / name
    path.write_bytes(content)
    return Receipt(path, "application/pdf", len(content), hashlib.sha256(content).hexdigest())


def draft(receipts: tuple[Receipt, ...] = (), key: str = "exp-1") -> VoucherDraft:
    lines = (VoucherLine("6540", Decimal("80.00"), ZERO, "Adobe", VAT25, (("2", PROJECT),)),
             VoucherLine("2641", Decimal("20.00"), ZERO, "Input VAT 25 %"),
             VoucherLine("1940", ZERO, Decimal("100.00"), "Card, Anna"))
    return VoucherDraft("expenses", (key,), date(2024, 5, 2), "Pleo Adobe", "A", lines, receipts)


def test_the_journal_payload_is_a_value_wrapped_update_dto() -> None:
    body = journal_payload(draft(), ledger="MAIN")
    assert body["transactionDate"] == {"value": "2024-05-02T00:00:00"}
    assert body["hold"] == {"value": False} and body["ledger"] == {"value": "MAIN"}
    assert body["description"]["value"].endswith("#ops-" + draft().key)
    first, vat, contra = body["journalTransactionLines"]
    assert first == {"operation": "Insert", "accountNumber": {"value": "6540"},
                     "debitAmountInCurrency": {"value": Decimal("80.00")}, "transactionDescription": {"value": "Adobe"},
                     "vatCodeId": {"value": "1"}, "subaccount": [{"segmentId": 2, "segmentValue": "P01"}]}
    assert "vatCodeId" not in vat and contra["creditAmountInCurrency"] == {"value": Decimal("100.00")}


def test_a_batch_is_posted_then_its_receipts_attached_then_released(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    slip = receipt(tmp_path)
    with connect(tmp_path, fake) as client:
        poster = JournalPoster(client, auto_release=True)
        token = poster.upload(slip)
        assert not [r for r in fake.requests if r.url.path.endswith("/attachment")]  # nothing before the batch
        booked = poster.send(draft((slip,)), [token])
    assert booked.number == "000001" and booked.attachment_ids == (token,)
    order = [(r.method, r.url.path) for r in fake.requests]
    assert order == [("POST", "/v2/journaltransaction"),
                     ("POST", "/v2/journaltransaction/module/GL/000001/attachment"),
                     ("POST", "/v2/journaltransaction/000001/action/release")]
    assert fake.attachments["000001"][0]["name"] == attachment_name(token) == f"{slip.sha256[:12]}-kvitto.pdf"
    assert sent_json(fake.requests[0])["journalTransactionLines"][2]["accountNumber"] == {"value": "1940"}


def test_a_batch_sent_before_a_crash_is_found_and_only_missing_receipts_attached(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    first, second = receipt(tmp_path, "a.pdf", b"%PDF a"), receipt(tmp_path, "b.pdf", b"%PDF b")
    d = draft((first, second))
    with connect(tmp_path, fake) as client:
        poster = JournalPoster(client)
        tokens = [poster.upload(first), poster.upload(second)]
        number = client.create("v2/journaltransaction", poster.payload(d))  # the crash came after this
        client.upload_attachment(f"v2/journaltransaction/module/GL/{number}/attachment", attachment_name(tokens[0]),
                                 b"%PDF a", "application/pdf")
        again = JournalPoster(client)  # a new run
        found = again.find(d.marker, d.day)
        assert found is not None and found.number == number
        again.link(found.id, tokens)
        assert again.find(draft(key="other").marker, d.day) is None
    names = [a["name"] for a in fake.attachments[number]]
    assert names == [attachment_name(tokens[0]), attachment_name(tokens[1])]  # no duplicate of the first


def test_without_receipt_transfer_nothing_is_uploaded(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    slip = receipt(tmp_path)
    with connect(tmp_path, fake) as client:
        poster = JournalPoster(client, transfer_receipts=False)
        booked = poster.send(draft((slip,)), [poster.upload(slip)])
    assert booked.attachment_ids == () and not fake.attachments


def test_the_system_builds_the_poster_the_options_choose(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    system = get("vismanet")
    with connect(tmp_path, fake) as client:
        assert isinstance(system.make_voucher_poster(client), JournalPoster)
        invoices = system.make_voucher_poster(client, export_as="supplier_invoice", supplier="20001",
                                              payment_method="PLEO", cash_account="1940", auto_release=True)
        assert isinstance(invoices, SupplierInvoicePoster)
        with pytest.raises(ConfigurationError, match="payment_method, cash_account"):
            system.make_voucher_poster(client, export_as="supplier_invoice", supplier="20001")


def test_a_card_expense_invoice_is_paid_by_its_method_and_vat_is_left_to_the_service() -> None:
    body = invoice_payload(draft(), supplier="20001", payment_method="PLEO", cash_account="1940")
    assert body["documentType"] == {"value": "Invoice"} and body["supplierNumber"] == {"value": "20001"}
    assert body["paymentMethod"] == {"value": "PLEO"} and body["cashAccount"] == {"value": "1940"}
    assert body["amount"] == {"value": Decimal("100.00")} and body["vatAmount"] == {"value": Decimal("20.00")}
    (line,) = body["invoiceLines"]  # the VAT row and the wallet row are not invoice lines
    assert line["accountNumber"] == {"value": "6540"} and line["costInCurrency"] == {"value": Decimal("80.00")}
    assert line["vatCodeId"] == {"value": "1"} and body["taxCalculationMode"] == {"value": "Net"}
