"""Customer invoice drafts, their conversion and payments; suppliers and supplier invoices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ops_lib.sandbox.invoices import ADDRESS_MISSING
from tests.conftest import SandboxHarness


def _by_number(api: httpx.Client, path: str, number: str, field: str = "Number") -> dict[str, Any]:
    found = api.get(path, params={"$filter": f"{field} eq '{number}'"}).json()["Data"]
    assert len(found) == 1, f"{path} {number}"
    return found[0]


def _customer(api: httpx.Client) -> dict[str, Any]:
    return _by_number(api, "customers", "1001", "CustomerNumber")


def _draft(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    customer = _customer(api)
    body = {
        "CustomerId": customer["Id"], "RotReducedInvoicingType": 0, "EuThirdParty": False,
        "CustomerIsPrivatePerson": False, "InvoiceCustomerName": customer["Name"],
        "InvoiceAddress1": customer["InvoiceAddress1"], "InvoicePostalCode": customer["InvoicePostalCode"],
        "InvoiceCity": customer["InvoiceCity"], "InvoiceCountryCode": "SE", "InvoiceDate": "2026-06-10",
        "YourReference": "Anna Svensson", "OurReference": "Erik Holm",
        "Rows": [
            {"LineNumber": 0, "IsTextRow": True, "Text": "Arbete i maj", "ReversedConstructionServicesVatFree": False},
            {"LineNumber": 1, "IsTextRow": False, "ArticleId": _by_number(api, "articles", "A01")["Id"],
             "Text": "Konsulttimme junior", "Quantity": 10, "UnitPrice": 1000.0,
             "ReversedConstructionServicesVatFree": False},
            {"LineNumber": 2, "IsTextRow": False, "ArticleId": _by_number(api, "articles", "R06")["Id"],
             "Text": "Tågresa", "Quantity": 1, "ReversedConstructionServicesVatFree": False},
            {"LineNumber": 3, "IsTextRow": True, "Text": "#ops-invoice-501", "ReversedConstructionServicesVatFree": False},
        ],
    }
    body.update(overrides)
    return body


def _error(answer: httpx.Response, status: int, code: int) -> str:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["ErrorCode"] == code, body
    return str(body["DeveloperErrorMessage"])


def test_a_draft_is_stored_with_the_service_s_totals_and_read_only_fields(api: httpx.Client) -> None:
    train = _by_number(api, "articles", "R06")  # Tågresa, 6 % VAT, priced from the article
    answer = api.post("customerinvoicedrafts", json=_draft(api))
    assert answer.status_code == 201, answer.text
    draft = answer.json()
    price = Decimal(str(train["NetPrice"]))
    vat = Decimal("2500.00") + (price * Decimal("0.06")).quantize(Decimal("0.01"))
    assert Decimal(str(draft["TotalVatAmount"])) == vat
    assert Decimal(str(draft["TotalAmount"])) == Decimal("10000") + price + vat
    assert (draft["CustomerNumber"], draft["InvoiceCurrencyCode"], draft["IncludesVat"]) == ("1001", "SEK", False)
    rows = draft["Rows"]
    assert [r["ArticleNumber"] for r in rows] == [None, "A01", "R06", None]
    assert rows[2]["UnitPrice"] == train["NetPrice"] and rows[3]["Text"] == "#ops-invoice-501"
    assert api.get(f"customerinvoicedrafts/{draft['Id']}").json() == draft
    mine = api.get("customerinvoicedrafts", params={"$filter": f"CustomerId eq {draft['CustomerId']}"}).json()
    assert [d["Id"] for d in mine["Data"]] == [draft["Id"]]
    other = api.get("customerinvoicedrafts", params={"$filter": "CustomerNumber eq '1002'"}).json()
    assert other["Data"] == []


def test_drafts_are_refused_as_the_service_refuses_them(api: httpx.Client) -> None:
    base = _draft(api)
    assert "The InvoiceCity field is required." in _error(
        api.post("customerinvoicedrafts", json=_draft(api, InvoiceCity="")), 400, 2000)
    assert "The field InvoiceCustomerName must be a string with a maximum length of 50." in _error(
        api.post("customerinvoicedrafts", json=_draft(api, InvoiceCustomerName="x" * 51)), 400, 2000)
    assert "The field InvoicePostalCode must be a string with a maximum length of 10." in _error(
        api.post("customerinvoicedrafts", json=_draft(api, InvoicePostalCode="1" * 11)), 400, 2000)
    assert ADDRESS_MISSING in _error(
        api.post("customerinvoicedrafts", json=_draft(api, InvoiceAddress1=None)), 400, 2000)
    no_article = [dict(base["Rows"][1], ArticleId=None)]
    assert "ArticleId field is required" in _error(
        api.post("customerinvoicedrafts", json=_draft(api, Rows=no_article)), 400, 2000)
    too_long = [dict(base["Rows"][0], Text="x" * 2001)]
    assert "maximum length of 2000" in _error(api.post("customerinvoicedrafts", json=_draft(api, Rows=too_long)),
                                              400, 2000)
    assert "CustomerId" in _error(api.post("customerinvoicedrafts", json=_draft(
        api, CustomerId="00000000-0000-0000-0000-000000000001")), 400, 3000)
    unknown_project = [dict(base["Rows"][1], ProjectId="00000000-0000-0000-0000-000000000002")]
    assert "ProjectId" in _error(api.post("customerinvoicedrafts", json=_draft(api, Rows=unknown_project)), 400, 3000)
    ended = _by_number(api, "projects", "1005")
    assert "has ended" in _error(api.post("customerinvoicedrafts", json=_draft(
        api, Rows=[dict(base["Rows"][1], ProjectId=ended["Id"])])), 400, 5005)
    assert api.get("customerinvoicedrafts").json()["Data"] == [], "nothing refused was stored"


def test_an_inactive_work_type_is_a_409_conflict(api: httpx.Client) -> None:
    inactive = _by_number(api, "articles", "A07")
    assert inactive["IsActive"] is False
    rows = [{"LineNumber": 1, "IsTextRow": False, "ArticleId": inactive["Id"], "Text": inactive["Name"],
             "Quantity": 1, "ReversedConstructionServicesVatFree": False}]
    assert "A07" in _error(api.post("customerinvoicedrafts", json=_draft(api, Rows=rows)), 409, 4000)


def test_a_draft_can_be_changed_and_deleted(api: httpx.Client) -> None:
    draft = api.post("customerinvoicedrafts", json=_draft(api)).json()
    project = _by_number(api, "projects", "1001")
    item = next(i for c in api.get("costcenters").json()["Data"] for i in c["Items"] if i["ShortName"] == "1001")
    body = _draft(api, YourReference="Ny referens")
    body["Rows"][1].update(ProjectId=project["Id"], CostCenterItemId1=item["Id"], Quantity=2)
    changed = api.put(f"customerinvoicedrafts/{draft['Id']}", json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["YourReference"] == "Ny referens" and changed.json()["CreatedUtc"] == draft["CreatedUtc"]
    assert changed.json()["Rows"][1]["ProjectId"] == project["Id"]
    assert changed.json()["TotalAmount"] < draft["TotalAmount"]
    assert api.delete(f"customerinvoicedrafts/{draft['Id']}").status_code == 200
    assert _error(api.get(f"customerinvoicedrafts/{draft['Id']}"), 404, 3000)


def test_convert_numbers_the_invoice_and_removes_the_draft(api: httpx.Client) -> None:
    before = api.get("companysettings").json()["NextCustomerInvoiceNumber"]
    first = api.post("customerinvoicedrafts", json=_draft(api)).json()
    second = api.post("customerinvoicedrafts", json=_draft(api, InvoiceDate="2026-06-12")).json()
    answer = api.post(f"customerinvoicedrafts/{first['Id']}/convert")
    assert answer.status_code == 200, answer.text
    invoice = answer.json()
    assert (invoice["InvoiceNumber"], invoice["VoucherNumber"]) == (before, "B1")
    assert invoice["RemainingAmount"] == invoice["TotalAmount"] == first["TotalAmount"]
    assert (invoice["InvoiceDate"], invoice["DueDate"][:4], invoice["CustomerNumber"]) == ("2026-06-10", "2026", "1001")
    assert [r["Text"] for r in invoice["Rows"]][-1] == "#ops-invoice-501"
    assert [r["IsTextRow"] for r in invoice["Rows"]] == [True, False, False, True]
    assert _error(api.get(f"customerinvoicedrafts/{first['Id']}"), 404, 3000)
    assert _error(api.post(f"customerinvoicedrafts/{first['Id']}/convert"), 404, 3000), "converted once only"
    again = api.post(f"customerinvoicedrafts/{second['Id']}/convert").json()
    assert (again["InvoiceNumber"], again["VoucherNumber"]) == (before + 1, "B2")
    assert api.get("companysettings").json()["NextCustomerInvoiceNumber"] == before + 2
    assert api.get(f"customerinvoices/{invoice['Id']}").json() == invoice
    numbers = api.get("customerinvoices", params={"$filter": f"InvoiceNumber eq {before + 1}"}).json()["Data"]
    assert [i["Id"] for i in numbers] == [again["Id"]]
    assert api.get("customerinvoicedrafts").json()["Data"] == []


def _payment(amount: float, kind: int, day: str = "2026-06-14", currency: str = "SEK") -> dict[str, Any]:
    return {"CompanyBankAccountId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "PaymentDate": day,
            "PaymentAmount": amount, "PaymentCurrency": currency, "PaymentType": kind}


def test_payments_bring_the_remaining_amount_to_zero(sandbox: SandboxHarness, api: httpx.Client) -> None:
    draft = api.post("customerinvoicedrafts", json=_draft(api, Rows=_draft(api)["Rows"][:2])).json()
    invoice = api.post(f"customerinvoicedrafts/{draft['Id']}/convert").json()
    assert invoice["TotalAmount"] == 12500.0
    pay = f"customerinvoices/{invoice['Id']}/payments"
    assert "more than the remaining" in _error(api.post(pay, json=_payment(12500.01, 1)), 400, 2000)
    assert "complete payment" in _error(api.post(pay, json=_payment(100.0, 2)), 400, 2000)
    assert _error(api.post(pay, json=_payment(100.0, 1, currency="EUR")), 400, 2000)
    tomorrow = (sandbox.clock.today() + timedelta(days=1)).isoformat()  # the sandbox's clock, not its seeding day
    assert _error(api.post(pay, json=_payment(100.0, 1, day=tomorrow)), 400, 4023)
    partial = api.post(pay, json=_payment(2500.0, 1))
    assert partial.status_code == 200, partial.text
    assert partial.json()["PaymentAmount"] == 2500.0
    assert api.get(f"customerinvoices/{invoice['Id']}").json()["RemainingAmount"] == 10000.0
    assert api.post(pay, json=_payment(10000.0, 2)).status_code == 200
    assert api.get(f"customerinvoices/{invoice['Id']}").json()["RemainingAmount"] == 0
    assert "already paid" in _error(api.post(pay, json=_payment(1.0, 1)), 400, 2000)


def _seeded_invoices(api: httpx.Client, start: str, end: str) -> list[dict[str, Any]]:
    answer = api.get("supplierinvoices", params={"$filter": f"InvoiceDate ge {start} and InvoiceDate le {end}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["Data"]


def test_seeded_supplier_invoices_book_costs_on_the_demo_projects(api: httpx.Client) -> None:
    this_month = _seeded_invoices(api, "2026-06-01", "2026-06-30")
    last_month = _seeded_invoices(api, "2026-05-01", "2026-05-31")
    assert [i["InvoiceDate"] for i in last_month] == ["2026-05-05", "2026-05-12", "2026-05-20"]
    assert [i["InvoiceDate"] for i in this_month] == ["2026-06-02", "2026-06-08", "2026-06-10"]
    invoices = last_month + this_month
    assert [i["VoucherNumber"] for i in invoices] == ["D1", "D2", "D3", "D4", "D5", "D6"]
    projects = {p["Id"]: p["Number"] for p in api.get("projects", params={"$pagesize": 100}).json()["Data"]}
    items = {i["Id"]: i["ShortName"] for c in api.get("costcenters").json()["Data"] for i in c["Items"]}
    suppliers = {s["Id"]: s for s in api.get("suppliers").json()["Data"]}
    for invoice in invoices:
        net = sum(Decimal(str(r["DebetAmount"])) - Decimal(str(r["CreditAmount"])) for r in invoice["Rows"])
        assert net == Decimal(str(invoice["TotalAmount"])) - Decimal(str(invoice["Vat"])), invoice["InvoiceNumber"]
        assert invoice["IsCreditInvoice"] == (invoice["TotalAmount"] < 0)
        assert suppliers[invoice["SupplierId"]]["Name"] == invoice["SupplierName"]
        for row in invoice["Rows"]:
            assert row["ProjectId"] is None or row["ProjectId"] in projects
            assert row["CostCenterItemId1"] is None or row["CostCenterItemId1"] in items
    on = [{projects.get(r["ProjectId"]) or items.get(r["CostCenterItemId1"]) for r in i["Rows"]} for i in invoices]
    assert {"1001", "1002"} in on and {None} in on, "one spans both projects, one has none"
    assert sum(i["IsCreditInvoice"] for i in invoices) == 1
    ways = {(r["ProjectId"] is not None, r["CostCenterItemId1"] is not None) for i in invoices for r in i["Rows"]}
    assert ways == {(True, True), (True, False), (False, True), (False, False)}
    one = api.get(f"supplierinvoices/{invoices[0]['Id']}").json()
    assert one == invoices[0]


def _supplier_invoice(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    supplier = api.get("suppliers").json()["Data"][0]
    project = _by_number(api, "projects", "1002")
    body = {"SupplierId": supplier["Id"], "InvoiceNumber": "T-1", "InvoiceDate": "2026-06-11", "TotalAmount": 1250.0,
            "Vat": 250.0, "Rows": [{"AccountNumber": 6110, "DebetAmount": 1000.0, "ProjectId": project["Id"],
                                    "TransactionText": "Pärmar"}]}
    body.update(overrides)
    return body


def test_a_supplier_invoice_is_booked_with_a_voucher_number(api: httpx.Client) -> None:
    answer = api.post("supplierinvoices", json=_supplier_invoice(api))
    assert answer.status_code == 201, answer.text
    booked = answer.json()
    assert (booked["VoucherNumber"], booked["SupplierNumber"], booked["SupplierName"]) == (
        "D7", "1", "Kontorsgrossisten AB")
    assert (booked["DueDate"], booked["RemainingAmount"], booked["IsCreditInvoice"]) == ("2026-07-11", 1250.0, False)
    assert booked["Rows"][0]["AccountName"] == "Kontorsmateriel" and booked["Rows"][0]["LineNumber"] == 1
    seeded = api.get("supplierinvoices").json()["Data"]
    newest = max(i["ModifiedUtc"] for i in seeded if i["Id"] != booked["Id"])
    changed = api.get("supplierinvoices", params={"$filter": f"ModifiedUtc gt {newest}"}).json()["Data"]
    assert [i["Id"] for i in changed] == [booked["Id"]]


def test_supplier_invoices_are_refused_as_the_service_refuses_them(api: httpx.Client) -> None:
    assert "does not balance" in _error(api.post("supplierinvoices", json=_supplier_invoice(api, Vat=200.0)),
                                        400, 4032)
    row = _supplier_invoice(api)["Rows"][0]
    assert _error(api.post("supplierinvoices", json=_supplier_invoice(api, Rows=[dict(row, AccountNumber=6999)])),
                  400, 3002)
    assert _error(api.post("supplierinvoices", json=_supplier_invoice(
        api, SupplierId="00000000-0000-0000-0000-000000000003")), 400, 3000)
    assert "The InvoiceNumber field is required." in _error(
        api.post("supplierinvoices", json=_supplier_invoice(api, InvoiceNumber=None)), 400, 2000)
    assert "at most two decimals" in _error(api.post("supplierinvoices", json=_supplier_invoice(
        api, Rows=[dict(row, DebetAmount=1000.001)])), 400, 2000)
    assert _error(api.post("supplierinvoices", json=_supplier_invoice(api, IsCreditInvoice=True)), 400, 2000)
    credit = _supplier_invoice(api, TotalAmount=-125.0, Vat=-25.0, Rows=[dict(row, DebetAmount=0, CreditAmount=100.0)])
    assert api.post("supplierinvoices", json=credit).json()["IsCreditInvoice"] is True
    assert len(api.get("supplierinvoices").json()["Data"]) == 7, "only the credit invoice was added"


@pytest.mark.parametrize(("scope", "path", "allowed"), [
    ("ea:api ea:purchase_readonly", "supplierinvoices", True),
    ("ea:api ea:sales", "supplierinvoices", False),
    ("ea:api ea:sales_readonly", "customerinvoicedrafts", True),
    ("ea:api ea:purchase", "customerinvoices", False),
])
def test_invoices_need_their_scopes(sandbox: SandboxHarness, scope: str, path: str, allowed: bool) -> None:
    with sandbox.api(sandbox.login(scope=scope)) as api:
        answer = api.get(path)
    assert (answer.status_code == 200) is allowed
    if not allowed:
        assert answer.json()["ErrorCode"] == 4006


def test_the_second_company_has_suppliers_but_no_supplier_invoices(sandbox: SandboxHarness) -> None:
    with sandbox.api(sandbox.login(company_index=1)) as api:
        assert len(api.get("suppliers").json()["Data"]) == 5
        assert api.get("supplierinvoices").json()["Data"] == []


def test_seeded_supplier_invoices_are_what_posting_them_books(api: httpx.Client) -> None:
    writable_rows = ("AccountNumber", "DebetAmount", "CreditAmount", "CostCenterItemId1", "CostCenterItemId2",
                     "ProjectId", "TransactionText")
    generated = {"Id", "VoucherNumber", "VoucherId", "CreatedUtc", "ModifiedUtc"}
    for seeded in api.get("supplierinvoices").json()["Data"]:
        body = {k: seeded[k] for k in ("SupplierId", "InvoiceNumber", "InvoiceDate", "TotalAmount", "Vat")}
        body["Rows"] = [{k: r[k] for k in writable_rows} for r in seeded["Rows"]]
        answer = api.post("supplierinvoices", json=body)
        assert answer.status_code == 201, answer.text
        posted = answer.json()
        assert {k: v for k, v in posted.items() if k not in generated | {"Rows"}} == {
            k: v for k, v in seeded.items() if k not in generated | {"Rows"}}
        assert [{k: v for k, v in r.items() if k != "Id"} for r in posted["Rows"]] == [
            {k: v for k, v in r.items() if k != "Id"} for r in seeded["Rows"]]
