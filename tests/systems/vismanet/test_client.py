"""The Visma.net client: per-endpoint paging, reference lists, Location keys, multipart, 429s."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ops_lib.core.errors import ApiError
from ops_lib.systems.vismanet.client import key_from_location
from tests.systems.vismanet.fake import BASE, FakeVismaNet, connect


def test_a_paged_list_follows_the_clamped_page_size_to_the_end(tmp_path: Path) -> None:
    fake = FakeVismaNet(max_page_size=100)
    with connect(tmp_path, fake) as client:
        suppliers = client.suppliers()
    assert [s.number for s in suppliers] == [str(20000 + n) for n in range(1, 251)]
    pages = [r for r in fake.requests if r.url.path == "/v1/supplier"]
    # 1000 asked, 100 served: three pages, the last short, each asking pageNumber/pageSize.
    assert [(r.url.params["pageNumber"], r.url.params["pageSize"]) for r in pages] == [
        ("1", "1000"), ("2", "1000"), ("3", "1000")]
    first = suppliers[0]
    assert (first.name, first.status, first.country_code, first.payment_method) == (
        "Leverantör 1 AB", "Active", "SE", "PLEO")


def test_reference_lists_are_read_without_paging_and_amounts_are_decimal(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    with connect(tmp_path, fake) as client:
        accounts, vat, periods = client.accounts(), client.vat_codes(), client.financial_periods()
        segments, dimensions = client.segments(), client.dimensions()
    assert [a.number for a in accounts] == ["1940", "2641", "6540", "6999"]
    assert not accounts[3].is_active
    assert isinstance(vat[0].data["schedules"][0]["vatRate"], Decimal)
    assert vat[0].accounts == ("2641", "2611")
    assert [(p.period, p.is_locked) for p in periods] == [("202404", True), ("202405", False)]
    assert [s.description for s in segments] == ["Project", "Department"] and dimensions[1] == "SUBACCOUNT"
    assert all("pageNumber" not in r.url.params for r in fake.requests)


def test_journal_lists_page_by_lines_and_batches_are_merged(tmp_path: Path) -> None:
    fake = FakeVismaNet(journal_max_page_size=3)
    with connect(tmp_path, fake) as client:
        for n in range(3):
            client.create("v2/journaltransaction", {
                "transactionDate": {"value": "2024-05-02T00:00:00"}, "description": {"value": f"batch {n}"},
                "journalTransactionLines": [
                    {"operation": "Insert", "accountNumber": {"value": "6540"}, "debitAmountInCurrency": {"value": 1}},
                    {"operation": "Insert", "accountNumber": {"value": "2641"}, "debitAmountInCurrency": {"value": 1}},
                    {"operation": "Insert", "accountNumber": {"value": "1940"}, "creditAmountInCurrency": {"value": 2}}]})
        batches = client.journal_transactions("202405")
    assert [b.number for b in batches] == ["000001", "000002", "000003"]
    assert all(len(b.data["journalTransactionLines"]) == 3 for b in batches)
    listed = [r for r in fake.requests if r.method == "GET" and r.url.path == "/v2/journaltransaction"]
    assert len(listed) == 3 and all(r.url.params["periodId"] == "202405" for r in listed)


def test_a_create_returns_the_key_from_location() -> None:
    assert key_from_location(f"{BASE}/v2/journaltransaction/000042") == "000042"
    assert key_from_location(f"{BASE}/v1/customer/A%2FB") == "A/B"
    assert key_from_location("") == ""


def test_attachments_are_one_multipart_file_part(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    pdf = b"%PDF-1.4\n\x00\xff binary stays binary"
    with connect(tmp_path, fake) as client:
        client.upload_attachment("v2/journaltransaction/module/GL/000001/attachment", "kvitto.pdf", pdf,
                                 "application/pdf")
    (sent,) = [r for r in fake.requests if r.url.path.endswith("/attachment")]
    assert b'name="v"; filename="kvitto.pdf"' in sent.content and pdf in sent.content
    assert b"Content-Type: application/pdf" in sent.content


def test_a_429_waits_for_retry_after_and_succeeds(tmp_path: Path) -> None:
    answered: list[int] = []

    def once_throttled(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/account" and not answered:
            answered.append(429)
            return httpx.Response(429, headers={"Retry-After": "7", "X-RateLimit-Limit": "15000",
                                                "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "7"})
        return None

    waits: list[float] = []
    fake = FakeVismaNet(fail=once_throttled)
    with connect(tmp_path, fake, sleep=waits.append) as client:  # the session's sleep: no real waiting
        assert len(client.accounts()) == 4
    assert 7.0 in waits and client.session.stats.rate_limited == 1


def test_a_business_error_is_explained_and_carries_the_visma_id(tmp_path: Path) -> None:
    def no_ledger(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(400, json={"message": "VismaId: 0c1d2e3f-aaaa-bbbb-cccc-123456789abc. Error creating "
                                             "journal transaction. Error: Inserting 'General ledger batch' record "
                                             "raised at least one error. Please review the errors.\r\nError: "
                                             "'Ledger' cannot be empty.\r\n"})
        return None

    fake = FakeVismaNet(fail=no_ledger)
    with connect(tmp_path, fake) as client, pytest.raises(ApiError) as caught:
        client.create("v2/journaltransaction", {"journalTransactionLines": []})
    error = caught.value
    assert error.status == 400 and error.error_id == "0c1d2e3f-aaaa-bbbb-cccc-123456789abc"
    assert error.explanation is not None and "ledger" in error.explanation.title.lower()
    assert "'Ledger' cannot be empty" in str(error) and "VismaId 0c1d2e3f" in str(error)
