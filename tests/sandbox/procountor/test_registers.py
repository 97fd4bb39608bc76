"""The demo company's registers: Finnish chart, dimensions, fiscal years, VAT, partners, attachments."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP

import httpx

from tests.sandbox.procountor.harness import ProcountorHarness
from tests.sandbox.procountor.test_journals import journal


def test_the_finnish_chart_has_the_accounts_the_mappings_need(api: httpx.Client) -> None:
    accounts = {a["ledgerAccountCode"]: a for a in api.get("/coa").json()["ledgerAccounts"]}
    for code in ("1940", "2871", "1763", "2941", "9460", "7600", "2880"):
        assert accounts[code]["active"] is True
    assert accounts["1940"]["translations"][0]["translation"].startswith("Pleo card settlement")
    assert accounts["7999"]["active"] is False
    assert not any(key.startswith("_") for a in accounts.values() for key in a)


def test_fiscal_years_two_back_closed_the_rest_open_with_monthly_periods(api: httpx.Client) -> None:
    years = api.get("/fiscalyears").json()["fiscalYears"]
    assert [(y["startDate"], y["isOpen"]) for y in years] == [
        ("2024-01-01", False), ("2025-01-01", True), ("2026-01-01", True)]
    assert len(years[1]["trackingPeriods"]) == 12 and years[1]["trackingPeriods"][1]["endDate"] == "2025-02-28"


def test_vat_defaults_list_the_historic_finnish_rates_and_the_statuses(api: httpx.Client) -> None:
    vat = api.get("/vats/default").json()
    finnish = [p["vatPercent"] for p in vat["vatInformation"][0]["percentages"]]
    assert finnish == [25.5, 24, 14, 13.5, 10, 0]
    statuses = {s["vatStatus"]: s for s in vat["vatStatuses"]}
    assert statuses[1]["purchase"] and statuses[1]["sales"] and not statuses[5]["sales"]
    assert api.get("/vats/country", params={"countryCode": "SE"}).json() == {"vatPercentages": [25, 12, 6, 0]}
    assert api.get("/vats/country", params={"countryCode": "XX"}).status_code == 400
    assert api.get("/vats/settings").json()["unitPricesIncludeVatPurchase"] is True


def test_dimension_items_are_created_and_updated_with_unique_codes(api: httpx.Client) -> None:
    item = api.post("/dimensions/102/items", json={"codeName": "P300", "description": "Uusi projekti"})
    assert item.status_code == 200 and item.json()["id"]
    assert api.post("/dimensions/102/items", json={"codeName": "P300"}).status_code == 400
    updated = api.put("/dimensions/102/items", json={**item.json(), "status": "P"})
    assert updated.json()["status"] == "P"
    projects = api.get("/dimensions/102").json()["items"]
    assert [i["codeName"] for i in projects] == ["P100", "P200", "P300"]
    assert api.get("/dimensions", params={"name": "Projekti"}).json()[0]["id"] == 102
    assert api.get("/dimensions/999").status_code == 404


def test_partners_page_filter_create_and_version_checked_put(api: httpx.Client) -> None:
    suppliers = api.get("/businesspartners", params={"type": "SUPPLIER"}).json()
    assert suppliers["meta"]["totalCount"] == 4 and suppliers["results"][0]["name"] == "Finnair Oyj"
    created = api.post("/businesspartners", json={"name": "Taksi Helsinki Oy", "type": "SUPPLIER",
                                                  "paymentInfo": {"paymentMethod": "BANK_TRANSFER"}})
    assert created.status_code == 200
    partner = created.json()
    renamed = api.put(f"/businesspartners/{partner['id']}", json={**partner, "name": "Taksi Helsinki Ab Oy"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Taksi Helsinki Ab Oy"
    assert api.put(f"/businesspartners/{partner['id']}", json=partner).status_code == 400
    missing = api.post("/businesspartners", json={"name": "", "type": "NOBODY"})
    assert {e["field"] for e in missing.json()["errors"]} == {"name", "type", "paymentInfo.paymentMethod"}


def _upload(api: httpx.Client, meta: dict[str, object], data: bytes = b"%PDF-1.4 receipt") -> httpx.Response:
    return api.post("/attachments", files={"meta": (None, json.dumps(meta), "application/json"),
                                           "file": ("file", data)})


def test_a_journal_attachment_references_its_invoice_and_reads_back_as_multipart_mixed(api: httpx.Client) -> None:
    receipt = api.post("/ledgerreceipts", json=journal()).json()
    wrong = _upload(api, {"name": "kuitti.pdf", "referenceType": "LEDGERRECEIPT", "referenceId": receipt["id"]})
    assert wrong.status_code == 400 and "INVOICE" in wrong.json()["errors"][0]["message"]
    stored = _upload(api, {"name": "kuitti.pdf", "referenceType": "INVOICE", "referenceId": receipt["invoiceId"]})
    assert stored.status_code == 200, stored.text
    meta = stored.json()
    assert meta["mimeType"] == "application/pdf" and meta["sendWithInvoice"] is False
    read = api.get(f"/attachments/{meta['id']}")
    parsed = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {read.headers['content-type']}\r\n\r\n".encode() + read.content)
    meta_part, file_part = parsed.iter_parts()
    assert json.loads(meta_part.get_payload(decode=True))["id"] == meta["id"]
    assert file_part.get_payload(decode=True) == b"%PDF-1.4 receipt"
    assert api.get(f"/ledgerreceipts/{receipt['id']}").json()["attachments"][0]["id"] == meta["id"]
    listed = api.get("/attachments", params={"referenceId": receipt["invoiceId"]}).json()
    assert listed["meta"]["totalCount"] == 1 and listed["results"][0]["size"] == len(b"%PDF-1.4 receipt")
    assert api.delete(f"/attachments/{meta['id']}").status_code == 204
    assert api.get(f"/attachments/{meta['id']}").status_code == 404


def test_attachments_over_10_mb_or_without_an_extension_are_refused(pc: ProcountorHarness, api: httpx.Client) -> None:
    receipt = api.post("/ledgerreceipts", json=journal()).json()
    meta = {"name": "kuitti.jpg", "referenceType": "INVOICE", "referenceId": receipt["invoiceId"]}
    too_big = _upload(api, meta, b"x" * (10_000_000 + 1))
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["field"] == "file"
    assert _upload(api, meta, b"x" * 10_000_000).status_code == 200
    assert _upload(api, {**meta, "name": "kuitti"}).json()["errors"][0]["field"] == "meta.name"
    assert _upload(api, {**meta, "referenceId": 1}).status_code == 400
    assert pc.transport.validated > 0
