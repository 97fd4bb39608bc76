"""Read-mostly registers: chart of accounts, dimensions and items, fiscal years, VAT, company, session.

``/coa``, ``/dimensions``, ``/fiscalyears`` and ``/vats/*`` are not paged
(the spec answers ``{ledgerAccounts}``, a bare array, ``{fiscalYears}``);
only the business-partner register pages (:mod:`.partners`).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ops_lib.sandbox.procountor.config import COMPANY_ID, COMPANY_NAME, USER_NAME
from ops_lib.sandbox.procountor.errors import ProcountorError, not_found
from ops_lib.sandbox.procountor.rates import VAT_STATUSES, all_finnish_rates, rates_of
from ops_lib.sandbox.procountor.wire import ProcountorCall, endpoint, ok


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document without the sandbox's own bookkeeping (keys starting with ``_``)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


@endpoint
async def chart(call: ProcountorCall) -> Response:
    accounts = call.world.store.all(call.tenant, "account")
    return ok({"ledgerAccounts": [public(a) for a in sorted(accounts, key=lambda a: a["ledgerAccountCode"])]})


def _dimension(call: ProcountorCall) -> dict[str, Any]:
    dimension = call.world.store.get(call.tenant, "dimension", str(call.int_param("dimensionId", "Dimension")))
    if dimension is None:
        raise not_found("Dimension")
    return dimension


@endpoint
async def list_dimensions(call: ProcountorCall) -> Response:
    """Every dimension with its items; ``name`` and ``codeName`` filter (exact match)."""
    query = call.request.query_params
    dimensions = call.world.store.all(call.tenant, "dimension")
    if "name" in query:
        dimensions = [d for d in dimensions if d["name"] == query["name"]]
    if "codeName" in query:
        dimensions = [{**d, "items": [i for i in d["items"] if i["codeName"] == query["codeName"]]}
                      for d in dimensions]
    return ok(dimensions)


@endpoint
async def get_dimension(call: ProcountorCall) -> Response:
    return ok(_dimension(call))


@endpoint
async def rename_dimension(call: ProcountorCall) -> Response:
    dimension = _dimension(call)
    name = (await call.body()).get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProcountorError.one(400, "Dimension name is required", "name")
    dimension["name"] = name.strip()
    call.world.store.put(call.tenant, "dimension", str(dimension["id"]), dimension)
    return ok({"name": dimension["name"]})


def _item_fields(body: dict[str, Any], dimension: dict[str, Any], own_id: int | None) -> dict[str, Any]:
    code = body.get("codeName")
    if not isinstance(code, str) or not code.strip():
        raise ProcountorError.one(400, "codeName is required", "codeName")
    if any(i["codeName"] == code.strip() and i["id"] != own_id for i in dimension["items"]):
        raise ProcountorError.one(400, "Dimension item with the same codeName already exists", "codeName")
    item: dict[str, Any] = {"codeName": code.strip()}
    if isinstance(body.get("description"), str):
        item["description"] = body["description"]
    if body.get("status") not in (None, "", "P"):
        raise ProcountorError.one(400, "Invalid dimension item status", "status")
    if body.get("status") == "P":
        item["status"] = "P"
    return item


@endpoint
async def create_item(call: ProcountorCall) -> Response:
    dimension = _dimension(call)
    item = {"id": call.world.next_id("item"), **_item_fields(await call.body(), dimension, None)}
    dimension["items"].append(item)
    call.world.store.put(call.tenant, "dimension", str(dimension["id"]), dimension)
    return ok(item)


@endpoint
async def update_item(call: ProcountorCall) -> Response:
    """``PUT /dimensions/{id}/items`` names the item by the ``id`` in the body."""
    dimension = _dimension(call)
    body = await call.body()
    current = next((i for i in dimension["items"] if i["id"] == body.get("id")), None)
    if current is None:
        raise ProcountorError.one(404, "Dimension item not found", "id")
    fields = _item_fields(body, dimension, body["id"])
    current.clear()
    current.update({"id": body["id"], **fields})
    call.world.store.put(call.tenant, "dimension", str(dimension["id"]), dimension)
    return ok(current)


@endpoint
async def list_fiscal_years(call: ProcountorCall) -> Response:
    years = call.world.store.all(call.tenant, "fiscalyear")
    return ok({"fiscalYears": sorted(years, key=lambda y: y["startDate"])})


@endpoint
async def vat_defaults(call: ProcountorCall) -> Response:
    """The company's VAT percentages (every Finnish rate it has used) and the VAT statuses."""
    return ok({"vatInformation": [{"country": "FI", "percentages": [
        {"vatPercent": rate, "sales": True, "purchase": True} for rate in all_finnish_rates()]}],
        "vatStatuses": [{"vatStatus": s.code, "description": s.description, "sales": s.sales,
                         "purchase": s.purchase} for s in VAT_STATUSES]})


@endpoint
async def vat_country(call: ProcountorCall) -> Response:
    code = call.request.query_params.get("countryCode", "").upper()
    if not code:
        raise ProcountorError.one(400, "countryCode is required", "countryCode")
    rates = rates_of(code)
    if rates is None:
        raise ProcountorError.one(400, "Unknown or unsupported country code", "countryCode")
    return ok({"vatPercentages": rates})


@endpoint
async def vat_settings(call: ProcountorCall) -> Response:
    return ok(call.world.store.get(call.tenant, "settings", "vat") or {})


@endpoint
async def get_company(call: ProcountorCall) -> Response:
    company = call.world.store.get(call.tenant, "company", "company")
    if company is None:
        raise not_found("Company")
    return ok(company)


@endpoint
async def session_info(call: ProcountorCall) -> Response:
    """Who the token acts for: ``companyId`` is an integer, as every Procountor id."""
    return ok({"companyId": call.company_id, "name": COMPANY_NAME if call.company_id == COMPANY_ID else "",
               "country": "FINLAND", "userId": call.user_id, "userName": USER_NAME,
               "productVersion": "FINANCIALS_PLUS", "companySettings": {"invoiceDiscussionEnabled": False}})


@endpoint
async def status(call: ProcountorCall) -> Response:
    return ok({"name": "Procountor API (sandbox)", "status": "OK", "version": "26.04",
               "procountorVersion": "26.04"})
