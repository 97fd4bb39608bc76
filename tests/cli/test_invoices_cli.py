"""``ops invoices drafts | status | supplier-costs``: flags into one settings object, then end to end on the sandbox."""

from __future__ import annotations

import re
import shlex
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ops_lib.cli.main import main
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from ops_lib.systems.eaccounting.options import EAccountingOptions
from tests.conftest import connect_over_socket


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The settings each invoice command hands its library function, instead of running it."""
    from ops_lib.invoicing import cost_session, draft_session, status_session

    found: list[Any] = []
    for owner, name in ((draft_session, "run_drafts"), (status_session, "run_status"), (cost_session, "run_costs")):
        monkeypatch.setattr(owner, name, lambda settings: found.append(settings) or 0)
    return found


def test_the_drafts_flags_land_in_the_draft_settings(seen: list[Any]) -> None:
    assert main(["invoices", "drafts", "--source", "exports/basis.csv", "--default-article", "100",
                 "--target", "production", "--company", "5566778899", "--state-db", "s.sqlite", "--out", "o",
                 "--apply", "--approved-hash", "abc", "--approved-by", "Bertil", "--four-eyes",
                 "--project-target", "projects"]) == 0
    (settings,) = seen
    assert (settings.source, settings.default_article, settings.target, settings.company) == (
        "exports/basis.csv", "100", "production", "5566778899")
    assert (settings.state_db, settings.out_dir) == ("s.sqlite", "o")
    assert (settings.apply, settings.approved_hash, settings.approved_by, settings.four_eyes) == (
        True, "abc", "Bertil", True)
    assert settings.system_options == EAccountingOptions("projects", EAccountingOptions().cost_center)


def test_unset_flags_leave_the_settings_defaults(seen: list[Any]) -> None:
    assert main(["invoices", "drafts"]) == 0
    assert main(["invoices", "status"]) == 0
    assert main(["invoices", "supplier-costs"]) == 0
    drafts, status, costs = seen
    assert (drafts.source, drafts.default_article, drafts.apply, drafts.approved_hash) == ("demo", "", False, "")
    assert (drafts.target, status.target, costs.target) == ("sandbox",) * 3
    assert (status.all_states, costs.period, costs.billable, costs.apply) == (False, "since_last_month", False, False)
    assert drafts.out_dir == status.out_dir == costs.out_dir == "build/invoices"


def test_status_all_and_the_supplier_cost_period_and_billable(seen: list[Any]) -> None:
    assert main(["invoices", "status", "--all", "--target", "sandbox"]) == 0
    assert main(["invoices", "supplier-costs", "--period", "2026-11-01..2026-11-30", "--billable"]) == 0
    assert main(["invoices", "supplier-costs", "--period", "last_month", "--not-billable"]) == 0
    status, billable, not_billable = seen
    assert status.all_states is True
    assert (billable.period, billable.billable) == ("2026-11-01..2026-11-30", True)
    assert (not_billable.period, not_billable.billable) == ("last_month", False)


def test_billable_and_not_billable_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["invoices", "supplier-costs", "--billable", "--not-billable"])
    assert exited.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_bad_period_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoices", "supplier-costs", "--period", "last_week", "--target", "demo-sandbox"]) == 2
    assert "last_week" in capsys.readouterr().err


def _apply_command(out: str, command: str) -> list[str]:
    """The arguments of the apply command a dry run printed (what a person would paste)."""
    found = re.search(rf"^To {command}: ops (invoices .*)$", out, re.M)
    assert found, out
    return shlex.split(found.group(1))


def _convert_and_pay(settings: Any, paid: str) -> dict[str, int]:
    """The sandbox's side: turn every draft into an invoice (sent, numbered), pay the one made of basis ``paid``."""
    from ops_lib.connection.connect import open_client

    numbers = {}
    with open_client(settings) as client:
        for draft in client.get_json("customerinvoicedrafts")["Data"]:
            marker = re.search(r"#ops-invoice-(\S+)", " ".join(r.get("Text") or "" for r in draft["Rows"]))
            invoice = client.send_json("POST", f"customerinvoicedrafts/{draft['Id']}/convert", draft)
            numbers[marker.group(1)] = invoice["InvoiceNumber"]
            if marker.group(1) == paid:
                client.send_json("POST", f"customerinvoices/{invoice['Id']}/payments", {
                    "CompanyBankAccountId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                    "PaymentAmount": invoice["RemainingAmount"], "PaymentType": 2,
                    "PaymentCurrency": invoice["CurrencyCode"], "PaymentDate": date.today().isoformat()})
    return numbers


