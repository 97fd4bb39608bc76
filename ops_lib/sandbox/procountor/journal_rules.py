"""The checks a ledger receipt passes before Procountor stores it, with the service's error codes.

Order and codes follow what integrators meet (wave2-apis.md §2.3, §5):
the receipt's own fields, then each transaction (account from ``/coa``,
``ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION`` for a VAT percent the
account or the date does not allow, ``ERROR_VATSTATUS_VATPERC`` for a
VAT status that needs another percent, ``DIMENSION_OR_DIMENSION_ITEM_…``
for unknown or inactive dimension items), then the balance, then the
fiscal period (``CLOSED_FISCAL_PERIOD``). All problems of one kind are
listed together, each with its field path (``transactions[2].account``).

Amounts: an ENTRY with VAT carries its **net** value and the service
adds the VAT (status 1, VAT paid to the seller); a reverse-charge status
self-assesses VAT that is deducted at once, so adds nothing to the
balance; the balance rows carry gross values. Debits are positive,
credits negative, and the gross sum must be zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ops_lib.sandbox.procountor import errors as codes
from ops_lib.sandbox.procountor.errors import Problem, ProcountorError
from ops_lib.sandbox.procountor.rates import finnish_rates_on, vat_status
from ops_lib.sandbox.store import Store

CENT = Decimal("0.01")
TRANSACTION_TYPES = ("ENTRY", "RECONCILIATION_ENTRY", "REVERSING_ENTRY")
VAT_TYPES = ("PURCHASE", "SALES")
# The largest difference ``createReconciliation=true`` balances with a rounding row (a sandbox choice).
MAX_RECONCILIATION = Decimal("1.00")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _windows_1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _text(body: dict[str, Any], name: str, path: str, limit: int, required: bool, out: list[Problem]) -> None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            out.append(Problem(f"{name} is required", path))
        return
    if not isinstance(value, str):
        out.append(Problem(f"{name} must be text", path))
    elif len(value) > limit:
        out.append(Problem(f"{name} is too long (max {limit} characters)", path))
    elif not _windows_1252(value):
        out.append(Problem("Text contains characters outside the Windows-1252 character set", path))


@dataclass
class Checked:
    """A receipt that passed: its receipt date and transactions with amounts as Decimals."""

    receipt_date: date
    transactions: list[dict[str, Any]]
    imbalance: Decimal


def _header(body: dict[str, Any]) -> tuple[date | None, list[Problem]]:
    problems: list[Problem] = []
    _text(body, "name", "name", 80, True, problems)
    receipt_date: date | None = None
    try:
        receipt_date = date.fromisoformat(str(body.get("receiptDate")))
    except ValueError:
        problems.append(Problem("receiptDate is required (yyyy-MM-dd)", "receiptDate"))
    if body.get("vatType") not in VAT_TYPES:
        problems.append(Problem("vatType must be PURCHASE or SALES", "vatType"))
    if not isinstance(body.get("vatStatus"), int) or isinstance(body.get("vatStatus"), bool):
        problems.append(Problem("vatStatus is required", "vatStatus"))
    _text(body, "transactionDescription", "transactionDescription", 255, False, problems)
    transactions = body.get("transactions")
    if not isinstance(transactions, list) or not transactions:
        problems.append(Problem("At least one transaction is required", "transactions"))
    return receipt_date, problems


def _vat(tx: dict[str, Any], path: str, kind: str, percent: Decimal, account: dict[str, Any] | None,
         day: date, receipt: dict[str, Any]) -> list[Problem]:
    """The VAT of one transaction: status against percent and side, percent against account and date."""
    if kind != "ENTRY":
        if tx.get("vatStatus") is not None or percent != 0:
            return [Problem(f"{kind} must have no vatStatus and vatPercent 0", f"{path}.vatPercent")]
        return []
    problems = []
    status_code = tx.get("vatStatus", receipt.get("vatStatus"))
    side = tx.get("vatType") or receipt.get("vatType")
    status = vat_status(status_code) if isinstance(status_code, int) else None
    if status is None:
        problems.append(Problem("Invalid VAT status", f"{path}.vatStatus"))
    elif (side == "SALES" and not status.sales) or (side == "PURCHASE" and not status.purchase):
        problems.append(Problem(codes.VATSTATUS_VATPERC, f"{path}.vatStatus"))
    elif (status.percent == "zero" and percent != 0) or (status.percent == "nonzero" and percent == 0):
        problems.append(Problem(codes.VATSTATUS_VATPERC, f"{path}.vatPercent"))
    if account is not None and percent != 0:
        if account.get("_vat") == "zero" or percent not in finnish_rates_on(day):
            problems.append(Problem(codes.ACCOUNT_VAT_COMBINATION, f"{path}.vatPercent"))
    return problems


def _dimensions(tx: dict[str, Any], path: str, value: Decimal, known: dict[int, dict[int, bool]]) -> list[Problem]:
    """Dimension items must exist and be active; each dimension's values must sum to the row's amount."""
    values = tx.get("dimensionItemValues") or []
    if not isinstance(values, list):
        return [Problem("dimensionItemValues must be an array", f"{path}.dimensionItemValues")]
    sums: dict[int, Decimal] = {}
    seen: set[tuple[int, int]] = set()
    for entry in values:
        dim, item = (entry or {}).get("dimensionId"), (entry or {}).get("itemId")
        amount = _decimal((entry or {}).get("value"))
        if not known.get(dim, {}).get(item, False) or amount is None or (dim, item) in seen:
            return [Problem(codes.DIMENSION_IDS, f"{path}.dimensionItemValues")]
        seen.add((dim, item))
        sums[dim] = sums.get(dim, Decimal(0)) + amount
    if any(cents(total) != abs(value) for total in sums.values()):
        return [Problem("Sum of dimension item values must equal the accounting value",
                        f"{path}.dimensionItemValues")]
    return []


def _transaction(tx: Any, i: int, receipt: dict[str, Any], day: date, store: Store, tenant: str,
                 known: dict[int, dict[int, bool]]) -> tuple[list[Problem], Decimal]:
    path = f"transactions[{i}]"
    if not isinstance(tx, dict):
        return [Problem("Transaction must be an object", path)], Decimal(0)
    problems: list[Problem] = []
    kind = tx.get("transactionType")
    if kind not in TRANSACTION_TYPES:
        problems.append(Problem("Invalid transactionType", f"{path}.transactionType"))
    code = tx.get("account")
    account = store.get(tenant, "account", code) if isinstance(code, str) else None
    if account is None or not account.get("active", True):
        problems.append(Problem("Ledger account not found or not active", f"{path}.account"))
    value, percent = _decimal(tx.get("accountingValue")), _decimal(tx.get("vatPercent"))
    if value is None:
        problems.append(Problem("accountingValue is required", f"{path}.accountingValue"))
    if percent is None:
        problems.append(Problem("vatPercent is required", f"{path}.vatPercent"))
    _text(tx, "description", f"{path}.description", 255, False, problems)
    if problems or value is None or percent is None:
        return problems, Decimal(0)
    value = cents(value)
    problems += _vat(tx, path, str(kind), percent, account, day, receipt)
    problems += _dimensions(tx, path, value, known)
    status = vat_status(tx.get("vatStatus", receipt.get("vatStatus")))
    adds_vat = kind == "ENTRY" and status is not None and status.code == 1
    return problems, value + (cents(value * percent / 100) if adds_vat else Decimal(0))


def known_items(store: Store, tenant: str) -> dict[int, dict[int, bool]]:
    """dimension id -> item id -> active."""
    return {d["id"]: {i["id"]: i.get("status") != "P" for i in d["items"]} for d in store.all(tenant, "dimension")}


def open_on(store: Store, tenant: str, day: date) -> bool:
    """Whether ``day`` falls in an open fiscal year and an open tracking period."""
    for year in store.all(tenant, "fiscalyear"):
        if year["startDate"] <= day.isoformat() <= year["endDate"]:
            periods = [p for p in year["trackingPeriods"] if p["startDate"] <= day.isoformat() <= p["endDate"]]
            return bool(year["isOpen"]) and all(p["status"] == "OPEN" for p in periods)
    return False


def check_receipt(body: dict[str, Any], store: Store, tenant: str) -> Checked:
    """Validate a receipt; raise :class:`ProcountorError` (400) listing the problems of the first failing stage."""
    day, problems = _header(body)
    if problems or day is None:
        raise ProcountorError(400, problems)
    known = known_items(store, tenant)
    gross = Decimal(0)
    kinds: list[str] = []
    for i, tx in enumerate(body["transactions"]):
        found, amount = _transaction(tx, i, body, day, store, tenant, known)
        problems += found
        gross += amount
        kinds.append(str((tx or {}).get("transactionType")) if isinstance(tx, dict) else "")
    for special in ("REVERSING_ENTRY", "RECONCILIATION_ENTRY"):
        if kinds.count(special) > 1:
            problems.append(Problem(f"At most one {special} per receipt", "transactions"))
    if problems:
        raise ProcountorError(400, problems)
    if not open_on(store, tenant, day):
        raise ProcountorError.one(400, codes.CLOSED_FISCAL_PERIOD, "receiptDate")
    return Checked(day, body["transactions"], gross)
