"""Input files that can neither break nor fool the suite: encodings, file kinds, control characters, YAML.

Each bad file is tried at the library level (the reader raises a
DataInputError naming the file, row and column) and through the CLI
(exit 2, one line on stderr, nothing written).
"""

from __future__ import annotations

import csv
import os
import re
import threading
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import pytest

from ops_lib.booking.mappings import read_table
from ops_lib.booking.setup import AccountSetup
from ops_lib.cli.main import main
from ops_lib.core.errors import DataInputError
from ops_lib.core.yaml_files import read_mapping
from ops_lib.runs.runner import load_params
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sources.files import load_mapping, read_file, read_rows
from ops_lib.sources.import_file import ImportFileWriter
from ops_lib.sources.journals import read_expenses, read_payroll
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "params" / "columns" / "pm.yaml"
MAPPINGS = ROOT / "params" / "mappings"
HEADER = "number;name;city\r\n"
EXPENSES = "expense_id;date;type;amount;currency;category;note\r\n"


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """What the CLI printed on stderr, checked to be one line without a traceback."""
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


# -- byte-order marks, UTF-16, and files of two encodings ------------------


def test_a_utf8_bom_before_windows_1252_bytes_names_the_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + "1;A;Lund\r\n2;B;Malmö\r\n".encode("cp1252"))
    with pytest.raises(DataInputError, match=r"c\.csv, row 3, column 'city': byte 0xf6 is not UTF-8, though the "
                                             r"file starts with a UTF-8 byte-order mark"):
        read_file(path, "customers")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_its_bom_reads_like_the_windows_1252_export(tmp_path: Path,
                                                                                  codec: str) -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""
    source = PM_EXPORT_DIR / "customers.csv"
    rows = list(csv.reader(source.read_text(encoding="cp1252").splitlines(), delimiter=";"))
    text = "".join("\t".join(row) + "\r\n" for row in rows)
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    unicode_text = tmp_path / "customers.txt"
    unicode_text.write_bytes(bom + text.encode(codec))
    columns = load_mapping(MAPPING, "customers")
    expected = read_file(source, "customers", columns).drop(columns="_source")
    got = read_file(unicode_text, "customers", columns).drop(columns="_source")
    pd.testing.assert_frame_equal(got, expected)
    assert "Malmö" in set(got["city"])


