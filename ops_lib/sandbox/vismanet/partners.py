"""Suppliers (vendors), customers and inventory items: paged lists, reads, creates and updates.

Numbering is a company setting per register: the demo company numbers
suppliers automatically and customers and inventory items by hand, so a
customer created without ``number`` fails as it does for users with manual
numbering ("'Customer ID' cannot be empty", the facts' V5). Where the
vendor's documentation gives no limit, the sandbox takes Visma.net's
default segmented keys: numbers of at most 10 characters, names of at
most 255.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from starlette.responses import JSONResponse, Response

from ops_lib.sandbox.vismanet.errors import not_found, record_error
from ops_lib.sandbox.vismanet.wire import (
    ApiCall,
    Dto,
    changing,
    clean,
    created,
    endpoint,
    modified_filter,
    no_content,
    one,
    paged,
)

NUMBER_LENGTH = 10
NAME_LENGTH = 255


@dataclass(frozen=True)
class PartnerRegister:
    """How one partner register is keyed, named and written."""

    kind: str
    label: str
    key: str
    name_field: str
    id_label: str
    path: str


SUPPLIER = PartnerRegister("supplier", "supplier", "number", "name", "Supplier ID", "/v1/supplier")
CUSTOMER = PartnerRegister("customer", "customer", "number", "name", "Customer ID", "/v1/customer")
INVENTORY = PartnerRegister("inventory", "inventory item", "inventoryNumber", "description", "Inventory ID",
                            "/v1/inventory")


def _zone(call: ApiCall, zone_id: str | None) -> dict[str, Any] | None:
    zone = call.world.store.get(call.tenant, "vatZone", zone_id) if zone_id else None
    return {"id": zone["id"], "description": zone["description"],
            "defaultVatCategory": zone["defaultVatCategory"]} if zone else None


def supplier_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    method = call.world.store.get(call.tenant, "paymentMethod", r.get("paymentMethod") or "")
    return clean({**{k: r.get(k) for k in ("internalId", "number", "name", "status", "currencyId", "cashAccount",
                                           "vatRegistrationId", "corporateId", "lastModifiedDateTime")},
                  "vatZone": _zone(call, r.get("vatZone")),
                  "paymentMethod": {"id": method["paymentMethodID"], "description": method["description"]}
                  if method else None})


def customer_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    return clean({**{k: r.get(k) for k in ("internalId", "number", "name", "status", "currencyId", "vatRegistrationId",
                                           "corporateId", "lastModifiedDateTime", "createdDateTime")},
                  "vatZone": _zone(call, r.get("vatZone"))})


def inventory_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    return clean({k: r.get(k) for k in ("inventoryId", "inventoryNumber", "status", "type", "description", "baseUnit",
                                        "lastModifiedDateTime")})


VIEWS: dict[str, Callable[[ApiCall, dict[str, Any]], dict[str, Any]]] = {
    "supplier": supplier_view, "customer": customer_view, "inventory": inventory_view}


def _list(register: PartnerRegister) -> Callable[..., Any]:
    @endpoint
    async def list_records(call: ApiCall) -> Response:
        keep = modified_filter(call.request)
        status = call.request.query_params.get("status")
        name = call.request.query_params.get("name")
        rows = [r for r in call.world.store.all(call.tenant, register.kind)
                if keep(r) and (not status or r.get("status") == status)
                and (not name or name.lower() in str(r.get(register.name_field, "")).lower())]
        view = VIEWS[register.kind]
        return JSONResponse(paged(call.request, [view(call, r) for r in rows], call.world.config.max_page_size))

    list_records.__name__ = f"list_{register.kind}"
    return list_records


def _stored(call: ApiCall, register: PartnerRegister, number: str) -> dict[str, Any]:
    record = call.world.store.get(call.tenant, register.kind, number)
    if record is None:
        raise not_found(f"{register.label.capitalize()} '{number}'")
    return record


def _get(register: PartnerRegister) -> Callable[..., Any]:
    @endpoint
    async def get_record(call: ApiCall) -> Response:
        record = _stored(call, register, call.param("number"))
        return one(record, VIEWS[register.kind](call, record))

    get_record.__name__ = f"get_{register.kind}"
    return get_record


def _next_number(call: ApiCall, register: PartnerRegister) -> str:
    numbers = [int(r[register.key]) for r in call.world.store.all(call.tenant, register.kind)
               if str(r[register.key]).isdigit()]
    return str(max(numbers, default=10000) + 1)


def _apply(call: ApiCall, register: PartnerRegister, record: dict[str, Any], dto: Dto, action: str) -> None:
    """Copy the DTO's fields onto the record, refusing what the service refuses."""
    name_key = "description" if register.kind == "inventory" else "name"
    if dto.has(name_key):
        record[register.name_field] = dto.text(name_key) or ""
    if not record.get(register.name_field):
        raise record_error(action, register.label.capitalize(), f"'{name_key.capitalize()}' cannot be empty.")
    if len(record[register.name_field]) > NAME_LENGTH:
        raise record_error(action, register.label.capitalize(),
                           f"'{name_key.capitalize()}' is longer than {NAME_LENGTH} characters.")
    for field in ("status", "currencyId", "vatRegistrationId", "corporateId", "type", "baseUnit"):
        if dto.has(field):
            record[field] = dto.text(field)
    if dto.has("vatZoneId"):
        zone = dto.text("vatZoneId")
        if zone and call.world.store.get(call.tenant, "vatZone", zone) is None:
            raise record_error(action, register.label.capitalize(),
                               f"'VAT zone' '{zone}' cannot be found in the system.")
        record["vatZone"] = zone
    if dto.has("paymentMethodId"):
        method = dto.text("paymentMethodId")
        if method and call.world.store.get(call.tenant, "paymentMethod", method) is None:
            raise record_error(action, register.label.capitalize(), f"Payment method '{method}' cannot be found.")
        record["paymentMethod"] = method
    if dto.has("cashAccount"):
        cash = dto.text("cashAccount")
        if cash and call.world.store.get(call.tenant, "cashAccount", cash) is None:
            raise record_error(action, register.label.capitalize(), f"Cash account '{cash}' cannot be found.")
        record["cashAccount"] = cash


