"""Read endpoints of the chart, VAT, dimensions, periods, branches and ledgers.

Lists answer bare JSON arrays. The unpaged lists (account, vat,
vatCategory, ledger, branch, paymentmethod, cashaccount) take the
``lastModifiedDateTime`` filter; ``/v1/dimension`` answers the dimension
ids as strings, and ``/v1/dimension/{id}`` the segmented key with its
values. Segment values are added or changed by ``PUT
/v1/dimension/{id}/{segmentId}`` with ``operation`` lines.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from ops_lib.sandbox.vismanet.errors import VismaError, not_found
from ops_lib.sandbox.vismanet.wire import ApiCall, Dto, clean, endpoint, modified_filter, no_content, one, paged


def _all(call: ApiCall, kind: str) -> list[dict[str, Any]]:
    return call.world.store.all(call.tenant, kind)


def _get(call: ApiCall, kind: str, key: str, what: str) -> dict[str, Any]:
    record = call.world.store.get(call.tenant, kind, key)
    if record is None:
        raise not_found(what)
    return record


def account_view(r: dict[str, Any]) -> dict[str, Any]:
    return clean({k: r.get(k) for k in ("accountID", "accountCD", "accountClass", "type", "active", "description",
                                        "useDefaultSub", "postOption", "currency", "taxCategory", "cashAccount",
                                        "allowManualEntry", "lastModifiedDateTime")})


@endpoint
async def list_accounts(call: ApiCall) -> Response:
    keep = modified_filter(call.request)
    active = call.request.query_params.get("active")
    rows = [r for r in _all(call, "account")
            if keep(r) and (active is None or str(r["active"]).lower() == active.lower())]
    return JSONResponse([account_view(r) for r in rows])


@endpoint
async def get_account(call: ApiCall) -> Response:
    record = _get(call, "account", call.param("accountCd"), f"Account '{call.param('accountCd')}'")
    return one(record, account_view(record))


def _segments(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [clean({"segmentId": s["segmentId"], "description": s["description"], "length": s["length"],
                   "validate": s["validate"], "lastModified": record.get("lastModified"),
                   "segmentValues": [clean({"segmentId": s["segmentId"], "valueId": v["valueId"],
                                            "description": v["description"], "active": v["active"],
                                            "lastModified": v.get("lastModified")})
                                     for v in s["values"]]})
            for s in record["segments"]]


@endpoint
async def list_dimensions(call: ApiCall) -> Response:
    return JSONResponse([r["id"] for r in _all(call, "dimension")])


@endpoint
async def get_dimension(call: ApiCall) -> Response:
    record = _get(call, "dimension", call.param("dimensionId").upper(), f"Dimension '{call.param('dimensionId')}'")
    segments = _segments(record)
    return one(record, {"id": record["id"], "description": record["description"],
                        "length": sum(s["length"] for s in segments), "segments": segments})


def _segment(call: ApiCall) -> tuple[dict[str, Any], dict[str, Any]]:
    record = _get(call, "dimension", call.param("dimensionId").upper(), f"Dimension '{call.param('dimensionId')}'")
    wanted = call.param("segmentId")
    for segment in record["segments"]:
        if str(segment["segmentId"]) == wanted:
            return record, segment
    raise not_found(f"Segment '{wanted}'")


@endpoint
async def get_segment(call: ApiCall) -> Response:
    record, segment = _segment(call)
    view = next(s for s in _segments(record) if s["segmentId"] == segment["segmentId"])
    return one(record, view)


@endpoint
async def put_segment(call: ApiCall) -> Response:
    """Insert, update or delete segment values; a value longer than the segment is refused."""
    dto = await call.dto()
    with call.world.store.transaction():
        record, segment = _segment(call)
        values = {v["valueId"]: v for v in segment["values"]}
        for line in dto.lines("segmentValues"):
            _apply_value(segment, values, line, call.stamp())
        segment["values"] = list(values.values())
        record["lastModified"] = call.stamp()
        call.world.store.put(call.tenant, "dimension", record["id"], record)
    return no_content()


def _apply_value(segment: dict[str, Any], values: dict[str, dict[str, Any]], line: Dto, stamp: str) -> None:
    value_id = line.text("value") or ""
    operation = str(line.raw("operation") or "Insert").capitalize()
    if not value_id:
        raise VismaError(400, "Error updating the segment", "'Value' cannot be empty.")
    if len(value_id) > segment["length"]:
        raise VismaError(400, "Error updating the segment",
                         f"'{value_id}' is longer than the segment length {segment['length']}.")
    if operation == "Delete":
        values.pop(value_id, None)
        return
    current = values.get(value_id, {"valueId": value_id, "description": "", "active": True})
    if line.has("description"):
        current["description"] = line.text("description") or ""
    if line.has("active"):
        current["active"] = line.flag("active", True)
    current["lastModified"] = stamp
    values[value_id] = current


@endpoint
async def get_segment_value(call: ApiCall) -> Response:
    record, segment = _segment(call)
    for value in segment["values"]:
        if value["valueId"] == call.param("valueId"):
            return one(record, clean({"segmentId": segment["segmentId"], "valueId": value["valueId"],
                                      "description": value["description"], "active": value["active"]}))
    raise not_found(f"Segment value '{call.param('valueId')}'")


def subaccount_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    record = call.world.store.get(call.tenant, "dimension", "SUBACCOUNT") or {"segments": []}
    parts = r["subaccountNumber"].split("-")
    segments = []
    for segment, part in zip(record["segments"], parts):
        text = next((v["description"] for v in segment["values"] if v["valueId"] == part), "")
        segments.append(clean({"segmentId": segment["segmentId"], "segmentDescription": segment["description"],
                               "segmentValue": part, "segmentValueDescription": text}))
    return clean({**{k: r.get(k) for k in ("subaccountNumber", "subaccountId", "description",
                                           "lastModifiedDateTime", "active")}, "segments": segments})


@endpoint
async def list_subaccounts(call: ApiCall) -> Response:
    keep = modified_filter(call.request)
    rows = [subaccount_view(call, r) for r in _all(call, "subaccount") if keep(r)]
    return JSONResponse(paged(call.request, rows, call.world.config.max_page_size))


@endpoint
async def get_subaccount(call: ApiCall) -> Response:
    record = _get(call, "subaccount", call.param("subAccountNumber"), f"Subaccount '{call.param('subAccountNumber')}'")
    return one(record, subaccount_view(call, record))
