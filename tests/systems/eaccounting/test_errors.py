"""The error catalogue: every documented code explained, the guides' messages recognised."""

from __future__ import annotations

import httpx
import pytest

from ops_lib.core.errors import FieldError
from ops_lib.systems.eaccounting.errors import catalogue, error_from_response, explain, retry_after

DOCUMENTED = [2000, 3000, 3001, 3002, 3003, *range(4000, 4036), 4037, 4038, 4039, 4048, 4100,
              *range(5000, 5008), 6000, 6001]


def answer(status: int, body: object, method: str = "POST", path: str = "/v2/customers") -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request(method, f"https://api.example{path}"))


def test_every_documented_code_has_an_explanation_in_both_languages() -> None:
    _, codes = catalogue()
    missing = [c for c in DOCUMENTED if c not in codes]
    assert missing == []
    for code, item in codes.items():
        assert item.cause and item.fix and item.cause_sv and item.fix_sv, code


@pytest.mark.parametrize(("code", "status", "message", "fields", "rule_title"), [
    (3001, 400, "Resource not found: fiscalYearId", (), "The fiscal year does not exist"),
    (None, 400, "One or more errors occurred. Resource not found: fiscalYearId", (), "The fiscal year does not exist"),
    (4002, 403, "De API module is nog niet geactiveerd. U kunt inloggen bij Visma eAccounting", (),
     "The API module is not activated"),
    (None, 500, "Error: 'Ledger' cannot be empty.", (), "The general ledger is not set up"),
    (2000, 400, "The field Name must be a string with a maximum length of 50.", (),
     "A name is longer than 50 characters"),
    (2000, 400, "The field InvoiceAddress1 must be a string with a maximum length of 50.", (),
     "The first address line is longer than 50 characters"),
    (2000, 400, "Validation failed", (FieldError("InvoicePostalCode", "The InvoicePostalCode field is required."),),
     "The customer has no complete address"),
    (None, 400, "invoice address is missing", (), "The customer has no complete address"),
    (2000, 400, "Error converting value {null} to type 'System.Guid'. Path 'CodingId'.", (),
     "The article has no VAT coding"),
    (4000, 400, "A cost center item with the provided id or name already exists.", (),
     "The cost centre item already exists"),
    (None, 409, "", (), "A work type or article is inactive"),
])
def test_messages_users_meet_are_recognised(code: int | None, status: int, message: str,
                                            fields: tuple[FieldError, ...], rule_title: str) -> None:
    found = explain(code, status, message, fields)
    assert found is not None and found.title == rule_title
    assert found.fix_sv


def test_unknown_errors_fall_back_to_the_code_or_nothing() -> None:
    assert explain(4000, 400, "Customer number 1001 already exists") is not None
    assert explain(4000, 400, "x").title == "Conflict"  # type: ignore[union-attr]
    assert explain(None, 418, "teapot") is None


def test_error_from_response_carries_everything() -> None:
    error = error_from_response(answer(400, {
        "ErrorCode": 2000, "DeveloperErrorMessage": "The field Name must be a string with a maximum length of 50.",
        "ErrorId": "3fa7da17-eeb2-48f6-997d-0be158f4cba4",
        "Errors": [{"Field": "Name", "ErrorCode": "StringLength", "Message": "too long", "Key": "Name"}],
    }), language="sv")
    assert (error.status, error.error_code, error.error_id) == (400, 2000, "3fa7da17-eeb2-48f6-997d-0be158f4cba4")
    assert error.field_errors == (FieldError("Name", "too long", "StringLength"),)
    text = str(error)
    assert text.startswith("POST /v2/customers failed: HTTP 400, ErrorCode 2000")
    assert "Korta namnet" in text and "3fa7da17" in text


def test_non_json_error_bodies_still_read() -> None:
    response = httpx.Response(502, text="<html>Bad gateway</html>", request=httpx.Request("GET", "https://x/v2/units"))
    error = error_from_response(response)
    assert error.status == 502 and error.error_code is None and "HTTP 502" in str(error)


def test_retry_after_reads_the_message_or_the_header() -> None:
    body = {"ErrorCode": 4010, "DeveloperErrorMessage":
            "API calls quota exceeded! maximum admitted 600 per Minute. Try again in 55 seconds."}
    assert retry_after(answer(429, body)) == 55
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"}, request=httpx.Request("GET", "https://x"))) == 7
    assert retry_after(answer(429, {"ErrorCode": 4010})) is None
