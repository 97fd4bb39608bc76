"""Expenses into Procountor as JOURNAL ledger receipts, against the validating sandbox."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.model.references import DimensionItem, VatCodeRef
from ops_lib.model.vouchers import Receipt, VoucherDraft, VoucherLine
from ops_lib.systems.procountor.client import ProcountorClient
from ops_lib.systems.procountor.vouchers import LedgerReceiptPoster, item_values, receipt_payload

D = Decimal
VAT = VatCodeRef("1:25.5", "1:25.5", "Kotimaan osto 25.5 %", D("0.255"), ("1763",))
PROJECT = DimensionItem("2001", "P100", "Verkkokauppa", True)
CENTRE = DimensionItem("1001", "HALLINTO", "Hallinto", True)


def draft(gross: str, vat: str, *, day: date | None = None, receipts: tuple[Receipt, ...] = (),
          key: str = "exp-1") -> VoucherDraft:
    """A card expense as the neutral booking builds it: net cost row, its VAT row, the card contra."""
    g, v = D(gross), D(vat)
    lines = (VoucherLine("7310", g - v, D(0), "Taxi", VAT, (("102", PROJECT), ("101", CENTRE))),
             VoucherLine("1763", v, D(0), f"VAT {VAT.description}"),
             VoucherLine("1940", D(0), g, "Card"))
    return VoucherDraft("expenses", (key,), day or date.today().replace(day=1), "Pleo taxi", "", lines, receipts,
                        text_max=80)


def test_debits_are_positive_credits_negative_and_procountor_adds_the_domestic_vat() -> None:
    body = receipt_payload(draft("100.40", "20.40"))
    rows = body["transactions"]
    assert [r["account"] for r in rows] == ["7310", "1940"]  # the suite's VAT row is Procountor's to book
    assert rows[0]["accountingValue"] == D("80.00") and rows[0]["vatPercent"] == D("25.5")
    assert rows[0]["vatStatus"] == 1 and rows[1]["accountingValue"] == D("-100.40")
    assert rows[0]["accountingValue"] * D("1.255") + rows[1]["accountingValue"] == 0
    assert body["type"] == "JOURNAL" and body["vatType"] == "PURCHASE" and "#ops-" in body["name"]


def test_a_cent_procountor_computes_otherwise_stays_on_the_vat_account() -> None:
    rows = receipt_payload(draft("1.01", "0.21"))["transactions"]  # Procountor: 0.80 x 25.5 % = 0.20
    assert rows[-1]["account"] == "1763" and rows[-1]["accountingValue"] == D("0.01")
    assert rows[-1]["vatPercent"] == 0


def test_dimension_item_values_split_the_line_and_sum_to_it_per_dimension() -> None:
    values = item_values(D("-10.00"), [("101", CENTRE), ("101", DimensionItem("1002", "MYYNTI", "", True)),
                                       ("101", DimensionItem("1003", "KEHITYS", "", True)), ("102", PROJECT)])
    centre = [v["value"] for v in values if v["dimensionId"] == 101]
    assert centre == [D("3.33"), D("3.33"), D("3.34")] and sum(centre) == D("10.00")
    assert [v["value"] for v in values if v["dimensionId"] == 102] == [D("10.00")]


def test_the_plan_says_whether_the_receipt_is_approved_in_procountor(pc_client: ProcountorClient) -> None:
    left = LedgerReceiptPoster(pc_client).payload(draft("100.40", "20.40"))["steps"]
    assert any("stays UNFINISHED" in s for s in left) and not any("/approve" in s for s in left)
    approved = LedgerReceiptPoster(pc_client, approve_receipts=True).payload(draft("100.40", "20.40"))["steps"]
    assert any("PUT /ledgerreceipts/{id}/approve" in s for s in approved)


def _receipt(tmp_path: Path) -> Receipt:
    path = tmp_path / "taxi.pdf"
    path.write_bytes(b"%PDF-1.4 taxi receipt")
    return Receipt(path, "application/pdf", path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_receipt_is_booked_unfinished_with_its_file_on_the_journal_invoice(pc_client: ProcountorClient,
                                                                              tmp_path: Path) -> None:
    poster = LedgerReceiptPoster(pc_client)
    voucher = draft("100.40", "20.40", receipts=(_receipt(tmp_path),))
    booked = poster.send(voucher, [poster.upload(r) for r in voucher.receipts])
    saved = pc_client.ledger_receipt(int(booked.id))
    assert saved.status == "UNFINISHED" and saved.invoice_id
    names = [a["name"] for a in pc_client.attachments(saved.invoice_id)]
    assert len(names) == 1 and names[0].endswith("-taxi.pdf")
    rows = saved.data["transactions"]
    assert sum(D(str(v["value"])) for v in rows[0]["dimensionItemValues"] if v["dimensionId"] == 102) == D("80.00")


def test_approval_happens_only_when_asked(pc_client: ProcountorClient) -> None:
    booked = LedgerReceiptPoster(pc_client, approve_receipts=True).send(draft("100.40", "20.40", key="a"), [])
    assert pc_client.ledger_receipt(int(booked.id)).status == "APPROVED"


def test_after_a_crash_the_receipt_is_found_by_its_marker_and_its_files_completed(pc_client: ProcountorClient,
                                                                                 tmp_path: Path) -> None:
    poster = LedgerReceiptPoster(pc_client)
    voucher = draft("100.40", "20.40", receipts=(_receipt(tmp_path),), key="crash")
    tokens = [poster.upload(r) for r in voucher.receipts]
    booked = LedgerReceiptPoster(pc_client, transfer_receipts=False).send(voucher, tokens)  # "crashed" before files
    again = LedgerReceiptPoster(pc_client, approve_receipts=True)
    found = again.find(voucher.marker, voucher.day)
    assert found is not None and found.id == booked.id and found.attachment_ids == ()
    again.link(found.id, tokens)
    again.link(found.id, tokens)  # twice: still one file
    saved = pc_client.ledger_receipt(int(booked.id))
    assert len(pc_client.attachments(saved.invoice_id)) == 1 and saved.status == "APPROVED"
    assert again.find("#ops-not-booked", voucher.day) is None


def test_a_closed_fiscal_year_is_refused_with_its_explanation(pc_client: ProcountorClient) -> None:
    from ops_lib.core.errors import ApiError
    closed = date(date.today().year - 2, 10, 14)  # 25.5 % in force, the year closed
    with pytest.raises(ApiError) as caught:
        LedgerReceiptPoster(pc_client).send(draft("100.40", "20.40", day=closed), [])
    assert caught.value.code == "CLOSED_FISCAL_PERIOD"
    assert "open period" in caught.value.explain("en") and "avoimelle" in caught.value.explain("fi")
