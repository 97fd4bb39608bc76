"""Canonical records to Visma.net write DTOs, and the field mapping the readers share.

Every writable scalar travels as ``{"value": x}`` (:func:`wrapped`); an
address or contact is one wrapped object of wrapped fields. The mapping
tables (canonical field -> dotted read path) are used by the readers in
:mod:`.registers` too, so what is read and what is written cannot drift.

* customers and suppliers: number, name, VAT and corporate ids, the main
  address (country as ISO code) and contact; status ``Active`` or
  ``Inactive`` from ``is_active``;
* products are inventory items: number, description, default price, base
  unit, status;
* projects (tags) are values of one segment of the ``SUBACCOUNT``
  dimension, written through ``PUT /v1/dimension/SUBACCOUNT/{segmentId}``
  with ``operation`` Insert or Update.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ops_lib.core.money import to_decimal

# canonical field -> dotted read path (the update DTO's field is named in WRITE below)
CUSTOMER_READ: dict[str, str] = {
    "number": "number", "name": "name", "org_number": "corporateId", "vat_number": "vatRegistrationId",
    "address1": "mainAddress.addressLine1", "address2": "mainAddress.addressLine2",
    "postal_code": "mainAddress.postalCode", "city": "mainAddress.city", "country_code": "mainAddress.country.id",
    "phone": "mainContact.phone1", "email": "mainContact.email", "website": "mainContact.web",
    "currency": "currencyId",
}
SUPPLIER_READ: dict[str, str] = {"number": "number", "name": "name", "vat_number": "vatRegistrationId",
                                 "country_code": "mainAddress.country.id"}
INVENTORY_READ: dict[str, str] = {"number": "inventoryNumber", "name": "description", "unit": "baseUnit",
                                  "price": "defaultPrice"}
ADDRESS = {"address1": "addressLine1", "address2": "addressLine2", "postal_code": "postalCode", "city": "city",
           "country_code": "countryId"}
CONTACT = {"phone": "phone1", "email": "email", "website": "web"}
PLAIN = {"number": "number", "name": "name", "org_number": "corporateId", "vat_number": "vatRegistrationId",
         "currency": "currencyId"}
INVENTORY_WRITE = {"number": "inventoryNumber", "name": "description", "unit": "baseUnit", "price": "defaultPrice"}
ACTIVE, INACTIVE = "Active", "Inactive"


def wrapped(value: Any) -> dict[str, Any]:
    """One scalar as Visma.net writes take it."""
    return {"value": value}


def is_active(record: Mapping[str, str]) -> bool:
    """Active unless the record says ``false`` (an empty cell means active)."""
    return str(record.get("is_active", "") or "true").strip().lower() == "true"


def _status(record: Mapping[str, str]) -> dict[str, Any]:
    return wrapped(ACTIVE if is_active(record) else INACTIVE)


def partner_fields(record: Mapping[str, str], fields: Sequence[str]) -> dict[str, Any]:
    """A customer or supplier update DTO setting ``fields`` (an address or contact field sends its whole block)."""
    body: dict[str, Any] = {}
    for f in fields:
        if f in PLAIN:
            body[PLAIN[f]] = wrapped(record.get(f, "") or None)
        elif f == "is_active":
            body["status"] = _status(record)
    if any(f in ADDRESS for f in fields):
        body["mainAddress"] = wrapped({api: wrapped(record.get(f, "") or None) for f, api in ADDRESS.items()})
    if any(f in CONTACT for f in fields):
        contact = {api: wrapped(record.get(f, "") or None) for f, api in CONTACT.items()}
        body["mainContact"] = wrapped({"name": wrapped(record.get("name", "")), **contact})
    return body


def new_partner(record: Mapping[str, str]) -> dict[str, Any]:
    """A new customer or supplier: every field the record fills, always with its number and status."""
    fields = [f for f in record if (f in PLAIN or f in ADDRESS or f in CONTACT) and record[f] != ""]
    return partner_fields(record, list(dict.fromkeys(["number", "name", *fields, "is_active"])))


def inventory_fields(record: Mapping[str, str], fields: Sequence[str], *, creating: bool = False) -> dict[str, Any]:
    """An inventory update DTO; the number is only sent on create (it is "not applicable for PUT")."""
    body: dict[str, Any] = {}
    for f in fields:
        if f == "number" and not creating:
            continue
        if f == "price":
            price = record.get("price", "")
            body["defaultPrice"] = wrapped(to_decimal(price) if price else None)
        elif f in INVENTORY_WRITE:
            body[INVENTORY_WRITE[f]] = wrapped(record.get(f, "") or None)
        elif f == "is_active":
            body["status"] = _status(record)
    return body


def new_inventory(record: Mapping[str, str]) -> dict[str, Any]:
    fields = [f for f in ("number", "name", "unit", "price") if record.get(f, "") != "" or f in ("number", "name")]
    return {"type": wrapped("NonStockItem"), **inventory_fields(record, [*fields, "is_active"], creating=True)}


def segment_values(record: Mapping[str, str], operation: str) -> dict[str, Any]:
    """The segment update DTO inserting or updating one value (a tag)."""
    return {"segmentValues": [{"operation": operation, "value": record.get("number", ""),
                               "description": wrapped(record.get("name", "")),
                               "active": wrapped(is_active(record))}]}
