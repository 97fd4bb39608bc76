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
from ops_lib.booking.vat import Blocked, default_vat_code, line_vat, role_account
from ops_lib.core.errors import DataInputError
from ops_lib.core.input_files import read_input_bytes
from ops_lib.core.money import round_money
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.references import Dimension, DimensionItem, References, VatCodeRef
from ops_lib.model.registers import fold_name
from ops_lib.model.vouchers import ZERO, Receipt, VoucherDraft, VoucherLine
from ops_lib.sources.journals import CARD, REIMBURSEMENT, Expense, ExpenseLine

PER_EXPENSE, PER_EXPORT = "per_expense", "per_export"
TYPE_LABELS = {CARD: "Card", "out_of_pocket": "Out-of-pocket", REIMBURSEMENT: "Reimbursement"}


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
                         currency: str) -> tuple[Decimal, Decimal]:
    """(booked, charged): the exact amount the line books at, and what the card or employee paid, unrounded.

    With both an exchange rate and a company amount, the line books at
    amount x rate and the difference to the charge is an exchange-rate
    gain or loss; with one of them, that one is both.
    """
    if not expense.currency or expense.currency == currency:
        return amount, amount
    if expense.exchange_rate is not None:
        booked = amount * expense.exchange_rate
        return booked, booked if company_amount is None else company_amount
    if company_amount is not None:
        return company_amount, company_amount
    raise Blocked("data", f"the amount is in {expense.currency}, not {currency}, and no company amount or "
                          f"exchange rate is given", "export the company_amount (or exchange_rate) column")


def _row_text(*parts: str, limit: int) -> str:
    text = " ".join(p for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _expense_lines(expense: Expense, tables: MappingTables, refs: References,
                   rules: SetupRules) -> tuple[list[VoucherLine], Decimal, Decimal]:
    """The rows of one expense, its source total (what was charged) and booked total (company currency)."""
    setup = tables.setup
    amounts = _amounts_exact(expense, refs)
    source_total = sum((charged for _, charged in amounts), ZERO)
    if expense.type == REIMBURSEMENT:
        total = round_money(source_total)
        text = _row_text("Reimbursement", expense.employee, limit=rules.row_text_max)
        lines = (_signed(setup.out_of_pocket_account, total, text=text)
                 + _signed(setup.reimbursement_contra_account, -total, text=text))
        return lines, source_total, total
    lines: list[VoucherLine] = []
    vat_rows: dict[str, tuple[VatCodeRef | None, Decimal]] = {}
    booked = charged_total = ZERO
    for line, (exact, charged) in zip(expense.lines, amounts):
        try:
            rows, gross, vat_key, vat = _line_rows(expense, line, exact, tables, refs, rules)
        except Blocked as exc:
            raise Blocked(exc.stage, f"row {line.row}: {exc.problem}", exc.fix) from None
        lines += rows
        if vat:
            known, total = vat_rows.get(vat_key[0], (vat_key[1], ZERO))
            vat_rows[vat_key[0]] = (known, total + vat)
        booked += gross
        charged_total += round_money(charged)
    for vat_code, vat in vat_rows.values():
        label = f"VAT {vat_code.description}" if vat_code else "VAT"
        lines += _signed(setup.input_vat_account, vat, text=_row_text(label, limit=rules.row_text_max))
    difference = charged_total - booked
    gain_or_loss = "" if not difference else role_account(
        setup, "exchange_loss_account" if difference > 0 else "exchange_gain_account")
    lines += _signed(gain_or_loss, difference, text=_row_text("Exchange difference", expense.currency,
                                                              limit=rules.row_text_max))
    contra = setup.card_contra_account if expense.type == CARD else setup.out_of_pocket_account
    lines += _signed(contra, -charged_total, text=_row_text(TYPE_LABELS[expense.type], expense.employee,
                                                            limit=rules.row_text_max))
    return lines, source_total, charged_total


def _line_rows(expense: Expense, line: ExpenseLine, exact: Decimal, tables: MappingTables, refs: References,
               rules: SetupRules) -> tuple[list[VoucherLine], Decimal, tuple[str, VatCodeRef | None], Decimal]:
    """One line's cost row and further VAT rows, its rounded gross, and its deductible VAT (by VAT code)."""
    if not line.category:
        raise Blocked("data", "no category", "set the expense's category in the expense service")
    mapping = tables.category(line.category)
    if mapping is None:
        raise Blocked("mapping", f"the category {line.category!r} is not mapped",
                      "add it to categories.csv with its account, VAT treatment and rate")
    found = check_account(refs, mapping.account, expense.day)
    if found:
        raise Blocked("mapping", f"{mapping.where('account')} ({mapping.category}): {found[0]}", found[1])
    code_text = line.vat_code or mapping.vat_code
    vat_code = refs.vat_codes.get(code_text) if code_text else None
    if code_text and vat_code is None:
        raise Blocked("mapping", f"no VAT code {code_text!r}", "use one of the system's VAT codes")
    vat_code = vat_code or default_vat_code(mapping, refs, rules, tables.setup, expense.day)
    gross = round_money(exact)
    if line.vat_amount is None:
        given = None
    elif gross == exact and line.amount == exact:
        given = round_money(line.vat_amount)
    else:
        given = round_money(line.vat_amount * exact / line.amount) if line.amount else ZERO
    if given is not None and (abs(given) > abs(gross) or (given and (given > 0) != (gross > 0))):
        raise Blocked("data", f"the VAT amount {given} does not fit the amount {gross}",
                      "correct the VAT amount in the expense service")
    booking = line_vat(mapping, vat_code, gross, given, line.attendees, expense.day, expense.seller_country,
                       expense.currency, refs, rules, tables.setup)
    dimensions, project = resolve_tags(line.tags, tables, refs, rules)
    text = _row_text(mapping.category, booking.note, line.note or expense.note, limit=rules.row_text_max)
    rows = _signed(mapping.account, booking.cost, text=text, vat_code=vat_code,
                   dimensions=dimensions, project=project) + list(booking.rows)
    return rows, gross, (vat_code.code if vat_code else code_text, vat_code), booking.input_vat


def _expense_title(expense: Expense) -> str:
    return " ".join(p for p in (TYPE_LABELS[expense.type], expense.expense_id, expense.note) if p)


def build_expense_vouchers(expenses: Sequence[Expense], tables: MappingTables, refs: References,
                           rules: SetupRules, today: date | None = None) -> list[VoucherDraft]:
    """One voucher per expense (see :func:`merge_per_export` for one per export); a bad one is blocked, alone.

    An expense dated after ``today`` (default: the machine's date) is
    blocked: a receipt cannot come from the future, so its date is wrong.
    """
    tables = tables.with_setup_defaults(rules)
    today = today or date.today()
    drafts = []
    for expense in expenses:
        draft = VoucherDraft("expenses", (expense.key,), expense.day, _expense_title(expense),
                             tables.setup.voucher_series, rows=expense.rows, text_max=rules.voucher_text_max)
        try:
            if expense.day > today:
                raise Blocked("data", f"dated {expense.day}, after today ({today})",
                              "correct the expense's date in the expense service")
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


def _amounts_exact(expense: Expense, refs: References) -> list[tuple[Decimal, Decimal]]:
    """Each line's (booked, charged) in the company's currency, unrounded. Raises Blocked (no rate, say)."""
    return [_in_company_currency(expense, ln.amount, ln.company_amount, refs.currency) for ln in expense.lines]


def _source_total_or_zero(expense: Expense, refs: References) -> Decimal:
    try:
        return sum((charged for _, charged in _amounts_exact(expense, refs)), ZERO)
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
