"""Cost centres, their items, and projects.

Cost centres cannot be created through the API, only renamed or
(de)activated; their items are listed inside them and cannot be deleted.
Item names and short names are unique within their cost centre, and
project numbers are unique per company: a clash is ErrorCode 4000 with
the message integrators see when a project and its cost centre item
disagree.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ops_lib.sandbox.api import AuthorisedCall, RegisterHandlers, endpoint, must_get, ok, paged, unique
from ops_lib.sandbox.errors import ServiceError
from ops_lib.sandbox.schemas import COST_CENTER, COST_CENTER_ITEM, PROJECT
from ops_lib.sandbox.validation import require, validate

_ITEM_CLASH = "A cost center item with the provided id or name already exists."


def _cost_center_json(call: AuthorisedCall, center: dict[str, Any]) -> dict[str, Any]:
    items = [
        COST_CENTER_ITEM.shape(i) for i in call.store.all(call.tenant, "costcenteritems")
        if i["CostCenterId"] == center["Id"]
    ]
    return COST_CENTER.shape(dict(center, Items=items))


def list_cost_centers(call: AuthorisedCall) -> Response:
    return paged(call, COST_CENTER, kind="costcenters", shape=lambda c: _cost_center_json(call, c))


async def update_cost_center(call: AuthorisedCall) -> Response:
    existing = must_get(call, "costcenters", call.param("id"), "cost center")
    fields = validate(COST_CENTER, await call.body())
    record = dict(existing, **fields)
    call.store.put(call.tenant, "costcenters", record["Id"], record)
    return ok(_cost_center_json(call, record))


def _save_item(call: AuthorisedCall, body: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    fields = validate(COST_CENTER_ITEM, body)
    center_id = str(fields["CostCenterId"]).lower()
    if call.store.get(call.tenant, "costcenters", center_id) is None:
        raise ServiceError(3000, f"Resource not found: CostCenterId {fields['CostCenterId']}", 400)
    if existing is not None:
        require(center_id == existing["CostCenterId"], "CostCenterId",
                "The cost center of an existing item cannot be changed.")
    own_id = existing["Id"] if existing else None
    record = {**(existing or {}), **fields, "CostCenterId": center_id}
    with call.store.transaction():
        for field in ("Name", "ShortName"):
            unique(call, "costcenteritems", field, record[field], own_id, _ITEM_CLASH,
                   within=lambda r: r["CostCenterId"] == center_id)
        record["Id"] = own_id or str(uuid.uuid4())
        call.store.put(call.tenant, "costcenteritems", record["Id"], record)
    return record


def check_row_dimensions(call: AuthorisedCall, row: dict[str, Any]) -> None:
    """Refuse a booking row whose cost centre items or project are unknown (3000), inactive (5006) or ended (5005).

    Vouchers, invoice drafts and supplier invoices share these rules, so a
    row the sandbox refuses on one is refused on the others with the same words.
    """
    for slot in (1, 2, 3):
        item_id = row.get(f"CostCenterItemId{slot}")
        if item_id:
            item = call.store.get(call.tenant, "costcenteritems", str(item_id).lower())
            if item is None:
                raise ServiceError(3000, f"Resource not found: CostCenterItemId{slot} {item_id}", 400)
            if not item["IsActive"]:
                raise ServiceError(5006, f"The cost center item {item['ShortName']} is inactive.", 400)
    if row.get("ProjectId"):
        project = call.store.get(call.tenant, "projects", str(row["ProjectId"]).lower())
        if project is None:
            raise ServiceError(3000, f"Resource not found: ProjectId {row['ProjectId']}", 400)
        if project["Status"] == 2:
            raise ServiceError(5005, f"The project {project['Number']} has ended.", 400)


ITEMS = RegisterHandlers("costcenteritems", COST_CENTER_ITEM, "itemId", "cost center item", _save_item)
# PUT names its path parameter differently from GET, as in the published spec.
ITEM_UPDATES = dataclasses.replace(ITEMS, id_param="costCenterItemId")


def _save_project(call: AuthorisedCall, body: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    fields = validate(PROJECT, body)
    status = fields.get("Status", existing["Status"] if existing else 1)
    require(status in (1, 2), "Status", "The field Status must be 1 (ongoing) or 2 (finished).")
    record = {**(existing or {}), **fields, "Status": status, "CustomerName": None}
    if record.get("CustomerId"):
        customer = call.store.get(call.tenant, "customers", str(record["CustomerId"]).lower())
        if customer is None:
            raise ServiceError(3000, f"Resource not found: CustomerId {record['CustomerId']}", 400)
        record["CustomerName"] = customer["Name"]
    own_id = existing["Id"] if existing else None
    with call.store.transaction():
        unique(call, "projects", "Number", record["Number"], own_id,
               f"A project with number {record['Number']} already exists.")
        record["Id"] = own_id or str(uuid.uuid4())
        record["ModifiedUtc"] = call.sandbox.clock.stamp()
        call.store.put(call.tenant, "projects", record["Id"], record)
    return record


PROJECTS = RegisterHandlers("projects", PROJECT, "id", "project", _save_project)


ROUTES: list[Route] = [
    endpoint("GET", "/v2/costcenters", list_cost_centers),
    endpoint("PUT", "/v2/costcenters/{id}", update_cost_center),
    endpoint("GET", "/v2/costcenteritems/{itemId}", ITEMS.get),
    endpoint("POST", "/v2/costcenteritems", ITEMS.create),
    endpoint("PUT", "/v2/costcenteritems/{costCenterItemId}", ITEM_UPDATES.update),
    endpoint("GET", "/v2/projects", PROJECTS.list),
    endpoint("POST", "/v2/projects", PROJECTS.create),
    endpoint("GET", "/v2/projects/{id}", PROJECTS.get),
    endpoint("PUT", "/v2/projects/{id}", PROJECTS.update),
]
