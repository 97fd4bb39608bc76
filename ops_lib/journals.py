"""Journals to book: an expense export and a payroll journal export, read into typed records.

Both are read with the suite's robust readers (:func:`ops_lib.readers.read_file`):
any of the usual encodings and delimiters, a column mapping for the
system's own headers, and an error naming the file, row and column for
anything unusable. What makes a journal different from a register is
that rows belong together: the lines of a split expense share its
``expense_id`` (and must agree on its date, type and currency), and a
payroll journal's rows form one voucher per period.

Amounts stay ``Decimal`` exactly as written; rounding to öre happens only
when a voucher is built, where the service requires it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .errors import DataInputError
from .money import to_decimal
from .readers import ColumnMapping, read_file

CARD, OUT_OF_POCKET, REIMBURSEMENT = "card", "out_of_pocket", "reimbursement"
_TYPES = {
    "card": CARD, "card purchase": CARD, "company card": CARD, "kort": CARD, "kortköp": CARD, "företagskort": CARD,
    "out of pocket": OUT_OF_POCKET, "personal": OUT_OF_POCKET, "utlägg": OUT_OF_POCKET, "eget utlägg": OUT_OF_POCKET,
    "reimbursement": REIMBURSEMENT, "återbetalning": REIMBURSEMENT, "payout": REIMBURSEMENT,
    "utbetalning": REIMBURSEMENT,
}
# Tags are written "Group: Value" (or "Group=Value"), several separated by ";" or "|".
_TAG_SPLIT = re.compile(r"[;|]")
_PERIOD = re.compile(r"^(\d{4})-?(\d{2})(?:-?\d{2})?$")


def expense_type(text: str) -> str:
    word = " ".join(text.strip().casefold().replace("-", " ").replace("_", " ").split())
    if word in _TYPES:
        return _TYPES[word]
    raise ValueError(f"{text!r} is not an expense type (card, out-of-pocket or reimbursement)")


def parse_tags(text: str) -> tuple[tuple[str, str], ...]:
    """``"Projekt: 1003; Avdelning: SALJ"`` -> (("Projekt", "1003"), ("Avdelning", "SALJ"))."""
    tags = []
    for part in _TAG_SPLIT.split(text):
        if not part.strip():
            continue
        sep = ":" if ":" in part else "=" if "=" in part else ""
        if not sep:
            raise ValueError(f"the tag {part.strip()!r} has no group; write it as Group: Value")
        group, value = (p.strip() for p in part.split(sep, 1))
        if not group or not value:
            raise ValueError(f"the tag {part.strip()!r} needs both a group and a value")
        tags.append((group, value))
    return tuple(tags)


def parse_period(text: str) -> str:
    match = _PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a period (write it as YYYY-MM)")
    return f"{match.group(1)}-{match.group(2)}"


@dataclass(frozen=True)
class ExpenseLine:
    """One line of an expense: a split expense has several, each with its own category, VAT and tags."""

    row: int
    amount: Decimal
    vat_amount: Decimal | None
    vat_code: str
    category: str
    tags: tuple[tuple[str, str], ...]
    company_amount: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class Expense:
    """One expense as the expense service exported it (amounts in ``currency``)."""

    expense_id: str
    day: date
    type: str
    currency: str
    exchange_rate: Decimal | None
    note: str
    receipt: Path | None
    employee: str
    lines: tuple[ExpenseLine, ...]
    source: Path

    @property
    def key(self) -> str:
        """What makes it booked at most once, ever: the expense service's own id."""
        return f"expense:{self.expense_id}"

    @property
    def rows(self) -> tuple[int, ...]:
        return tuple(line.row for line in self.lines)


@dataclass(frozen=True)
class PayrollRow:
    row: int
    account: str
    debit: Decimal
    credit: Decimal
    cost_centre: str
    project: str
    text: str
    period: str
    day: date | None
    employee: str


