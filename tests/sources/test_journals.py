"""Reading journals: the number rule, duplicate lines against split expenses, and errors in the file's own words."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.cli.main import main
from ops_lib.core.errors import DataInputError
from ops_lib.sources.demo_journals import EXPENSE_HEADER
from ops_lib.sources.journals import read_expenses, read_payroll

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-05-02"
# An export whose headers the expense service spells in Swedish, renamed through a column mapping.
SWEDISH = {"expense_id": "Utläggs-id", "date": "Datum", "type": "Typ", "amount": "Belopp", "category": "Kategori",
           "tags": "Taggar", "note": "Anteckning", "exchange_rate": "Kurs", "currency": "Valuta"}


def swedish_file(path: Path, *rows: dict[str, str]) -> Path:
    """An export with the Swedish headers of :data:`SWEDISH`; each row gives the canonical fields it fills."""
    fields = list(SWEDISH)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows([[SWEDISH[k] for k in fields],
                                                *[[r.get(k, "") for k in fields] for r in rows]])
    return path


def expenses_file(tmp_path: Path, rows: list[tuple[str, ...]], header: tuple[str, ...] = EXPENSE_HEADER) -> Path:
    path = tmp_path / "expenses.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows([header, *rows])
    return path


def line(expense_id: str = "X-1", amount: str = "100", category: str = "Travel", tags: str = "", note: str = "Taxi",
         day: str = DAY) -> tuple[str, ...]:
    return (expense_id, day, "card", amount, "SEK", "", "20", "", category, tags, note, "", "")


# -- numbers -------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["3e1", "1_0", "1,000.00"])
def test_an_amount_that_is_not_a_plain_number_is_refused_naming_row_and_column(tmp_path: Path, amount: str) -> None:
    source = expenses_file(tmp_path, [line(), line("X-2", amount=amount)])
    with pytest.raises(DataInputError, match=rf"expenses.csv, row 3, column 'amount' \(amount\): '{amount}' is not "
                                             rf"a number"):
        read_expenses(source)


def test_a_refund_may_be_negative_but_an_exchange_rate_may_not(tmp_path: Path) -> None:
    (refund,) = read_expenses(expenses_file(tmp_path, [line(amount="-100,50")]))
    assert refund.lines[0].amount == Decimal("-100.50")
    path = swedish_file(tmp_path / "rates.csv", {"expense_id": "X-1", "date": DAY, "type": "card", "amount": "10",
                                                 "currency": "EUR", "exchange_rate": "-11,5"})
    with pytest.raises(DataInputError, match=r"rates.csv, row 2, column 'Kurs' \(exchange_rate\): '-11,5' is "
                                             r"negative"):
        read_expenses(path, SWEDISH)


@pytest.mark.parametrize("row, column, problem", [
    ("7210;-100;;2026-05", "debit", "'-100' is negative"),
    ("7210;1_0;;2026-05", "debit", "'1_0' is not a number"),
    ("7210;;3e1;2026-05", "credit", "'3e1' is not a number"),
    ("7_210;10;;2026-05", "account", "'7_210' is not a number"),
])
def test_payroll_debit_credit_and_account_follow_the_number_rule(tmp_path: Path, row: str, column: str,
                                                                 problem: str) -> None:
    path = tmp_path / "payroll.csv"
    path.write_text(f"account;debit;credit;period\n2820;;10;2026-05\n{row}\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=rf"payroll.csv, row 3, column '{column}' \({column}\): {problem}"):
        read_payroll(path)


def test_a_payroll_period_in_other_digits_is_refused_not_booked_as_another_period(tmp_path: Path) -> None:
    path = tmp_path / "payroll.csv"
    path.write_text("account;debit;credit;period\n7210;10;;\uff12\uff10\uff12\uff16-\uff10\uff15\n",
                    encoding="utf-8")
    with pytest.raises(DataInputError, match=r"payroll.csv, row 2, column 'period': .* is not a period"):
        read_payroll(path)


# -- duplicates and split expenses -------------------------------------------------

def test_a_repeated_line_is_refused_naming_both_rows(tmp_path: Path) -> None:
    source = expenses_file(tmp_path, [line("X-0"), line(), line("X-3"), line(amount="100,00", note=" taxi ")])
    with pytest.raises(DataInputError, match=r"expenses.csv, row 5: the same line as row 3 \(expense X-1: date, "
                                             r"amount, category, tags and note are all equal\)"):
        read_expenses(source)


def test_a_repeated_line_is_refused_by_the_cli_in_one_line_with_exit_2(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = expenses_file(tmp_path, [line(), line()])
    code = main(["book-vouchers", "--expenses", str(source), "--target", "demo-sandbox",
                 "--mappings", str(ROOT / "params" / "mappings"), "--state-db", str(tmp_path / "s.sqlite"),
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "row 3: the same line as row 2" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("second", [
    line(category="Meals"),  # another category
    line(tags="Projekt: 1001"),  # another tag
    line(amount="50"),  # another amount
    line(note="Taxi back"),  # another note
])
def test_a_split_expense_differs_in_category_tag_amount_or_note(tmp_path: Path, second: tuple[str, ...]) -> None:
    (expense,) = read_expenses(expenses_file(tmp_path, [line(), second]))
    assert expense.rows == (2, 3)


# -- errors in the file's own words ----------------------------------------------------

def test_lines_of_one_expense_that_disagree_name_the_column_as_the_file_spells_it(tmp_path: Path) -> None:
    source = expenses_file(tmp_path, [line(), line(category="Meals", day="2026-05-03")])
    with pytest.raises(DataInputError, match=r"expenses.csv, row 3, column 'date': expense X-1 has 2026-05-03 here "
                                             r"but 2026-05-02 on row 2"):
        read_expenses(source)
    path = tmp_path / "utlägg.csv"
    first = {"expense_id": "X-1", "date": DAY, "type": "card", "amount": "10", "category": "Travel"}
    swedish_file(path, first, {**first, "date": "2026-05-03", "amount": "20", "category": "Meals"})
    with pytest.raises(DataInputError, match=r"utlägg.csv, row 3, column 'Datum': expense X-1 has 2026-05-03"):
        read_expenses(path, SWEDISH)
    swedish_file(path, first, {**first, "type": "out-of-pocket", "category": "Meals"})
    with pytest.raises(DataInputError, match=r"utlägg.csv, row 3, column 'Typ': expense X-1 has out_of_pocket"):
        read_expenses(path, SWEDISH)
    swedish_file(path, {**first, "tags": "Projekt"})
    with pytest.raises(DataInputError, match=re.escape("utlägg.csv, row 2, column 'Taggar': the tag 'Projekt' has "
                                                       "no group")):
        read_expenses(path, SWEDISH)
    swedish_file(path, {**first, "expense_id": ""})
    with pytest.raises(DataInputError, match=r"utlägg.csv, row 2, column 'Utläggs-id': empty"):
        read_expenses(path, SWEDISH)
