"""Writes to eAccounting for a sync: plan the calls, send them, find what a lost call made.

Creates are POSTs. Updates are PUTs of the whole record, because the
service replaces rather than patches: the writer reads the record as it
is now, sets the planned fields, and sends it back. When a create's
outcome is unknown (a timeout or crash after sending), :meth:`find`
looks the record up by number and name; only a record with both is
taken as ours, so a stranger's record with the same number is never
adopted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

from ops_lib.core.errors import ConflictError
from ops_lib.systems.base import Call, PlanBlocked
from ops_lib.systems.eaccounting.client import EAccountingClient
from ops_lib.systems.eaccounting.options import PROJECT_TARGETS
from ops_lib.systems.eaccounting.payloads import (
    ARTICLE_API,
    CUSTOMER_API,
    ITEM_API,
    PROJECT_API,
    Lookups,
    article_fields,
    customer_fields,
    item_fields,
    new_article,
    new_customer,
    new_project,
    project_fields,
)

PATHS = {"customers": "customers", "products": "articles", "cost_center_items": "costcenteritems",
         "projects": "projects"}
NUMBER_FIELDS = {"customers": CUSTOMER_API["number"], "articles": ARTICLE_API["number"],
                 "costcenteritems": ITEM_API["number"], "projects": PROJECT_API["number"]}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class EAccountingWriter:
    """Plans and sends the writes of one register to one connected company.

    Parameters
    ----------
    client:
        The connected company.
    register:
        ``customers``, ``products`` or ``projects``.
    project_target:
        For projects: ``cost_center_items`` (the integration's default) or ``projects``.
    cost_center:
        The cost centre that holds one item per project.
    today:
        The start date of new projects (the day the plan is made).
    """

    def __init__(self, client: EAccountingClient, register: str, *, project_target: str = "cost_center_items",
                 cost_center: str = "Projekt", today: dt.date | None = None,
                 lookups: Lookups | None = None) -> None:
        if project_target not in PROJECT_TARGETS:
            raise ValueError(f"project_target must be one of {', '.join(PROJECT_TARGETS)}")
        self.client = client
        self.register = register
        self.project_target = project_target
        self.cost_center = cost_center
        self.today = today or dt.date.today()
        self.lookups = lookups or Lookups.read(client)
        self.target = f"{client.system}:{client.session.key}"
        self.label = f"{client.system}:{client.session.connection.company_name}"

    @property
    def resource(self) -> str:
        return PATHS[self.project_target if self.register == "projects" else self.register]

    # -- planning ------------------------------------------------------

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        number, name = record.get("number", ""), record.get("name", "")
        if action.startswith("create"):
            body = self._new(record)
            return [Call(self.target, "POST", self.resource, body, number, name, kind=self.resource)]
        record_id = str((current or {}).get("_id", ""))
        if not record_id:
            raise PlanBlocked("the record to update has no id in eAccounting; read it from the connected company")
        fields = [f for f in differences if f not in ("number", "name")]
        body = self._fields(record, fields)
        return [Call(self.target, "PUT", f"{self.resource}/{record_id}", body, number, name, record_id,
                     kind=self.resource)]

    def _new(self, record: Mapping[str, str]) -> dict[str, Any]:
        if self.register == "customers":
            return new_customer(record, self.lookups)
        if self.register == "products":
            return new_article(record, self.lookups)
        if self.project_target == "projects":
            return new_project(record, self.today)
        return {"CostCenterId": self.lookups.cost_center(self.cost_center), **item_fields(record, list(ITEM_API))}

    def _fields(self, record: Mapping[str, str], fields: list[str]) -> dict[str, Any]:
        if self.register == "customers":
            return customer_fields(record, fields, self.lookups)
        if self.register == "products":
            if "price" in fields and "vat_rate" not in fields:
                self.lookups.coding(record.get("vat_rate", ""))  # a new price needs a known rate for the gross price
            return article_fields(record, fields, self.lookups)
        if self.project_target == "projects":
            return project_fields(record, fields)
        return item_fields(record, fields)

    # -- sending -------------------------------------------------------

    def send(self, call: Call) -> str:
        if call.method == "POST":
            answer = self.client.send_json("POST", call.path, dict(call.body))
            return str((answer or {}).get("Id", ""))
        current = dict(self.client.get_json(call.path))
        current.update(call.body)
        answer = self.client.send_json("PUT", call.path, current)
        return str((answer or {}).get("Id", call.record_id))

    def find(self, call: Call) -> str | None:
        """The id of the record with the call's number and name, if one exists.

        Raises ConflictError when the number exists under another name:
        that record is not the one this call made, and creating it again
        would clash.
        """
        if call.method != "POST":
            return None
        number_field = NUMBER_FIELDS[call.kind]
        if call.kind == "costcenteritems":
            center = str(call.body.get("CostCenterId", "")).lower()
            candidates = [i for c in self.client.cost_centers() if c.id.lower() == center
                          for i in c.data.get("Items") or [] if str(i.get(number_field)) == call.number]
        else:
            flt = f"{number_field} eq {_quote(call.number)}"
            candidates = list(self.client.iter_data(call.path, {"$filter": flt}))
        for found in candidates:
            if str(found.get("Name", "")) == call.name:
                return str(found["Id"])
        if candidates:
            raise ConflictError(f"{call.number} exists in eAccounting as {candidates[0].get('Name')!r}, not "
                                f"{call.name!r}: it was not made by this sync; rename by hand in both systems")
        return None

    def finish(self) -> list[str]:
        return []

