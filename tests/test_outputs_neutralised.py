"""What the suite writes: formula-like names stay text, and every output is owner-only.

Names that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
go through reconcile, sync (dry run and apply, with an import file) and the
voucher booking against a sandbox on loopback; then every workbook written
is opened and must hold no formula, the CSV meant for Excel must carry the
leading ``'``, and every output must be mode 0600.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ops_lib.cli.main import main
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sandbox.server import ServerThread
from ops_lib.sources.demo_journals import write_demo_journals
from tests.conftest import TODAY, connect_over_socket

ROOT = Path(__file__).resolve().parents[1]
MAPPING = str(ROOT / "params" / "columns" / "pm.yaml")
NASTY = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _customers(path: Path, extra: bool) -> Path:
    """The demo export with customer 1001 renamed to a formula and, with ``extra``, five new formula-named ones."""
    text = (PM_EXPORT_DIR / "customers.csv").read_bytes().decode("cp1252")
    lines = text.splitlines()
    template = lines[1].split(";")
    lines[1] = ";".join([template[0], NASTY[0], *template[2:]])
    if extra:
        for offset, name in enumerate(NASTY):
            lines.append(";".join([str(9001 + offset), name, "", "", *template[4:]]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _expenses(folder: Path) -> tuple[Path, Path]:
    """The demo expenses with formula-like ids, a category, notes and an employee; and mappings that map it."""
    journals = write_demo_journals(folder / "demo", TODAY.replace(day=1))
    rows = list(csv.reader(io.StringIO(journals["expenses"].read_text(encoding="utf-8")), delimiter=";"))
    header = rows[0]
    at = {name: header.index(name) for name in ("expense_id", "category", "note", "employee")}
    rows[1][at["category"]], rows[1][at["note"]] = NASTY[1], NASTY[0]
    rows[3][at["employee"]], rows[3][at["note"]] = NASTY[4], NASTY[2]
    rows[2][at["expense_id"]] = "-2+3"
    blocked = next(r for r in rows if r[at["category"]] == "Gifts")
    blocked[at["category"]] = NASTY[3]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    journals["expenses"].write_text(buffer.getvalue(), encoding="utf-8")
    mappings = folder / "mappings"
    shutil.copytree(ROOT / "params" / "mappings", mappings)
    with (mappings / "categories.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([NASTY[1], "5800", "48"])
    return journals["expenses"], mappings


def _formula_cells(path: Path) -> list[str]:
    """Every cell openpyxl reads as a formula, and every ``<f>`` element in the sheets' XML."""
    found = []
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            found += [f"{sheet.title}!{c.coordinate}={c.value!r}" for c in row if c.data_type == "f"]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(name)):
                found.append(f"{name} has a <f> element")
    return found


def _texts(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path)
    return {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}


@pytest.mark.slow
def test_formula_like_names_stay_text_in_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = ["--state-db", str(tmp_path / "state.sqlite")]
    expenses, mappings = _expenses(tmp_path)
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        url = ["--sandbox-url", server.base_url]
        with_new = _customers(tmp_path / "customers_new.csv", extra=True)
        assert main(["reconcile", "customers", "--left", str(with_new), "--mapping", MAPPING, "--right", "sandbox",
                     *url, "--out", str(tmp_path / "reconcile")]) == 1

        # The five new names go to eAccounting, so the next sync brings them back into an import file.
        sync = ["sync", "customers", "--mapping", MAPPING, "--right", "sandbox", *url, *state]
        assert main([*sync, "--left", str(with_new), "--out", str(tmp_path / "sync1")]) == 1
        plan_hash = re.search(r"--approved-hash ([0-9a-f]{64})", capsys.readouterr().out)
        assert plan_hash
        assert main([*sync, "--left", str(with_new), "--out", str(tmp_path / "sync1"), "--apply",
                     "--approved-hash", plan_hash.group(1), "--approved-by", "bertil"]) == 1  # renames stay manual
        assert "0 failed" in capsys.readouterr().out
        without = _customers(tmp_path / "customers.csv", extra=False)
        assert main([*sync, "--left", str(without), "--out", str(tmp_path / "sync2")]) == 1
        plan_hash = re.search(r"--approved-hash ([0-9a-f]{64})", capsys.readouterr().out)
        assert plan_hash
        assert main([*sync, "--left", str(without), "--out", str(tmp_path / "sync2"), "--apply",
                     "--approved-hash", plan_hash.group(1), "--approved-by", "bertil"]) == 1
        assert "0 failed" in capsys.readouterr().out

        export = ["book-vouchers", "--expenses", str(expenses), "--mappings", str(mappings), *url, *state,
                  "--out", str(tmp_path / "export")]
        assert main(export) == 1
        plan_hash = re.search(r"--approved-hash ([0-9a-f]{64})", capsys.readouterr().out)
        assert plan_hash
        assert main([*export, "--apply", "--approved-hash", plan_hash.group(1), "--approved-by", "bertil"]) == 1
        assert "0 failed, 1 blocked" in capsys.readouterr().out  # E-1008's category is not mapped
    capsys.readouterr()

    books = sorted(tmp_path.glob("*/*.xlsx"))
    assert {p.relative_to(tmp_path).as_posix() for p in books} >= {
        "reconcile/reconciliation.xlsx", "sync1/sync_plan.xlsx", "sync1/sync_results.xlsx",
        "sync2/sync_plan.xlsx", "sync2/sync_results.xlsx", "export/booking_plan.xlsx", "export/booking_results.xlsx"}
    for book in books:
        assert _formula_cells(book) == [], book
    # The values stay exactly as in the data, as text.
    assert set(NASTY) <= _texts(tmp_path / "reconcile" / "reconciliation.xlsx")
    assert set(NASTY) <= _texts(tmp_path / "sync2" / "sync_plan.xlsx")
    for stem in ("booking_plan", "booking_results"):
        texts = _texts(tmp_path / "export" / f"{stem}.xlsx")
        assert "-2+3" in texts and f"{NASTY[1]} {NASTY[0]}" in texts  # an expense id; a row's category and note

    # reconciliation.csv is for Excel: every formula-like text cell carries a leading '.
    with (tmp_path / "reconcile" / "reconciliation.csv").open(encoding="utf-8", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert {f"'{name}" for name in NASTY} <= set(cells)
    assert not [c for c in cells if c.startswith(TRIGGERS)]

    # The import file is for the project tool's importer: the names go back exactly as they are.
    imported = (tmp_path / "sync2" / "import_customers_customers.csv").read_bytes().decode("cp1252")
    names = {row[1] for row in csv.reader(io.StringIO(imported), delimiter=";")}
    assert set(NASTY) - {NASTY[0]} <= names

    outputs = [p for p in tmp_path.glob("*/*") if p.is_file() and p.parent.name in
               ("reconcile", "sync1", "sync2", "export")]
    assert len(outputs) >= 15
    assert {p.relative_to(tmp_path).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in outputs
            if stat.S_IMODE(p.stat().st_mode) != 0o600} == {}
