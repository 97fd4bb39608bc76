"""Ledger receipts (journals): search, create (200, UNFINISHED), ``version``-checked PUT, and the actions.

A receipt's status is never set by a write: a POST creates it
UNFINISHED (a body may still say ``"status": "UNFINISHED"``, as the
vendor's examples do, but nothing else), a PUT keeps it, and only
``PUT …/approve`` (UNFINISHED → APPROVED), ``…/invalidate`` (→ INVALIDATED)
and ``…/unfinished`` (back to UNFINISHED) move it, each answering an
``InfoMessage``. A receipt dated in a closed fiscal year cannot be
changed: the actions answer 403 ``CLOSED_FISCAL_PERIOD``.

Every journal gets an auto-generated invoice; its ``invoiceId`` is what
an attachment references (``referenceType=INVOICE``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from ops_lib.sandbox.procountor import errors as codes
from ops_lib.sandbox.procountor.errors import ProcountorError, not_found
from ops_lib.sandbox.procountor.journal_rules import MAX_RECONCILIATION, check_receipt, open_on
from ops_lib.sandbox.procountor.partners import STALE_VERSION
from ops_lib.sandbox.procountor.seed import ROUNDING_ACCOUNT
from ops_lib.sandbox.procountor.wire import ProcountorCall, endpoint, ok, paged, to_wire

BASIC = ("id", "type", "status", "name", "receiptDate", "receiptNumber", "invoiceNumber", "version", "created")


def _flag(call: ProcountorCall, name: str) -> bool:
    return call.request.query_params.get(name, "false").lower() == "true"


def _transactions(call: ProcountorCall, body: dict[str, Any], imbalance: Decimal,
                  reconcile: bool) -> list[dict[str, Any]]:
    """The stored rows: ids given, amounts to cents, and the rounding row ``createReconciliation`` asks for."""
    rows = []
    for tx in body["transactions"]:
        row = {k: v for k, v in tx.items() if k != "id"}
        row["id"] = call.world.next_id("transaction")
        row["accountingValue"] = Decimal(str(tx["accountingValue"])).quantize(Decimal("0.01"))
        rows.append(row)
    if imbalance != 0:
        already = any(r["transactionType"] == "RECONCILIATION_ENTRY" for r in rows)
        if not reconcile or abs(imbalance) > MAX_RECONCILIATION or already:
            raise ProcountorError.one(400, f"Transactions do not balance: the sum is {imbalance}", "transactions")
        rows.append({"id": call.world.next_id("transaction"), "transactionType": "RECONCILIATION_ENTRY",
                     "account": ROUNDING_ACCOUNT, "accountingValue": -imbalance, "vatPercent": 0,
                     "description": "Pyöristysero"})
    return rows


def _status_in_body(body: dict[str, Any], allowed: str) -> None:
    if body.get("status") not in (None, allowed):
        raise ProcountorError.one(400, "Status cannot be set; use the approve, invalidate and unfinished actions",
                                  "status")


def _receipt(call: ProcountorCall) -> dict[str, Any]:
    receipt = call.world.store.get(call.tenant, "receipt", str(call.int_param("receiptId", "Ledger receipt")))
    if receipt is None:
        raise not_found("Ledger receipt")
    return receipt


def _save(call: ProcountorCall, receipt: dict[str, Any]) -> dict[str, Any]:
    stored = to_wire(receipt)
    call.world.store.put(call.tenant, "receipt", str(receipt["id"]), stored)
    return stored


def public(receipt: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in receipt.items() if k != "created"}


@endpoint
async def create_receipt(call: ProcountorCall) -> Response:
    """POST a JOURNAL; it is stored UNFINISHED with a new id, receipt number, invoice id and version."""
    body = await call.body()
    if body.get("type") != "JOURNAL":
        raise ProcountorError.one(400, "Only receipts of type JOURNAL can be created", "type")
    _status_in_body(body, "UNFINISHED")
    checked = check_receipt(body, call.world.store, call.tenant)
    with call.world.store.transaction():
        rows = _transactions(call, body, checked.imbalance, _flag(call, "createReconciliation"))
        invoice_id = call.world.next_id("invoice")
        receipt = {k: v for k, v in body.items() if k not in ("id", "transactions", "attachments", "version")}
        receipt.update({"id": call.world.next_id("receipt"), "status": "UNFINISHED", "invoiceId": invoice_id,
                        "invoiceNumber": invoice_id - 80000, "receiptNumber": call.world.next_id("receiptNumber"),
                        "transactions": rows, "attachments": [], "version": call.stamp(),
                        "created": call.stamp()})
        stored = _save(call, receipt)
    return ok(public(stored))


@endpoint
async def get_receipt(call: ProcountorCall) -> Response:
    receipt = _receipt(call)
    attachments = [a["meta"] for a in call.world.store.all(call.tenant, "attachment")
                   if a["meta"]["referenceType"] == "INVOICE" and a["meta"]["referenceId"] == receipt["invoiceId"]]
    return ok(public({**receipt, "attachments": attachments}))


@endpoint
async def update_receipt(call: ProcountorCall) -> Response:
    """Replace an UNFINISHED receipt; the body must carry the ``version`` last read."""
    current = _receipt(call)
    body = await call.body()
    if body.get("version") != current["version"]:
        raise ProcountorError.one(400, STALE_VERSION, "version")
    if current["status"] != "UNFINISHED":
        raise ProcountorError.one(400, f"A receipt in status {current['status']} cannot be modified", "status")
    if body.get("type", current["type"]) != current["type"]:
        raise ProcountorError.one(400, "Receipt type cannot be changed", "type")
    _status_in_body(body, current["status"])
    checked = check_receipt({**body, "type": current["type"]}, call.world.store, call.tenant)
    with call.world.store.transaction():
        rows = _transactions(call, body, checked.imbalance, _flag(call, "createReconciliation"))
        receipt = {k: v for k, v in body.items() if k not in ("transactions", "attachments")}
        receipt.update({k: current[k] for k in ("id", "type", "status", "invoiceId", "invoiceNumber",
                                                "receiptNumber", "created")})
        receipt.update({"transactions": rows, "attachments": [], "version": call.stamp()})
        stored = _save(call, receipt)
    return ok(public(stored))


async def _move(call: ProcountorCall, allowed_from: tuple[str, ...], target: str, verb: str) -> Response:
    receipt = _receipt(call)
    if not open_on(call.world.store, call.tenant, date.fromisoformat(receipt["receiptDate"])):
        raise ProcountorError.one(403, codes.CLOSED_FISCAL_PERIOD, "receiptDate")
    if receipt["status"] not in allowed_from:
        raise ProcountorError.one(400, f"A receipt in status {receipt['status']} cannot be {verb}", "status")
    receipt["status"] = target
    receipt["version"] = call.stamp()
    _save(call, receipt)
    return ok({"message": f"Ledger receipt {receipt['id']} {verb}"})


@endpoint
async def approve_receipt(call: ProcountorCall) -> Response:
    return await _move(call, ("UNFINISHED",), "APPROVED", "approved")


@endpoint
async def invalidate_receipt(call: ProcountorCall) -> Response:
    return await _move(call, ("UNFINISHED", "APPROVED"), "INVALIDATED", "invalidated")


@endpoint
async def unfinish_receipt(call: ProcountorCall) -> Response:
    return await _move(call, ("APPROVED", "INVALIDATED"), "UNFINISHED", "set unfinished")


def _between(value: str, query: Any, start: str, end: str) -> bool:
    return (start not in query or value[:len(query[start])] >= query[start]) and \
        (end not in query or value[:len(query[end])] <= query[end])


@endpoint
async def list_receipts(call: ProcountorCall) -> Response:
    """Receipts by id, filtered by ``status``, ``types``, receipt date, version and created times."""
    query = call.request.query_params
    rows = sorted(call.world.store.all(call.tenant, "receipt"), key=lambda r: r["id"])
    if "status" in query:
        rows = [r for r in rows if r["status"] == query["status"]]
    if "types" in query:
        wanted = set(query["types"].split(","))
        rows = [r for r in rows if r["type"] in wanted]
    rows = [r for r in rows if _between(r["receiptDate"], query, "startDate", "endDate")
            and _between(r["version"], query, "versionStartDate", "versionEndDate")
            and _between(r["created"], query, "createdStartDate", "createdEndDate")]
    if query.get("orderById", "ASC").upper() == "DESC":
        rows.reverse()
    return paged(call, [{k: r[k] for k in BASIC if k in r} for r in rows])
