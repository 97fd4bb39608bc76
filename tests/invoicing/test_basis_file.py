"""The invoice-basis export: grouped into invoices, rows in order, every bad input named by file, row and column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.core.errors import DataInputError
from ops_lib.invoicing.basis_file import COLUMNS, read_invoice_basis
from ops_lib.model.invoices import ARTICLE_ROW, TEXT_ROW
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR

DEMO = PM_EXPORT_DIR / "invoice_basis.csv"
HEAD = {"Fakturaunderlag": "9001", "Status": "Skicka till eEkonomi", "Fakturatyp": "Faktura", "Kundnummer": "1001",
        "Kundnamn": "Parkbacken Konsult AB", "Fakturaadress": "Järnvägsgatan 27", "Fakturaadress 2": "",
        "Postnummer": "211 20", "Ort": "Malmö", "Land": "SE", "Fakturadatum": "2026-11-02",
        "Förfallodatum": "2026-11-12", "Betalningsvillkor (dagar)": "10", "Er referens": "Inköp",
        "Vår referens": "Karin", "Valuta": "SEK"}


def line(**cells: str) -> dict[str, str]:
    row = {"Radtyp": "Rad", "Artikel": "A01", "Beskrivning": "Konsult", "Antal": "2", "Enhet": "tim",
           "À-pris": "1650,00", "Projekt": "1001"}
    return {**HEAD, **row, **cells}


def write(tmp_path: Path, lines: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS,
          encoding: str = "cp1252") -> Path:
    path = tmp_path / "underlag.csv"
    text = ";".join(columns) + "\r\n" + "".join(";".join(r.get(c, "") for c in columns) + "\r\n" for r in lines)
    path.write_bytes(text.encode(encoding))
    return path


def test_the_demo_export_is_read_as_its_invoices() -> None:
    read = read_invoice_basis(DEMO, default_article="A99")
    numbers = [b.number for b in read.bases]
    assert numbers == ["7001", "7002", "7003", "7004", "7005", "7006", "7008", "7009"]
    assert read.left == {"Utkast": 1}
    assert "1 invoice basis(es) left in other states (Utkast: 1)" in read.describe_left()
    first = read.bases[0]
    assert [r.kind for r in first.rows] == [TEXT_ROW, ARTICLE_ROW, ARTICLE_ROW, ARTICLE_ROW, TEXT_ROW]
    assert first.rows[0].text == "Enligt avtal 2026-03, oktober" and first.rows[-1].text == "Tack för förtroendet!"
    assert [r.line for r in first.rows] == [2, 3, 4, 5, 6]
    assert first.rows[1].quantity == Decimal("12.5") and first.rows[1].unit_price == Decimal("1650.00")
    assert first.total == Decimal("12.5") * 1650 + 4 * 1250 + 4250
    assert first.invoice_date == date(2026, 11, 2) and first.due_date == date(2026, 11, 12)
    assert first.terms_days == 10 and first.customer.city == "Malmö" and first.currency == "SEK"
    credit = next(b for b in read.bases if b.number == "7008")
    assert credit.is_credit and not first.is_credit
    defaulted = [r for b in read.bases for r in b.article_rows if r.defaulted]
    assert [(r.article, r.text) for r in defaulted] == [("A99", "Övrigt arbete utan artikel")]


def test_without_a_default_article_the_row_keeps_none() -> None:
    read = read_invoice_basis(DEMO)
    row = next(r for b in read.bases for r in b.article_rows if r.defaulted)
    assert row.article == ""


def test_text_rows_keep_their_place_between_invoices(tmp_path: Path) -> None:
    other = {"Fakturaunderlag": "9002"}
    path = write(tmp_path, [line(Radtyp="Text före", Artikel="", Beskrivning="Först", Antal="", **{"À-pris": ""}),
                            line(**other), line(Artikel="A02", Beskrivning="Andra"),
                            line(Radtyp="text EFTER", Beskrivning="Sist", Antal="", **{"À-pris": ""}),
                            line(**other, Artikel="A03")])
    read = read_invoice_basis(path)
    assert [b.number for b in read.bases] == ["9001", "9002"]
    assert [(r.kind, r.text) for r in read.bases[0].rows] == [
        (TEXT_ROW, "Först"), (ARTICLE_ROW, "Andra"), (TEXT_ROW, "Sist")]
    assert [r.article for r in read.bases[1].rows] == ["A01", "A03"]
    assert read.bases[1].first_line == 3


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataInputError, match="empty.csv: the file is empty"):
        read_invoice_basis(path)


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataInputError, match="header but no invoice rows"):
        read_invoice_basis(write(tmp_path, []))


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "À-pris")
    with pytest.raises(DataInputError, match=r"underlag.csv, row 1: missing column 'À-pris'"):
        read_invoice_basis(write(tmp_path, [line()], columns))


def test_a_doubled_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataInputError, match=r"row 1: the column 'Antal' appears twice"):
        read_invoice_basis(write(tmp_path, [line()], (*COLUMNS, "Antal")))


def test_header_columns_must_agree_naming_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, [line(), line(Artikel="A02"), line(Artikel="A03", Ort="Lund")])
    with pytest.raises(DataInputError, match=r"row 4, column 'Ort': invoice basis 9001 has Lund here but Malmö "
                                             r"on row 2"):
        read_invoice_basis(path)


def test_a_repeated_line_is_refused_naming_both_rows(tmp_path: Path) -> None:
    with pytest.raises(DataInputError, match=r"row 3: the same line as row 2 \(invoice basis 9001"):
        read_invoice_basis(write(tmp_path, [line(), line()]))


@pytest.mark.parametrize(("cells", "message"), [
    ({"Fakturadatum": "02/11/2026"}, r"row 2, column 'Fakturadatum': .*02/11/2026"),
    ({"Förfallodatum": "snart"}, r"row 2, column 'Förfallodatum'"),
    ({"Antal": "två"}, r"row 2, column 'Antal': .*två"),
    ({"À-pris": "1.650,00"}, r"row 2, column 'À-pris'"),
    ({"Antal": ""}, r"row 2, column 'Antal': empty"),
    ({"Betalningsvillkor (dagar)": "-5"}, r"row 2, column 'Betalningsvillkor \(dagar\)'"),
    ({"Radtyp": "Summa"}, r"row 2, column 'Radtyp': Summa is not a row type"),
    ({"Fakturatyp": "Order"}, r"row 2, column 'Fakturatyp': Order is not an invoice type"),
    ({"Fakturaunderlag": ""}, r"row 2, column 'Fakturaunderlag': empty"),
    ({"Kundnummer": ""}, r"row 2, column 'Kundnummer': empty"),
])
def test_a_bad_value_names_file_row_and_column(tmp_path: Path, cells: dict[str, str], message: str) -> None:
    with pytest.raises(DataInputError, match=r"underlag.csv, " + message):
        read_invoice_basis(write(tmp_path, [line(**cells)]))


@pytest.mark.parametrize("number", ["FU 12", "10 A", "10\u00a0A", "10\u00adA"])
def test_an_invoice_basis_number_with_white_space_is_refused(tmp_path: Path, number: str) -> None:
    """Its marker could never be found again (``FU 12``), or would look like another's (``10 A``: 10's)."""
    with pytest.raises(DataInputError, match=r"underlag.csv, row 3, column 'Fakturaunderlag': .*white space"):
        read_invoice_basis(write(tmp_path, [line(), line(Fakturaunderlag=number)]))


def test_a_line_with_fewer_or_more_fields_than_the_header_is_refused(tmp_path: Path) -> None:
    """A short line would go out with its last fields empty (here: the row without its project)."""
    path = write(tmp_path, [line(), line(Beskrivning="Resa")])
    text = path.read_bytes().decode("cp1252")
    head, first, second, _ = text.split("\r\n")
    short = second.rsplit(";", 1)[0]
    path.write_bytes("\r\n".join([head, first, short, ""]).encode("cp1252"))
    with pytest.raises(DataInputError, match=r"underlag.csv, row 3: 22 fields but the header has 23"):
        read_invoice_basis(path)
    path.write_bytes("\r\n".join([head, first + ";", second, ""]).encode("cp1252"))
    with pytest.raises(DataInputError, match=r"underlag.csv, row 2: 24 fields but the header has 23"):
        read_invoice_basis(path)


def test_a_file_of_two_encodings_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, [line()], encoding="utf-8")
    path.write_bytes(path.read_bytes() + ";".join(line(Ort="Malmö").values()).encode("cp1252") + b"\r\n")
    with pytest.raises(DataInputError, match="underlag.csv"):
        read_invoice_basis(path)


def test_invoices_in_other_states_are_not_parsed(tmp_path: Path) -> None:
    """A draft still being written in the project tool is left alone, even with a half-typed row."""
    read = read_invoice_basis(write(tmp_path, [line(Status="Utkast", Antal="?"), line(Fakturaunderlag="9002")]))
    assert [b.number for b in read.bases] == ["9002"] and read.left == {"Utkast": 1}


def test_an_excel_export_is_read_the_same(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append([line(Antal="2,5")[c] for c in COLUMNS])
    sheet.append([line(Radtyp="Text efter", Artikel="", Beskrivning="Tack", Antal="", **{"À-pris": ""})[c]
                  for c in COLUMNS])
    path = tmp_path / "underlag.xlsx"
    book.save(path)
    [basis] = read_invoice_basis(path).bases
    assert [(r.kind, r.quantity) for r in basis.rows] == [(ARTICLE_ROW, Decimal("2.5")), (TEXT_ROW, Decimal(0))]


def test_a_workbook_saved_without_its_size_keeps_its_short_rows(tmp_path: Path) -> None:
    """Without its dimension a sheet's rows lose their empty trailing cells; a cell's place is its column."""
    import io
    import re
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(list(COLUMNS))
    book.active.append([line()[c] or None for c in COLUMNS[:-1]])  # no Projekt cell at all
    saved = io.BytesIO()
    book.save(saved)
    path = tmp_path / "underlag.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(item, data)
    [basis] = read_invoice_basis(path).bases
    assert [(r.article, r.quantity, r.project) for r in basis.rows] == [("A01", Decimal(2), "")]
