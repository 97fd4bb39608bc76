"""Writes to Procountor for a sync: plan the calls, send them, find what a lost call made.

Creates are POSTs answered 200 with the saved record. An update of a
business partner is a PUT that replaces the whole partner and must carry
its current ``version``: :meth:`ProcountorWriter.send` reads the partner
first, sets the planned fields on it and puts it back (a stale version is
refused by the service, P8). A tag is an item of one dimension, created by
``POST /dimensions/{id}/items`` and updated by ``PUT`` of the item.

The number is always sent on create (a supplier's ``customerNumber``, an
item's ``codeName``), so :meth:`ProcountorWriter.find` can look a record
up after a lost answer and take it as ours only if its name matches too.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ops_lib.core.errors import ConflictError
from ops_lib.systems.base import Call, PlanBlocked
from ops_lib.systems.procountor.client import ProcountorClient
from ops_lib.systems.procountor.registers import COUNTRIES, DEFAULT_DIMENSION, find_dimension, supplier_rows

WRITABLE = ("suppliers", "projects")


def partner_changes(record: Mapping[str, str], fields: Sequence[str]) -> dict[str, Any]:
    """The planned changes of a supplier: dotted Procountor paths -> values."""
    paths = {"number": "invoicingInfo.customerNumber", "name": "name", "vat_number": "invoicingInfo.identifier",
             "country_code": "billingAddress.country", "is_active": "registryInfo.active"}
    changes: dict[str, Any] = {}
    for f in fields:
        if f not in paths:
            continue
        value: Any = record.get(f, "")
        if f == "country_code":
            value = COUNTRIES.get(value.upper(), value.upper()) if value else None
        elif f == "is_active":
            value = value != "false"
        changes[paths[f]] = value
    return changes


def apply_changes(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with each dotted path of ``changes`` set (the blocks on the way are copied)."""
    body = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in current.items()}
    for path, value in changes.items():
        *steps, last = path.split(".")
        node = body
        for step in steps:
            node = node.setdefault(step, {})
        node[last] = value
    return body


def new_partner(record: Mapping[str, str]) -> dict[str, Any]:
    """A new supplier: its number, name and the fields the record fills, with the required payment info."""
    fields = [f for f in ("number", "name", "vat_number", "country_code", "is_active") if record.get(f, "") != ""]
    base = {"type": "SUPPLIER", "paymentInfo": {"paymentMethod": "BANK_TRANSFER"}}
    return apply_changes(base, partner_changes(record, list(dict.fromkeys(["number", "name", *fields]))))


class ProcountorWriter:
    """Plans and sends the writes of one register to one connected company.

    Parameters
    ----------
    register:
        ``suppliers`` or ``projects`` (items of ``dimension``).
    dimension:
        For projects: the dimension (id or name) holding one item per tag.
    """

    deferred = False

    def __init__(self, client: ProcountorClient, register: str, *, dimension: str = DEFAULT_DIMENSION,
                 **_options: Any) -> None:
        if register not in WRITABLE:
            raise ValueError(f"Procountor cannot write {register!r}; it writes {', '.join(WRITABLE)}")
        self.client = client
        self.register = register
        self.dimension_name = dimension
        self._dimension_id: int | None = None
        self.target = f"{client.system}:{client.session.key}"
        self.label = f"{client.system}:{client.session.connection.company_name}"

    @property
    def dimension_id(self) -> int:
        if self._dimension_id is None:
            self._dimension_id = int(find_dimension(self.client, self.dimension_name).id or 0)
        return self._dimension_id

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        number, name = record.get("number", ""), record.get("name", "")
        if not number.strip():
            raise PlanBlocked("the record has no number; the sync keys Procountor records by number "
                              "(a supplier's partner number, a dimension item's code); give it one in the source")
        record_id = str((current or {}).get("_id", ""))
        if self.register == "projects":
            item = {"codeName": number, "description": name}
            if record.get("is_active") == "false":
                item["status"] = "P"
            path = f"dimensions/{self.dimension_id}/items"
            if action.startswith("create"):
                return [Call(self.target, "POST", path, item, number, name, kind="item")]
            item_id = record_id.partition(":")[2]
            return [Call(self.target, "PUT", path, {"id": int(item_id), **item}, number, name, record_id,
                         kind="item")]
        if action.startswith("create"):
            return [Call(self.target, "POST", "businesspartners", new_partner(record), number, name, kind="partner")]
        changes = partner_changes(record, [f for f in differences if f != "number"])
        return [Call(self.target, "PUT", f"businesspartners/{record_id}", {"changes": changes}, number, name,
                     record_id, kind="partner")]

    def send(self, call: Call) -> str:
        if call.kind == "item":
            saved = self.client.send(call.method, call.path, dict(call.body))
            return f"{self.dimension_id}:{saved.get('id') or call.body.get('id') or ''}"
        if call.method == "POST":
            return str(self.client.create(call.path, dict(call.body)).get("id") or call.number)
        current = self.client.partner(int(call.record_id))
        self.client.send("PUT", call.path, apply_changes(current, call.body["changes"]))
        return call.record_id

    def find(self, call: Call) -> str | None:
        """The key of the record with the call's number and name, if one exists.

        Raises ConflictError when the number exists under another name: that
        record is not the one this call made.
        """
        if call.method != "POST":
            return None
        if call.kind == "item":
            found = find_dimension(self.client, str(self.dimension_id))
            item = next((i for i in found.items if i.code == call.number), None)
            return None if item is None else self._matched(item.description, call, f"{found.id}:{item.id}")
        rows = supplier_rows(self.client.partners(type="SUPPLIER"))
        row = next((r for r in rows if r["number"] == call.number), None)
        return None if row is None else self._matched(row["name"], call, row["_id"])

    def _matched(self, name: str, call: Call, key: str) -> str:
        if name == call.name:
            return key
        raise ConflictError(f"{call.number} exists in Procountor as {name!r}, not {call.name!r}: it was not "
                            f"made by this sync; rename by hand in both systems")

    def finish(self) -> list[str]:
        return []
