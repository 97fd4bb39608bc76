"""Visma.net's error shapes read into explained ApiErrors, in English and Swedish, for every case users hit."""

from __future__ import annotations

from importlib import resources
from typing import Any

import httpx
import pytest
import yaml

from ops_lib.systems.vismanet.errors import LANGUAGES, catalogue, error_from_response, retry_after

URL = "http://127.0.0.1:8765/v2/journaltransaction"


def answer(status: int, body: Any = None, text: str = "", **headers: str) -> httpx.Response:
    request = httpx.Request("POST", URL)
    if body is not None:
        return httpx.Response(status, json=body, request=request, headers=headers)
    return httpx.Response(status, text=text, request=request, headers=headers)


def message(text: str) -> dict[str, str]:
    return {"message": f"VismaId: 5b6c7d8e-1111-2222-3333-444455556666. {text}\r\n"}


# One answer per row of the facts' "what users hit" table (V1..V8) and the seeds' Visma.net error.
CASES = {
    "V1 ledger": (400, message("Error creating journal transaction. Error: Inserting 'General ledger batch' record "
                               "raised at least one error. Please review the errors.\r\nError: 'Ledger' cannot be "
                               "empty."), "ledger_empty"),
    "V2 vat": (400, message("Error creating document. Error: TaxCategoryID '0' cannot be found in the system."),
               "vat_not_found"),
    "V2 vat id": (400, message("Error: TaxID '01' cannot be found in the system."), "vat_not_found"),
    "V3 segment": (400, message("Error: An error occurred during processing of the field Subaccount : Error: "
                                "Avdeling of Subaccount do not exist."), "segment_value_missing"),
    "V4 tenant": (400, {"error": "invalid_tenant", "error_description": "The tenant is unknown."}, "invalid_tenant"),
    "V4 customer tenant": (401, {"message": "Authorization has been denied for this request."}, "customer_tenant"),
    "V4 licence": (403, {"ExceptionType": "IPPException", "ExceptionMessage": "No license for this company.",
                         "ExceptionFaultCode": "12027", "ExceptionMessageID": "12027_ab12",
                         "ExceptionDetails": ""}, "no_license"),
    "V5 customer id": (400, message("Error inserting the customer. Error: Inserting 'Customer' record raised at "
                                    "least one error. Please review the errors.\r\nError: 'Customer ID' cannot be "
                                    "empty."), "id_empty"),
    "V5 supplier key": (400, message("Error inserting the supplier. Value cannot be null.\r\nParameter name: key"),
                        "id_empty"),
    "V6 throttled": (429, {"message": "Rate limit exceeded."}, "rate_limited"),
    "V7 closed period": (400, message("Error: The financial period 202404 is closed in General Ledger."),
                         "period_closed"),
    "V8 debit adjustment": (404, message("SupplierInvoice not found."), "document_not_found"),
    "stale etag": (412, {"message": "Precondition failed."}, "stale_etag"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_case_users_hit_is_explained_in_both_languages(case: str) -> None:
    status, body, rule = CASES[case]
    rules = {r.id: r.explanation for r in catalogue()[0]}
    error = error_from_response(answer(status, body), "sv")
    assert error.status == status and error.explanation == rules[rule]
    assert rules[rule].in_language("sv")[1].fix in str(error)  # the Swedish fix is shown


def test_the_catalogue_has_every_language_for_every_entry() -> None:
    data = yaml.safe_load(resources.files("ops_lib.systems.vismanet").joinpath("error_catalogue.yaml").read_text())
    for entry in [*data["messages"], *data["codes"].values()]:
        for language in LANGUAGES:
            assert entry[language]["cause"] and entry[language]["fix"], entry["title"]


def test_the_visma_id_and_the_reasons_are_kept_and_the_preamble_dropped() -> None:
    error = error_from_response(answer(*CASES["V1 ledger"][:2]))
    assert error.error_id == "5b6c7d8e-1111-2222-3333-444455556666" and error.code == ""
    said = str(error).splitlines()[1]
    assert said == ("Service says: Inserting 'General ledger batch' record raised at least one error. Please review "
                    "the errors.; 'Ledger' cannot be empty.")


def test_the_ipp_envelope_carries_its_fault_code() -> None:
    error = error_from_response(answer(*CASES["V4 licence"][:2]))
    assert (error.code, error.error_id) == ("12027", "12027_ab12") and "No license" in str(error)


def test_a_plain_text_body_is_read_as_text() -> None:
    error = error_from_response(answer(500, text="Internal Server Error"))
    assert error.status == 500 and "Internal Server Error" in str(error) and error.explanation is None


def test_retry_after_is_seconds() -> None:
    assert retry_after(answer(429, {}, **{"Retry-After": "12"})) == 12.0
    assert retry_after(answer(429, {})) is None
    assert retry_after(answer(429, {}, **{"Retry-After": "soon"})) is None
