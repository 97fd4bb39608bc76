"""The connector against the Visma.net sandbox, every answer validated against the vendor's OpenAPI."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.core.errors import ApiError
from ops_lib.core.money import dumps
from ops_lib.model.references import DimensionItem, VatCodeRef
from ops_lib.model.registers import SPECS
from ops_lib.model.vouchers import ZERO, Receipt, VoucherDraft, VoucherLine
from ops_lib.state.cache import RegisterCache
from ops_lib.state.db import open_state
from ops_lib.systems.registry import get
from ops_lib.systems.vismanet.chart import read_references
from ops_lib.systems.vismanet.client import VismaNetClient
from ops_lib.systems.vismanet.invoices import SupplierInvoicePoster
from ops_lib.systems.vismanet.registers import SUPPLIER_FIELDS, pull, register_rows
from ops_lib.systems.vismanet.vouchers import JournalPoster, attachment_name
from ops_lib.systems.vismanet.writer import VismaNetWriter
from tests.sandbox.vismanet.harness import VismaNetHarness

VAT25 = VatCodeRef("10", "10", "Ingående moms 25 %", Decimal("25.0"), ("2641",))


def receipt(tmp_path: Path, name: str = "kvitto.pdf") -> Receipt:
    content = b"%PDF-1.4\n" + name.encode() + b"\n%%EOF"
    (tmp_path / name).write_bytes(content)
    return Receipt(tmp_path / name, "application/pdf", len(content), hashlib.sha256(content).hexdigest())


def card_expense(day: date, receipts: tuple[Receipt, ...] = (), key: str = "pleo-1") -> VoucherDraft:
    project = DimensionItem("P100", "P100", "Projekt 100", True)
    lines = (VoucherLine("5410", Decimal("400.00"), ZERO, "Skärm", VAT25, (("2", project),)),
             VoucherLine("2641", Decimal("100.00"), ZERO, "Ingående moms 25 %"),
             VoucherLine("1941", ZERO, Decimal("500.00"), "Pleo, Anna"))
    return VoucherDraft("expenses", (key,), day, "Pleo: Skärm", "A", lines, receipts)


def open_day(client: VismaNetClient) -> date:
    period = next(p for p in client.financial_periods() if not p.is_locked)
    assert period.start_date is not None
    return period.start_date.replace(day=10)


def test_references_of_the_demo_company(vn_client: VismaNetClient, vn: VismaNetHarness) -> None:
    refs = read_references(vn_client)
    closed = next(p for p in vn_client.financial_periods() if p.is_locked)
    assert refs.year(closed.start_date).locked and not refs.year(open_day(vn_client)).locked
    assert refs.locked_to is not None and refs.locked_to >= closed.end_date
    assert refs.vat_code_for("2641", Decimal("25.0")).id == "10"
    assert refs.dimension("Projekt").item("P100") is not None and refs.chart(open_day(vn_client)).accounts["1941"]
    assert vn.transport.validated > 0


def test_a_card_expense_is_booked_with_its_receipt_released_and_found_again(
        vn_client: VismaNetClient, tmp_path: Path) -> None:
    slip = receipt(tmp_path)
    draft = card_expense(open_day(vn_client), (slip,))
    poster = get("vismanet").make_voucher_poster(vn_client, auto_release=True)
    booked = poster.send(draft, [poster.upload(slip)])
    batch = vn_client.journal_transaction(booked.number)
    assert batch.status in ("Posted", "Unposted") and draft.marker in batch.description
    assert batch.attachment_names == (attachment_name(booked.attachment_ids[0]),)
    found = JournalPoster(vn_client).find(draft.marker, draft.day)
    assert found is not None and found.number == booked.number and found.attachment_ids == batch.attachment_names
    JournalPoster(vn_client).link(found.id, booked.attachment_ids)  # a rerun attaches nothing twice
    assert vn_client.journal_transaction(booked.number).attachment_names == batch.attachment_names


def test_a_batch_left_balanced_by_a_crash_is_released_when_found(vn_client: VismaNetClient) -> None:
    draft = card_expense(open_day(vn_client), key="pleo-crash")
    number = vn_client.create("v2/journaltransaction", JournalPoster(vn_client).payload(draft))
    assert vn_client.journal_transaction(number).status == "Balanced"
    found = JournalPoster(vn_client, auto_release=True).find(draft.marker, draft.day)
    assert found is not None and vn_client.journal_transaction(number).status in ("Posted", "Unposted")


def test_a_closed_period_is_refused_and_explained(vn_client: VismaNetClient) -> None:
    closed = next(p for p in vn_client.financial_periods() if p.is_locked)
    with pytest.raises(ApiError) as caught:
        JournalPoster(vn_client).send(card_expense(closed.start_date), [])
    assert caught.value.explanation is not None and "closed" in caught.value.explanation.title
    assert caught.value.error_id  # the VismaId to quote to support


def test_a_card_expense_as_a_supplier_invoice_is_paid_by_card_and_released(
        vn_client: VismaNetClient, tmp_path: Path) -> None:
    supplier = vn_client.suppliers()[0].number
    slip = receipt(tmp_path, "faktura.pdf")
    poster = get("vismanet").make_voucher_poster(
        vn_client, export_as="supplier_invoice", supplier=supplier, payment_method="PLEO", cash_account="1941",
        auto_release=True)
    assert isinstance(poster, SupplierInvoicePoster)
    draft = card_expense(open_day(vn_client), (slip,), key="pleo-inv")
    booked = poster.send(draft, [poster.upload(slip)])
    invoice = vn_client.supplier_invoice(booked.number)
    assert (invoice.status, invoice.payment_method, invoice.cash_account) == ("Open", "PLEO", "1941")
    assert invoice.data["amount"] == Decimal("500.00") and invoice.attachment_names
    again = poster.find(draft.marker, draft.day)
    assert again is not None and again.number == booked.number


def test_vendors_and_tags_are_read_and_a_supplier_written(vn_client: VismaNetClient) -> None:
    rows = register_rows(SUPPLIER_FIELDS, [dict(s.data) for s in vn_client.suppliers()], "number")
    assert rows and {"number", "name", "vat_number", "country_code", "is_active"} <= set(rows[0])
    tags = get("vismanet").read_register(vn_client, "projects")
    assert "P100" in set(tags["number"])
    writer = VismaNetWriter(vn_client, "suppliers")
    record = {"number": "39001", "name": "Prov Leverantör AB", "country_code": "SE", "is_active": "true"}
    (call,) = writer.plan("create", record, None, [])
    assert writer.send(call) == "39001" and writer.find(call) == "39001"
    products = get("vismanet").read_register(vn_client, "products")
    customers = get("vismanet").read_register(vn_client, "customers")
    assert len(products) and len(customers) and set(products["is_active"]) <= {"true", "false"}


def test_a_second_pull_asks_only_for_changes_and_merges_them(vn_client: VismaNetClient, tmp_path: Path) -> None:
    db = open_state(tmp_path / "state.sqlite")
    try:
        cache = RegisterCache(db, "vismanet", vn_client.session.key)
        first = pull(vn_client, "customers", cache)
        # Mark an unchanged record in the cache: a pull that fetched it again would overwrite the mark.
        marked = {**first[0], "name": "kept from the cache"}
        db.execute("UPDATE cached_records SET body = ? WHERE register = 'customers' AND record_id = ?",
                   (dumps(marked), marked["Id"]))
        writer = VismaNetWriter(vn_client, "customers")
        (call,) = writer.plan("create", {"number": "39501", "name": "Ny Kund AB", "country_code": "SE"}, None, [])
        writer.send(call)
        second = pull(vn_client, "customers", cache)
        assert [r["number"] for r in second] == [*(r["number"] for r in first), "39501"]
        assert second[0]["name"] == "kept from the cache"  # unchanged records were not fetched again
        assert len(pull(vn_client, "customers", cache, full=True)) == len(second)
        assert pull(vn_client, "customers", cache, full=True)[0]["name"] != "kept from the cache"
    finally:
        db.close()


@pytest.mark.skipif("suppliers" not in SPECS, reason="the neutral suppliers register arrives with the seam branch")
def test_vendors_read_as_the_suppliers_register(vn_client: VismaNetClient) -> None:
    frame = get("vismanet").read_register(vn_client, "suppliers")
    assert {"number", "name", "vat_number", "country_code", "is_active"} <= set(frame.columns)
    assert len(frame) == len(vn_client.suppliers()) and set(frame["_id"]) == set(frame["number"])