def _post(register: PartnerRegister) -> Callable[..., Any]:
    @endpoint
    async def create_record(call: ApiCall) -> Response:
        dto = await call.dto()
        action = f"Error inserting the {register.label}"
        number_field = "inventoryNumber" if register.kind == "inventory" else "number"
        with call.world.store.transaction():
            number = dto.text(number_field)
            if not number:
                if call.world.setting(call.tenant, "numbering").get(register.kind) != "auto":
                    raise record_error(action, register.label.capitalize(), f"'{register.id_label}' cannot be empty.")
                number = _next_number(call, register)
            if len(number) > NUMBER_LENGTH:
                raise record_error(action, register.label.capitalize(),
                                   f"'{register.id_label}' is longer than {NUMBER_LENGTH} characters.")
            if call.world.store.get(call.tenant, register.kind, number) is not None:
                raise record_error(action, register.label.capitalize(),
                                   f"Another '{register.label.capitalize()}' record with the same "
                                   f"'{register.id_label}' already exists.")
            stamp = call.stamp()
            id_field = "inventoryId" if register.kind == "inventory" else "internalId"
            record: dict[str, Any] = {id_field: call.world.store.count(call.tenant, register.kind) + 1,
                                      register.key: number, "status": "Active", "currencyId": "SEK",
                                      "lastModifiedDateTime": stamp, "createdDateTime": stamp}
            if register.kind == "inventory":
                record.update(type="NonStockItem", baseUnit="ST")
                record.pop("currencyId")
            _apply(call, register, record, dto, action)
            call.world.store.put(call.tenant, register.kind, number, record)
        return created(call, f"{register.path}/{number}", record)

    create_record.__name__ = f"create_{register.kind}"
    return create_record


def _put(register: PartnerRegister) -> Callable[..., Any]:
    @endpoint
    async def update_record(call: ApiCall) -> Response:
        dto = await call.dto()
        number = call.param("number")
        with changing(call, register.kind, lambda: _stored(call, register, number), lambda _: number) as record:
            _apply(call, register, record, dto, f"Error updating the {register.label}")
        return no_content()

    update_record.__name__ = f"update_{register.kind}"
    return update_record


def handlers(register: PartnerRegister) -> dict[str, Callable[..., Any]]:
    """The list, get, create and update endpoints of one register."""
    return {"list": _list(register), "get": _get(register), "create": _post(register), "update": _put(register)}
