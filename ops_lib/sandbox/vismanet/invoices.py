"""Supplier (purchase) invoices: create, read, list, update, release.

A new document is **Hold** when ``hold`` is true, else **Balanced**;
release turns Balanced into **Open** with its balance due. The payment
method and cash account default to the supplier's and must exist (a cash
account must be one of the company's cash accounts), so a card-paid
expense can name the card's wallet account and is not paid again by a
payment run. Documents are keyed by type and number: ``GET
/v1/supplierInvoice/{number}`` finds only type ``Invoice``, so a DebitAdj
is found only under ``/{documentType}/{number}`` (the facts' V8). The 2025
spec declares no 200 for release; the sandbox answers the 2023 build's
action-result DTO.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse, Response

from ops_lib.sandbox.vismanet.errors import VismaError, not_found, record_error
from ops_lib.sandbox.vismanet.rules import account_for, day_of, period_for, segments_view, subaccount_for, vat_for
from ops_lib.sandbox.vismanet.wire import (
    ApiCall,
    Dto,
    action_done,
    changing,
    clean,
    created,
    endpoint,
    modified_filter,
    no_content,
    one,
    paged,
)

KIND = "supplierInvoice"
TYPES = ("Invoice", "CreditAdj", "DebitAdj", "Prepayment")
CREATE = "Error creating document"


def _key(document_type: str, number: str) -> str:
    return f"{document_type}:{number}"


def _record_key(record: dict[str, Any]) -> str:
    return _key(record["documentType"], record["referenceNumber"])


def _payment(call: ApiCall, record: dict[str, Any], dto: Dto, supplier: dict[str, Any]) -> None:
    method = dto.text("paymentMethod") or record.get("paymentMethod") or supplier.get("paymentMethod")
    if method and call.world.store.get(call.tenant, "paymentMethod", method) is None:
        raise record_error(CREATE, "Supplier invoice", f"Payment method '{method}' cannot be found in the system.")
    cash = dto.text("cashAccount") or record.get("cashAccount") or supplier.get("cashAccount")
    if cash and call.world.store.get(call.tenant, "cashAccount", cash) is None:
        raise record_error(CREATE, "Supplier invoice", f"Cash account '{cash}' cannot be found in the system.")
    record["paymentMethod"], record["cashAccount"] = method, cash


def _lines(call: ApiCall, record: dict[str, Any], dto: Dto, zone: str | None) -> None:
    lines = {line["lineNumber"]: line for line in record["lines"]}
    for line in dto.lines("invoiceLines"):
        operation = str(line.raw("operation") or "Insert").capitalize()
        number = int(line.value("lineNumber") or 0) if operation != "Insert" else max(lines, default=0) + 1
        if operation == "Delete":
            lines.pop(number, None)
            continue
        account = account_for(call, CREATE, line.text("accountNumber"))
        vat = vat_for(call, CREATE, line.text("vatCodeId"), account, zone)
        quantity = line.decimal("quantity") or Decimal(1)
        cost = line.decimal("costInCurrency")
        unit = line.decimal("unitCostInCurrency")
        cost = cost if cost is not None else quantity * (unit or Decimal(0))
        lines[number] = clean({"lineNumber": number, "accountNumber": account["accountCD"], "quantity": str(quantity),
                               "cost": str(cost), "vatCodeId": vat["vatId"] if vat else None,
                               "subaccount": subaccount_for(call, CREATE, line),
                               "transactionDescription": line.text("transactionDescription")})
    record["lines"] = sorted(lines.values(), key=lambda line: line["lineNumber"])


def _vat_total(call: ApiCall, record: dict[str, Any]) -> Decimal:
    total = Decimal(0)
    for line in record["lines"]:
        vat = call.world.store.get(call.tenant, "vat", line.get("vatCodeId") or "")
        if vat and not vat["reverseVat"]:
            total += (Decimal(line["cost"]) * Decimal(vat["rate"]) / 100).quantize(Decimal("0.01"))
    return total


def _fill(call: ApiCall, record: dict[str, Any], dto: Dto) -> None:
    supplier_number = dto.text("supplierNumber") or record.get("supplierNumber")
    if not supplier_number:
        raise record_error(CREATE, "Supplier invoice", "'Supplier' cannot be empty.")
    supplier = call.world.store.get(call.tenant, "supplier", supplier_number)
    if supplier is None:
        raise record_error(CREATE, "Supplier invoice", f"Supplier '{supplier_number}' cannot be found in the system.")
    record["supplierNumber"] = supplier_number
    day = day_of(dto, "date", call.world.clock.today())
    record["date"] = f"{day.isoformat()}T00:00:00Z"
    record["financialPeriod"] = period_for(call, CREATE, dto, day, "AP")["period"]
    due = day_of(dto, "dueDate", day)
    record["dueDate"] = f"{due.isoformat()}T00:00:00Z"
    for field in ("supplierReference", "description", "currencyId"):
        if dto.has(field):
            record[field] = dto.text(field)
    if dto.has("hold"):
        record["hold"] = dto.flag("hold")
    _payment(call, record, dto, supplier)
    _lines(call, record, dto, dto.text("supplierTaxZone") or supplier.get("vatZone"))
    record["vatTotal"] = str(_vat_total(call, record))
    lines_total = sum(Decimal(line["cost"]) for line in record["lines"])
    record["amount"] = str(dto.decimal("amount") or lines_total + Decimal(record["vatTotal"]))
    record["status"] = "Hold" if record["hold"] else "Balanced"


@endpoint
async def create_invoice(call: ApiCall) -> Response:
    dto = await call.dto()
    document_type = dto.text("documentType") or "Invoice"
    if document_type not in TYPES:
        raise VismaError(400, CREATE, f"Document type '{document_type}' is not supported.")
    with call.world.store.transaction():
        number = dto.text("referenceNumber") or f"{call.world.store.count(call.tenant, KIND) + 1:06d}"
        if call.world.store.get(call.tenant, KIND, _key(document_type, number)) is not None:
            raise record_error(CREATE, "Supplier invoice", f"Document '{number}' already exists.")
        stamp = call.stamp()
        record: dict[str, Any] = {"documentType": document_type, "referenceNumber": number, "hold": False,
                                  "currencyId": "SEK", "lines": [], "attachments": [], "createdDateTime": stamp}
        _fill(call, record, dto)
        record["lastModifiedDateTime"] = stamp
        call.world.store.put(call.tenant, KIND, _key(document_type, number), record)
    return created(call, f"/v1/supplierInvoice/{document_type}/{number}", record)


def stored_invoice(call: ApiCall) -> dict[str, Any]:
    document_type = call.request.path_params.get("documentType", "Invoice")
    number = call.param("invoiceNumber")
    record = call.world.store.get(call.tenant, KIND, _key(document_type, number))
    if record is None:
        raise not_found(f"Supplier invoice '{number}'")
    return record


@endpoint
async def update_invoice(call: ApiCall) -> Response:
    dto = await call.dto()
    with changing(call, KIND, lambda: stored_invoice(call), _record_key) as record:
        if record["status"] not in ("Hold", "Balanced"):
            raise VismaError(400, "Error updating document",
                             f"A document with status {record['status']} cannot be changed.")
        _fill(call, record, dto)
    return no_content()


@endpoint
async def release_invoice(call: ApiCall) -> Response:
    with changing(call, KIND, lambda: stored_invoice(call), _record_key) as record:
        if record["status"] != "Balanced":
            raise VismaError(400, "Error releasing document",
                             f"Document is {record['status']} and cannot be released.")
        record["status"] = "Open"
    return action_done()


def invoice_view(call: ApiCall, r: dict[str, Any]) -> dict[str, Any]:
    supplier = call.world.store.get(call.tenant, "supplier", r["supplierNumber"]) or {}
    method = call.world.store.get(call.tenant, "paymentMethod", r.get("paymentMethod") or "")
    amount = float(r["amount"])
    return clean({
        "documentType": r["documentType"], "referenceNumber": r["referenceNumber"], "hold": r["hold"],
        "status": r["status"], "date": r["date"], "dueDate": r["dueDate"], "financialPeriod": r["financialPeriod"],
        "postPeriod": r["financialPeriod"][4:] + r["financialPeriod"][:4], "currencyId": r["currencyId"],
        "supplier": {"internalId": supplier.get("internalId", 0), "number": r["supplierNumber"],
                     "name": supplier.get("name", "")},
        "supplierReference": r.get("supplierReference"), "description": r.get("description"),
        "amount": amount, "vatTotal": float(r["vatTotal"]), "vatTotalInCurrency": float(r["vatTotal"]),
        "balance": amount if r["status"] == "Open" else 0.0, "cashAccount": r.get("cashAccount"),
        "paymentMethod": {"id": method["paymentMethodID"], "description": method["description"]} if method else None,
        "createdDateTime": r["createdDateTime"], "lastModifiedDateTime": r["lastModifiedDateTime"],
        "attachments": r["attachments"],
        "invoiceLines": [clean({
            "lineNumber": line["lineNumber"], "quantity": float(line["quantity"]), "cost": float(line["cost"]),
            "costInCurrency": float(line["cost"]), "transactionDescription": line.get("transactionDescription"),
            "account": {"number": line["accountNumber"]},
            "subaccount": segments_view(call, line.get("subaccount", [])),
            "vatCode": {"id": line["vatCodeId"]} if line.get("vatCodeId") else None}) for line in r["lines"]],
    })


@endpoint
async def get_invoice(call: ApiCall) -> Response:
    record = stored_invoice(call)
    return one(record, invoice_view(call, record))


@endpoint
async def list_invoices(call: ApiCall) -> Response:
    keep = modified_filter(call.request)
    status = call.request.query_params.get("status")
    rows = [invoice_view(call, r) for r in call.world.store.all(call.tenant, KIND)
            if keep(r) and (not status or r["status"] == status)]
    return JSONResponse(paged(call.request, rows, call.world.config.max_page_size))
