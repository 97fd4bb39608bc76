"""The error catalogue: every documented code explained in en, sv and fi, the guides' messages recognised."""

from __future__ import annotations

import httpx
import pytest

from ops_lib.core.errors import FieldError
from ops_lib.systems.eaccounting.errors import LANGUAGES, catalogue, error_from_response, explain, retry_after

DOCUMENTED = [str(c) for c in (2000, 3000, 3001, 3002, 3003, *range(4000, 4036), 4037, 4038, 4039, 4048, 4100,
                               *range(5000, 5008), 6000, 6001)]


def answer(status: int, body: object, method: str = "POST", path: str = "/v2/customers") -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request(method, f"https://api.example{path}"))


def test_every_documented_code_has_an_explanation_in_every_language() -> None:
    rules, codes = catalogue()
    missing = [c for c in DOCUMENTED if c not in codes]
    assert missing == [] and LANGUAGES == ("en", "sv", "fi")
    for name, item in [*codes.items(), *((r.id, r.explanation) for r in rules)]:
        for language in LANGUAGES:
            used, advice = item.in_language(language)
            assert used == language and advice.cause and advice.fix, (name, language)
        finnish = item.in_language("fi")[1]
        assert finnish.cause != item.cause and finnish.fix != item.fix, name  # written, not copied


def test_an_explanation_reads_in_the_language_asked_and_falls_back_to_english() -> None:
    found = explain("4006", 403)
    assert found is not None
    assert found.text("fi").startswith("Yhteydelle ei myönnetty käyttöaluetta") and " Korjaus: " in found.text("fi")
    assert " Åtgärd: " in found.text("sv") and found.text("en") == f"{found.cause} Fix: {found.fix}"
    assert found.text("de") == found.text("en")


@pytest.mark.parametrize(("code", "status", "message", "fields", "rule_title"), [
    ("3001", 400, "Resource not found: fiscalYearId", (), "The fiscal year does not exist"),
    ("", 400, "One or more errors occurred. Resource not found: fiscalYearId", (), "The fiscal year does not exist"),
    ("4002", 403, "De API module is nog niet geactiveerd. U kunt inloggen bij Visma eAccounting", (),
     "The API module is not activated"),
    ("", 500, "Error: 'Ledger' cannot be empty.", (), "The general ledger is not set up"),
    ("2000", 400, "The field Name must be a string with a maximum length of 50.", (),
     "A name is longer than 50 characters"),
    ("2000", 400, "The field InvoiceAddress1 must be a string with a maximum length of 50.", (),
     "The first address line is longer than 50 characters"),
    ("2000", 400, "Validation failed", (FieldError("InvoicePostalCode", "The InvoicePostalCode field is required."),),
     "The customer has no complete address"),
    ("", 400, "invoice address is missing", (), "The invoice has no address"),
    ("2000", 400, "The invoice address is missing.", (), "The invoice has no address"),
    ("2000", 400, "The field InvoiceCustomerName must be a string with a maximum length of 50.", (),
     "The customer name on the invoice is longer than 50 characters"),
    ("2000", 400, "The field InvoicePostalCode must be a string with a maximum length of 10.", (),
     "An address field on the invoice is too long"),
    ("4000", 409, "Conflict. The article A07 (Konsult senior) is inactive.", (), "A work type or article is inactive"),
    ("2000", 400, "Error converting value {null} to type 'System.Guid'. Path 'CodingId'.", (),
     "The article has no VAT coding"),
    ("4000", 400, "A cost center item with the provided id or name already exists.", (),
     "The cost centre item already exists"),
    ("", 409, "", (), "A work type or article is inactive"),
])
def test_messages_users_meet_are_recognised(code: str, status: int, message: str,
                                            fields: tuple[FieldError, ...], rule_title: str) -> None:
    found = explain(code, status, message, fields)
    assert found is not None and found.title == rule_title
    assert found.in_language("sv")[1].fix and found.in_language("fi")[1].fix


def test_unknown_errors_fall_back_to_the_code_or_nothing() -> None:
    assert explain("4000", 400, "Customer number 1001 already exists") is not None
    assert explain("4000", 400, "x").title == "Conflict"  # type: ignore[union-attr]
    assert explain("", 418, "teapot") is None and explain(None, 418, "teapot") is None
    assert explain("9999", 400, "x") is None


def test_error_from_response_carries_everything() -> None:
    error = error_from_response(answer(400, {
        "ErrorCode": 2000, "DeveloperErrorMessage": "The field Name must be a string with a maximum length of 50.",
        "ErrorId": "3fa7da17-eeb2-48f6-997d-0be158f4cba4",
        "Errors": [{"Field": "Name", "ErrorCode": "StringLength", "Message": "too long", "Key": "Name"}],
    }), language="sv")
    assert (error.status, error.code, error.error_id) == (400, "2000", "3fa7da17-eeb2-48f6-997d-0be158f4cba4")
    assert error.field_errors == (FieldError("Name", "too long", "StringLength"),)
    text = str(error)
    assert text.startswith("POST /v2/customers failed: HTTP 400, ErrorCode 2000")
    assert "Korta namnet" in text and "3fa7da17" in text


def test_non_json_error_bodies_still_read() -> None:
    response = httpx.Response(502, text="<html>Bad gateway</html>", request=httpx.Request("GET", "https://x/v2/units"))
    error = error_from_response(response)
    assert error.status == 502 and error.code == "" and "HTTP 502" in str(error) and "ErrorCode" not in str(error)


@pytest.mark.parametrize("sent", [4006, "4006", " 4006 "])
def test_a_code_is_the_same_string_whether_the_service_sends_a_number_or_text(sent: object) -> None:
    error = error_from_response(answer(403, {"ErrorCode": sent, "ErrorId": "e-1"}, "GET", "/v2/vouchers"),
                                language="fi")
    assert error.code == "4006" and "ErrorCode 4006 (NoAccessToScopes)" in str(error)
    assert "Yhdistä uudelleen ja valitse puuttuva käyttöalue" in str(error)


def test_retry_after_reads_the_message_or_the_header() -> None:
    body = {"ErrorCode": 4010, "DeveloperErrorMessage":
            "API calls quota exceeded! maximum admitted 600 per Minute. Try again in 55 seconds."}
    assert retry_after(answer(429, body)) == 55
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"}, request=httpx.Request("GET", "https://x"))) == 7
    assert retry_after(answer(429, {"ErrorCode": 4010})) is None
