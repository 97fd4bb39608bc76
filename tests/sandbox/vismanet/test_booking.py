"""Journal transactions, supplier invoices and attachments through their states, and the V1–V8 rules."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.vismanet.harness import VismaNetHarness


def _journal(day: str, amount: float = 100.0, hold: bool = False, **extra: Any) -> dict[str, Any]:
    return {"transactionDate": {"value": f"{day}T00:00:00"}, "description": {"value": "Pleo export 42"},
            "hold": {"value": hold}, **extra, "journalTransactionLines": [
                {"operation": "Insert", "accountNumber": {"value": "6540"}, "vatCodeId": {"value": "10"},
                 "subaccount": [{"segmentId": 1, "segmentValue": "10"}], "debitAmountInCurrency": {"value": amount}},
                {"operation": "Insert", "accountNumber": {"value": "1941"},
                 "creditAmountInCurrency": {"value": 100.0}}]}


def _today(vn: VismaNetHarness) -> str:
    return vn.clock.today().isoformat()


def _last_year(vn: VismaNetHarness) -> str:
    return vn.clock.today().replace(year=vn.clock.today().year - 1, day=1).isoformat()


def _message(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    message = answer.json()["message"]
    assert message.startswith("VismaId: ") and message.endswith("\r\n")
    return message


def test_a_journal_goes_from_hold_to_balanced_to_posted(vn: VismaNetHarness, api: httpx.Client) -> None:
    created = api.post("/v2/journaltransaction", json=_journal(_today(vn), amount=90.0, hold=True))
    assert created.status_code == 201
    location = created.headers["Location"]
    held = api.get(location)
    assert held.json()["status"] == "Hold"
    number = held.json()["batchNumber"]
    assert _message(api.post(f"/v2/journaltransaction/{number}/action/release")).count("Hold")
    fix = {"hold": {"value": False}, "journalTransactionLines": [
        {"operation": "Update", "lineNumber": {"value": 1}, "accountNumber": {"value": "6540"},
         "debitAmountInCurrency": {"value": 100.0}}]}
    assert api.put(location, json=fix, headers={"If-Match": held.headers["ETag"]}).status_code == 204
    assert api.get(location).json()["status"] == "Balanced"
    released = api.post(f"/v2/journaltransaction/{number}/action/release")
    assert released.status_code == 200 and released.json()["actionResult"] == "Done"
    posted = api.get(location).json()
    assert posted["status"] == "Posted" and posted["debitTotal"] == posted["creditTotal"] == 100.0


def test_an_unbalanced_journal_saves_only_on_hold(vn: VismaNetHarness, api: httpx.Client) -> None:
    assert "out of balance" in _message(api.post("/v2/journaltransaction", json=_journal(_today(vn), amount=90.0)))
    assert api.post("/v2/journaltransaction", json=_journal(_today(vn), amount=90.0, hold=True)).status_code == 201


def test_the_journal_list_needs_a_period_or_a_change_date_and_pages_by_lines(vn: VismaNetHarness,
                                                                             api: httpx.Client) -> None:
    for _ in range(3):
        assert api.post("/v2/journaltransaction", json=_journal(_today(vn))).status_code == 201
    assert api.get("/v2/journaltransaction").status_code == 400
    period = vn.clock.today().strftime("%Y%m")
    page = api.get("/v2/journaltransaction", params={"periodId": period, "pageSize": 3, "pageNumber": 1}).json()
    assert [len(b["journalTransactionLines"]) for b in page] == [2, 1]  # the second batch goes on over the page
    assert page[0]["metadata"]["totalCount"] == 6
    second = api.get("/v2/journaltransaction", params={"periodId": period, "pageSize": 3, "pageNumber": 2}).json()
    assert [b["batchNumber"] for b in second] == [page[1]["batchNumber"], "000003"]
    assert second[0]["journalTransactionLines"][0]["lineNumber"] == 2


def test_v1_a_branch_without_a_posting_ledger_needs_ledger_on_the_journal(vn: VismaNetHarness,
                                                                          api: httpx.Client) -> None:
    message = _message(api.post("/v2/journaltransaction", json=_journal(_today(vn), branch={"value": "2"})))
    assert "Error creating journal transaction. Error: Inserting 'General ledger batch' record raised" in message
    assert message.endswith("\r\nError: 'Ledger' cannot be empty.\r\n")
    with_ledger = _journal(_today(vn), branch={"value": "2"}, ledger={"value": "1"})
    assert api.post("/v2/journaltransaction", json=with_ledger).status_code == 201


def test_v2_a_vat_id_outside_the_account_category_cannot_be_found(vn: VismaNetHarness, api: httpx.Client) -> None:
    body = _journal(_today(vn))
    body["journalTransactionLines"][0]["vatCodeId"] = {"value": "01"}  # sales VAT on a purchase account
    assert "TaxID '01' cannot be found in the system." in _message(api.post("/v2/journaltransaction", json=body))


def test_v3_an_unknown_value_of_a_validated_segment_is_refused(vn: VismaNetHarness, api: httpx.Client) -> None:
    body = _journal(_today(vn))
    body["journalTransactionLines"][0]["subaccount"] = [{"segmentId": 1, "segmentValue": "99"}]
    assert "Avdelning of Subaccount do not exist." in _message(api.post("/v2/journaltransaction", json=body))
    body["journalTransactionLines"][0]["subaccount"] = [{"segmentId": 1, "segmentValue": "10"},
                                                        {"segmentId": 2, "segmentValue": "FREE"}]
    assert api.post("/v2/journaltransaction", json=body).status_code == 201  # the project segment is not validated


def test_new_segment_values_can_be_added_and_then_used(vn: VismaNetHarness, api: httpx.Client) -> None:
    put = api.put("/v1/dimension/SUBACCOUNT/1", json={"segmentValues": [
        {"operation": "Insert", "value": {"value": "40"}, "description": {"value": "Marknad"},
         "active": {"value": True}}]})
    assert put.status_code == 204
    assert api.get("/v1/dimension/SUBACCOUNT/1/40").json()["description"] == "Marknad"
    body = _journal(_today(vn))
    body["journalTransactionLines"][0]["subaccount"] = [{"segmentId": 1, "segmentValue": "40"}]
    assert api.post("/v2/journaltransaction", json=body).status_code == 201


def test_v5_manual_numbering_needs_the_customer_id(api: httpx.Client) -> None:
    message = _message(api.post("/v1/customer", json={"name": {"value": "Utan Nummer AB"}}))
    assert ("Error inserting the customer. Error: Inserting 'Customer' record raised at least one error. "
            "Please review the errors.\r\nError: 'Customer ID' cannot be empty.\r\n") in message
    supplier = api.post("/v1/supplier", json={"name": {"value": "Auto Numrerad AB"}})
    assert supplier.status_code == 201 and supplier.headers["Location"].endswith("/v1/supplier/10006")


def test_v7_a_closed_period_is_refused(vn: VismaNetHarness, api: httpx.Client) -> None:
    assert "is closed in General Ledger" in _message(api.post("/v2/journaltransaction", json=_journal(_last_year(vn))))
    invoice = {"supplierNumber": {"value": "10001"}, "date": {"value": _last_year(vn)}, "invoiceLines": [
        {"operation": "Insert", "accountNumber": {"value": "6110"}, "costInCurrency": {"value": 100}}]}
    assert "is closed in Supplier Ledger" in _message(api.post("/v1/supplierInvoice", json=invoice))


def _invoice(vn: VismaNetHarness, **extra: Any) -> dict[str, Any]:
    return {"supplierNumber": {"value": "10005"}, "date": {"value": _today(vn)}, "supplierReference": {"value": "K-1"},
            "hold": {"value": False}, **extra, "invoiceLines": [
                {"operation": "Insert", "accountNumber": {"value": "6110"}, "vatCodeId": {"value": "10"},
                 "quantity": {"value": 1}, "unitCostInCurrency": {"value": 80.0}}]}


def test_a_supplier_invoice_is_released_to_open_with_its_payment_method(vn: VismaNetHarness,
                                                                        api: httpx.Client) -> None:
    created = api.post("/v1/supplierInvoice", json=_invoice(vn, hold={"value": True}))
    assert created.status_code == 201
    read = api.get(created.headers["Location"]).json()
    assert read["status"] == "Hold" and read["paymentMethod"]["id"] == "PLEO" and read["cashAccount"] == "1941"
    assert read["amount"] == 100.0 and read["vatTotal"] == 20.0
    number = read["referenceNumber"]
    assert api.put(f"/v1/supplierInvoice/{number}", json={"hold": {"value": False}}).status_code == 204
    released = api.post(f"/v1/supplierInvoice/{number}/action/release")
    assert released.status_code == 200 and released.json()["actionResult"] == "Done"
    opened = api.get(f"/v1/supplierInvoice/{number}").json()
    assert opened["status"] == "Open" and opened["balance"] == 100.0


def test_an_unknown_payment_method_or_cash_account_is_refused(vn: VismaNetHarness, api: httpx.Client) -> None:
    assert "Payment method 'NOPE'" in _message(api.post("/v1/supplierInvoice",
                                                        json=_invoice(vn, paymentMethod={"value": "NOPE"})))
    assert "Cash account '6110'" in _message(api.post("/v1/supplierInvoice",
                                                      json=_invoice(vn, cashAccount={"value": "6110"})))


def test_v2_an_invoice_line_vat_must_lie_in_the_supplier_zone(vn: VismaNetHarness, api: httpx.Client) -> None:
    foreign = _invoice(vn, supplierNumber={"value": "10003"})  # an EU supplier: reverse charge only
    assert "TaxID '10' cannot be found" in _message(api.post("/v1/supplierInvoice", json=foreign))


def test_v8_a_debit_adjustment_is_found_only_with_its_document_type(vn: VismaNetHarness, api: httpx.Client) -> None:
    created = api.post("/v1/supplierInvoice", json=_invoice(vn, documentType={"value": "DebitAdj"}))
    number = created.headers["Location"].rsplit("/", 1)[1]
    assert api.get(f"/v1/supplierInvoice/{number}").status_code == 404
    assert api.get(f"/v1/supplierInvoice/DebitAdj/{number}").json()["documentType"] == "DebitAdj"


def test_receipts_upload_as_multipart_and_a_second_upload_is_a_revision(vn: VismaNetHarness,
                                                                        api: httpx.Client) -> None:
    created = api.post("/v2/journaltransaction", json=_journal(_today(vn)))
    number = created.headers["Location"].rsplit("/", 1)[1]
    pdf = b"%PDF-1.4 receipt"
    first = api.post(f"/v2/journaltransaction/module/GL/{number}/attachment",
                     files={"v": ("kvitto.pdf", pdf, "application/pdf")})
    assert first.status_code == 201
    again = api.post(f"/v2/journaltransaction/module/GL/{number}/attachment",
                     files={"v": ("kvitto.pdf", pdf + b" v2", "application/pdf")})
    attachments = api.get(f"/v2/journaltransaction/{number}").json()["attachments"]
    assert len(attachments) == 1 and attachments[0]["revision"] == 2
    assert again.headers["Location"] == first.headers["Location"]
    assert api.get(first.headers["Location"]).content == pdf + b" v2"
    invoice = api.post("/v1/supplierInvoice", json=_invoice(vn)).headers["Location"].rsplit("/", 1)[1]
    assert api.post(f"/v1/supplierInvoice/{invoice}/attachment",
                    files={"v": ("k.png", b"\x89PNG", "image/png")}).status_code == 201
    assert api.post(f"/v1/supplierInvoice/{invoice}/attachment", data={"x": "y"}).status_code == 400
