"""Workbooks: owner-only, written whole or not at all, data as text, and CSV cells neutralised for Excel."""

from __future__ import annotations

import errno
import stat
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ops_lib.core import files
from ops_lib.core.workbook import excel_csv_cell, excel_csv_frame, write_workbook


def _book(path: Path, name: str = "Anna") -> Path:
    return write_workbook(path, {"Summary": pd.DataFrame({"name": [name]}), "Rows": pd.DataFrame({"n": [1, 2]})},
                          {"Summary": "#e8f5e9"})


def test_a_workbook_is_owner_only_even_over_a_readable_one(tmp_path: Path) -> None:
    target = tmp_path / "reconciliation.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o644)
    _book(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert openpyxl.load_workbook(target)["Summary"]["A2"].value == "Anna"


def test_a_write_that_fails_while_building_leaves_the_old_workbook_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _book(tmp_path / "sync_plan.xlsx")
    before = target.read_bytes()
    real = pd.DataFrame.to_excel
    calls: list[int] = []

    def second_sheet_fails(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd.DataFrame, "to_excel", second_sheet_fails)
    with pytest.raises(OSError, match="No space left"):
        _book(target, "Bertil")
    assert calls == [1, 1]
    assert [p.name for p in tmp_path.iterdir()] == ["sync_plan.xlsx"] and target.read_bytes() == before


def test_a_write_that_fails_on_disk_leaves_the_old_workbook_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _book(tmp_path / "sync_plan.xlsx")
    before = target.read_bytes()
    temps: list[str] = []
    real_mkstemp = files.tempfile.mkstemp

    def spy(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        temps.append(name)
        return fd, name

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.tempfile, "mkstemp", spy)
    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        _book(target, "Bertil")
    assert len(temps) == 1 and Path(temps[0]).parent == tmp_path  # it was written beside the target...
    assert [p.name for p in tmp_path.iterdir()] == ["sync_plan.xlsx"] and target.read_bytes() == before  # ...and removed


def test_the_temp_file_name_is_unique_so_a_leftover_at_the_old_name_does_not_matter(tmp_path: Path) -> None:
    (tmp_path / ".booking_plan.xlsx.tmp.xlsx").mkdir()  # what a fixed temp name would collide with
    target = _book(tmp_path / "booking_plan.xlsx")
    assert openpyxl.load_workbook(target)["Summary"]["A2"].value == "Anna"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".booking_plan.xlsx.tmp.xlsx", "booking_plan.xlsx"]


def test_formula_like_text_is_a_text_cell_holding_exactly_the_data(tmp_path: Path) -> None:
    names = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "=", "Anna"]
    target = write_workbook(tmp_path / "b.xlsx", {"S": pd.DataFrame({"=name": names, "n": range(len(names))})}, {})
    sheet = openpyxl.load_workbook(target)["S"]
    cells = [sheet.cell(row=r, column=1) for r in range(1, len(names) + 2)]
    assert [c.value for c in cells] == ["=name", *names]
    assert [c.data_type for c in cells] == ["s"] * len(cells)
    assert [sheet.cell(row=r, column=2).value for r in range(2, len(names) + 2)] == list(range(len(names)))


def test_an_object_written_as_its_text_is_kept_as_text_too(tmp_path: Path) -> None:
    target = write_workbook(tmp_path / "b.xlsx", {"S": pd.DataFrame({"file": [Path("=cmd|' /C calc'!A0")]})}, {})
    cell = openpyxl.load_workbook(target)["S"]["A2"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_control_characters_from_the_data_are_escaped_instead_of_crashing_the_write(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["Nul\x00Bolaget AB", "Bell\x07", "tab\tand\nnewline", "ok"],
                          "amount": [Decimal("-100.00"), Decimal("1"), Decimal("2"), Decimal("3")]})
    target = write_workbook(tmp_path / "b.xlsx", {"S": frame}, {})
    sheet = openpyxl.load_workbook(target)["S"]
    assert [sheet.cell(row=r, column=1).value for r in range(2, 6)] == [
        "Nul\\x00Bolaget AB", "Bell\\x07", "tab\tand\nnewline", "ok"]
    assert sheet["B2"].value == -100 and sheet["B2"].data_type == "n"
    assert frame.loc[0, "name"] == "Nul\x00Bolaget AB"  # the caller's frame is not changed


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("=", "'="), ("-", "'-"),
    ("-100,00", "-100,00"), ("-1 250.50", "-1 250.50"), ("+46", "+46"), ("Anna", "Anna"), ("", ""),
    ("a=b", "a=b"), (-5, -5), (Decimal("-100.00"), Decimal("-100.00"))])
def test_a_csv_cell_for_excel_is_neutralised_unless_it_is_a_plain_number(value: object, written: object) -> None:
    assert excel_csv_cell(value) == written


def test_a_csv_frame_for_excel_leaves_numeric_columns_alone() -> None:
    frame = pd.DataFrame({"name": ["=1+1", "-2"], "score": [-5, 3]})
    assert excel_csv_frame(frame).to_dict(orient="list") == {"name": ["'=1+1", "-2"], "score": [-5, 3]}
    assert frame.loc[0, "name"] == "=1+1"