def test_utf16_without_a_bom_is_refused_saying_it_is_utf16(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_bytes("Kundnummer\tNamn\r\n1001\tMalmö AB\r\n".encode("utf-16-le"))
    with pytest.raises(DataInputError, match=r"c\.txt: the file looks like UTF-16 without a byte-order mark") as caught:
        read_file(path, "customers", {"number": "Kundnummer", "name": "Namn"})
    assert "missing column" not in str(caught.value)


@pytest.mark.parametrize(("first", "second", "row"), [("utf-8", "cp1252", 3), ("cp1252", "utf-8", 2)])
def test_a_file_of_utf8_and_windows_1252_rows_is_refused_at_the_first_row_that_does_not_fit(
        tmp_path: Path, first: str, second: str, row: int) -> None:
    """Never "Malmö" read as "MalmÃ¶", nor "Göteborg" as "G?teborg": a file of two encodings is refused."""
    path = tmp_path / "c.csv"
    path.write_bytes(HEADER.encode() + "1;Göteborg AB;Göteborg\r\n".encode(first)
                     + "2;Malmö AB;Malmö\r\n".encode(second) + "3;Lund AB;Lund\r\n".encode())
    with pytest.raises(DataInputError, match=rf"c\.csv, row {row}, column 'name': byte 0x.. is not UTF-8, but "
                                             r"other rows of the file are"):
        read_file(path, "customers")


def test_a_whole_windows_1252_file_still_reads_correctly() -> None:
    frame = read_file(PM_EXPORT_DIR / "customers.csv", "customers", load_mapping(MAPPING, "customers"))
    assert frame.loc[frame["number"] == "1001", "city"].item() == "Malmö"
    assert not any("Ã" in str(v) for v in frame.to_numpy().ravel())


def test_an_expense_export_of_two_encodings_names_its_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "expenses.csv"
    path.write_bytes(EXPENSES.encode() + "E-1;2026-06-02;card;100.00;SEK;Travel;Taxi Göteborg\r\n".encode()
                     + "E-2;2026-06-02;card;50.00;SEK;Meals;Lunch Malmö\r\n".encode("cp1252"))
    with pytest.raises(DataInputError, match=r"expenses\.csv, row 3, column 'note': byte 0xf6 is not UTF-8"):
        read_expenses(path)


def test_the_import_file_for_a_utf16_export_is_utf16_and_reads_back(tmp_path: Path) -> None:
    """A sync writes back in the export's own format: UTF-16 in, UTF-16 (one BOM) out."""
    source = tmp_path / "customers.txt"
    source.write_bytes("number\tname\tcity\r\n1\tÅre AB\tÅre\r\n".encode("utf-16"))
    writer = ImportFileWriter(source, "customers", None, tmp_path / "out")
    for call in writer.plan("create", {"number": "2", "name": "Malmö AB", "city": "Malmö"}, None, ()):
        writer.send(call)
    written = Path(writer.finish()[0])
    assert written.read_bytes().startswith(b"\xff\xfe") and written.read_bytes().count(b"\xff\xfe") == 1
    assert read_rows(written) == [["number", "name", "city"], ["2", "Malmö AB", "Malmö"]]


def test_the_import_file_for_an_xlsx_export_is_utf8_with_a_bom(tmp_path: Path) -> None:
    """An XLSX export has no CSV format to copy; its zipped bytes are not text to sniff."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["number", "name", "city"])
    book.active.append(["1", "Åre AB", "Åre"])
    book.save(tmp_path / "customers.xlsx")
    writer = ImportFileWriter(tmp_path / "customers.xlsx", "customers", None, tmp_path / "out")
    for call in writer.plan("create", {"number": "2", "name": "Malmö AB", "city": "Malmö"}, None, ()):
        writer.send(call)
    written = Path(writer.finish()[0])
    assert written.read_bytes() == "\ufeffnumber;name;city\r\n2;Malmö AB;Malmö\r\n".encode("utf-8")


# -- what is at the end of the path ----------------------------------------


def _readers(tmp_path: Path) -> dict[str, Callable[[Path], object]]:
    return {
        "register": lambda p: read_file(p, "customers"),
        "expenses": read_expenses,
        "payroll": read_payroll,
        "mapping table": lambda p: read_table(p, "categories"),
        "column mapping": lambda p: load_mapping(p, "customers"),
        "account setup": AccountSetup.read,
        "params": lambda p: load_params(p),
    }


@pytest.mark.parametrize("reader", ["register", "expenses", "payroll", "mapping table", "column mapping",
                                    "account setup", "params"])
def test_a_folder_is_refused_by_every_reader(tmp_path: Path, reader: str) -> None:
    folder = tmp_path / "export.csv"
    folder.mkdir()
    with pytest.raises(DataInputError, match=r"export\.csv: is a folder"):
        _readers(tmp_path)[reader](folder)


def test_a_device_is_refused() -> None:
    with pytest.raises(DataInputError, match=r"/dev/null: is a device, not a regular file"):
        read_rows("/dev/null")


def without_blocking_on(fifo: Path, call: Callable[[], object]) -> object:
    """What ``call`` returns or raises; a test failure if it waits on ``fifo`` for a writer instead."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # blocked in open(): give it a writer so the thread ends, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=10)
        pytest.fail("reading a FIFO blocked waiting for a writer")
    return outcome[0]


@pytest.mark.parametrize("reader", ["register", "column mapping", "params"])
def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path: Path, reader: str) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    outcome = without_blocking_on(fifo, lambda: _readers(tmp_path)[reader](fifo))
    assert isinstance(outcome, DataInputError) and "is a FIFO (named pipe), not a regular file" in str(outcome)


