"""Journals into balanced vouchers: the accounting of an expense or a payroll journal, before anything is sent.

An expense books its net amount on its category's account, its VAT on the
input VAT account and the gross on the card wallet's contra account (a
card purchase) or the out-of-pocket account (an employee's own money); a
reimbursement moves the gross from the out-of-pocket account to the
account it was paid from. Tags become items of the company's dimensions
(a row carries ``(dimension id, item)`` pairs, which the system's poster
maps to its own fields) or a project. A payroll journal is booked as it
is, one voucher per period (:mod:`ops_lib.booking.payroll`).

Amounts are ``Decimal`` throughout. The service takes at most two
decimals, so each amount is rounded to öre once (half up, by
:func:`ops_lib.core.money.round_money`), where it becomes a row;
the expense's net is gross minus VAT *after* rounding, so a voucher
balances by construction. A payroll journal whose rounded rows no longer
balance gets one rounding row on the rounding account. Each voucher
carries its source total and the total it books, and the two are shown
side by side as the control total.

Nothing here raises for a bad expense: it becomes a voucher that is
*blocked*, with the reason and the fix, and every other expense goes on.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ops_lib.booking.mappings import (
    ANY_TAG,
    NOT_EXPORTED,
    PROJECT_TARGET,
    MappingTables,
    check_account,
    check_tag_item,
    check_tag_target,
)
from ops_lib.core.errors import DataInputError
from ops_lib.core.input_files import read_input_bytes
from ops_lib.core.money import round_money
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.references import Dimension, DimensionItem, References, VatCodeRef
from ops_lib.model.registers import fold_name
from ops_lib.model.vouchers import ZERO, Receipt, VoucherDraft, VoucherLine
from ops_lib.sources.journals import CARD, REIMBURSEMENT, Expense

PER_EXPENSE, PER_EXPORT = "per_expense", "per_export"
TYPE_LABELS = {CARD: "Card", "out_of_pocket": "Out-of-pocket", REIMBURSEMENT: "Reimbursement"}


class Blocked(Exception):
    """One expense or journal cannot be booked: why, and how to fix it."""

    def __init__(self, stage: str, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.stage, self.problem, self.fix = stage, problem, fix


def _signed(account: str, amount: Decimal, **details: object) -> list[VoucherLine]:
    """A debit for a positive amount, a credit for a negative one, nothing for zero."""
    if amount == 0:
        return []
    debit, credit = (amount, ZERO) if amount > 0 else (ZERO, -amount)
    return [VoucherLine(account, debit, credit, **details)]  # type: ignore[arg-type]


def preflight(day: date, refs: References) -> Blocked | None:
    """Why nothing can be booked on ``day`` (no fiscal year, a locked year or period), or None."""
    year = refs.year(day)
    if year is None:
        return Blocked("preflight", f"no fiscal year covers {day}",
                       f"create the fiscal year covering {day} in the accounting system, then run again")
    if year.locked:
        return Blocked("preflight", f"the fiscal year {year.start}...{year.end} is locked for accounting",
                       "unlock the year, or book in an open year")
    if refs.locked_to is not None and day <= refs.locked_to:
        return Blocked("preflight", f"the books are locked up to {refs.locked_to}; {day} is in a locked period",
                       "move the lock date back, or book in an open period")
    return None


def _accounts_bookable(lines: Iterable[VoucherLine], day: date, refs: References,
                       origins: Mapping[str, str]) -> None:
    """Raise Blocked for the first account that cannot be booked, named with where it was set (``origins``)."""
    for account in dict.fromkeys(line.account for line in lines):
        found = check_account(refs, account, day)
        if found:
            where = origins.get(account)
            raise Blocked("mapping", f"{where}: {found[0]}" if where else found[0], found[1])


def resolve_tags(tags: Iterable[tuple[str, str]], tables: MappingTables, refs: References,
                 rules: SetupRules) -> tuple[tuple[tuple[str, DimensionItem], ...], DimensionItem | None]:
    """The dimension items (by dimension id, in the system's order) and the project that tags stand for.

    Raises
    ------
    Blocked
        An unmapped tag group, an unknown or inactive item, a dimension
        the system cannot export, or two tags for one dimension.
    """
    chosen: dict[str, tuple[Dimension, DimensionItem]] = {}
    project: DimensionItem | None = None
    for group, value in tags:
        mapping = tables.tag(group, value)
        if mapping is None:
            raise Blocked("mapping", f"the tag group {group!r} is not mapped",
                          f"add a row for {group!r} to tags.csv (target {NOT_EXPORTED!r} if it is not exported)")
        if fold_name(mapping.target) == NOT_EXPORTED:
            continue
        from_row = mapping.tag != ANY_TAG and bool(mapping.item)  # else the tag's own value is the code
        code = mapping.item if from_row else value
        for column, found in (("target", check_tag_target(refs, rules, mapping.target)),
                              ("item" if from_row else "target", check_tag_item(refs, mapping.target, code))):
            if found:
                raise Blocked("mapping", f"{mapping.where(column)} (tag {group}: {value}): {found[0]}", found[1])
        if fold_name(mapping.target) == PROJECT_TARGET:
            item = refs.project(code)
            if project is not None and item != project:
                raise Blocked("mapping", f"two projects on one expense ({project.code}, {code})", "keep one tag")
            project = item
            continue
        dimension = refs.dimension(mapping.target)
        assert dimension is not None
        item = dimension.item(code)
        assert item is not None
        earlier = chosen.get(dimension.id, (dimension, item))[1]
        if earlier != item:
            raise Blocked("mapping", f"two {dimension.name} items on one expense ({earlier.code}, {code})",
                          f"keep one tag per {refs.dimension_noun}")
        chosen[dimension.id] = (dimension, item)
    ordered = sorted(chosen.values(), key=lambda pair: refs.rank(pair[0]))
    return tuple((dimension.id, item) for dimension, item in ordered), project


def _receipt(path: Path | None, rules: SetupRules) -> tuple[Receipt, ...]:
    if path is None:
        return ()
    if not path.exists():
        raise Blocked("data", f"the receipt {path} does not exist", "put the file beside the export, or clear the "
                                                                     "receipt column for this expense")
    content_type = rules.receipt_types.get(path.suffix.lower())
    if content_type is None:
        raise Blocked("data", f"the receipt {path.name} is not a file type the system accepts",
                      f"convert it to one of {', '.join(sorted(rules.receipt_types))}")
    try:
        data = read_input_bytes(path, "receipt")
    except DataInputError as exc:  # a folder named like a file, a FIFO, no permission
        raise Blocked("data", str(exc), "make the receipt a readable file, or clear the receipt column for this "
                                        "expense") from None
    if len(data) > rules.receipt_max_bytes:
        raise Blocked("data", f"the receipt {path.name} is larger than {rules.receipt_max_bytes // 2**20} MB",
                      "attach a smaller scan")
    return (Receipt(path, content_type, len(data), hashlib.sha256(data).hexdigest()),)


def _in_company_currency(expense: Expense, amount: Decimal, company_amount: Decimal | None,
                         currency: str) -> Decimal:
    """The exact amount in the company's currency (rounded later, once)."""
    if not expense.currency or expense.currency == currency:
        return amount
    if company_amount is not None:
        return company_amount
    if expense.exchange_rate is not None:
        return amount * expense.exchange_rate
    raise Blocked("data", f"the amount is in {expense.currency}, not {currency}, and no company amount or "
                          f"exchange rate is given", "export the company_amount (or exchange_rate) column")


def _row_text(*parts: str, limit: int) -> str:
    text = " ".join(p for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _expense_lines(expense: Expense, tables: MappingTables, refs: References,
                   rules: SetupRules) -> tuple[list[VoucherLine], Decimal, Decimal]:
    """The rows of one expense, its source total and booked total (company currency)."""
    setup = tables.setup
    gross_exact = _gross_exact(expense, refs)
    source_total = sum(gross_exact, ZERO)
    if expense.type == REIMBURSEMENT:
        total = round_money(source_total)
        text = _row_text("Reimbursement", expense.employee, limit=rules.row_text_max)
        lines = (_signed(setup.out_of_pocket_account, total, text=text)
                 + _signed(setup.reimbursement_contra_account, -total, text=text))
        return lines, source_total, total
    lines: list[VoucherLine] = []
    vat_by_code: dict[str, tuple[VatCodeRef | None, Decimal]] = {}
    booked = ZERO
    for line, exact in zip(expense.lines, gross_exact):
        where = f"row {line.row}"
        if not line.category:
            raise Blocked("data", f"{where}: no category", "set the expense's category in the expense service")
        mapping = tables.category(line.category)
        if mapping is None:
            raise Blocked("mapping", f"{where}: the category {line.category!r} is not mapped",
                          "add it to categories.csv with its account and VAT code")
        found = check_account(refs, mapping.account, expense.day)
        if found:
            raise Blocked("mapping", f"{where}: {mapping.where('account')} ({mapping.category}): {found[0]}",
                          found[1])
        code_text = line.vat_code or mapping.vat_code
        vat_code = refs.vat_codes.get(code_text) if code_text else None
        if code_text and vat_code is None:
            raise Blocked("mapping", f"{where}: no VAT code {code_text!r}", "use one of the system's VAT codes")
        gross = round_money(exact)
        if line.vat_amount is None:
            rate = vat_code.rate if vat_code else ZERO
            vat = round_money(gross * rate / (1 + rate))
        elif gross == exact and line.amount == exact:
            vat = round_money(line.vat_amount)
        else:
            vat = round_money(line.vat_amount * exact / line.amount) if line.amount else ZERO
        if vat and (vat_code is None or vat_code.rate == 0):
            raise Blocked("data", f"{where}: a VAT amount of {vat} on a line without VAT "
                                  f"({code_text or 'no VAT code'})", "correct the VAT amount or the VAT code")
        if abs(vat) > abs(gross) or (vat and (vat > 0) != (gross > 0)):
            raise Blocked("data", f"{where}: the VAT amount {vat} does not fit the amount {gross}",
                          "correct the VAT amount in the expense service")
        try:
            dimensions, project = resolve_tags(line.tags, tables, refs, rules)
        except Blocked as exc:
            raise Blocked(exc.stage, f"{where}: {exc.problem}", exc.fix) from None
        text = _row_text(mapping.category, line.note or expense.note, limit=rules.row_text_max)
        lines += _signed(mapping.account, gross - vat, text=text, vat_code=vat_code, dimensions=dimensions,
                         project=project)
        if vat:
            known, total = vat_by_code.get(code_text, (vat_code, ZERO))
            vat_by_code[code_text] = (known, total + vat)
        booked += gross
    for code_text, (vat_code, vat) in vat_by_code.items():
        label = f"VAT {vat_code.description}" if vat_code else "VAT"
        lines += _signed(setup.input_vat_account, vat, text=_row_text(label, limit=rules.row_text_max))
    contra = setup.card_contra_account if expense.type == CARD else setup.out_of_pocket_account
    lines += _signed(contra, -booked, text=_row_text(TYPE_LABELS[expense.type], expense.employee,
                                                     limit=rules.row_text_max))
    return lines, source_total, booked


def _expense_title(expense: Expense) -> str:
    return " ".join(p for p in (TYPE_LABELS[expense.type], expense.expense_id, expense.note) if p)


def build_expense_vouchers(expenses: Sequence[Expense], tables: MappingTables, refs: References,
                           rules: SetupRules) -> list[VoucherDraft]:
    """One voucher per expense (see :func:`merge_per_export` for one per export); a bad one is blocked, alone."""
    tables = tables.with_setup_defaults(rules)
    drafts = []
    for expense in expenses:
        draft = VoucherDraft("expenses", (expense.key,), expense.day, _expense_title(expense),
                             tables.setup.voucher_series, rows=expense.rows, text_max=rules.voucher_text_max)
        try:
            stopped = preflight(expense.day, refs)
            if stopped:
                raise stopped
            lines, source_total, booked = _expense_lines(expense, tables, refs, rules)
            _accounts_bookable(lines, expense.day, refs, tables.setup.origins())
            receipts = _receipt(expense.receipt, rules)
        except Blocked as exc:
            exact = _source_total_or_zero(expense, refs)
            drafts.append(replace(draft, source_total=exact).block(exc.stage, exc.problem, exc.fix))
            continue
        drafts.append(replace(draft, lines=tuple(lines), receipts=receipts, source_total=source_total,
                              booked_total=booked))
    return drafts


def _gross_exact(expense: Expense, refs: References) -> list[Decimal]:
    """Each line's gross in the company's currency, unrounded. Raises Blocked (no rate, say)."""
    return [_in_company_currency(expense, ln.amount, ln.company_amount, refs.currency) for ln in expense.lines]


def _source_total_or_zero(expense: Expense, refs: References) -> Decimal:
    try:
        return sum(_gross_exact(expense, refs), ZERO)
    except Blocked:
        return ZERO


def merge_per_export(drafts: Sequence[VoucherDraft], name: str, refs: References) -> list[VoucherDraft]:
    """Bookable drafts merged into one voucher per fiscal year, dated its last expense.

    The caller passes only drafts that are not blocked and not booked; those stay one voucher each.
    """
    by_year: dict[date, list[VoucherDraft]] = defaultdict(list)
    out: list[VoucherDraft] = []
    for draft in drafts:
        assert not draft.blocked, draft.key
        year = refs.year(draft.day)
        assert year is not None  # preflight passed
        by_year[year.start].append(draft)
    for group in by_year.values():
        first = group[0]
        out.append(replace(first, source_keys=tuple(k for d in group for k in d.source_keys),
                           day=max(d.day for d in group), title=f"Expenses {name} ({len(group)})",
                           lines=tuple(ln for d in group for ln in d.lines),
                           receipts=tuple(r for d in group for r in d.receipts),
                           source_total=sum((d.source_total for d in group), ZERO),
                           booked_total=sum((d.booked_total for d in group), ZERO),
                           rows=tuple(r for d in group for r in d.rows),
                           source_digests=tuple(sd for d in group for sd in d.source_digests)))
    return out
