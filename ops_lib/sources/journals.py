"""Journals to book: an expense export and a payroll journal export, read into typed records.

Both are read with the suite's robust readers (:func:`ops_lib.sources.files.read_file`):
any of the usual encodings and delimiters, a column mapping for the
system's own headers, and an error naming the file, row and column for
anything unusable. What makes a journal different from a register is
that rows belong together: the lines of a split expense share its
``expense_id`` (and must agree on its date, type and currency; two lines
that agree on date, amount, category, tags and note are one line
exported twice, and refused), and a payroll journal's rows form one
voucher per period, told apart from another run of the same period by
the digest of its rows (:func:`payroll_digest`).

Amounts stay ``Decimal`` exactly as written; rounding to öre happens only
when a voucher is built, where the service requires it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from ops_lib.core.errors import DataInputError
from ops_lib.core.money import to_decimal
from ops_lib.model.registers import fold_name
from ops_lib.sources.files import ColumnMapping, read_file

CARD, OUT_OF_POCKET, REIMBURSEMENT = "card", "out_of_pocket", "reimbursement"
_TYPES = {
    "card": CARD, "card purchase": CARD, "company card": CARD, "kort": CARD, "kortköp": CARD, "företagskort": CARD,
    "out of pocket": OUT_OF_POCKET, "personal": OUT_OF_POCKET, "utlägg": OUT_OF_POCKET, "eget utlägg": OUT_OF_POCKET,
    "reimbursement": REIMBURSEMENT, "återbetalning": REIMBURSEMENT, "payout": REIMBURSEMENT,
    "utbetalning": REIMBURSEMENT,
}
# Tags are written "Group: Value" (or "Group=Value"), several separated by ";" or "|".
_TAG_SPLIT = re.compile(r"[;|]")
_PERIOD = re.compile(r"^([0-9]{4})-?([0-9]{2})(?:-?[0-9]{2})?$")  # ASCII digits: "２０２６" is not 2026


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
    attendees: int | None = None  # at a representation meal, the people it was for (the host included)


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
    seller_country: str = ""  # ISO code, when the export says where the seller is

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
    account_at: str = ""  # the file, row and column of the account, for a message about it


def _cell(record: Mapping[str, Any], field: str) -> str:
    value = record.get(field, "")
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def column_name(columns: ColumnMapping | None, field: str) -> str:
    """The column as the file spells it: the header a column mapping renames to ``field``, else ``field``."""
    source = (columns or {}).get(field)
    if source is None:
        return field
    return source if isinstance(source, str) else " + ".join(source)


class _Rows:
    """Where a journal's values come from, so every error names the file, the row and the file's own column."""

    def __init__(self, path: Path, columns: ColumnMapping | None) -> None:
        self.path, self.columns = path, columns

    def error(self, row: int, field: str, problem: str) -> DataInputError:
        return DataInputError(f"{self.path}, row {row}, column {column_name(self.columns, field)!r}: {problem}")

    def parse(self, row: int, field: str, text: str, parse: Any) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise self.error(row, field, str(exc)) from None

    def decimal(self, row: int, field: str, text: str) -> Decimal | None:
        return self.parse(row, field, text, to_decimal) if text else None


def _line_signature(day: date, line: ExpenseLine) -> tuple[Any, ...]:
    """What makes two lines of one expense the same line: date, amount, category, tags and note.

    The lines of a split expense differ in at least one of them; two lines
    that agree on all are one line exported twice, and booking both would
    double the amount.
    """
    tags = tuple(sorted((fold_name(g), fold_name(v)) for g, v in line.tags))
    return day, line.amount, fold_name(line.category), tags, fold_name(line.note)


def _expense_line(rows: _Rows, row: int, record: Mapping[str, Any]) -> ExpenseLine:
    return ExpenseLine(
        row, rows.parse(row, "amount", _cell(record, "amount"), to_decimal),
        rows.decimal(row, "vat_amount", _cell(record, "vat_amount")), _cell(record, "vat_code"),
        _cell(record, "category"), rows.parse(row, "tags", _cell(record, "tags"), parse_tags),
        rows.decimal(row, "company_amount", _cell(record, "company_amount")), _cell(record, "note"),
        rows.parse(row, "attendees", _cell(record, "attendees"), _attendees))


def _attendees(text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"{text!r} is not a number of attendees (a whole number, at least 1)")
    return int(text)


def _country(text: str) -> str:
    code = text.strip().upper()
    if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise ValueError(f"{text!r} is not a country code (two letters, such as SE or DE)")
    return code


def read_expenses(path: Path | str, columns: ColumnMapping | None = None) -> list[Expense]:
    """Every expense of an export, its lines grouped by ``expense_id`` in file order.

    Raises
    ------
    DataInputError
        A missing column, an unreadable value, lines of one expense that
        disagree on its date, type, currency, rate or receipt, or a line
        repeated with the same date, amount, category, tags and note (each
        naming both rows).
    """
    path = Path(path)
    rows = _Rows(path, columns)
    frame = read_file(path, "expenses", columns)
    grouped: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        row = int(record["_row"])
        expense_id = _cell(record, "expense_id")
        if not expense_id:
            raise rows.error(row, "expense_id", "empty; every line needs its expense's id")
        common = {
            "date": rows.parse(row, "date", _cell(record, "date"), date.fromisoformat),
            "type": rows.parse(row, "type", _cell(record, "type"), expense_type),
            "currency": _cell(record, "currency").upper(),
            "exchange_rate": rows.decimal(row, "exchange_rate", _cell(record, "exchange_rate")),
            "receipt": _cell(record, "receipt"),
            "seller_country": rows.parse(row, "seller_country", _cell(record, "seller_country"), _country),
        }
        line = _expense_line(rows, row, record)
        signature = _line_signature(common["date"], line)
        seen = grouped.get(expense_id)
        if seen is None:
            grouped[expense_id] = {**common, "row": row, "lines": [line], "note": _cell(record, "note"),
                                   "employee": _cell(record, "employee"), "signatures": {signature: row}}
            continue
        if common["receipt"] and not seen["receipt"]:
            seen["receipt"] = common["receipt"]
        for field, value in common.items():
            if value != seen[field] and not (field == "receipt" and not value):
                raise rows.error(row, field, f"expense {expense_id} has {value or '(empty)'} here but "
                                             f"{seen[field] or '(empty)'} on row {seen['row']}; the lines of one "
                                             f"expense must agree (or give each expense its own id)")
        if signature in seen["signatures"]:
            raise DataInputError(
                f"{path}, row {row}: the same line as row {seen['signatures'][signature]} (expense {expense_id}: "
                f"date, amount, category, tags and note are all equal); remove the repeated line, or if both are "
                f"real, tell them apart in the note")
        seen["signatures"][signature] = row
        seen["lines"].append(line)
        seen["note"] = seen["note"] or _cell(record, "note")
    return [Expense(expense_id, g["date"], g["type"], g["currency"], g["exchange_rate"], g["note"],
                    (path.parent / g["receipt"]) if g["receipt"] else None, g["employee"], tuple(g["lines"]), path,
                    g["seller_country"])
            for expense_id, g in grouped.items()]


def read_payroll(path: Path | str, columns: ColumnMapping | None = None) -> list[PayrollRow]:
    """Every row of a payroll journal export (account, debit, credit, cost centre, project, text, period).

    Raises
    ------
    DataInputError
        A missing column, an unreadable amount or period, or a row with neither debit nor credit.
    """
    path = Path(path)
    rows = _Rows(path, columns)
    frame = read_file(path, "payroll", columns)
    out = []
    for record in frame.to_dict("records"):
        row = int(record["_row"])
        debit = rows.decimal(row, "debit", _cell(record, "debit")) or Decimal(0)
        credit = rows.decimal(row, "credit", _cell(record, "credit")) or Decimal(0)
        account = _cell(record, "account")
        if not account:
            raise rows.error(row, "account", "empty")
        day = _cell(record, "date")
        out.append(PayrollRow(row, account, debit, credit, _cell(record, "cost_centre"), _cell(record, "project"),
                              _cell(record, "text"), rows.parse(row, "period", _cell(record, "period"), parse_period),
                              date.fromisoformat(day) if day else None, _cell(record, "employee"),
                              f"{path.name}, row {row}, column {column_name(columns, 'account')!r}"))
    return out


def payroll_digest(period: str, rows: Iterable[PayrollRow]) -> str:
    """The content of one period's rows, whatever their order or number style (``1 000,00`` is ``1000``).

    Every column counts, so a payroll run with other amounts, accounts,
    cost centres, texts or employees is a different run.
    """
    def number(value: Decimal) -> str:
        return format(value.normalize(), "f") if value else "0"

    lines = sorted([r.account, number(r.debit), number(r.credit), r.cost_centre, r.project, r.text,
                    r.day.isoformat() if r.day else "", r.employee] for r in rows)
    return hashlib.sha256(json.dumps([period, lines], ensure_ascii=False).encode("utf-8")).hexdigest()