def _status_lines(folder: Path) -> list[list[str]]:
    """Every line of every status import file in ``folder``, oldest file first, headers left out."""
    lines = []
    for path in sorted(folder.glob("invoice_status_*.csv"), key=lambda p: p.stat().st_mtime_ns):
        text = path.read_bytes().decode("cp1252")
        assert "\r\n" in text
        lines += [row.split(";") for row in text.splitlines()[1:]]
    return lines


def test_drafts_once_after_approval_then_status_and_numbers_come_back(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    common = ["--state-db", str(tmp_path / "state.sqlite"), "--out", str(out_dir)]
    with ServerThread(SandboxConfig()) as server:
        settings = connect_over_socket(server.base_url)
        common += ["--sandbox-url", server.base_url]
        assert main(["invoices", "drafts", "--default-article", "A01", *common]) == 1
        out = capsys.readouterr().out
        assert "5 draft(s) to create" in out and "credit notes are not transferred" in out
        apply = _apply_command(out, "create the drafts")
        assert apply[apply.index("--default-article") + 1] == "A01"

        assert main(["invoices", "drafts", "--default-article", "A01", *common, "--apply"]) == 2
        assert "Nothing is applied without approval" in capsys.readouterr().err

        assert main([*apply, "--approved-by", "Bertil", "--out", str(out_dir)]) == 1  # two stay blocked
        out = capsys.readouterr().out
        assert "5 draft(s) created" in out and "2 blocked" in out and "status file for the project tool" in out
        assert sorted((n, s) for n, s, *_ in _status_lines(out_dir)) == [
            (n, "Överförd eEkonomi") for n in ("7001", "7002", "7003", "7004", "7005")]

        assert main(["invoices", "drafts", "--default-article", "A01", *common]) == 1
        out = capsys.readouterr().out
        assert "0 draft(s) to create" in out and "5 already transferred" in out and "To create" not in out

        assert main(["invoices", "status", *common]) == 0
        assert "0 status line(s) written" in capsys.readouterr().out

        numbers = _convert_and_pay(settings, paid="7002")
        assert sorted(numbers) == ["7001", "7002", "7003", "7004", "7005"]
        assert main(["invoices", "status", *common]) == 0
        out = capsys.readouterr().out
        assert "5 status line(s) written" in out
        back = {n: (s, number) for n, s, number, *_ in _status_lines(out_dir)[5:]}
        assert back["7002"] == ("Betald", str(numbers["7002"]))
        assert back["7001"] == ("Skickad", str(numbers["7001"]))
        assert main(["invoices", "status", *common]) == 0
        assert "0 status line(s) written" in capsys.readouterr().out
        assert main(["invoices", "status", "--all", *common]) == 0
        assert "5 status line(s) written" in capsys.readouterr().out


def _cost_lines(folder: Path) -> list[tuple[str, str]]:
    """(project, supplier invoice id) of every line of every project-cost import file in ``folder``."""
    lines = []
    for path in folder.glob("project_costs_*.csv"):
        rows = path.read_bytes().decode("cp1252").splitlines()
        assert rows[0].split(";")[0] == "Projekt" and rows[0].split(";")[-1] == "Extern referens"
        lines += [(row.split(";")[0], row.split(";")[-1]) for row in rows[1:]]
    return lines


def test_supplier_costs_are_written_once_across_overlapping_periods(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    common = ["--state-db", str(tmp_path / "state.sqlite"), "--out", str(out_dir)]
    today = date.today()
    overlapping = f"{(today.replace(day=1) - timedelta(days=1)).replace(day=1)}..{today}"  # last month and this
    with ServerThread(SandboxConfig()) as server:
        connect_over_socket(server.base_url)
        common += ["--sandbox-url", server.base_url]
        assert main(["invoices", "supplier-costs", "--period", "last_month", "--billable", *common]) == 1
        apply = _apply_command(capsys.readouterr().out, "write the import file")
        assert "--billable" in apply and "last_month" in apply
        assert main([*apply, "--approved-by", "Bertil", "--out", str(out_dir)]) == 0
        first = _cost_lines(out_dir)
        assert first and re.search(r"\d+ cost line\(s\) written", capsys.readouterr().out)

        assert main(["invoices", "supplier-costs", "--period", overlapping, "--billable", *common]) == 1
        out = capsys.readouterr().out
        assert f"{len(first)} already transferred" in out
        assert main([*_apply_command(out, "write the import file"), "--approved-by", "Bertil",
                     "--out", str(out_dir)]) == 0
        capsys.readouterr()
        every = _cost_lines(out_dir)
        assert len(every) > len(first) and len(set(every)) == len(every)  # this month's added, none twice

        assert main(["invoices", "supplier-costs", "--period", overlapping, "--billable", *common]) == 0
        out = capsys.readouterr().out
        assert "0 cost line(s) to write" in out and "To write" not in out
        assert _cost_lines(out_dir) == every