def make_unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """chmod 000; for root, who reads it anyway, also an ``os.open`` that refuses it, as for every other user."""
    path.chmod(0)
    if os.access(path, os.R_OK):
        real_open = os.open

        def refusing_open(file: object, flags: int, *args: object, **kwargs: object) -> int:
            if Path(os.fsdecode(file)) == path:  # type: ignore[arg-type]
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refusing_open)
    return path


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A file its user may not read."""
    path = tmp_path / "locked.csv"
    path.write_text(HEADER + "1;A;Lund\r\n", encoding="utf-8")
    yield make_unreadable(path, monkeypatch)
    path.chmod(0o600)


@pytest.mark.parametrize("reader", ["register", "mapping table", "column mapping", "params"])
def test_an_unreadable_file_is_refused_naming_it(unreadable: Path, tmp_path: Path, reader: str) -> None:
    with pytest.raises(DataInputError, match=r"locked\.csv: permission denied"):
        _readers(tmp_path)[reader](unreadable)


def test_an_unreadable_receipt_blocks_its_expense_instead_of_crashing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    journal = tmp_path / "expenses.csv"
    journal.write_text("expense_id;date;type;amount;currency;vat_amount;category;note;receipt\r\n"
                       f"E-1;{TODAY.replace(day=2)};card;125.00;SEK;25.00;Travel;Taxi;r.pdf\r\n", encoding="utf-8")
    receipt = tmp_path / "r.pdf"
    receipt.write_bytes(b"%PDF-1.4\n%%EOF\n")
    make_unreadable(receipt, monkeypatch)
    try:
        code = main(["book-vouchers", "--expenses", str(journal), "--target", "demo-sandbox", "--mappings",
                     str(MAPPINGS), "--state-db", str(tmp_path / "s.sqlite"), "--out", str(tmp_path / "out")])
    finally:
        receipt.chmod(0o600)
    assert code == 1
    assert f"blocked E-1: {receipt}: permission denied" in capsys.readouterr().out


# -- what is in the fields --------------------------------------------------


@pytest.mark.parametrize(("char", "shown"), [("\x00", "U+0000 (NUL)"), ("\x1b", "U+001B (ESC)"),
                                             ("\x0c", "U+000C"), ("\x96", "U+0096")])
def test_a_control_character_in_a_field_is_refused_naming_row_and_column(tmp_path: Path, char: str,
                                                                          shown: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + f"1;A;Lund\r\n2;B{char}ad;Malmö\r\n", encoding="utf-8", newline="")
    with pytest.raises(DataInputError, match=rf"c\.csv, row 3, column 'name': the control character "
                                             rf"{re.escape(shown)} is not allowed"):
        read_file(path, "customers")


def test_a_byte_order_mark_inside_the_file_is_refused_where_two_exports_were_joined(tmp_path: Path) -> None:
    """``cat a.csv b.csv``: the second file's BOM would make its first number differ from the same number."""
    export = b"\xef\xbb\xbf" + (HEADER + "1;A;Lund\r\n").encode()
    path = tmp_path / "joined.csv"
    path.write_bytes(export + export)
    with pytest.raises(DataInputError, match=r"joined\.csv, row 3, column 'number': a byte-order mark \(U\+FEFF\) "
                                             r"inside the text"):
        read_file(path, "customers")


def test_tabs_and_line_breaks_inside_quoted_fields_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + '1;"Bolaget\tAB";"Lund\r\nSödra"\r\n', encoding="utf-8", newline="")
    frame = read_file(path, "customers")
    assert frame.iloc[0]["name"] == "Bolaget\tAB" and frame.iloc[0]["city"] == "Lund\r\nSödra"


def test_a_control_character_in_a_mapping_table_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "categories.csv"
    path.write_text("category,account,vat_code\nTravel,5800,\nMeals\x00,5831,\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"categories\.csv, row 3, column 'category': the control character "
                                             r"U\+0000"):
        read_table(path, "categories")


def test_an_unterminated_quote_names_the_row_it_opens_in(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + '1;A;Lund\r\n2;"B;Malmö\r\n3;C;Umeå\r\n', encoding="utf-8", newline="")
    with pytest.raises(DataInputError, match=r"c\.csv, row 3: a quote \(\"\) opened in this row is never closed"):
        read_file(path, "customers")


def test_a_field_over_the_csv_field_limit_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "1;A;Lund\r\n" + f"2;{'B' * (csv.field_size_limit() + 1)};Malmö\r\n",
                    encoding="utf-8", newline="")
    with pytest.raises(DataInputError, match=rf"c\.csv, row 3: a field is longer than {csv.field_size_limit()} "
                                             r"characters"):
        read_file(path, "customers")


# -- YAML --------------------------------------------------------------------


@pytest.mark.parametrize(("reader", "name", "text", "where"), [
    ("column mapping", "pm.yaml", "customers:\n  number: Kundnummer\n  name: [Namn,\n", "line 4, column 1"),
    ("account setup", "accounts.yaml", "bank_account: 1930\n  expense_account: 4010\n", "line 2, column 18"),
    ("params", "ci.yaml", "register: customers\nleft: 'ops.csv\n", "line 3, column 1"),
    ("column mapping", "twice.yaml", "customers:\n  number: Kundnummer\n  number: Nr\n", "line 3, column 3"),
])
def test_a_broken_yaml_file_names_file_line_and_column_in_one_line(tmp_path: Path, reader: str, name: str,
                                                                   text: str, where: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataInputError) as caught:
        _readers(tmp_path)[reader](path)
    message = str(caught.value)
    assert message.startswith(f"{path}, {where}: ") and "\n" not in message, message


