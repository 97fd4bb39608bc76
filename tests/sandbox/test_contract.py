"""Responses carry the published field names and JSON types.

Every list and single-record response is checked against the sandbox's
field tables; those tables are in turn checked against Visma's published
swagger when the reference copy sits beside the repository (as in CI).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from ops_lib.sandbox.clock import parse_datetime
from ops_lib.sandbox.schemas import MODELS
from ops_lib.sandbox.tables import Model
from tests.conftest import shared_reference

LISTS = {
    "customers": "CustomerApi", "articles": "ArticleApi", "articleaccountcodings": "ArticleAccountCodingAPI",
    "units": "UnitApi", "termsofpayments": "TermsOfPaymentApi", "vatcodes": "VatCode",
    "costcenters": "CostCenterApi", "projects": "ProjectApi", "fiscalyears": "FiscalYearApi",
    "accounts": "AccountApi", "suppliers": "SupplierApi", "supplierinvoices": "SupplierInvoiceApi",
}
# The models of the rows a list's records carry.
ROWS = {"supplierinvoices": "SupplierInvoiceRowApi"}


def _type_ok(ftype: str, value: Any) -> bool:
    if value is None:
        return True
    checks = {
        "str": lambda v: isinstance(v, str),
        "uuid": lambda v: isinstance(v, str) and str(uuid.UUID(v)) == v,
        # An instant comes in UTC with its zone, a calendar date as the bare yyyy-MM-dd.
        "datetime": lambda v: isinstance(v, str) and v.endswith("Z") and parse_datetime(v) is not None,
        "date": lambda v: isinstance(v, str) and date.fromisoformat(v).isoformat() == v,
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    return checks[ftype](value)


def assert_matches(model: Model, record: dict[str, Any]) -> None:
    assert list(record) == list(model.names), f"{model.name}: fields differ"
    for field in model.fields:
        assert _type_ok(field.type, record[field.name]), f"{model.name}.{field.name} = {record[field.name]!r}"


@pytest.mark.parametrize("path", sorted(LISTS))
def test_list_envelope_and_records_match_the_model(api: httpx.Client, path: str) -> None:
    body = api.get(path, params={"$pagesize": 1000}).json()
    assert list(body) == ["Meta", "Data"]
    assert_matches(MODELS["PaginationMetadata"], body["Meta"])
    assert body["Data"], f"the demo world has {path}"
    for record in body["Data"]:
        assert_matches(MODELS[LISTS[path]], record)
        for row in record.get("Rows", []) if path in ROWS else []:
            assert_matches(MODELS[ROWS[path]], row)
    if path == "costcenters":
        for center in body["Data"]:
            for item in center["Items"]:
                assert_matches(MODELS["CostCenterItemApi"], item)


def test_single_records_and_created_vouchers_match(api: httpx.Client) -> None:
    assert_matches(MODELS["CompanySettingsApi"], api.get("companysettings").json())
    customer = api.get("customers").json()["Data"][0]
    assert_matches(MODELS["CustomerApi"], api.get(f"customers/{customer['Id']}").json())
    voucher = api.post("vouchers", json={"VoucherDate": "2026-05-05", "VoucherText": "Kontroll", "Rows": [
        {"AccountNumber": 6110, "DebitAmount": 10.5}, {"AccountNumber": 1930, "CreditAmount": 10.5}]}).json()
    assert_matches(MODELS["VoucherApi"], voucher)
    for row in voucher["Rows"]:
        assert_matches(MODELS["VoucherRowApi"], row)


def test_drafts_invoices_and_payments_match(api: httpx.Client) -> None:
    customer = api.get("customers").json()["Data"][0]
    article = api.get("articles", params={"$filter": "IsActive eq true"}).json()["Data"][0]
    draft = api.post("customerinvoicedrafts", json={
        "CustomerId": customer["Id"], "RotReducedInvoicingType": 0, "EuThirdParty": False,
        "CustomerIsPrivatePerson": False, "InvoiceCustomerName": customer["Name"], "InvoiceAddress1": "Gatan 1",
        "InvoicePostalCode": "111 22", "InvoiceCity": "Stockholm", "InvoiceCountryCode": "SE", "Rows": [
            {"LineNumber": 1, "IsTextRow": False, "ArticleId": article["Id"], "Text": article["Name"], "Quantity": 2,
             "ReversedConstructionServicesVatFree": False},
            {"LineNumber": 2, "IsTextRow": True, "Text": "Tack!", "ReversedConstructionServicesVatFree": False}]}).json()
    for record, model, row_model in ((draft, "CustomerInvoiceDraftApi", "CustomerInvoiceDraftRowApi"),
                                     (api.get("customerinvoicedrafts").json()["Data"][0], "CustomerInvoiceDraftApi",
                                      "CustomerInvoiceDraftRowApi")):
        assert_matches(MODELS[model], record)
        for row in record["Rows"]:
            assert_matches(MODELS[row_model], row)
    invoice = api.post(f"customerinvoicedrafts/{draft['Id']}/convert").json()
    for record in (invoice, api.get("customerinvoices").json()["Data"][0]):
        assert_matches(MODELS["CustomerInvoiceApi"], record)
        for row in record["Rows"]:
            assert_matches(MODELS["CustomerInvoiceRowApi"], row)
    payment = api.post(f"customerinvoices/{invoice['Id']}/payments", json={
        "CompanyBankAccountId": str(uuid.uuid4()), "PaymentDate": "2026-06-01", "PaymentAmount": 1.0,
        "PaymentCurrency": invoice["CurrencyCode"], "PaymentType": 1}).json()
    assert_matches(MODELS["InvoicePaymentApi"], payment)


def test_values_the_service_always_has_are_never_null(api: httpx.Client) -> None:
    customer = api.get("customers").json()["Data"][0]
    article = api.get("articles").json()["Data"][0]
    assert customer["DiscountPercentage"] == 0 and str(uuid.UUID(customer["PayToAccountId"])) == customer["PayToAccountId"]
    assert (article["NameEnglish"], article["PurchasePrice"], article["StockBalance"]) == ("", 0, 0)
    terms = customer["TermsOfPaymentId"]
    created = api.post("customers", json={
        "Name": "Nollfri AB", "InvoiceAddress1": "Stortorget 1", "InvoiceCity": "Lund", "InvoicePostalCode": "222 22",
        "InvoiceCountryCode": "SE", "TermsOfPaymentId": terms,
        "IsPrivatePerson": False, "IsActive": True, "CurrencyCode": None, "EmailAddresses": None}).json()
    assert (created["CurrencyCode"], created["EmailAddresses"], created["DiscountPercentage"]) == ("SEK", [], 0)
    assert created["PayToAccountId"] == customer["PayToAccountId"]


# The swagger calls calendar dates date-time too; the field tables tell the two apart (see schemas.py).
_SWAGGER_TYPES = {
    ("string", "uuid"): {"uuid"}, ("string", "date-time"): {"datetime", "date"}, ("string", None): {"str"},
    ("boolean", None): {"bool"}, ("integer", "int32"): {"int"}, ("integer", "int64"): {"int"},
    ("number", "double"): {"number"}, ("number", "decimal"): {"number"}, ("array", None): {"array"},
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_field_tables_agree_with_the_published_swagger(name: str) -> None:
    swagger = shared_reference("eaccounting-swagger-v2.json")
    definitions = json.loads(swagger.read_text(encoding="utf-8"))["definitions"]
    published = next(v for k, v in definitions.items() if k.lower() == name.lower())
    properties = published["properties"]
    model = MODELS[name]
    assert set(model.names) == set(properties), f"{name}: field names differ from the swagger"
    for field in model.fields:
        spec = properties[field.name]
        expected = {"object"} if "$ref" in spec else _SWAGGER_TYPES[(spec.get("type"), spec.get("format"))]
        assert field.type in expected, f"{name}.{field.name}: {field.type} vs {expected}"
        assert field.max_length == spec.get("maxLength"), f"{name}.{field.name}: max length"
    for required in published.get("required", []):
        assert model.field(required).required, f"{name}.{required} must be required"  # type: ignore[union-attr]
