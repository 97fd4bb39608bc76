"""Booking defaults come from the system's rules: an accounts.yaml may leave them out, neutral code names none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from ops_lib.booking.mappings import MappingTables
from ops_lib.booking.payroll import build_payroll_vouchers
from ops_lib.booking.setup import AccountSetup, check_setup
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.chart import Chart, ChartAccount
from ops_lib.model.references import FiscalYearChart, References
from ops_lib.sources.journals import PayrollRow
from ops_lib.systems.eaccounting.chart import SETUP_RULES

ROOT = Path(__file__).resolve().parents[2]
TOY_RULES = SetupRules(account_defaults={"input_vat_account": "V1", "rounding_account": "R1"}, rounding_text="Round")
BARE = AccountSetup("A", "C1", "P1", "B1")
ACCOUNTS = {n: ChartAccount(n, f"Account {n}", True) for n in ("C1", "P1", "B1", "V1", "R1", "W1", "S1")}
YEAR = FiscalYearChart(date(2026, 1, 1), date(2026, 12, 31), False, ACCOUNTS)
REFS = References("Toy Oy", "EUR", (YEAR,), {}, (), {})


def test_accounts_left_out_are_empty_until_the_system_fills_them_and_given_ones_stay(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text("voucher_series: A\ncard_contra_account: C1\nout_of_pocket_account: P1\n"
                    "reimbursement_contra_account: B1\n", encoding="utf-8")
    bare = AccountSetup.read(path)
    assert (bare.input_vat_account, bare.rounding_account) == ("", "")
    assert bare.with_defaults(TOY_RULES.account_defaults) == replace(bare, input_vat_account="V1",
                                                                     rounding_account="R1")
    own = replace(bare, rounding_account="S1").with_defaults(TOY_RULES.account_defaults)
    assert (own.input_vat_account, own.rounding_account) == ("V1", "S1")
    assert bare.write(tmp_path / "again.yaml").read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_the_committed_setup_reads_the_same_without_the_keys_eaccounting_defaults() -> None:
    committed = (ROOT / "params" / "mappings" / "accounts.yaml").read_text(encoding="utf-8")
    tables = MappingTables.read(ROOT / "params" / "mappings").with_setup_defaults(SETUP_RULES)
    assert "input_vat_account: '2641'" in committed and "rounding_account: '3740'" in committed
    assert replace(tables.setup, input_vat_account="", rounding_account="").with_defaults(
        SETUP_RULES.booking_defaults) == tables.setup


def test_a_system_without_defaults_asks_for_the_account_by_its_key() -> None:
    chart = Chart(date(2026, 5, 4), (YEAR.start, YEAR.end), False, ACCOUNTS)
    assert check_setup(BARE, chart, TOY_RULES) == []
    problems = {p.field: (p.problem, p.fix) for p in check_setup(BARE, chart, SetupRules())}
    assert problems == {
        "input_vat_account": ("the input VAT account is not set, and the system has no default for it",
                              "set input_vat_account in accounts.yaml"),
        "rounding_account": ("the rounding account is not set, and the system has no default for it",
                             "set rounding_account in accounts.yaml")}


def test_a_payroll_rounds_onto_the_systems_rounding_account_with_its_text() -> None:
    rows = [PayrollRow(i, account, to(debit), to(credit), "", "", "", "2026-05", None, "")
            for i, (account, debit, credit) in enumerate([("W1", "100.004", ""), ("W1", "100.004", ""),
                                                          ("S1", "", "200.008")], start=2)]
    tables = MappingTables(BARE, (), ())
    (draft,) = build_payroll_vouchers(rows, tables, REFS, TOY_RULES)
    assert [(ln.account, ln.debit, ln.credit, ln.text) for ln in draft.lines][-1] == ("R1", Decimal("0.01"), 0,
                                                                                       "Round")
    assert draft.balanced and not draft.blocked


def to(text: str) -> Decimal:
    return Decimal(text or 0)