def test_a_key_given_twice_in_yaml_is_refused_but_a_merge_may_override(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("base: &b {threshold: 85, master: left}\nrun:\n  <<: *b\n  threshold: 90\n", encoding="utf-8")
    assert read_mapping(path, "params", "a mapping")["run"] == {"threshold": 90, "master": "left"}
    path.write_text("threshold: 85\nmaster: left\nthreshold: 90\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"line 3, column 1: .*the key 'threshold' is given twice "
                                             r"\(also on line 1\)"):
        read_mapping(path, "params", "a mapping")


@pytest.mark.parametrize(("data", "message"), [
    ("customers:\n  city: Malmö\n".encode("cp1252"), r"line 2, column 13: byte 0xf6 is not UTF-8"),
    (b"customers:\n  city: Ort\x00\n", r"line 2, column 12: the control character U\+0000"),
])
def test_a_yaml_file_that_is_not_utf8_text_names_line_and_column(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "pm.yaml"
    path.write_bytes(data)
    with pytest.raises(DataInputError, match=message):
        load_mapping(path, "customers")


def test_a_yaml_file_in_utf16_with_its_bom_reads(tmp_path: Path) -> None:
    path = tmp_path / "pm.yaml"
    path.write_bytes("customers:\n  city: Ort för faktura\n".encode("utf-16"))
    assert load_mapping(path, "customers") == {"city": "Ort för faktura"}


def test_a_set_value_that_is_not_yaml_is_one_line_error() -> None:
    with pytest.raises(DataInputError, match=r"--set threshold, line 1, column 4: invalid YAML in the value"):
        load_params(None, ["threshold=[1,"])


# -- through the CLI: exit 2, one line, nothing written ----------------------


BAD_REGISTERS = {
    "bom-then-cp1252.csv": (b"\xef\xbb\xbf" + HEADER.encode() + "1;Malmö AB;Malmö\r\n".encode("cp1252"),
                            "row 2, column 'name': byte 0xf6 is not UTF-8, though"),
    "two-encodings.csv": (HEADER.encode() + "1;Åre AB;Åre\r\n".encode() + "2;Malmö AB;Malmö\r\n".encode("cp1252"),
                          "row 3, column 'name': byte 0xf6 is not UTF-8, but"),
    "nul.csv": ((HEADER + "1;A\x00B;Lund\r\n").encode(), "row 2, column 'name': the control character U+0000"),
    "esc.csv": ((HEADER + "1;=A\x1b[31m;Lund\r\n").encode(), "row 2, column 'name': the control character U+001B"),
    "quote.csv": ((HEADER + '1;"A;Lund\r\n2;B;Malmö\r\n').encode(), "row 2: a quote"),
    "utf16-no-bom.csv": ((HEADER + "1;A;Lund\r\n").encode("utf-16-le"), ": the file looks like UTF-16"),
}


@pytest.mark.parametrize("name", sorted(BAD_REGISTERS))
def test_reconcile_of_a_bad_file_exits_2_with_one_line_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    data, message = BAD_REGISTERS[name]
    bad = tmp_path / name
    bad.write_bytes(data)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "1;A;Lund\r\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["reconcile", "customers", "--left", str(good), "--right", str(bad), "--out", str(out)]) == 2
    assert one_error_line(capsys).startswith(f"ops: {bad}{'' if message.startswith(':') else ', '}{message}")
    assert not out.exists()


@pytest.mark.parametrize("kind", ["folder", "fifo", "unreadable"])
def test_reconcile_of_a_folder_fifo_or_unreadable_file_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest, kind: str) -> None:
    if kind == "unreadable":
        bad = request.getfixturevalue("unreadable")
    else:
        bad = tmp_path / "export.csv"
        bad.mkdir() if kind == "folder" else os.mkfifo(bad)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "1;A;Lund\r\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["reconcile", "customers", "--left", str(bad), "--right", str(good), "--out", str(out)]
    assert without_blocking_on(bad, lambda: main(argv)) == 2
    assert one_error_line(capsys).startswith(f"ops: {bad}: ")
    assert not out.exists()


def test_reconcile_with_a_broken_column_mapping_exits_2_with_file_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "pm.yaml"
    mapping.write_text("customers:\n  number: Kundnummer\n   name: Namn\n", encoding="utf-8")
    source = str(PM_EXPORT_DIR / "customers.csv")
    assert main(["reconcile", "customers", "--left", source, "--right", source, "--mapping", str(mapping),
                 "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys).startswith(f"ops: {mapping}, line 3, column ")


@pytest.mark.parametrize(("kind", "data", "message"), [
    ("expenses", EXPENSES.encode() + "E-1;2026-06-02;card;50.00;SEK;Meals;Lunch\x00\r\n".encode(),
     "row 2, column 'note': the control character U+0000"),
    ("expenses", EXPENSES.encode() + "E-1;2026-06-02;card;50.00;SEK;Meals;Åre\r\n".encode()
     + "E-2;2026-06-02;card;50.00;SEK;Meals;Malmö\r\n".encode("cp1252"), "row 3, column 'note': byte 0xf6"),
    ("payroll", b"\xef\xbb\xbfaccount;debit;credit;text;period\r\n"
     + "7210;100;;Lön för maj;2026-05\r\n".encode("cp1252"),
     "row 2, column 'text': byte 0xf6 is not UTF-8"),
])
def test_book_vouchers_of_a_bad_journal_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                kind: str, data: bytes, message: str) -> None:
    journal = tmp_path / f"{kind}.csv"
    journal.write_bytes(data)
    out = tmp_path / "out"
    assert main(["book-vouchers", f"--{kind}", str(journal), "--target", "demo-sandbox", "--mappings",
                 str(MAPPINGS), "--state-db", str(tmp_path / "s.sqlite"), "--out", str(out)]) == 2
    assert one_error_line(capsys).startswith(f"ops: {journal}, {message}")
    assert not out.exists()


def test_book_vouchers_with_a_broken_accounts_yaml_or_columns_file_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    for name in ("categories.csv", "tags.csv"):
        (folder / name).write_bytes((MAPPINGS / name).read_bytes())
    (folder / "accounts.yaml").write_text("bank_account: '1930\n", encoding="utf-8")
    journal = tmp_path / "expenses.csv"
    journal.write_text(EXPENSES + "E-1;2026-06-02;card;50.00;SEK;Meals;Lunch\r\n", encoding="utf-8")
    common = ["book-vouchers", "--expenses", str(journal), "--target", "demo-sandbox",
              "--state-db", str(tmp_path / "s.sqlite"), "--out", str(tmp_path / "out")]
    assert main([*common, "--mappings", str(folder)]) == 2
    assert one_error_line(capsys).startswith(f"ops: {folder / 'accounts.yaml'}, line 2, column 1: ")
    columns = tmp_path / "columns.yaml"
    columns.write_text("expenses: {note: Text\n", encoding="utf-8")
    assert main([*common, "--mappings", str(MAPPINGS), "--columns", str(columns)]) == 2
    assert one_error_line(capsys).startswith(f"ops: {columns}, line 2, column 1: ")
    assert not (tmp_path / "out").exists()


def test_mappings_import_of_a_utf16_table_reads_and_of_a_control_character_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    table = tmp_path / "categories.txt"
    table.write_bytes("category\taccount\tvat_code\r\nResor\t5800\t\r\n".encode("utf-16"))
    assert main(["mappings", "import", "categories", str(table), "--mappings", str(folder)]) == 0
    assert (folder / "categories.csv").read_text(encoding="utf-8") == "category,account,vat_code,vat_treatment,vat_rate\nResor,5800,,,\n"
    capsys.readouterr()
    table.write_bytes("category\taccount\r\nResor\x07\t5800\r\n".encode("utf-16"))
    (folder / "categories.csv").unlink()
    assert main(["mappings", "import", "categories", str(table), "--mappings", str(folder)]) == 2
    assert one_error_line(capsys).startswith(f"ops: {table}, row 2, column 'category': the control character U+0007")
    assert not (folder / "categories.csv").exists()


@pytest.mark.parametrize(("args", "where"), [
    (["--params", "{params}"], "line 3, column 1: invalid YAML in the parameters"),
    (["--set", "threshold=[85,"], "--set threshold, line 1, column 5: invalid YAML in the value"),
])
def test_ops_run_with_broken_params_exits_2_with_one_line_before_anything_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], where: str) -> None:
    params = tmp_path / "ci.yaml"
    params.write_text("register: customers\nleft: [a\n", encoding="utf-8")
    runs = tmp_path / "runs"
    argv = ["run", str(ROOT / "notebooks" / "20_reconcile.ipynb"), "--out", str(runs)]
    assert main(argv + [a.format(params=params) for a in args]) == 2
    err = one_error_line(capsys)
    assert err.startswith("ops run: ") and where in err
    assert not runs.exists()
