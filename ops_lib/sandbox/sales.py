"""Sales endpoints: customers, articles and the registers they point at.

Customers and articles carry ``ChangedUtc``, refreshed on every write so
incremental sync can ask for ``ChangedUtc gt <last run>``. Numbers are
unique per company; a customer created without one gets the company's
next customer number, as in the real service.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ops_lib.sandbox.api import AuthorisedCall, RegisterHandlers, endpoint, must_get, ok, unique
from ops_lib.sandbox.errors import ServiceError
from ops_lib.sandbox.schemas import (
    ARTICLE,
    ARTICLE_ACCOUNT_CODING,
    COMPANY_SETTINGS,
    CUSTOMER,
    TERMS_OF_PAYMENT,
    UNIT,
)
from ops_lib.sandbox.seed import pay_to_account_id
from ops_lib.sandbox.validation import validate


def _reference(call: AuthorisedCall, kind: str, value: str, field: str) -> dict[str, Any]:
    record = call.store.get(call.tenant, kind, str(value).lower())
    if record is None:
        raise ServiceError(3000, f"Resource not found: {field} {value}", 400)
    return record


# Customers -----------------------------------------------------------------

def _next_customer_number(call: AuthorisedCall) -> str:
    settings = call.store.get(call.tenant, "companysettings", "settings") or {}
    taken = {c["CustomerNumber"] for c in call.store.all(call.tenant, "customers")}
    number = int(settings.get("NextCustomerNumber") or 1)
    while str(number) in taken:
        number += 1
    settings["NextCustomerNumber"] = number + 1
    call.store.put(call.tenant, "companysettings", "settings", settings)
    return str(number)


def _save_customer(call: AuthorisedCall, body: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    fields = validate(CUSTOMER, body)
    terms = _reference(call, "termsofpayments", fields["TermsOfPaymentId"], "TermsOfPaymentId")
    record = dict(existing or {})
    record.update(fields)
    if not record.get("CurrencyCode"):  # sent as null or left out: the company's currency, as the service does
        settings = call.store.get(call.tenant, "companysettings", "settings") or {}
        record["CurrencyCode"] = settings.get("CurrencyCode") or "SEK"
    own_id = existing["Id"] if existing else None
    with call.store.transaction():
        if not record.get("CustomerNumber"):
            record["CustomerNumber"] = existing["CustomerNumber"] if existing else _next_customer_number(call)
        unique(call, "customers", "CustomerNumber", record["CustomerNumber"], own_id,
               f"A customer with customer number {record['CustomerNumber']} already exists.")
        record["Id"] = own_id or str(uuid.uuid4())
        record["TermsOfPaymentId"] = terms["Id"]
        record["TermsOfPayment"] = TERMS_OF_PAYMENT.shape(terms)
        record["PayToAccountId"] = pay_to_account_id(call.tenant)
        record["ChangedUtc"] = call.sandbox.clock.stamp()
        call.store.put(call.tenant, "customers", record["Id"], record)
    return record


CUSTOMERS = RegisterHandlers("customers", CUSTOMER, "customerId", "customer", _save_customer)


def delete_customer(call: AuthorisedCall) -> Response:
    must_get(call, "customers", call.param("customerId"), "customer")
    call.store.delete(call.tenant, "customers", call.param("customerId"))
    return Response(status_code=200)


# Articles ------------------------------------------------------------------

def _save_article(call: AuthorisedCall, body: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    fields = validate(ARTICLE, body)
    coding = _reference(call, "articleaccountcodings", fields["CodingId"], "CodingId")
    unit = _reference(call, "units", fields["UnitId"], "UnitId")
    for price_field in ("NetPrice", "GrossPrice", "PurchasePrice"):
        price = fields.get(price_field)
        if price is not None and (price < 0 or Decimal(str(price)).as_tuple().exponent < -2):  # type: ignore[operator]
            raise ServiceError(2000, f"The field {price_field} must be 0 or more with at most two decimals.", 400)
    record = dict(existing or {"ArticleLabels": [], "StockBalance": 0.0, "SendToWebshop": True})
    record.update(fields)
    if fields.get("NetPrice") is not None and fields.get("GrossPrice") is None:
        rate = Decimal(str(coding["VatRatePercent"]))
        gross = (Decimal(str(fields["NetPrice"])) * (1 + rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        record["GrossPrice"] = float(gross)
    own_id = existing["Id"] if existing else None
    with call.store.transaction():
        unique(call, "articles", "Number", record["Number"], own_id,
               f"An article with number {record['Number']} already exists.")
        record["Id"] = own_id or str(uuid.uuid4())
        record.update({
            "CodingId": coding["Id"], "CodingName": coding["Name"], "UnitId": unit["Id"],
            "UnitName": unit["Name"], "UnitAbbreviation": unit["Abbreviation"],
            "ChangedUtc": call.sandbox.clock.stamp(),
        })
        call.store.put(call.tenant, "articles", record["Id"], record)
    return record


ARTICLES = RegisterHandlers("articles", ARTICLE, "articleId", "article", _save_article)


# Read-only registers -------------------------------------------------------

def get_company_settings(call: AuthorisedCall) -> Response:
    return ok(COMPANY_SETTINGS.shape(must_get(call, "companysettings", "settings", "company settings")))


CODINGS = RegisterHandlers(
    "articleaccountcodings", ARTICLE_ACCOUNT_CODING, "articleAccountCodingId", "article account coding")
UNITS = RegisterHandlers("units", UNIT, "id", "unit")
TERMS = RegisterHandlers("termsofpayments", TERMS_OF_PAYMENT, "id", "terms of payment")

ROUTES: list[Route] = [
    endpoint("GET", "/v2/customers", CUSTOMERS.list),
    endpoint("POST", "/v2/customers", CUSTOMERS.create),
    endpoint("GET", "/v2/customers/{customerId}", CUSTOMERS.get),
    endpoint("PUT", "/v2/customers/{customerId}", CUSTOMERS.update),
    endpoint("DELETE", "/v2/customers/{customerId}", delete_customer),
    endpoint("GET", "/v2/articles", ARTICLES.list),
    endpoint("POST", "/v2/articles", ARTICLES.create),
    endpoint("GET", "/v2/articles/{articleId}", ARTICLES.get),
    endpoint("PUT", "/v2/articles/{articleId}", ARTICLES.update),
    endpoint("GET", "/v2/articleaccountcodings", CODINGS.list),
    endpoint("GET", "/v2/articleaccountcodings/{articleAccountCodingId}", CODINGS.get),
    endpoint("GET", "/v2/units", UNITS.list),
    endpoint("GET", "/v2/units/{id}", UNITS.get),
    endpoint("GET", "/v2/termsofpayments", TERMS.list),
    endpoint("GET", "/v2/termsofpayments/{id}", TERMS.get),
    endpoint("GET", "/v2/companysettings", get_company_settings),
]
