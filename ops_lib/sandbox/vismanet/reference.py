"""Read endpoints of VAT codes, categories and zones, periods, branches, ledgers and payment means."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from ops_lib.sandbox.vismanet.errors import not_found
from ops_lib.sandbox.vismanet.wire import ApiCall, clean, endpoint, modified_filter, one


def _rows(call: ApiCall, kind: str, filtered: bool = True) -> list[dict[str, Any]]:
    keep = modified_filter(call.request) if filtered else (lambda r: True)
    return [r for r in call.world.store.all(call.tenant, kind) if keep(r)]


def _get(call: ApiCall, kind: str, key: str, what: str) -> dict[str, Any]:
    record = call.world.store.get(call.tenant, kind, key)
    if record is None:
        raise not_found(f"{what} '{key}'")
    return record


def category_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    lines = []
    for vat_id in r["vatIds"]:
        vat = call.world.store.get(call.tenant, "vat", vat_id) or {}
        lines.append(clean({"vatId": vat_id, "description": vat.get("description"), "type": vat.get("type"),
                            "vatRates": [{"vatRate": float(vat.get("rate", 0)), "startDate": "2000-01-01T00:00:00Z"}]}))
    return clean({"vatCategoryId": r["vatCategoryId"], "description": r["description"], "active": True,
                  "excludeListedTaxes": False, "lastModifiedDateTime": r["lastModifiedDateTime"],
                  "vatCategoryLines": lines})


def zone_view(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "description": r["description"], "defaultVatCategory": r["defaultVatCategory"]}


def vat_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    categories = [category_view(call, c) for c in call.world.store.all(call.tenant, "vatCategory")
                  if r["vatId"] in c["vatIds"]]
    zones = [zone_view(z) for z in call.world.store.all(call.tenant, "vatZone") if r["vatId"] in z["vatIds"]]
    accounts: dict[str, Any] = {}
    if r.get("account"):
        side = "vatClaimableAccount" if r["deductibleVat"] else "vatPayableAccount"
        accounts = {side: {"number": r["account"]}}
    return clean({"vatId": r["vatId"], "description": r["description"], "type": r["type"],
                  "deductibleVat": r["deductibleVat"], "reverseVat": r["reverseVat"], "statisticalVat": False,
                  "pendingVat": False, "calculateOn": "ExtractFromItemAmount",
                  "lastModifiedDateTime": r["lastModifiedDateTime"], "glAccounts": accounts or None,
                  "schedules": [{"startDate": "2000-01-01T00:00:00Z", "vatRate": float(r["rate"]),
                                 "groupType": "Input" if r["deductibleVat"] else "Output"}],
                  "categories": categories, "zones": zones})


@endpoint
async def list_vat(call: ApiCall) -> Response:
    return JSONResponse([vat_view(call, r) for r in _rows(call, "vat")])


@endpoint
async def get_vat(call: ApiCall) -> Response:
    record = _get(call, "vat", call.param("vatId"), "VAT")
    return one(record, vat_view(call, record))


@endpoint
async def list_vat_categories(call: ApiCall) -> Response:
    return JSONResponse([category_view(call, r) for r in _rows(call, "vatCategory")])


@endpoint
async def get_vat_category(call: ApiCall) -> Response:
    record = _get(call, "vatCategory", call.param("taxCategoryId"), "VAT category")
    return one(record, category_view(call, record))


@endpoint
async def list_vat_zones(call: ApiCall) -> Response:
    return JSONResponse([zone_view(r) for r in _rows(call, "vatZone", filtered=False)])


@endpoint
async def get_vat_zone(call: ApiCall) -> Response:
    record = _get(call, "vatZone", call.param("vatZoneId"), "VAT zone")
    return one(record, zone_view(record))


def period_view(r: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in r.items() if k != "lastModifiedDateTime"}


@endpoint
async def list_periods(call: ApiCall) -> Response:
    after = call.request.query_params.get("greaterThanValue")
    rows = [r for r in _rows(call, "financialPeriod", filtered=False) if not after or r["period"] > after]
    return JSONResponse([period_view(r) for r in rows])


@endpoint
async def get_period(call: ApiCall) -> Response:
    record = _get(call, "financialPeriod", call.param("financialPeriodId"), "Financial period")
    return one(record, period_view(record))


def branch_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    ledger = call.world.store.get(call.tenant, "ledger", r["ledger"]) if r.get("ledger") else None
    return clean({"branchId": r["branchId"], "number": r["number"], "name": r["name"],
                  "isMainBranch": r["isMainBranch"],
                  "isActive": True, "lastModifiedDateTime": r["lastModifiedDateTime"],
                  "currency": {"id": "SEK", "description": "Svensk krona"},
                  "vatZone": {"id": "SE", "description": "Sverige"},
                  "ledger": {"id": ledger["number"], "description": ledger["description"]} if ledger else None})


@endpoint
async def list_branches(call: ApiCall) -> Response:
    return JSONResponse([branch_view(call, r) for r in _rows(call, "branch")])


@endpoint
async def get_branch(call: ApiCall) -> Response:
    record = _get(call, "branch", call.param("branchNumber"), "Branch")
    return one(record, branch_view(call, record))


@endpoint
async def list_ledgers(call: ApiCall) -> Response:
    return JSONResponse([clean(dict(r)) for r in _rows(call, "ledger")])


@endpoint
async def list_payment_methods(call: ApiCall) -> Response:
    return JSONResponse([dict(r) for r in call.world.store.all(call.tenant, "paymentMethod")])


@endpoint
async def get_payment_method(call: ApiCall) -> Response:
    record = _get(call, "paymentMethod", call.param("paymentMethodNumber"), "Payment method")
    return one(record, dict(record))


@endpoint
async def list_cash_accounts(call: ApiCall) -> Response:
    return JSONResponse([dict(r) for r in _rows(call, "cashAccount")])
