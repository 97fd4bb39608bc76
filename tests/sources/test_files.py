"""Readers: every encoding, delimiter and decimal style finance exports come in; clear errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ops_lib.core.errors import DataInputError
from ops_lib.sources.files import load_mapping, read_file

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["number", "name", "kind", "unit", "price", "vat_rate", "is_active"]


def write(path: Path, rows: list[list[str]], delimiter: str, encoding: str, bom: bool = False) -> Path:
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(("delimiter", "encoding", "bom", "price"), [
    (";", "cp1252", False, "2580,50"),
    (",", "utf-8", True, "2580.50"),
    ("\t", "utf-8", False, "2 580,50"),
    (";", "utf-8", False, "2580.5"),
])
def test_encodings_delimiters_and_decimals(tmp_path: Path, delimiter: str, encoding: str, bom: bool,
                                           price: str) -> None:
    rows = [HEADER, ["0123", "Körning å/ä/ö", "Arbetstyp", "tim", price, "25", "Ja"]]
    if delimiter == ",":
        rows[1][4] = f'"{price}"'
    frame = read_file(write(tmp_path / "p.csv", rows, delimiter, encoding, bom), "products")
    record = frame.iloc[0]
    assert record["number"] == "0123" and record["name"] == "Körning å/ä/ö"
    assert (record["kind"], record["price"], record["vat_rate"], record["is_active"]) == ("work_type", "2580.5", "25", "true")
    assert record["_row"] == 2


def test_mapping_renames_and_joins_columns(tmp_path: Path) -> None:
    rows = [["Kundnummer", "Namn", "Kontakt förnamn", "Kontakt efternamn", "Aktiv"],
            ["1001", "Bolaget AB", "Anna", "Berg", "Nej"]]
    mapping = {"number": "Kundnummer", "name": "Namn", "contact_name": ["Kontakt förnamn", "Kontakt efternamn"],
               "is_active": "Aktiv"}
    frame = read_file(write(tmp_path / "c.csv", rows, ";", "cp1252"), "customers", mapping)
    assert list(frame.columns[:4]) == ["number", "name", "contact_name", "is_active"]
    assert frame.iloc[0]["contact_name"] == "Anna Berg" and frame.iloc[0]["is_active"] == "false"


def test_xlsx_with_canonical_headers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["number", "name", "is_active"])
    sheet.append(["0042", "Projekt X", "Öppen"])
    sheet.append([1043, "Projekt Y", "Avslutad"])
    book.save(tmp_path / "projects.xlsx")
    frame = read_file(tmp_path / "projects.xlsx", "projects")
    assert frame["number"].tolist() == ["0042", "1043"]
    assert frame["is_active"].tolist() == ["true", "false"]


@pytest.mark.parametrize(("rows", "message"), [
    ([["number", "name", "price"], ["1", "A", "12,5"], ["2", "B", "tolv"]], r"p\.csv, row 3, column 'price' \(price\): 'tolv' is not a number"),
    ([["name", "price"], ["A", "1"]], r"p\.csv, row 1: missing required column for number"),
    ([["number", "name", "name"], ["1", "A", "B"]], r"p\.csv, row 1: the column 'name' appears twice"),
    ([["number", "name"]], "has a header but no records"),
    ([["number", "name", "is_active"], ["1", "A", "kanske"]], r"row 2, column 'is_active'.*not a yes/no value"),
])
def test_bad_input_names_file_row_and_column(tmp_path: Path, rows: list[list[str]], message: str) -> None:
    with pytest.raises(DataInputError, match=message):
        read_file(write(tmp_path / "p.csv", rows, ";", "utf-8"), "products")


def test_empty_and_missing_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(DataInputError, match="empty.csv: the file is empty"):
        read_file(tmp_path / "empty.csv", "projects")
    with pytest.raises(DataInputError, match="no such file"):
        read_file(tmp_path / "nope.csv", "projects")
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(DataInputError, match="not a readable Excel workbook"):
        read_file(tmp_path / "bad.xlsx", "projects")


def test_a_mapped_header_missing_from_the_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", [["Kundnummer", "Namn"], ["1", "A"]], ";", "utf-8")
    with pytest.raises(DataInputError, match="missing column 'Ort' \\(mapped to field 'city'\\)"):
        read_file(path, "customers", {"number": "Kundnummer", "name": "Namn", "city": "Ort"})


def test_mapping_file_is_checked(tmp_path: Path) -> None:
    assert load_mapping(ROOT / "params" / "columns" / "pm.yaml", "projects")["is_active"] == "Status"
    bad = tmp_path / "m.yaml"
    bad.write_text("projects:\n  colour: Färg\n", encoding="utf-8")
    with pytest.raises(DataInputError, match="projects has no field"):
        load_mapping(bad, "projects")


def test_an_empty_invoicing_address_falls_back_to_the_whole_head_office_address(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("number;name;address1;postal_code;city;country_code;office_address1;office_postal_code;"
                    "office_city;office_country_code\n"
                    "1;Utan Faktura AB;;;;;Storgatan 1;111 22;Stockholm;SE\n"
                    "2;Halv Adress AB;;;Växjö;SE;Storgatan 2;111 22;Stockholm;SE\n"
                    "3;Full Adress AB;Kungsgatan 3;411 19;Göteborg;SE;Storgatan 3;111 22;Stockholm;SE\n",
                    encoding="utf-8")
    frame = read_file(path, "customers")
    assert not any(c.startswith("office_") for c in frame.columns)
    rows = frame.set_index("number")
    assert tuple(rows.loc["1", ["address1", "postal_code", "city", "country_code"]]) == (
        "Storgatan 1", "111 22", "Stockholm", "SE")
    assert tuple(rows.loc["2", ["address1", "city"]]) == ("", "Växjö")  # a partly filled block is not mixed
    assert rows.loc["3", "address1"] == "Kungsgatan 3"
