"""The /v2 API: scopes, paging, filters, validation, domain rules, limits and faults."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tests.conftest import DEMO_AUTH, SandboxHarness


def _customer(**overrides: Any) -> dict[str, Any]:
    body = {
        "Name": "Testbolaget AB", "InvoiceAddress1": "Storgatan 1", "InvoicePostalCode": "111 22",
        "InvoiceCity": "Stockholm", "InvoiceCountryCode": "SE", "IsPrivatePerson": False, "IsActive": True,
    }
    body.update(overrides)
    return body


def _terms(api: httpx.Client) -> str:
    return api.get("termsofpayments").json()["Data"][0]["Id"]


def _years(api: httpx.Client) -> dict[int, str]:
    return {int(y["StartDate"][:4]): y["Id"] for y in api.get("fiscalyears").json()["Data"]}


def test_missing_scope_is_403_with_4006(sandbox: SandboxHarness) -> None:
    with sandbox.api(sandbox.login(scope="ea:api ea:sales")) as api:
        assert api.get("customers").status_code == 200
        answer = api.get("vouchers")
    assert answer.status_code == 403
    assert answer.json()["ErrorCode"] == 4006
    with sandbox.api(sandbox.login(scope="ea:sales")) as api:
        assert api.get("customers").json()["ErrorCode"] == 4006, "ea:api is needed for every call"


def test_readonly_scope_reads_but_cannot_write(sandbox: SandboxHarness) -> None:
    with sandbox.api(sandbox.login(scope="ea:api ea:sales_readonly")) as api:
        assert api.get("customers").status_code == 200
        assert api.post("customers", json=_customer()).json()["ErrorCode"] == 4006


def test_missing_token_is_401(sandbox: SandboxHarness) -> None:
    answer = sandbox.http.get("/v2/customers")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_pages_through_a_whole_list(api: httpx.Client) -> None:
    first = api.get("customers", params={"$pagesize": 7}).json()
    meta = first["Meta"]
    assert (meta["CurrentPage"], meta["PageSize"], meta["TotalNumberOfResults"]) == (1, 7, 300)
    assert meta["TotalNumberOfPages"] == 43
    numbers: list[str] = []
    for page in range(1, meta["TotalNumberOfPages"] + 1):
        numbers += [c["CustomerNumber"] for c in
                    api.get("customers", params={"$page": page, "$pagesize": 7}).json()["Data"]]
    assert len(numbers) == 300 and len(set(numbers)) == 300
    beyond = api.get("customers", params={"$page": 44, "$pagesize": 7}).json()
    assert beyond["Data"] == [] and beyond["Meta"]["CurrentPage"] == 44


def test_bad_paging_parameter_is_6000(api: httpx.Client) -> None:
    assert api.get("customers", params={"$page": 0}).json()["ErrorCode"] == 6000


def test_filter_on_changed_utc_returns_only_what_changed(api: httpx.Client) -> None:
    before = api.get("customers", params={"$pagesize": 1}).json()["Meta"]["ServerTimeUtc"]
    customer = api.get("customers", params={"$filter": "CustomerNumber eq '1002'"}).json()["Data"][0]
    customer["Telephone"] = "08-999 99 99"
    assert api.put(f"customers/{customer['Id']}", json=customer).status_code == 200
    changed = api.get("customers", params={"$filter": f"ChangedUtc gt {before}"}).json()["Data"]
    assert [c["CustomerNumber"] for c in changed] == ["1002"]
    assert changed[0]["ChangedUtc"] > before
    quoted = api.get("customers", params={"$filter": f"ChangedUtc gt '{before}'"}).json()["Data"]
    assert len(quoted) == 1


def test_filter_combines_and_orderby_sorts(api: httpx.Client) -> None:
    body = api.get("articles", params={
        "$filter": "IsActive eq true and NetPrice ge 1000",
        "$orderby": "NetPrice desc", "$pagesize": 1000}).json()
    prices = [a["NetPrice"] for a in body["Data"]]
    assert prices and prices == sorted(prices, reverse=True)
    assert all(a["IsActive"] and a["NetPrice"] >= 1000 for a in body["Data"])
    one = api.get("customers", params={"$filter": "(CustomerNumber eq '1001' or CustomerNumber eq '1003')"})
    assert sorted(c["CustomerNumber"] for c in one.json()["Data"]) == ["1001", "1003"]


@pytest.mark.parametrize("expression, code", [
    ("Name eqq 'x'", 6000), ("Nope eq 'x'", 6000), ("Name eq 'x' and", 6000), ("ChangedUtc gt 'yesterday'", 6001),
])
def test_malformed_filters_are_query_errors(api: httpx.Client, expression: str, code: int) -> None:
    answer = api.get("customers", params={"$filter": expression})
    assert answer.status_code == 400
    assert answer.json()["ErrorCode"] == code


def test_customer_name_over_50_characters_is_2000_naming_the_field(api: httpx.Client) -> None:
    answer = api.post("customers", json=_customer(Name="N" * 51, TermsOfPaymentId=_terms(api)))
    assert answer.status_code == 400
    body = answer.json()
    assert body["ErrorCode"] == 2000
    assert body["Errors"] == [{
        "Field": "Name", "ErrorCode": "ValidationError",
        "Message": "The field Name must be a string with a maximum length of 50.", "Key": "Name",
    }]
    assert "maximum length of 50" in body["DeveloperErrorMessage"]
    assert len(body["ErrorId"]) == 36


def test_customer_address_fields_are_required(api: httpx.Client) -> None:
    body = _customer(TermsOfPaymentId=_terms(api))
    for field in ("InvoiceAddress1", "InvoicePostalCode", "InvoiceCity", "InvoiceCountryCode"):
        del body[field]
    errors = api.post("customers", json=body).json()["Errors"]
    assert {e["Field"] for e in errors} == {"InvoiceAddress1", "InvoicePostalCode", "InvoiceCity", "InvoiceCountryCode"}


def test_customer_numbers_are_unique_and_assigned_when_missing(api: httpx.Client) -> None:
    terms = _terms(api)
    clash = api.post("customers", json=_customer(CustomerNumber="1001", TermsOfPaymentId=terms))
    assert clash.status_code == 400 and clash.json()["ErrorCode"] == 4000
    too_long = api.post("customers", json=_customer(CustomerNumber="1" * 17, TermsOfPaymentId=terms))
    assert too_long.json()["Errors"][0]["Field"] == "CustomerNumber"
    created = api.post("customers", json=_customer(TermsOfPaymentId=terms))
    assert created.status_code == 201
    record = created.json()
    assert record["CustomerNumber"] and record["CustomerNumber"] not in {"1001"}
    assert record["TermsOfPayment"]["Id"] == terms and record["ChangedUtc"].endswith("Z")
    assert api.get(f"customers/{record['Id']}").json()["Name"] == "Testbolaget AB"
    assert api.delete(f"customers/{record['Id']}").status_code == 200
    assert api.get(f"customers/{record['Id']}").status_code == 404


def test_article_needs_an_existing_coding_and_unit(api: httpx.Client) -> None:
    unit = api.get("units").json()["Data"][0]["Id"]
    answer = api.post("articles", json={"Number": "X1", "Name": "Ny", "IsActive": True, "CodingId": None, "UnitId": unit})
    assert answer.json()["ErrorCode"] == 2000
    assert "Error converting value {null} to type 'System.Guid'. Path 'CodingId'" in answer.json()["DeveloperErrorMessage"]
    unknown = api.post("articles", json={"Number": "X1", "Name": "Ny", "IsActive": True,
                                         "CodingId": "00000000-0000-0000-0000-000000000001", "UnitId": unit})
    assert unknown.json()["ErrorCode"] == 3000
    coding = next(c for c in api.get("articleaccountcodings").json()["Data"] if c["VatRatePercent"] == 0.25)
    created = api.post("articles", json={"Number": "X1", "Name": "Ny", "IsActive": True,
                                         "CodingId": coding["Id"], "UnitId": unit, "NetPrice": 100})
    assert created.status_code == 201
    assert created.json()["GrossPrice"] == 125.0 and created.json()["UnitName"]
    assert api.post("articles", json={"Number": "X1", "Name": "Igen", "IsActive": True,
                                      "CodingId": coding["Id"], "UnitId": unit}).json()["ErrorCode"] == 4000


def test_cost_center_items_are_unique_within_their_cost_center(api: httpx.Client) -> None:
    projekt = next(c for c in api.get("costcenters").json()["Data"] if c["Name"] == "Projekt")
    existing = projekt["Items"][0]
    clash = api.post("costcenteritems", json={"CostCenterId": projekt["Id"], "Name": existing["Name"],
                                              "ShortName": "NEW1", "IsActive": True})
    assert clash.json()["ErrorCode"] == 4000
    assert "already exists" in clash.json()["DeveloperErrorMessage"]
    created = api.post("costcenteritems", json={"CostCenterId": projekt["Id"], "Name": "Nytt projekt",
                                                "ShortName": "9001", "IsActive": True})
    assert created.status_code == 201
    item = created.json()
    item["IsActive"] = False
    assert api.put(f"costcenteritems/{item['Id']}", json=item).json()["IsActive"] is False
    assert api.get(f"costcenteritems/{item['Id']}").json()["Name"] == "Nytt projekt"


def test_project_numbers_are_unique(api: httpx.Client) -> None:
    answer = api.post("projects", json={"Number": "1001", "Name": "Dubblett", "StartDate": "2026-01-01"})
    assert answer.json()["ErrorCode"] == 4000
    created = api.post("projects", json={"Number": "9001", "Name": "Nytt", "StartDate": "2026-01-01"})
    assert created.status_code == 201 and created.json()["Status"] == 1 and created.json()["ModifiedUtc"]


def _voucher(year: int, *rows: tuple[int, str, str], **extra: Any) -> dict[str, Any]:
    return {"VoucherDate": f"{year}-09-01", "VoucherText": "Kontorsmaterial", **extra, "Rows": [
        {"AccountNumber": account, "DebitAmount": float(debit), "CreditAmount": float(credit)}
        for account, debit, credit in rows]}


def test_balanced_voucher_is_created_and_numbered(api: httpx.Client) -> None:
    body = _voucher(2026, (6110, "800.00", "0"), (2641, "200.00", "0"), (1930, "0", "1000.00"))
    created = api.post("vouchers", json=body)
    assert created.status_code == 201, created.text
    voucher = created.json()
    assert voucher["NumberAndNumberSeries"] == "A1"
    assert voucher["Rows"][0]["AccountDescription"] == "Kontorsmateriel"
    year_id = _years(api)[2026]
    assert api.get(f"vouchers/{year_id}/{voucher['Id']}").json()["VoucherText"] == "Kontorsmaterial"
    assert api.post("vouchers", json=body).json()["NumberAndNumberSeries"] == "A2"
    assert api.put(f"vouchers/{voucher['Id']}", json=body).status_code in (404, 405), "vouchers are append-only"


def test_voucher_rules(api: httpx.Client) -> None:
    unbalanced = api.post("vouchers", json=_voucher(2026, (6110, "800", "0"), (1930, "0", "799.99"))).json()
    assert unbalanced["ErrorCode"] == 2000 and "not balanced" in unbalanced["DeveloperErrorMessage"]
    inactive = api.post("vouchers", json=_voucher(2026, (6991, "10", "0"), (1930, "0", "10"))).json()
    assert inactive["ErrorCode"] == 2000 and "inactive" in inactive["DeveloperErrorMessage"]
    not_this_year = api.post("vouchers", json=_voucher(2025, (6110, "10", "0"), (1941, "0", "10"))).json()
    assert not_this_year["ErrorCode"] == 3002
    no_year = api.post("vouchers", json=_voucher(2030, (6110, "10", "0"), (1930, "0", "10"))).json()
    assert no_year["ErrorCode"] == 3001
    locked = api.post("vouchers", json=dict(_voucher(2025, (6110, "10", "0"), (1930, "0", "10")),
                                            VoucherDate="2025-03-01")).json()
    assert locked["ErrorCode"] == 4026
    thirds = api.post("vouchers", json=_voucher(2026, (6110, "10.005", "0"), (1930, "0", "10.005"))).json()
    assert thirds["ErrorCode"] == 2000


def test_own_voucher_series_needs_the_flag(api: httpx.Client) -> None:
    body = _voucher(2026, (6110, "10", "0"), (1930, "0", "10"), NumberSeries="P")
    created = api.post("vouchers", params={"useDefaultVoucherSeries": "false"}, json=body).json()
    assert created["NumberAndNumberSeries"] == "P1"


def test_receipt_is_uploaded_and_linked_to_a_voucher(api: httpx.Client, sandbox: SandboxHarness) -> None:
    import base64

    pdf = b"%PDF-1.4 receipt"
    uploaded = api.post("attachments", json={"ContentType": "application/pdf", "FileName": "kvitto-1.pdf",
                                             "Data": base64.b64encode(pdf).decode()})
    assert uploaded.status_code == 201
    attachment = uploaded.json()
    assert attachment["AttachmentStatus"] == 1
    voucher = api.post("vouchers", json=_voucher(2026, (6110, "10", "0"), (1930, "0", "10"))).json()
    link = api.post("attachmentlinks", json={"DocumentType": 3, "DocumentId": voucher["Id"],
                                             "AttachmentIds": [attachment["Id"]]})
    assert link.status_code == 200
    linked = api.get(f"attachments/{attachment['Id']}").json()
    assert (linked["AttachmentStatus"], linked["DocumentId"], linked["AttachedDocumentType"]) == (0, voucher["Id"], 3)
    assert sandbox.http.get(linked["TemporaryUrl"].replace("http://127.0.0.1:8765", "")).content == pdf
    assert api.delete(f"attachments/{attachment['Id']}").json()["ErrorCode"] == 4001
    unmatched = api.get("attachments", params={"includeMatched": "false"}).json()["Data"]
    assert attachment["Id"] not in [a["Id"] for a in unmatched]
    bad = api.post("attachments", json={"ContentType": "text/plain", "FileName": "a.txt", "Data": "aGVq"})
    assert bad.json()["ErrorCode"] == 2000
    missing = api.post("attachmentlinks", json={"DocumentType": 3, "DocumentId": voucher["Id"],
                                                "AttachmentIds": ["00000000-0000-0000-0000-000000000009"]})
    assert missing.json()["ErrorCode"] == 5007


def test_new_fiscal_year_copies_the_chart_and_rejects_overlap(api: httpx.Client) -> None:
    created = api.post("fiscalyears", json={"StartDate": "2027-01-01", "EndDate": "2027-12-31"})
    assert created.status_code == 201
    year = created.json()["Id"]
    accounts = api.get(f"accounts/{year}", params={"$pagesize": 1000}).json()["Data"]
    assert "1941" in {a["Number"] for a in accounts} and "1942" not in {a["Number"] for a in accounts}
    assert api.post("fiscalyears", json={"StartDate": "2027-06-01", "EndDate": "2028-05-31"}).json()["ErrorCode"] == 4020
    assert api.post("fiscalyears", json={"StartDate": "2028-01-01", "EndDate": "2028-12-30"}).json()["ErrorCode"] == 4022
    assert api.get("fiscalyears/00000000-0000-0000-0000-000000000000").status_code == 400


def test_accounts_are_per_fiscal_year(api: httpx.Client) -> None:
    years = _years(api)
    assert api.get(f"accounts/{years[2025]}/1941").status_code == 404
    assert api.get(f"accounts/{years[2026]}/1941").json()["IsActive"] is True
    created = api.post("accounts", json={"Number": "1945", "Name": "Kortkonto Pleo", "FiscalYearId": years[2026],
                                         "IsActive": True})
    assert created.status_code == 201
    assert api.post("accounts", json={"Number": "1945", "Name": "Igen", "FiscalYearId": years[2026],
                                      "IsActive": True}).json()["ErrorCode"] == 4000
    account = created.json()
    account["IsActive"] = False
    assert api.put(f"accounts/{years[2026]}/1945", json=account).json()["IsActive"] is False


def test_rate_limit_answers_429_with_4010_and_the_wait(make_sandbox) -> None:  # noqa: ANN001
    sandbox = make_sandbox(rate_limit=5)
    with sandbox.api(sandbox.login()) as api:
        assert [api.get("units").status_code for _ in range(5)] == [200] * 5
        limited = api.get("units")
        assert api.get("vatcodes").status_code == 200, "the limit is per endpoint"
        sandbox.clock.advance(61)
        assert api.get("units").status_code == 200, "a new window opens after a minute"
    assert limited.status_code == 429
    body = limited.json()
    assert body["ErrorCode"] == 4010
    assert "maximum admitted 5 per Minute" in body["DeveloperErrorMessage"]
    assert "Try again in" in body["DeveloperErrorMessage"]


def test_injected_failures_and_latency(sandbox: SandboxHarness, api: httpx.Client) -> None:
    assert sandbox.http.post("/_sandbox/faults", json={"failure_rate": 1.0, "failure_statuses": [500, 503]}).status_code == 200
    statuses = [api.get("units").status_code for _ in range(4)]
    assert statuses == [500, 503, 500, 503]
    assert api.get("units").json()["ErrorCode"] in (5000, 5001)
    sandbox.http.post("/_sandbox/faults", json={"failure_rate": 0.5, "seed": 7})
    mixed = [api.get("units").status_code for _ in range(40)]
    assert 5 < mixed.count(200) < 35
    sandbox.http.post("/_sandbox/faults", json={"latency_ms": 150})
    import time

    started = time.monotonic()
    assert api.get("units").status_code == 200
    assert time.monotonic() - started >= 0.15
    assert sandbox.http.post("/_sandbox/faults", json={"failure_rate": 2}).status_code == 400


def test_state_file_survives_a_restart(make_sandbox, tmp_path) -> None:  # noqa: ANN001
    state = tmp_path / "sandbox.sqlite"
    first = make_sandbox(state_path=str(state))
    token = first.login()
    with first.api(token) as api:
        created = api.post("customers", json=_customer(CustomerNumber="7777", TermsOfPaymentId=_terms(api)))
        assert created.status_code == 201
    first.close()
    second = make_sandbox(state_path=str(state), today=date(2030, 1, 1))
    refreshed = second.http.post("/connect/token", auth=DEMO_AUTH, data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
    assert refreshed.status_code == 200, "tokens persist with the state"
    with second.api(refreshed.json()) as api:
        found = api.get("customers", params={"$filter": "CustomerNumber eq '7777'"}).json()["Data"]
        assert [c["Name"] for c in found] == ["Testbolaget AB"]
        assert 2026 in _years(api), "a resumed world is not reseeded"
    assert token["refresh_token"] not in state.read_bytes().decode("latin-1"), "only digests are stored"


def test_project_update_keeps_status_given_in_the_body(api: httpx.Client) -> None:
    project = api.get("projects", params={"$filter": "Number eq '1002'"}).json()["Data"][0]
    project["Status"] = 2
    updated = api.put(f"projects/{project['Id']}", json=project)
    assert updated.status_code == 200 and updated.json()["Status"] == 2


def test_bulk_customers_grow_one_company_for_load_tests(sandbox: SandboxHarness, api: httpx.Client) -> None:
    grown = sandbox.http.post("/_sandbox/bulk-customers", json={"company": "556812-3458", "count": 1700}).json()
    assert (grown["added"], grown["total"]) == (1700, 2000)
    numbers: list[str] = []
    for page in (1, 2):
        body = api.get("customers", params={"$page": page, "$pagesize": 1000}).json()
        numbers += [c["CustomerNumber"] for c in body["Data"]]
    assert body["Meta"]["TotalNumberOfPages"] == 2 and len(set(numbers)) == 2000
    assert numbers[-1] == "3000" and all(len(c["Name"]) <= 50 for c in body["Data"])
    filtered = api.get("customers", params={"$filter": "CustomerNumber eq '2500'"}).json()["Data"]
    assert [c["CustomerNumber"] for c in filtered] == ["2500"]
    bad = sandbox.http.post("/_sandbox/bulk-customers", json={"company": "nope", "count": 1})
    assert bad.status_code == 400
