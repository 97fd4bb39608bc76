"""Ledger receipts: the balance, VAT and dimension rules with the real codes, the status machine, ``version``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def journal(day: str = "2026-03-01", rate: float = 25.5, net: float = 80.0, gross: float = -100.4,
            **extra: Any) -> dict[str, Any]:
    """A Pleo card expense: net cost with domestic VAT (status 1) against the card contra account."""
    body = {"type": "JOURNAL", "status": "UNFINISHED", "name": "Pleo taxi", "receiptDate": day,
            "vatType": "PURCHASE", "vatStatus": 1,
            "transactions": [
                {"transactionType": "ENTRY", "account": "7310", "accountingValue": net, "vatPercent": rate,
                 "vatStatus": 1, "description": "Taksi",
                 "dimensionItemValues": [{"dimensionId": 101, "itemId": 1001, "value": net}]},
                {"transactionType": "ENTRY", "account": "1940", "accountingValue": gross, "vatPercent": 0}]}
    body.update(extra)
    return body


def errors(answer: httpx.Response) -> list[tuple[str | None, str]]:
    return [(e.get("field"), e["message"]) for e in answer.json()["errors"]]


def test_a_balanced_journal_is_stored_unfinished_with_200(api: httpx.Client) -> None:
    answer = api.post("/ledgerreceipts", json=journal())
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert receipt["status"] == "UNFINISHED" and receipt["invoiceId"] and receipt["version"]
    assert [t["accountingValue"] for t in receipt["transactions"]] == [80.0, -100.4]
    assert api.get(f"/ledgerreceipts/{receipt['id']}").json()["transactions"][0]["account"] == "7310"


def test_debits_and_credits_must_sum_to_zero(api: httpx.Client) -> None:
    answer = api.post("/ledgerreceipts", json=journal(gross=-100.0))
    assert answer.status_code == 400
    assert errors(answer)[0][0] == "transactions" and "-0.40" in errors(answer)[0][1] or "0.40" in errors(answer)[0][1]


def test_create_reconciliation_adds_the_rounding_row(api: httpx.Client) -> None:
    answer = api.post("/ledgerreceipts?createReconciliation=true", json=journal(net=80.65, gross=-101.21))
    assert answer.status_code == 200, answer.text
    rows = answer.json()["transactions"]
    # 80.65 + 25.5 % VAT (20.57) = 101.22 against 101.21 on the card: the rounding row takes the cent.
    assert rows[-1]["transactionType"] == "RECONCILIATION_ENTRY" and rows[-1]["accountingValue"] == -0.01
    assert api.post("/ledgerreceipts?createReconciliation=true", json=journal(gross=-90.0)).status_code == 400


def test_rates_follow_the_date_24_until_august_2024_then_25_5(api: httpx.Client) -> None:
    """2025 is open: 25.5 % is in force, 24 % no longer; 14 % still is (13.5 % only from 2026)."""
    assert api.post("/ledgerreceipts", json=journal("2025-06-01", 25.5)).status_code == 200
    old = api.post("/ledgerreceipts", json=journal("2025-06-01", 24, gross=-99.2))
    assert errors(old) == [("transactions[0].vatPercent", "ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION")]
    assert api.post("/ledgerreceipts", json=journal("2025-06-01", 14, gross=-91.2)).status_code == 200
    assert api.post("/ledgerreceipts", json=journal("2026-02-01", 13.5, gross=-90.8)).status_code == 200
    late = api.post("/ledgerreceipts", json=journal("2026-02-01", 14, gross=-91.2))
    assert errors(late)[0][1] == "ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION"


def test_vat_on_a_balance_sheet_account_is_the_account_vat_combination_error(api: httpx.Client) -> None:
    body = journal()
    body["transactions"][1]["vatPercent"] = 25.5
    assert errors(api.post("/ledgerreceipts", json=body)) == [
        ("transactions[1].vatPercent", "ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION")]


def test_a_zero_rate_status_with_a_percent_is_vatstatus_vatperc(api: httpx.Client) -> None:
    body = journal()
    body["transactions"][0]["vatStatus"] = 12
    assert ("transactions[0].vatPercent", "ERROR_VATSTATUS_VATPERC") in errors(api.post("/ledgerreceipts", json=body))


def test_reverse_charge_adds_no_vat_to_the_balance(api: httpx.Client) -> None:
    body = journal(net=50.0, gross=-50.0)
    body["transactions"][0].update({"account": "7680", "vatStatus": 5})
    body["transactions"][0]["dimensionItemValues"] = []
    assert api.post("/ledgerreceipts", json=body).status_code == 200


@pytest.mark.parametrize("values", [
    [{"dimensionId": 101, "itemId": 9999, "value": 80.0}],  # unknown item
    [{"dimensionId": 101, "itemId": 1004, "value": 80.0}],  # inactive item (status "P")
    [{"dimensionId": 555, "itemId": 1001, "value": 80.0}],  # unknown dimension
])
def test_unknown_or_inactive_dimension_items_are_refused_with_the_real_code(api: httpx.Client,
                                                                             values: list[Any]) -> None:
    body = journal()
    body["transactions"][0]["dimensionItemValues"] = values
    assert errors(api.post("/ledgerreceipts", json=body)) == [
        ("transactions[0].dimensionItemValues",
         "DIMENSION_OR_DIMENSION_ITEM_IDENTIFIERS_DOES_NOT_MATCH_THOSE_STORED_IN_DATABASE")]


def test_dimension_values_split_the_amount_and_must_sum_to_it(api: httpx.Client) -> None:
    body = journal()
    body["transactions"][0]["dimensionItemValues"] = [{"dimensionId": 101, "itemId": 1001, "value": 50.0},
                                                      {"dimensionId": 101, "itemId": 1002, "value": 30.0},
                                                      {"dimensionId": 102, "itemId": 2001, "value": 80.0}]
    assert api.post("/ledgerreceipts", json=body).status_code == 200
    body["transactions"][0]["dimensionItemValues"][1]["value"] = 20.0
    assert errors(api.post("/ledgerreceipts", json=body))[0][0] == "transactions[0].dimensionItemValues"


def test_a_closed_fiscal_year_is_closed_fiscal_period(api: httpx.Client) -> None:
    answer = api.post("/ledgerreceipts", json=journal("2024-05-01", 24, gross=-99.2))
    assert answer.status_code == 400 and errors(answer) == [("receiptDate", "CLOSED_FISCAL_PERIOD")]


def test_unknown_account_and_text_outside_windows_1252(api: httpx.Client) -> None:
    found = errors(api.post("/ledgerreceipts", json=journal(name="Taxi 🚕")))
    assert found == [("name", "Text contains characters outside the Windows-1252 character set")]
    assert api.post("/ledgerreceipts", json=journal(name="Häämatka, €")).status_code == 200
    body = journal()
    body["transactions"][0]["account"] = "9999"
    body["transactions"][1]["account"] = "7999"  # inactive
    assert [f for f, _ in errors(api.post("/ledgerreceipts", json=body))] == [
        "transactions[0].account", "transactions[1].account"]


def test_status_moves_only_through_the_actions(api: httpx.Client) -> None:
    assert errors(api.post("/ledgerreceipts", json=journal(status="APPROVED")))[0][0] == "status"
    receipt = api.post("/ledgerreceipts", json=journal()).json()
    rid = receipt["id"]
    assert api.put(f"/ledgerreceipts/{rid}", json={**receipt, "status": "APPROVED"}).status_code == 400
    approved = api.put(f"/ledgerreceipts/{rid}/approve")
    assert approved.status_code == 200 and "message" in approved.json()
    assert api.get(f"/ledgerreceipts/{rid}").json()["status"] == "APPROVED"
    assert api.put(f"/ledgerreceipts/{rid}/approve").status_code == 400  # only from UNFINISHED
    current = api.get(f"/ledgerreceipts/{rid}").json()
    assert api.put(f"/ledgerreceipts/{rid}", json=current).status_code == 400  # approved: not editable
    assert api.put(f"/ledgerreceipts/{rid}/invalidate").status_code == 200
    assert api.get(f"/ledgerreceipts/{rid}").json()["status"] == "INVALIDATED"


def test_put_is_checked_against_version(api: httpx.Client) -> None:
    receipt = api.post("/ledgerreceipts", json=journal()).json()
    rid = receipt["id"]
    first = api.put(f"/ledgerreceipts/{rid}", json={**receipt, "name": "Pleo taxi, edited"})
    assert first.status_code == 200 and first.json()["version"] != receipt["version"]
    assert first.json()["id"] == rid and first.json()["invoiceId"] == receipt["invoiceId"]
    stale = api.put(f"/ledgerreceipts/{rid}", json={**receipt, "name": "stale"})
    assert stale.status_code == 400 and errors(stale)[0][0] == "version"


def test_search_pages_from_zero_and_caps_size_at_200(api: httpx.Client) -> None:
    ids = [api.post("/ledgerreceipts", json=journal()).json()["id"] for _ in range(3)]
    page = api.get("/ledgerreceipts", params={"page": 1, "size": 2}).json()
    assert page["meta"] == {"pageNumber": 1, "pageSize": 2, "resultCount": 1, "totalCount": 3}
    assert [r["id"] for r in page["results"]] == ids[2:]
    assert api.get("/ledgerreceipts", params={"size": 500}).json()["meta"]["pageSize"] == 200
    assert api.get("/ledgerreceipts", params={"previousId": ids[0]}).json()["meta"]["totalCount"] == 2
    assert api.get("/ledgerreceipts", params={"status": "APPROVED"}).json()["results"] == []


def test_unknown_receipt_is_404_in_the_envelope(api: httpx.Client) -> None:
    answer = api.get("/ledgerreceipts/424242")
    assert answer.status_code == 404 and answer.json()["errors"][0]["status"] == 404
