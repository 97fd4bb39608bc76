"""``ops book-vouchers``: a dry run by default, booking with the approved hash, exit 0/1/2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops_lib.cli.main import main
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from ops_lib.sources.demo_journals import write_demo_journals
from tests.conftest import TODAY, connect_over_socket

ROOT = Path(__file__).resolve().parents[2]


def test_dry_run_then_booking_with_the_approved_hash_then_nothing_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journals = write_demo_journals(tmp_path / "demo", TODAY.replace(day=1))
    common = ["--mappings", str(ROOT / "params" / "mappings"), "--out", str(tmp_path / "out"),
              "--state-db", str(tmp_path / "state.sqlite")]
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        common += ["--sandbox-url", server.base_url]
        assert main(["book-vouchers", "--payroll", str(journals["payroll"]), *common]) == 1
        out = capsys.readouterr().out
        plan_hash = re.search(r"--approved-hash ([0-9a-f]{64})", out)
        assert plan_hash and "1 voucher(s) to book (59139.00 booked for 59139.00 in the source)" in out
        assert "nothing was sent" in out
        assert json.loads((tmp_path / "out" / "booking_plan.json").read_text(encoding="utf-8"))["applied"] is False

        assert main(["book-vouchers", "--payroll", str(journals["payroll"]), *common, "--apply"]) == 2
        assert "Nothing is applied without approval" in capsys.readouterr().err

        assert main(["book-vouchers", "--payroll", str(journals["payroll"]), *common, "--apply",
                     "--approved-hash", plan_hash.group(1), "--approved-by", "bertil"]) == 0
        out = capsys.readouterr().out
        assert "1 booked (control total 59139.00 booked for 59139.00 in the source)" in out
        results = json.loads((tmp_path / "out" / "booking_results.json").read_text(encoding="utf-8"))
        assert results["approval"]["approved_by"] == "bertil" and results["counts"] == {"booked": 1}
        assert results["control_total"] == {"source_total": "59139.00", "booked_total": "59139.00",
                                            "difference": "0.00"}

        assert main(["book-vouchers", "--payroll", str(journals["payroll"]), *common]) == 0
        out = capsys.readouterr().out
        assert "0 voucher(s) to book" in out and "1 already booked" in out


def test_expenses_with_a_blocked_one_exit_1_and_name_the_fix(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    journals = write_demo_journals(tmp_path / "demo", TODAY.replace(day=1))
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        code = main(["book-vouchers", "--expenses", str(journals["expenses"]), "--sandbox-url", server.base_url,
                     "--mappings", str(ROOT / "params" / "mappings"), "--out", str(tmp_path / "out"),
                     "--state-db", str(tmp_path / "state.sqlite")])
    out = capsys.readouterr().out
    assert code == 1
    assert "blocked E-1008: row 10: the category 'Gifts' is not mapped (fix: add it to categories.csv" in out


def test_a_missing_journal_file_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["book-vouchers", "--expenses", str(tmp_path / "nope.csv"), "--target", "demo-sandbox",
                 "--mappings", str(ROOT / "params" / "mappings"), "--state-db", str(tmp_path / "s.sqlite")])
    assert code == 2 and "nope.csv: no such file" in capsys.readouterr().err


def test_mapping_tables_import_and_export_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mappings"
    assert main(["mappings", "export", "categories", str(tmp_path / "out.csv"),
                 "--mappings", str(ROOT / "params" / "mappings")]) == 0
    folder.mkdir()
    assert main(["mappings", "import", "categories", str(tmp_path / "out.csv"), "--mappings", str(folder)]) == 0
    assert (folder / "categories.csv").read_bytes() == (ROOT / "params" / "mappings" / "categories.csv").read_bytes()
    (tmp_path / "twice.csv").write_text("category;account\nTravel;5800\ntravel;5810\n", encoding="utf-8")
    assert main(["mappings", "import", "categories", str(tmp_path / "twice.csv"), "--mappings", str(folder)]) == 2
    assert "row 3" in capsys.readouterr().err


def test_a_second_payroll_run_of_a_booked_period_is_blocked_until_journal_id_names_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journals = write_demo_journals(tmp_path / "demo", TODAY.replace(day=1))
    period = TODAY.strftime("%Y-%m")
    bonus = tmp_path / "bonus.csv"
    bonus.write_text(f"account;debit;credit;period\n7210;5000;;{period}\n2820;;5000;{period}\n", encoding="utf-8")
    common = ["--mappings", str(ROOT / "params" / "mappings"), "--out", str(tmp_path / "out"),
              "--state-db", str(tmp_path / "state.sqlite"), "--approved-by", "bertil"]

    def book(path: Path, *extra: str) -> tuple[int, str]:
        assert main(["book-vouchers", "--payroll", str(path), *common, *extra]) in (0, 1)
        found = re.search(r"--approved-hash ([0-9a-f]{64})", capsys.readouterr().out)
        code = main(["book-vouchers", "--payroll", str(path), *common, *extra, "--apply",
                     *(["--approved-hash", found.group(1)] if found else [])])
        return code, capsys.readouterr().out

    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        common += ["--sandbox-url", server.base_url]
        assert book(journals["payroll"])[0] == 0
        assert main(["book-vouchers", "--payroll", str(bonus), *common]) == 1
        out = capsys.readouterr().out
        assert f"blocked {period}: payroll:{period} is booked already as voucher" in out
        assert "from other rows" in out and "--journal-id" in out and "0 voucher(s) to book" in out
        code, out = book(bonus, "--journal-id", "bonus")
        assert code == 0 and "1 booked" in out
        assert main(["book-vouchers", "--payroll", str(bonus), *common, "--journal-id", "bonus"]) == 0
        assert "0 voucher(s) to book" in capsys.readouterr().out
        assert main(["book-vouchers", "--payroll", str(journals["payroll"]), *common]) == 0
        assert "1 already booked" in capsys.readouterr().out
