"""Typed operations of the eAccounting client against the in-process sandbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from ops_lib.connection.connect import open_client
from ops_lib.core.errors import ApiError
from ops_lib.systems.eaccounting.client import EAccountingClient
from ops_lib.systems.eaccounting.records import CostCenterItem, Customer
from tests.conftest import SandboxHarness


def test_lists_page_with_the_largest_page_size(client: EAccountingClient) -> None:
    customers = client.customers.list()
    records = list(customers)
    assert len(records) == 300 and customers.total == 300
    assert isinstance(records[0], Customer) and records[0].number == "1001"
    assert client.session.stats.requests == 1  # 300 fit one page of 1000


def test_small_pages_are_followed_to_the_end_with_progress(sandbox: SandboxHarness) -> None:
    seen: list[tuple[int, int]] = []
    with open_client(sandbox.connect(), transport=sandbox.transport, page_size=40) as client:
        numbers = [c.number for c in client.customers.list(progress=lambda done, total: seen.append((done, total)))]
        assert client.session.stats.requests == 8
    assert numbers == [str(n) for n in range(1001, 1301)]
    assert seen[-1] == (300, 300) and len(seen) == 8


def test_filter_and_order_reach_the_service(client: EAccountingClient) -> None:
    inactive = list(client.customers.list(filter="IsActive eq false", orderby="Name desc"))
    assert inactive and all(not c.is_active for c in inactive)
    assert [c.name for c in inactive] == sorted((c.name for c in inactive), reverse=True)


def test_lists_become_dataframes(client: EAccountingClient) -> None:
    frame = client.articles.list().to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 200
    assert {"Number", "Name", "NetPrice", "CodingId"} <= set(frame.columns)


def test_customer_create_get_update(client: EAccountingClient) -> None:
    terms = next(iter(client.terms_of_payment()))
    created = client.customers.create({
        "CustomerNumber": "5001", "Name": "Testbolaget AB", "InvoiceAddress1": "Storgatan 1",
        "InvoicePostalCode": "111 22", "InvoiceCity": "Stockholm", "InvoiceCountryCode": "SE",
        "IsPrivatePerson": False, "IsActive": True, "TermsOfPaymentId": terms.id,
    })
    assert (created.number, created.name, created.is_active) == ("5001", "Testbolaget AB", True)
    assert created.changed_utc is not None
    fetched = client.customers.get(created.id)
    assert fetched.data["InvoiceCity"] == "Stockholm"
    updated = client.customers.update(created.id, {**fetched.data, "Name": "Testbolaget i Sverige AB"})
    assert updated.name == "Testbolaget i Sverige AB"
    assert updated.changed_utc is not None and updated.changed_utc > created.changed_utc  # type: ignore[operator]


def test_article_prices_stay_decimal_both_ways(client: EAccountingClient) -> None:
    coding = next(c for c in client.article_account_codings() if c.vat_rate == Decimal("0.25"))
    unit = next(iter(client.units()))
    created = client.articles.create({"Number": "X1", "Name": "Konsulttimme", "IsActive": True,
                                      "CodingId": coding.id, "UnitId": unit.id, "NetPrice": Decimal("1250.50")})
    assert created.net_price == Decimal("1250.50") and isinstance(created.net_price, Decimal)
    assert created.data["GrossPrice"] == Decimal("1563.13")
    assert client.articles.get(created.id).number == "X1"


def test_cost_center_items_and_projects(client: EAccountingClient) -> None:
    projekt = next(c for c in client.cost_centers() if c.name == "Projekt")
    assert projekt.items and isinstance(projekt.items[0], CostCenterItem)
    item = client.cost_center_items.create({"CostCenterId": projekt.id, "ShortName": "9001",
                                            "Name": "Nytt projekt", "IsActive": True})
    assert (item.short_name, item.cost_center_id) == ("9001", projekt.id)
    closed = client.cost_center_items.update(item.id, {**item.data, "IsActive": False})
    assert closed.is_active is False and client.cost_center_items.get(item.id).is_active is False
    project = client.projects.create({"Number": "9001", "Name": "Nytt projekt", "StartDate": "2026-01-01"})
    assert project.status == 1 and project.start_date == date(2026, 1, 1)
    finished = client.projects.update(project.id, {**project.data, "Status": 2})
    assert finished.status == 2 and len(list(client.projects.list())) == 26


def test_reads_of_the_ledger_registers(client: EAccountingClient) -> None:
    years = sorted(client.fiscal_years(), key=lambda y: y.start_date or date.min)
    assert [y.start_date for y in years] == [date(2025, 1, 1), date(2026, 1, 1)]
    assert years[1].covers(date(2026, 6, 15)) and not years[0].covers(date(2026, 6, 15))
    accounts = {a.number: a for a in client.accounts(years[1].id)}
    assert accounts["1930"].is_active and "6991" in accounts and not accounts["6991"].is_active
    assert "1941" in accounts and "1942" not in accounts
    vat = list(client.vat_codes())
    assert any(v.rate == Decimal("0.25") for v in vat)
    settings = client.company_settings()
    assert settings.accounting_locked_to == date(2025, 6, 30) and settings.currency == "SEK"


def test_voucher_with_an_attachment(client: EAccountingClient) -> None:
    voucher = client.create_voucher({"VoucherDate": "2026-09-01", "VoucherText": "Kontorsmaterial", "Rows": [
        {"AccountNumber": 6110, "DebitAmount": Decimal("800.00"), "CreditAmount": Decimal("0")},
        {"AccountNumber": 2641, "DebitAmount": Decimal("200.00"), "CreditAmount": Decimal("0")},
        {"AccountNumber": 1930, "DebitAmount": Decimal("0"), "CreditAmount": Decimal("1000.00")},
    ]})
    assert voucher.number == "A1" and voucher.voucher_date == date(2026, 9, 1)
    attachment = client.upload_attachment("kvitto.pdf", b"%PDF-1.4 receipt", "application/pdf")
    link = client.link_attachments(voucher.id, [attachment.id])
    assert link["AttachmentIds"] == [attachment.id]


def test_an_unbalanced_voucher_is_an_api_error_with_its_code(client: EAccountingClient) -> None:
    with pytest.raises(ApiError) as caught:
        client.create_voucher({"VoucherDate": "2026-09-01", "VoucherText": "Fel", "Rows": [
            {"AccountNumber": 6110, "DebitAmount": Decimal("800"), "CreditAmount": Decimal("0")},
            {"AccountNumber": 1930, "DebitAmount": Decimal("0"), "CreditAmount": Decimal("799.99")},
        ]})
    assert caught.value.status == 400 and caught.value.code != ""
    assert caught.value.error_id


def test_name_over_fifty_characters_names_the_field(client: EAccountingClient) -> None:
    project = next(iter(client.projects.list()))
    with pytest.raises(ApiError) as caught:
        client.projects.update(project.id, {**project.data, "Name": "P" * 51})
    assert caught.value.code == "2000"
    assert [e.field for e in caught.value.field_errors] == ["Name"]
    assert caught.value.explanation is not None and "50 characters" in caught.value.explanation.fix
