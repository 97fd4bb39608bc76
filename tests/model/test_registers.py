"""The number rule of the registers: what a person types in an amount, a rate or a number of days.

Each refusal names the file, the row and the column as the file spells it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ops_lib.core.errors import DataInputError
from ops_lib.sources.files import read_file

TERMS = "Betalningsvillkor (dagar)"


def products(tmp_path: Path, price: str, vat_rate: str = "25") -> Path:
    path = tmp_path / "p.csv"
    path.write_text(f"number;name;price;vat_rate\n1;A;12,50;25\n2;B;{price};{vat_rate}\n", encoding="utf-8")
    return path


def customers(tmp_path: Path, days: str) -> Path:
    path = tmp_path / "c.csv"
    path.write_text(f"Kundnummer;Namn;{TERMS}\n1;A;30\n2;B;{days}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("price", ["3e1", "1_0", "1,234.50", "12 50", "\uff13\uff10"])
def test_a_price_that_is_not_a_plain_number_is_refused_naming_file_row_and_column(tmp_path: Path,
                                                                                   price: str) -> None:
    with pytest.raises(DataInputError, match=rf"p\.csv, row 3, column 'price' \(price\): '{price}' is not a number"):
        read_file(products(tmp_path, price), "products")


@pytest.mark.parametrize("price, vat_rate, column", [("-100", "25", "price"), ("100", "-25", "vat_rate")])
def test_a_negative_price_or_vat_rate_is_refused(tmp_path: Path, price: str, vat_rate: str, column: str) -> None:
    with pytest.raises(DataInputError, match=rf"p\.csv, row 3, column '{column}' \({column}\): '-.*' is negative"):
        read_file(products(tmp_path, price, vat_rate), "products")


@pytest.mark.parametrize("days, problem", [("-30", "is negative"), ("3e1", "is not a number"),
                                           ("1_0", "is not a number"), ("30,5", "is not a whole number")])
def test_payment_terms_are_a_whole_number_of_days_zero_or_more(tmp_path: Path, days: str, problem: str) -> None:
    mapping = {"number": "Kundnummer", "name": "Namn", "payment_terms_days": TERMS}
    with pytest.raises(DataInputError, match=rf"c\.csv, row 3, column '{re.escape(TERMS)}' \(payment_terms_days\): "
                                             rf"'{days}' {problem}"):
        read_file(customers(tmp_path, days), "customers", mapping)


def test_plain_numbers_still_read_with_a_decimal_comma_grouping_spaces_and_zero_days(tmp_path: Path) -> None:
    frame = read_file(products(tmp_path, "1 234,50", "12"), "products")
    assert frame["price"].tolist() == ["12.5", "1234.5"] and frame["vat_rate"].tolist() == ["25", "12"]
    mapping = {"number": "Kundnummer", "name": "Namn", "payment_terms_days": TERMS}
    assert read_file(customers(tmp_path, "0"), "customers", mapping)["payment_terms_days"].tolist() == ["30", "0"]


def test_a_number_cell_of_a_workbook_is_read_as_the_number_it_holds(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["number", "name", "price", "vat_rate"])
    book.active.append(["1", "Tiny", 0.00001, 25])
    book.active.append(["2", "Plain", 1250.5, 12])
    book.save(tmp_path / "p.xlsx")
    frame = read_file(tmp_path / "p.xlsx", "products")
    assert [Decimal(p) for p in frame["price"]] == [Decimal("0.00001"), Decimal("1250.5")]
