"""The business-partner register: paged search, read, create (200) and a ``version``-checked PUT.

A PUT replaces the whole partner and must carry the ``version`` the
client read; a stale one is refused, as on every Procountor resource
with an optimistic lock.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ops_lib.sandbox.procountor.errors import Problem, ProcountorError, not_found
from ops_lib.sandbox.procountor.wire import ProcountorCall, endpoint, ok, paged

TYPES = ("CUSTOMER", "SUPPLIER", "PERSON")
STALE_VERSION = "Version conflict: the resource has been modified since it was read"


def basic(partner: dict[str, Any]) -> dict[str, Any]:
    """The search-result shape (``BusinessPartnerBasicInfo``)."""
    invoicing = partner.get("invoicingInfo") or {}
    return {"id": partner["id"], "type": partner["type"], "name": partner["name"], "version": partner["version"],
            "billingAddress": partner.get("billingAddress") or {},
            "invoicingInfo": {k: invoicing[k] for k in ("customerNumber", "identifier", "identifierType")
                              if k in invoicing},
            "registryInfo": {"active": bool((partner.get("registryInfo") or {}).get("active", True))}}


def _validated(body: dict[str, Any]) -> dict[str, Any]:
    problems = []
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        problems.append(Problem("Name is required", "name"))
    elif len(body["name"]) > 80:
        problems.append(Problem("Name is too long (max 80 characters)", "name"))
    if body.get("type") not in TYPES:
        problems.append(Problem("Invalid business partner type", "type"))
    payment = body.get("paymentInfo")
    if not isinstance(payment, dict) or not payment.get("paymentMethod"):
        problems.append(Problem("Payment method is required", "paymentInfo.paymentMethod"))
    if problems:
        raise ProcountorError(400, problems)
    return {k: v for k, v in body.items() if k not in ("id", "version", "attachments")}


def _partner(call: ProcountorCall) -> dict[str, Any]:
    partner = call.world.store.get(call.tenant, "partner", str(call.int_param("id", "Business partner")))
    if partner is None:
        raise not_found("Business partner")
    return partner


@endpoint
async def list_partners(call: ProcountorCall) -> Response:
    """Partners by id; ``type`` (CUSTOMER/SUPPLIER/PERSON), ``active`` and ``customerNumber`` filter."""
    query = call.request.query_params
    rows = sorted(call.world.store.all(call.tenant, "partner"), key=lambda p: p["id"])
    if "type" in query:
        rows = [p for p in rows if p["type"] == query["type"]]
    if "active" in query:
        wanted = query["active"].lower() == "true"
        rows = [p for p in rows if bool((p.get("registryInfo") or {}).get("active", True)) == wanted]
    if "customerNumber" in query:
        rows = [p for p in rows if (p.get("invoicingInfo") or {}).get("customerNumber") == query["customerNumber"]]
    return paged(call, [basic(p) for p in rows])


@endpoint
async def get_partner(call: ProcountorCall) -> Response:
    return ok(_partner(call))


@endpoint
async def create_partner(call: ProcountorCall) -> Response:
    fields = _validated(await call.body())
    partner = {"id": call.world.next_id("partner"), **fields, "version": call.stamp()}
    call.world.store.put(call.tenant, "partner", str(partner["id"]), partner)
    return ok(partner)


@endpoint
async def update_partner(call: ProcountorCall) -> Response:
    current = _partner(call)
    body = await call.body()
    if body.get("version") != current["version"]:
        raise ProcountorError.one(400, STALE_VERSION, "version")
    partner = {"id": current["id"], **_validated(body), "version": call.stamp()}
    call.world.store.put(call.tenant, "partner", str(partner["id"]), partner)
    return ok(partner)