def _cell(record: Mapping[str, Any], field: str) -> str:
    value = record.get(field, "")
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def _parse(path: Path, row: int, field: str, text: str, parse: Any) -> Any:
    try:
        return parse(text)
    except ValueError as exc:
        raise DataInputError(f"{path}, row {row}, field {field!r}: {exc}") from None


def _decimal(path: Path, row: int, field: str, text: str) -> Decimal | None:
    return _parse(path, row, field, text, to_decimal) if text else None


def read_expenses(path: Path | str, columns: ColumnMapping | None = None) -> list[Expense]:
    """Every expense of an export, its lines grouped by ``expense_id`` in file order.

    Raises
    ------
    DataInputError
        A missing column, an unreadable value, or lines of one expense that
        disagree on its date, type, currency, rate or receipt (naming both rows).
    """
    path = Path(path)
    frame = read_file(path, "expenses", columns)
    grouped: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        row = int(record["_row"])
        expense_id = _cell(record, "expense_id")
        if not expense_id:
            raise DataInputError(f"{path}, row {row}, field 'expense_id': empty; every line needs its expense's id")
        common = {
            "day": _parse(path, row, "date", _cell(record, "date"), date.fromisoformat),
            "type": _parse(path, row, "type", _cell(record, "type"), expense_type),
            "currency": _cell(record, "currency").upper(),
            "exchange_rate": _decimal(path, row, "exchange_rate", _cell(record, "exchange_rate")),
            "receipt": _cell(record, "receipt"),
        }
        line = ExpenseLine(
            row, _parse(path, row, "amount", _cell(record, "amount"), to_decimal),
            _decimal(path, row, "vat_amount", _cell(record, "vat_amount")), _cell(record, "vat_code"),
            _cell(record, "category"), _parse(path, row, "tags", _cell(record, "tags"), parse_tags),
            _decimal(path, row, "company_amount", _cell(record, "company_amount")), _cell(record, "note"))
        seen = grouped.get(expense_id)
        if seen is None:
            grouped[expense_id] = {**common, "row": row, "lines": [line], "note": _cell(record, "note"),
                                   "employee": _cell(record, "employee")}
            continue
        if common["receipt"] and not seen["receipt"]:
            seen["receipt"] = common["receipt"]
        for field, value in common.items():
            if value != seen[field] and not (field == "receipt" and not value):
                raise DataInputError(f"{path}, row {row}, field {field!r}: expense {expense_id} has "
                                     f"{value or '(empty)'} here but {seen[field] or '(empty)'} on row {seen['row']}; the lines of one "
                                     f"expense must agree (or give each expense its own id)")
        seen["lines"].append(line)
        seen["note"] = seen["note"] or _cell(record, "note")
    return [Expense(expense_id, g["day"], g["type"], g["currency"], g["exchange_rate"], g["note"],
                    (path.parent / g["receipt"]) if g["receipt"] else None, g["employee"], tuple(g["lines"]), path)
            for expense_id, g in grouped.items()]


def read_payroll(path: Path | str, columns: ColumnMapping | None = None) -> list[PayrollRow]:
    """Every row of a payroll journal export (account, debit, credit, cost centre, project, text, period).

    Raises
    ------
    DataInputError
        A missing column, an unreadable amount or period, or a row with neither debit nor credit.
    """
    path = Path(path)
    frame = read_file(path, "payroll", columns)
    rows = []
    for record in frame.to_dict("records"):
        row = int(record["_row"])
        debit = _decimal(path, row, "debit", _cell(record, "debit")) or Decimal(0)
        credit = _decimal(path, row, "credit", _cell(record, "credit")) or Decimal(0)
        account = _cell(record, "account")
        if not account:
            raise DataInputError(f"{path}, row {row}, field 'account': empty")
        day = _cell(record, "date")
        rows.append(PayrollRow(row, account, debit, credit, _cell(record, "cost_centre"), _cell(record, "project"),
                               _cell(record, "text"),
                               _parse(path, row, "period", _cell(record, "period"), parse_period),
                               date.fromisoformat(day) if day else None, _cell(record, "employee")))
    return rows
