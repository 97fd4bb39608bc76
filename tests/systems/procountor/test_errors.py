"""Procountor's error answers read into ApiError, explained in en, sv and fi."""

from __future__ import annotations

import httpx
import pytest
import yaml

from ops_lib.systems.procountor.errors import LANGUAGES, catalogue, error_from_response

WAVE2_CODES = ("ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION",
               "DIMENSION_OR_DIMENSION_ITEM_IDENTIFIERS_DOES_NOT_MATCH_THOSE_STORED_IN_DATABASE",
               "ERROR_VATSTATUS_VATPERC", "CLOSED_FISCAL_PERIOD", "ERROR_BRN_CODE")


def answer(status: int, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", "https://pts-api.procountor.com/api/ledgerreceipts"),
                          **kwargs)


def test_every_entry_is_written_in_english_swedish_and_finnish() -> None:
    rules, codes = catalogue()
    assert set(WAVE2_CODES) <= set(codes)
    for explanation in [r.explanation for r in rules] + list(codes.values()):
        assert set(explanation.advice) == set(LANGUAGES) == {"en", "sv", "fi"}


@pytest.mark.parametrize("code", WAVE2_CODES)
def test_a_validation_code_is_read_with_its_field(code: str) -> None:
    body = {"errors": [{"status": 400, "field": "transactions[1].account", "message": code}]}
    error = error_from_response(answer(400, json=body), "fi")
    assert error.code == code and error.status == 400
    assert error.field_errors[0].field == "transactions[1].account"
    assert "Korjaus" in str(error) and "transactions[1].account" in str(error)


def test_the_401_envelope_and_the_proxy_page_are_explained() -> None:
    unauthorized = error_from_response(answer(401, json={"errors": [{"status": 401, "message": "Unauthorized"}]}))
    assert unauthorized.explanation is not None and "API key" in unauthorized.explain("en")
    html = "<html><head><title>500 Internal Server Error</title></head><body><center>nginx</center></body></html>"
    proxy = error_from_response(answer(500, text=html, headers={"content-type": "text/html"}), "sv")
    assert proxy.explanation is not None and "markör" in proxy.explain("sv") and "<" not in str(proxy)


def test_the_catalogue_names_the_wave2_table_rows() -> None:
    from importlib import resources
    text = resources.files("ops_lib.systems.procountor").joinpath("error_catalogue.yaml").read_text("utf-8")
    assert yaml.safe_load(text) and all(f"P{n}" in text for n in range(1, 9))
