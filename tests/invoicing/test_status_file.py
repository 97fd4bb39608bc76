"""The status import file for the project tool: Windows-1252, semicolons, CRLF, one file per run, 0600."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ops_lib.invoicing.status_file import StatusLine, write_status_file
from ops_lib.model.invoices import MISSING, PAID, SENT, TRANSFERRED

NOW = dt.datetime(2026, 11, 30, 9, 15, 0, tzinfo=dt.timezone.utc)


def test_the_file_is_written_as_the_project_tool_imports_it(tmp_path: Path) -> None:
    lines = [StatusLine("7001", TRANSFERRED, "", dt.date(2026, 11, 30)),
             StatusLine("7002", SENT, "10042", dt.date(2026, 12, 1), dt.date(2026, 11, 5)),
             StatusLine("7004", PAID, "10043", dt.date(2026, 12, 2), dt.date(2026, 11, 12))]
    path = write_status_file(tmp_path, lines, now=NOW)
    assert path.name == "invoice_status_20261130-091500.csv"
    assert path.read_bytes() == (
        "Fakturaunderlag;Status;Fakturanummer;Fakturadatum;Datum\r\n"
        "7001;Överförd eEkonomi;;;2026-11-30\r\n"
        "7002;Skickad;10042;2026-11-05;2026-12-01\r\n"
        "7004;Betald;10043;2026-11-12;2026-12-02\r\n").encode("cp1252")
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_second_run_within_the_second_gets_its_own_file(tmp_path: Path) -> None:
    line = StatusLine("7001", TRANSFERRED, "", dt.date(2026, 11, 30))
    first = write_status_file(tmp_path, [line], now=NOW)
    second = write_status_file(tmp_path, [line], now=NOW)
    assert first != second and first.exists() and second.name == "invoice_status_20261130-091500-2.csv"


def test_no_leading_quote_is_added_to_a_formula_like_number(tmp_path: Path) -> None:
    path = write_status_file(tmp_path, [StatusLine("=7001", TRANSFERRED, "", dt.date(2026, 11, 30))], now=NOW)
    assert path.read_bytes().split(b"\r\n")[1].startswith(b"=7001;")


def test_a_missing_draft_has_no_status_to_write(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'missing' has no project-tool status"):
        write_status_file(tmp_path, [StatusLine("7001", MISSING, "", dt.date(2026, 11, 30))], now=NOW)
    with pytest.raises(ValueError, match="at least one line"):
        write_status_file(tmp_path, [], now=NOW)
    assert list(tmp_path.iterdir()) == []
