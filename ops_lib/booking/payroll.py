"""A payroll journal export into vouchers: one voucher per period, booked row by row as the journal says.

The journal balances before it is booked; its rows are rounded to öre one
by one, so a rounded journal that no longer balances gets one rounding
row on the rounding account. A second run of a booked period carries its
own journal id and is booked beside the first. Row texts name no
employee unless ``payroll_names_in_text`` in ``accounts.yaml`` asks for
it: a name on a salary row would put one person's pay in the ledger. As for expenses
(:mod:`ops_lib.booking.builder`), nothing here raises for a bad journal:
its voucher is blocked, with the reason and the fix.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Sequence

from ops_lib.booking.builder import Blocked, _accounts_bookable, _row_text, _signed, preflight, resolve_tags
from ops_lib.booking.mappings import MappingTables
from ops_lib.core.money import round_money
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.references import References
from ops_lib.model.vouchers import ZERO, VoucherDraft, VoucherLine
from ops_lib.sources.journals import PayrollRow, payroll_digest


def _period_end(period: str) -> date:
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def build_payroll_vouchers(rows: Sequence[PayrollRow], tables: MappingTables, refs: References, rules: SetupRules,
                           journal_id: str = "") -> list[VoucherDraft]:
    """One voucher per period of a payroll journal export, booked row by row as the journal says."""
    tables = tables.with_setup_defaults(rules)
    names = tables.setup.payroll_names_in_text  # off by default: a name beside a salary row is that person's pay
    by_period: dict[str, list[PayrollRow]] = defaultdict(list)
    for row in rows:
        by_period[row.period].append(row)
    drafts = []
    for period, group in by_period.items():
        day = max((r.day for r in group if r.day), default=_period_end(period))
        key = f"payroll:{period}" + (f":{journal_id}" if journal_id else "")
        debit, credit = sum((r.debit for r in group), ZERO), sum((r.credit for r in group), ZERO)
        draft = VoucherDraft("payroll", (key,), day, f"Payroll {period}" + (f" {journal_id}" if journal_id else ""),
                             tables.setup.voucher_series, source_total=debit, rows=tuple(r.row for r in group),
                             text_max=rules.voucher_text_max, source_digests=((key, payroll_digest(period, group)),))
        try:
            stopped = preflight(day, refs)
            if stopped:
                raise stopped
            if debit != credit:
                raise Blocked("data", f"the journal for {period} does not balance: debit {debit}, credit {credit}",
                              "export the payroll journal again; it must balance before it is booked")
            lines: list[VoucherLine] = []
            for r in group:
                try:
                    dimensions, project = resolve_tags(
                        [(g, v) for g, v in (("cost_centre", r.cost_centre), ("project", r.project)) if v],
                        tables, refs, rules)
                except Blocked as exc:
                    raise Blocked(exc.stage, f"row {r.row}: {exc.problem}", exc.fix) from None
                lines += _signed(r.account, round_money(r.debit) - round_money(r.credit),
                                 text=_row_text(r.text, r.employee if names else "", limit=rules.row_text_max),
                                 dimensions=dimensions, project=project)
            residual = sum((ln.debit for ln in lines), ZERO) - sum((ln.credit for ln in lines), ZERO)
            lines += _signed(tables.setup.rounding_account, -residual, text=rules.rounding_text)
            booked = sum((ln.debit for ln in lines), ZERO)
            _accounts_bookable(lines, day, refs, {**tables.setup.origins(),
                                                  **{r.account: r.account_at for r in group if r.account_at}})
        except Blocked as exc:
            drafts.append(draft.block(exc.stage, exc.problem, exc.fix))
            continue
        drafts.append(replace(draft, lines=tuple(lines), booked_total=booked))
    return drafts
