"""Journal transactions v2 (GL batches): create, read, list by lines, update, release.

A new batch is **Hold** when ``hold`` is true (or the company holds
batches on entry), otherwise **Balanced**, which needs at least two lines
and debits equal to credits; an unbalanced batch saves only on hold.
``ledger`` defaults to the branch's posting ledger. Release turns a
Balanced batch into **Posted** (the demo company posts on release) or
**Unposted**, and answers the action-result DTO. The list requires
``periodId`` or ``lastModifiedDateTime`` and pages by *lines*: a batch
may be split across pages, each page showing the lines that fall in it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse, Response

from ops_lib.sandbox.vismanet.errors import VismaError, not_found
from ops_lib.sandbox.vismanet.rules import account_for, day_of, period_for, segments_view, subaccount_for, vat_for
from ops_lib.sandbox.vismanet.wire import (
    ApiCall,
    Dto,
    action_done,
    changing,
    clean,
    created,
    endpoint,
    int_param,
    modified_filter,
    no_content,
    one,
)

KIND = "journal"
CREATE = "Error creating journal transaction"
UPDATE = "Error updating journal transaction"


def _money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def _line(call: ApiCall, action: str, line: Dto, number: int) -> dict[str, Any]:
    account = account_for(call, action, line.text("accountNumber"))
    vat = vat_for(call, action, line.text("vatCodeId"), account)
    debit, credit = line.decimal("debitAmountInCurrency"), line.decimal("creditAmountInCurrency")
    if (debit or 0) < 0 or (credit or 0) < 0:
        raise VismaError(400, action, "Amounts cannot be negative.")
    return clean({"lineNumber": number, "accountNumber": account["accountCD"],
                  "subaccount": subaccount_for(call, action, line), "debit": _money(debit), "credit": _money(credit),
                  "transactionDescription": line.text("transactionDescription"),
                  "referenceNumber": line.text("referenceNumber"), "vatCodeId": vat["vatId"] if vat else None,
                  "branch": line.text("branch")})


def _apply_lines(call: ApiCall, action: str, record: dict[str, Any], dto: Dto) -> None:
    lines = {line["lineNumber"]: line for line in record["lines"]}
    for line in dto.lines("journalTransactionLines"):
        operation = str(line.raw("operation") or "Insert").capitalize()
        number = line.value("lineNumber")
        if operation == "Insert":
            new_number = max(lines, default=0) + 1
            lines[new_number] = _line(call, action, line, new_number)
        elif number is None or int(number) not in lines:
            raise VismaError(400, action, f"Line {number} does not exist in the batch.")
        elif operation == "Delete":
            del lines[int(number)]
        else:
            lines[int(number)] = _line(call, action, line, int(number))
    record["lines"] = sorted(lines.values(), key=lambda line: line["lineNumber"])


def _header(call: ApiCall, action: str, record: dict[str, Any], dto: Dto) -> None:
    day = day_of(dto, "transactionDate", call.world.clock.today())
    record["transactionDate"] = f"{day.isoformat()}T00:00:00Z"
    period = period_for(call, action, dto, day, "GL")
    record["financialPeriod"] = period["period"]
    branch_number = dto.text("branch") or record.get("branch") or "1"
    branch = call.world.store.get(call.tenant, "branch", branch_number)
    if branch is None:
        raise VismaError(400, action, f"Branch '{branch_number}' cannot be found in the system.")
    record["branch"] = branch_number
    ledger = dto.text("ledger") or record.get("ledger") or branch.get("ledger")
    if not ledger:
        raise VismaError(400, action, "Inserting 'General ledger batch' record raised at least one error. "
                                      "Please review the errors.", "'Ledger' cannot be empty.")
    if call.world.store.get(call.tenant, "ledger", ledger) is None:
        raise VismaError(400, action, f"Ledger '{ledger}' cannot be found in the system.")
    record["ledger"] = ledger
    for field in ("description", "currencyId"):
        if dto.has(field):
            record[field] = dto.text(field)
    if dto.has("hold"):
        record["hold"] = dto.flag("hold")


def _settle(call: ApiCall, action: str, record: dict[str, Any]) -> None:
    """Hold or Balanced, as the service decides on save."""
    debit = sum(Decimal(line["debit"]) for line in record["lines"])
    credit = sum(Decimal(line["credit"]) for line in record["lines"])
    if record["hold"]:
        record["status"] = "Hold"
        return
    if len(record["lines"]) < 2:
        raise VismaError(400, action, "The batch must have at least two lines.")
    if debit != credit:
        raise VismaError(400, action, "Batch is out of balance, please review.")
    record["status"] = "Balanced"


@endpoint
async def create_journal(call: ApiCall) -> Response:
    dto = await call.dto()
    with call.world.store.transaction():
        number = f"{call.world.store.count(call.tenant, KIND) + 1:06d}"
        hold = call.world.setting(call.tenant, "gl").get("holdOnEntry", False)
        record: dict[str, Any] = {"batchNumber": number, "module": "ModuleGL", "hold": hold, "currencyId": "SEK",
                                  "lines": [], "attachments": []}
        _header(call, CREATE, record, dto)
        _apply_lines(call, CREATE, record, dto)
        _settle(call, CREATE, record)
        record["lastModifiedDateTime"] = call.stamp()
        call.world.store.put(call.tenant, KIND, number, record)
    return created(call, f"/v2/journaltransaction/{number}", record)


def _batch_number(record: dict[str, Any]) -> str:
    return str(record["batchNumber"])


def _stored(call: ApiCall) -> dict[str, Any]:
    record = call.world.store.get(call.tenant, KIND, call.param("journalTransactionNumber"))
    if record is None:
        raise not_found(f"Journal transaction '{call.param('journalTransactionNumber')}'")
    return record


@endpoint
async def update_journal(call: ApiCall) -> Response:
    dto = await call.dto()
    with changing(call, KIND, lambda: _stored(call), _batch_number) as record:
        if record["status"] not in ("Hold", "Balanced"):
            raise VismaError(400, UPDATE, f"A batch with status {record['status']} cannot be changed.")
        _header(call, UPDATE, record, dto)
        _apply_lines(call, UPDATE, record, dto)
        _settle(call, UPDATE, record)
    return no_content()


@endpoint
async def release_journal(call: ApiCall) -> Response:
    with changing(call, KIND, lambda: _stored(call), _batch_number) as record:
        if record["status"] != "Balanced":
            raise VismaError(400, "Error releasing journal transaction",
                             f"Only Balanced batches can be released; this one is {record['status']}.")
        posts = call.world.setting(call.tenant, "gl").get("postOnRelease", True)
        record["status"] = "Posted" if posts else "Unposted"
    return action_done()


def journal_view(call: ApiCall, r: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    shown = r["lines"] if lines is None else lines
    debit = float(sum(Decimal(line["debit"]) for line in r["lines"]))
    credit = float(sum(Decimal(line["credit"]) for line in r["lines"]))
    period = r["financialPeriod"]
    return clean({
        "module": r["module"], "batchNumber": r["batchNumber"], "status": r["status"], "hold": r["hold"],
        "transactionDate": r["transactionDate"], "postPeriod": period[4:] + period[:4], "financialPeriod": period,
        "ledger": r["ledger"], "currencyId": r["currencyId"], "exchangeRate": 1.0, "description": r.get("description"),
        "debitTotal": debit, "debitTotalInCurrency": debit, "creditTotal": credit, "creditTotalInCurrency": credit,
        "lastModifiedDateTime": r["lastModifiedDateTime"], "branch": r["branch"], "attachments": r["attachments"],
        "journalTransactionLines": [clean({
            "lineNumber": line["lineNumber"], "accountNumber": line["accountNumber"],
            "subaccount": segments_view(call, line.get("subaccount", [])),
            "debitAmount": float(line["debit"]), "debitAmountInCurrency": float(line["debit"]),
            "creditAmount": float(line["credit"]), "creditAmountInCurrency": float(line["credit"]),
            "transactionDescription": line.get("transactionDescription"),
            "referenceNumber": line.get("referenceNumber"),
            "vatCode": {"id": line["vatCodeId"]} if line.get("vatCodeId") else None,
            "branch": line.get("branch"), "module": r["module"]}) for line in shown],
    })


@endpoint
async def get_journal(call: ApiCall) -> Response:
    record = _stored(call)
    return one(record, journal_view(call, record))


@endpoint
async def list_journals(call: ApiCall) -> Response:
    query = call.request.query_params
    period, status = query.get("periodId"), query.get("status")
    if not period and not query.get("lastModifiedDateTime"):
        raise VismaError(400, None, "Either periodId or lastModifiedDateTime must be given.")
    keep = modified_filter(call.request)
    batches = [r for r in call.world.store.all(call.tenant, KIND)
               if keep(r) and (not period or r["financialPeriod"] == period) and (not status or r["status"] == status)]
    pairs = [(batch, line) for batch in batches for line in batch["lines"]]
    most = call.world.config.journal_max_page_size
    size = min(max(int_param(call.request, "pageSize", most), 1), most)
    start = (max(int_param(call.request, "pageNumber", 1), 1) - 1) * size
    page: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for batch, line in pairs[start:start + size]:
        page.setdefault(batch["batchNumber"], (batch, []))[1].append(line)
    meta = {"totalCount": len(pairs), "maxPageSize": most}
    return JSONResponse([{**journal_view(call, batch, lines), "metadata": meta} for batch, lines in page.values()])
