"""Writes to Visma.net for a sync: plan the calls, send them, find what a lost call made.

Creates are POSTs answered 201 with a ``Location``; updates are PUTs of
an update DTO carrying only the fields being set (Visma.net updates what
a DTO names and keeps the rest, so nothing is read back first). Customers,
suppliers and inventory items are keyed by their number in the path; a
tag is a value of one ``SUBACCOUNT`` segment, inserted or updated through
the segment's PUT.

The number is always sent on create: a company with manual numbering
refuses a customer or supplier without one ("'Customer ID' cannot be
empty", V5), and one with automatic numbering would give the record a
number the sync cannot find again. When a create's outcome is unknown,
:meth:`VismaNetWriter.find` looks the record up by number and takes it as
ours only if its name matches too.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ops_lib.core.errors import ApiError, ConflictError
from ops_lib.systems.base import Call, PlanBlocked
from ops_lib.systems.vismanet.client import SUBACCOUNT, VismaNetClient, segment
from ops_lib.systems.vismanet.payloads import (
    inventory_fields,
    new_inventory,
    new_partner,
    partner_fields,
    segment_values,
)
from ops_lib.systems.vismanet.registers import DEFAULT_SEGMENT, find_segment

PATHS = {"customers": "v1/customer", "suppliers": "v1/supplier", "products": "v1/inventory"}
NAME_FIELDS = {"v1/customer": "name", "v1/supplier": "name", "v1/inventory": "description"}


class VismaNetWriter:
    """Plans and sends the writes of one register to one connected company.

    Parameters
    ----------
    client:
        The connected company.
    register:
        ``customers``, ``suppliers``, ``products`` or ``projects`` (values of ``segment``).
    segment:
        For projects: the ``SUBACCOUNT`` segment (id or description) holding one value per tag.
    """

    deferred = False

    def __init__(self, client: VismaNetClient, register: str, *, segment: str = DEFAULT_SEGMENT,
                 **_options: Any) -> None:
        if register not in (*PATHS, "projects"):
            raise ValueError(f"Visma.net cannot write {register!r}; it writes {', '.join([*PATHS, 'projects'])}")
        self.client = client
        self.register = register
        self.segment_name = segment
        self._segment_id: int | None = None
        self.target = f"{client.system}:{client.session.key}"
        self.label = f"{client.system}:{client.session.connection.company_name}"

    @property
    def segment_path(self) -> str:
        if self._segment_id is None:
            self._segment_id = find_segment(self.client, self.segment_name).id
        return f"v1/dimension/{SUBACCOUNT}/{self._segment_id}"

    # -- planning ------------------------------------------------------

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        number, name = record.get("number", ""), record.get("name", "")
        if not number.strip():
            raise PlanBlocked("the record has no number; Visma.net keys records by number (a company with manual "
                              "numbering refuses one without it); give it a number in the source")
        if self.register == "projects":
            operation = "Insert" if action.startswith("create") else "Update"
            return [Call(self.target, "PUT", self.segment_path, segment_values(record, operation), number, name,
                         str((current or {}).get("_id", "")), kind="segment")]
        path = PATHS[self.register]
        if action.startswith("create"):
            body = new_inventory(record) if self.register == "products" else new_partner(record)
            return [Call(self.target, "POST", path, body, number, name, kind=path)]
        record_id = str((current or {}).get("_id", "")) or number
        fields = [f for f in differences if f != "number"]
        body = (inventory_fields(record, fields) if self.register == "products"
                else partner_fields(record, fields))
        return [Call(self.target, "PUT", f"{path}/{segment(record_id)}", body, number, name, record_id, kind=path)]

    # -- sending -------------------------------------------------------

    def send(self, call: Call) -> str:
        if call.kind == "segment":
            self.client.update(call.path, dict(call.body))
            return f"{call.path.rsplit('/', 1)[-1]}:{call.number}"
        if call.method == "POST":
            return self.client.create(call.path, dict(call.body)) or call.number
        self.client.update(call.path, dict(call.body))
        return call.record_id

    def find(self, call: Call) -> str | None:
        """The key of the record with the call's number and name, if one exists.

        Raises ConflictError when the number exists under another name: that
        record is not the one this call made.
        """
        if call.kind == "segment":
            found = find_segment(self.client, self.segment_name)
            value = next((v for v in found.values if v.value == call.number), None)
            if value is None or call.body["segmentValues"][0]["operation"] != "Insert":
                return None
            return self._matched(value.description, call, f"{found.id}:{value.value}")
        if call.method != "POST":
            return None
        try:
            current = self.client.get_json(f"{call.path}/{segment(call.number)}") or {}
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return self._matched(str(current.get(NAME_FIELDS[call.kind]) or ""), call, call.number)

    def _matched(self, name: str, call: Call, key: str) -> str:
        if name == call.name:
            return key
        raise ConflictError(f"{call.number} exists in Visma.net as {name!r}, not {call.name!r}: it was not "
                            f"made by this sync; rename by hand in both systems")

    def finish(self) -> list[str]:
        return []
