"""The Visma.net conventions: value DTOs, 201 + Location, 204, ETag/412, paging, change filters, rate limits."""

from __future__ import annotations

import httpx
import pytest

from ops_lib.sandbox.vismanet import VismaNetConfig
from ops_lib.sandbox.vismanet.wire import LEGACY_PREFIX
from tests.sandbox.vismanet.harness import BASE, SpecViolation, VismaNetHarness, validate


def test_the_harness_rejects_an_answer_the_spec_does_not_allow() -> None:
    request = httpx.Request("GET", f"{BASE}/v1/account")
    bad = httpx.Response(200, json=[{"accountCD": "1930", "active": "yes"}], request=request)
    with pytest.raises(SpecViolation):
        validate(request, bad)
    with pytest.raises(SpecViolation):
        validate(request, httpx.Response(400, json={"error": "x"}, request=request))


def test_every_answer_went_through_the_validator(vn: VismaNetHarness, api: httpx.Client) -> None:
    before = vn.transport.validated
    for path in ("/v1/account", "/v1/vat", "/v1/vatCategory", "/v1/dimension", "/v1/dimension/SUBACCOUNT",
                 "/v1/subaccount", "/v1/supplier", "/v1/customer", "/v1/inventory", "/v1/financialPeriod",
                 "/v1/branch", "/v1/ledger", "/v1/paymentmethod", "/v1/cashaccount", "/v1/vatZone"):
        assert api.get(path).status_code == 200, path
    assert vn.transport.validated == before + 15


def test_the_demo_world_holds_the_swedish_chart_and_periods(api: httpx.Client) -> None:
    accounts = {a["accountCD"]: a for a in api.get("/v1/account").json()}
    for number in ("1930", "1941", "2641", "2645", "2614", "4531", "4535", "5832", "6072", "6998", "3960", "7960",
                   "2829", "3740"):
        assert number in accounts, number
    assert accounts["1941"]["cashAccount"] is True
    periods = api.get("/v1/financialPeriod").json()
    assert any(p["closedInGeneralLedger"] for p in periods) and any(not p["closedInGeneralLedger"] for p in periods)
    assert api.get("/v1/dimension").json() == ["SUBACCOUNT"]
    vat = {v["vatId"]: v for v in api.get("/v1/vat").json()}
    assert vat["10"]["schedules"][0]["vatRate"] == 25 and vat["20"]["reverseVat"] is True


def test_post_answers_201_with_a_location_on_the_sandbox_host_and_keys_are_case_insensitive(api: httpx.Client) -> None:
    answer = api.post("/v1/supplier", json={"NAME": {"Value": "Ny Leverantör AB"}, "vatzoneid": {"VALUE": "SE"}})
    assert answer.status_code == 201 and answer.json() == {}
    location = answer.headers["Location"]
    assert location.startswith(f"{BASE}/v1/supplier/")
    created = api.get(location).json()
    assert created["name"] == "Ny Leverantör AB" and created["vatZone"]["id"] == "SE"


def test_the_legacy_prefix_serves_the_same_api_and_locations_keep_it(vn: VismaNetHarness) -> None:
    with vn.api(prefix=LEGACY_PREFIX) as client:
        assert client.get("/v1/account/1930").json()["accountCD"] == "1930"
        answer = client.post("/v1/customer", json={"number": {"value": "20009"}, "name": {"value": "Kund"}})
    assert answer.headers["Location"] == f"{BASE}{LEGACY_PREFIX}/v1/customer/20009"


def test_put_answers_204_and_a_stale_etag_412(api: httpx.Client) -> None:
    read = api.get("/v1/supplier/10001")
    tag = read.headers["ETag"]
    first = api.put("/v1/supplier/10001", json={"name": {"value": "Kontorsvaruhuset Nordic AB"}},
                    headers={"If-Match": tag})
    assert first.status_code == 204
    stale = api.put("/v1/supplier/10001", json={"name": {"value": "Another"}}, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["message"].startswith("VismaId: ")
    assert api.get("/v1/supplier/10001").json()["name"] == "Kontorsvaruhuset Nordic AB"


def test_page_sizes_are_clamped_and_totalcount_counts_all(vn: VismaNetHarness) -> None:
    small = VismaNetHarness(VismaNetConfig(max_page_size=2))
    try:
        with small.api() as client:
            first = client.get("/v1/supplier", params={"pageSize": 500, "pageNumber": 1}).json()
            third = client.get("/v1/supplier", params={"pageSize": 500, "pageNumber": 3}).json()
    finally:
        small.close()
    assert len(first) == 2 and first[0]["metadata"] == {"totalCount": 5, "maxPageSize": 2}
    assert [s["number"] for s in third] == ["10005"]


def test_lists_filter_on_last_modified_with_a_condition(vn: VismaNetHarness, api: httpx.Client) -> None:
    since = vn.clock.now().strftime("%Y-%m-%d %H:%M:%S")
    vn.clock.advance(5)
    assert api.put("/v1/supplier/10002", json={"name": {"value": "Telia Company AB"}}).status_code == 204
    changed = api.get("/v1/supplier", params={"lastModifiedDateTime": since, "lastModifiedDateTimeCondition": ">"})
    assert [s["number"] for s in changed.json()] == ["10002"]
    older = api.get("/v1/account", params={"lastModifiedDateTime": since, "lastModifiedDateTimeCondition": "<="})
    assert len(older.json()) > 20
    alone = api.get("/v1/supplier", params={"lastModifiedDateTime": since})
    assert alone.status_code == 400


def test_every_answer_carries_rate_limit_headers_and_429_comes_with_retry_after() -> None:
    harness = VismaNetHarness(VismaNetConfig(rate_limit=3))
    try:
        with harness.api() as client:
            answers = [client.get("/v1/ledger") for _ in range(4)]
    finally:
        harness.close()
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert all(a.headers["X-RateLimit-Policy"] == "4-fixed-window" for a in answers)
    assert int(answers[3].headers["Retry-After"]) > 3500
    assert "quota exceeded" in answers[3].json()["message"]


def test_the_window_turns_after_an_hour() -> None:
    harness = VismaNetHarness(VismaNetConfig(rate_limit=1, token_ttl=7200))
    try:
        with harness.api() as client:
            assert client.get("/v1/ledger").status_code == 200
            assert client.get("/v1/ledger").status_code == 429
            harness.clock.advance(3600)
            assert client.get("/v1/ledger").status_code == 200
    finally:
        harness.close()


def test_a_page_number_that_is_not_a_number_is_a_400(vn: VismaNetHarness, api: httpx.Client) -> None:
    for path, params in (("/v1/supplier", {"pageNumber": "x"}),
                         ("/v2/journaltransaction", {"periodId": "202601", "pageSize": "many"})):
        answer = api.get(path, params=params)
        assert answer.status_code == 400 and "is not valid for" in answer.json()["message"]
