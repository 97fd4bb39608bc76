"""Supplier invoices as project costs: the lines, the ledger across overlapping periods, the file, a crash.

The unit tests build the plan from supplier invoices as a poster returns
them (:class:`FakeSupplierPoster`); the end-to-end tests at the bottom
read them from the sandbox through eAccounting's poster.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest

from ops_lib.core.errors import ConfigurationError, ConflictError
from ops_lib.invoicing import cost_apply
from ops_lib.invoicing.cost_apply import apply_costs, recover_files
from ops_lib.invoicing.cost_file import COST_HEADER, file_has_line
from ops_lib.invoicing.cost_session import company_currency, cost_settings, open_costs, run_costs, standard_rate
from ops_lib.invoicing.costs import ALREADY, BLOCKED, FOUND, NEW, WRITE_AGAIN, CostPlan, CostTransfers, plan_costs
from ops_lib.invoicing.periods import Period, parse_period
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.invoices import SupplierInvoice, SupplierInvoiceRow
from ops_lib.state.db import open_state
from tests.conftest import TODAY, Crash

DEC = date(2026, 12, 15)
RATE = standard_rate(SetupRules(country="SE"))


def invoice(id: str, day: date, *rows: tuple[str, str], supplier: str = "Bygg & Co", voucher: str = "") -> SupplierInvoice:
    lines = tuple(SupplierInvoiceRow("4010", Decimal(amount), project) for amount, project in rows)
    total = sum((r.amount for r in lines), Decimal(0))
    return SupplierInvoice(id, f"F{id}", "S1", supplier, day, voucher or f"A{id}", total, total / 4, "SEK", lines)


INVOICES = [
    invoice("11", date(2026, 11, 20), ("1000", "P100")),
    invoice("21", date(2026, 12, 2), ("250.50", "P100"), ("99.5", "P100"), ("400", "P200"), ("80", "")),
    invoice("22", date(2026, 12, 9), ("1200", ""), supplier="Hyresvärden"),
    invoice("23", date(2026, 12, 12), ("333.335", "P300")),
]


class FakeSupplierPoster:
    """The part of an invoice poster the supplier costs use: the invoices dated in a period."""

    target = "fake:company"

    def __init__(self, invoices: list[SupplierInvoice]) -> None:
        self.invoices = invoices

    def supplier_invoices(self, start: date, end: date) -> list[SupplierInvoice]:
        return [i for i in self.invoices if start <= i.invoice_date <= end]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_state(tmp_path / "state.sqlite")
    yield connection
    connection.close()


def plan_for(db: sqlite3.Connection, period: Period, invoices: list[SupplierInvoice] = INVOICES,
             billable: bool = True) -> CostPlan:
    poster = FakeSupplierPoster(invoices)
    return plan_costs(poster.target, period, poster.supplier_invoices(period.start, period.end),
                      CostTransfers(db, poster.target), RATE, billable, currency="SEK")


def read_file(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    return list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))


def test_one_line_per_invoice_and_project_and_the_invoices_without_a_project_are_listed(db: Any) -> None:
    plan = plan_for(db, parse_period("this_month", today=DEC))
    assert [(c.line.invoice_id, c.line.project, c.line.amount, c.status) for c in plan.costs] == [
        ("21", "P100", Decimal("350.00"), NEW), ("21", "P200", Decimal("400"), NEW),
        ("23", "P300", Decimal("333.335"), NEW)]
    first = plan.costs[0].line
    assert first.key == "supplier-invoice:21:P100"
    assert first.description == "2026-12-02 A21 Bygg & Co"
    assert first.vat_rate == Decimal("0.25") and first.billable
    assert [i.id for i in plan.unassigned] == ["22"]
    text = plan.describe()
    assert "not transferred: supplier invoice F22 (Hyresvärden, 2026-12-09): no project on its rows" in text
    assert "3 cost line(s) to write (1083.335)" in text
    frame = plan.to_frame()
    assert list(frame["status"]) == [NEW, NEW, NEW, "not_transferred"]
    assert plan.register == "supplier_costs" and len(plan.plan_hash) == 64
    assert [a.number for a in plan.actions] == ["21:P100", "21:P200", "23:P300"]


def test_the_import_file_has_the_project_tools_format(db: Any, tmp_path: Path) -> None:
    plan = plan_for(db, parse_period("this_month", today=DEC), billable=False)
    path = apply_costs(plan, CostTransfers(db, plan.target), tmp_path / "out").file
    assert path is not None and path.name.startswith("project_costs_") and path.suffix == ".csv"
    assert path.stat().st_mode & 0o777 == 0o600
    rows = read_file(path)
    assert rows[0] == list(COST_HEADER)
    assert rows[1:] == [
        ["P100", "2026-12-02", "2026-12-02 A21 Bygg & Co", "1", "350,00", "350,00", "25", "Nej", "21"],
        ["P200", "2026-12-02", "2026-12-02 A21 Bygg & Co", "1", "400,00", "400,00", "25", "Nej", "21"],
        # 333.335 rounds half away from zero, as the project tool takes two decimals
        ["P300", "2026-12-12", "2026-12-12 A23 Bygg & Co", "1", "333,34", "333,34", "25", "Nej", "23"]]
    assert file_has_line(path, "21", "P200") and not file_has_line(path, "21", "P300")


def test_an_overlapping_period_and_a_rerun_write_only_what_was_not_transferred(db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    first = apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path).file
    assert first is not None
    overlap = plan_for(db, parse_period("2026-11-01..2026-12-31"))
    assert [(c.line.invoice_id, c.status) for c in overlap.costs] == [
        ("11", NEW), ("21", ALREADY), ("21", ALREADY), ("23", ALREADY)]
    assert [a.number for a in overlap.actions] == ["11:P100"]
    second = apply_costs(overlap, ledger, tmp_path).file
    assert second is not None and second != first and first.exists()  # a new file: the first is not overwritten
    assert [r[-1] for r in read_file(second)[1:]] == ["11"]
    again = plan_for(db, parse_period("2026-11-01..2026-12-31"))
    assert not again.writable and apply_costs(again, ledger, tmp_path).file is None
    assert len(list(tmp_path.glob("project_costs_*.csv"))) == 2
    assert "already transferred 11:P100" in again.describe()


def test_a_line_whose_amount_moved_after_transfer_is_not_sent_again(db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path)
    changed = [invoice("21", date(2026, 12, 2), ("999", "P100"), ("400", "P200"))]
    assert [c.status for c in plan_for(db, parse_period("this_month", today=DEC), changed).costs] == [ALREADY] * 2


def test_a_crash_before_the_file_is_written_plans_the_lines_again(db: Any, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)

    def crash(*_: Any) -> None:
        raise Crash("killed before the file")

    with monkeypatch.context() as patched, pytest.raises(Crash):
        patched.setattr(cost_apply, "write_temp_file", crash)
        apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path)
    assert {t.status for t in ledger.of(["supplier-invoice:21:P100"]).values()} == {"writing"}
    assert not list(tmp_path.glob("*.csv"))
    plan = plan_for(db, parse_period("this_month", today=DEC))
    assert [c.status for c in plan.costs] == [WRITE_AGAIN] * 3
    path = apply_costs(plan, ledger, tmp_path).file
    assert path is not None and [r[-1] for r in read_file(path)[1:]] == ["21", "21", "23"]
    assert [c.status for c in plan_for(db, parse_period("this_month", today=DEC)).costs] == [ALREADY] * 3


def test_a_crash_after_the_temp_file_before_the_commit_deletes_it_and_plans_the_lines_again(
        db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)

    def crash(self: CostTransfers, keys: Any) -> None:
        raise Crash("killed after the temp file, before the commit")

    with monkeypatch.context() as patched, pytest.raises(Crash):
        patched.setattr(CostTransfers, "written", crash)
        apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path)
    (temp,) = list(tmp_path.glob(".project_costs_*.csv.tmp"))
    assert not list(tmp_path.glob("*.csv")) and temp.stat().st_mode & 0o777 == 0o600
    assert {t.status for t in ledger.of(["supplier-invoice:21:P100"]).values()} == {"writing"}
    assert recover_files(ledger) == [] and not temp.exists()  # the tool never saw a final file of these lines
    plan = plan_for(db, parse_period("this_month", today=DEC))
    assert [c.status for c in plan.costs] == [WRITE_AGAIN] * 3
    path = apply_costs(plan, ledger, tmp_path).file
    assert path is not None and list(tmp_path.glob("*.csv")) == [path] and not list(tmp_path.glob(".*.tmp"))
    assert [r[-1] for r in read_file(path)[1:]] == ["21", "21", "23"]
    assert [c.status for c in plan_for(db, parse_period("this_month", today=DEC)).costs] == [ALREADY] * 3


def test_a_crash_after_the_commit_before_the_rename_is_finished_not_written_again(
        db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)

    def crash(path: Any) -> None:
        raise Crash("killed after the commit, before the rename")

    with monkeypatch.context() as patched, pytest.raises(Crash):
        patched.setattr(cost_apply, "publish", crash)
        apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path)
    assert not list(tmp_path.glob("*.csv")) and list(tmp_path.glob(".project_costs_*.csv.tmp"))
    plan = plan_for(db, parse_period("this_month", today=DEC))
    assert [c.status for c in plan.costs] == [ALREADY] * 3 and not plan.writable
    assert apply_costs(plan, ledger, tmp_path).file is None  # the apply's recovery renames the file into place
    (path,) = list(tmp_path.glob("*.csv"))
    assert not list(tmp_path.glob(".*.tmp")) and path.stat().st_mode & 0o777 == 0o600
    assert {t.file for t in ledger.of(c.line.key for c in plan.costs).values()} == {str(path.resolve())}
    assert [r[-1] for r in read_file(path)[1:]] == ["21", "21", "23"]


def test_a_file_removed_after_its_import_is_never_written_again(db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    path = apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path).file
    assert path is not None
    path.rename(tmp_path.parent / "imported.csv")  # the person imported it and moved it away
    assert recover_files(ledger) == []
    plan = plan_for(db, parse_period("this_month", today=DEC))
    assert [c.status for c in plan.costs] == [ALREADY] * 3
    assert apply_costs(plan, ledger, tmp_path).file is None and not list(tmp_path.glob("*csv*"))


def test_a_writing_line_an_older_versions_file_holds_counts_as_written(db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    path = apply_costs(plan_for(db, parse_period("this_month", today=DEC)), ledger, tmp_path).file
    db.execute("UPDATE cost_transfers SET status = 'writing'")  # the older order: file first, then the mark
    db.commit()
    plan = plan_for(db, parse_period("this_month", today=DEC))
    assert [c.status for c in plan.costs] == [FOUND] * 3 and not plan.writable and not plan.actions
    assert apply_costs(plan, ledger, tmp_path).file is None and list(tmp_path.glob("*.csv")) == [path]
    assert {t.status for t in ledger.of(c.line.key for c in plan.costs).values()} == {"written"}


def test_the_same_plan_applied_twice_writes_its_lines_once(db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    plan = plan_for(db, parse_period("this_month", today=DEC))
    first = apply_costs(plan, ledger, tmp_path)
    assert first.file is not None and not first.already
    second = apply_costs(plan, ledger, tmp_path)  # a stale plan: its statuses still say "new"
    assert second.file is None
    assert second.already == {c.line.key: str(first.file.resolve()) for c in plan.writable}
    assert list(tmp_path.glob("*.csv")) == [first.file]
    assert [r[-1] for r in read_file(first.file)[1:]] == ["21", "21", "23"]


def test_a_stale_plan_applied_through_the_session_reports_its_lines_already_transferred(sandbox: Any,
                                                                                       tmp_path: Path) -> None:
    sandbox.connect()
    settings = cost_settings(target="sandbox", state_db=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path))
    with open_costs(settings, transport=sandbox.transport, today=TODAY) as s:
        plan = s.plan()
        first = s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
        second = s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    assert first.count("written") == len(plan.writable) > 0
    assert second.file is None and second.count("written") == 0
    assert second.count(ALREADY) == len(plan.writable)
    assert {o.file for o in second.outcomes if o.outcome == ALREADY} == {str(first.file.resolve())}
    assert len(list(tmp_path.glob("project_costs_*.csv"))) == 1


def test_an_invoice_moved_to_another_project_after_its_transfer_is_blocked_not_written_again(
        db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    split = [invoice("51", date(2026, 12, 5), ("100", "P100"), ("50", "P300"))]
    first = apply_costs(plan_for(db, parse_period("this_month", today=DEC), split), ledger, tmp_path)
    assert first.file is not None and [r[0] for r in read_file(first.file)[1:]] == ["P100", "P300"]  # split: both go
    moved = [invoice("51", date(2026, 12, 5), ("100", "P200"), ("50", "P300"))]
    plan = plan_for(db, parse_period("this_month", today=DEC), moved)
    assert [(c.line.project, c.status) for c in plan.costs] == [("P200", BLOCKED), ("P300", ALREADY)]
    day = ledger.of(["supplier-invoice:51:P100"])["supplier-invoice:51:P100"].updated_at[:10]
    assert plan.costs[0].problem == (
        f"supplier invoice F51 of Bygg & Co was transferred to project(s) P100, P300 on {day}; its project rows "
        f"changed since — correct it in the project tool by hand")
    assert not plan.writable and apply_costs(plan, ledger, tmp_path).file is None
    assert list(tmp_path.glob("*.csv")) == [first.file]


def test_a_stale_plan_of_an_invoice_since_written_on_another_project_leaves_the_line_out(
        db: Any, tmp_path: Path) -> None:
    ledger = CostTransfers(db, FakeSupplierPoster.target)
    stale = plan_for(db, parse_period("this_month", today=DEC), [invoice("52", date(2026, 12, 5), ("70", "P100"))])
    moved = [invoice("52", date(2026, 12, 5), ("70", "P200"))]
    written = apply_costs(plan_for(db, parse_period("this_month", today=DEC), moved), ledger, tmp_path)
    applied = apply_costs(stale, ledger, tmp_path)
    assert applied.file is None and "transferred to project(s) P200" in applied.blocked["supplier-invoice:52:P100"]
    assert list(tmp_path.glob("*.csv")) == [written.file]


def test_a_supplier_invoice_in_another_currency_is_blocked_with_why(db: Any, tmp_path: Path) -> None:
    euro = invoice("61", date(2026, 12, 6), ("100", "P100"), ("20", "P200"))
    euro = SupplierInvoice(euro.id, euro.invoice_number, euro.supplier_number, euro.supplier_name,
                           euro.invoice_date, euro.voucher_number, euro.total, euro.vat, "eur", euro.rows)
    blank = invoice("62", date(2026, 12, 6), ("30", "P100"))
    blank = SupplierInvoice(blank.id, blank.invoice_number, blank.supplier_number, blank.supplier_name,
                            blank.invoice_date, blank.voucher_number, blank.total, blank.vat, "", blank.rows)
    plan = plan_for(db, parse_period("this_month", today=DEC), [euro, blank, INVOICES[3]])
    assert [(c.number, c.status) for c in plan.costs] == [("61:P100", BLOCKED), ("61:P200", BLOCKED),
                                                          ("62:P100", NEW), ("23:P300", NEW)]
    assert plan.costs[0].problem.startswith("the supplier invoice is in EUR, not the company's currency SEK")
    path = apply_costs(plan, CostTransfers(db, plan.target), tmp_path).file
    assert path is not None and [r[-1] for r in read_file(path)[1:]] == ["62", "23"]


def test_the_company_currency_is_the_countrys() -> None:
    assert (company_currency(SetupRules(country="SE")), company_currency(SetupRules(country="FI"))) == ("SEK", "EUR")
    with pytest.raises(ConfigurationError, match="names no country"):
        company_currency(SetupRules())


def test_zero_and_unwritable_lines_are_blocked_with_why(db: Any) -> None:
    odd = [invoice("31", date(2026, 12, 3), ("100", "P1"), ("-100", "P1")),
           invoice("32", date(2026, 12, 4), ("10", "P2"), supplier="Łódź Sp. z o.o.")]
    plan = plan_for(db, parse_period("this_month", today=DEC), odd)
    assert [c.status for c in plan.costs] == [BLOCKED, BLOCKED] and not plan.writable
    assert "sum to zero" in plan.costs[0].problem
    assert "Beskrivning" in plan.costs[1].problem and "cp1252" in plan.costs[1].problem


def test_an_invoice_dated_outside_the_period_or_repeated_is_read_once(db: Any) -> None:
    twice = [INVOICES[1], INVOICES[1], INVOICES[0]]
    plan = plan_costs("fake:company", parse_period("this_month", today=DEC), twice,
                      CostTransfers(db, "fake:company"), RATE, True, currency="SEK")
    assert [c.number for c in plan.costs] == ["21:P100", "21:P200"]


def test_the_plan_shows_escaped_html(db: Any) -> None:
    plan = plan_for(db, parse_period("this_month", today=DEC),
                    [invoice("41", date(2026, 12, 3), ("5", "P1"), supplier="<b>Evil</b>")])
    page = plan._repr_html_()
    assert "<b>Evil</b>" not in page and "&lt;b&gt;Evil&lt;/b&gt;" in page
    assert "Nothing has been written" in page


# -- end to end against the sandbox ---------------------------------------------------------------------------


def sandbox_costs(harness: Any, tmp_path: Path, period: str, *, apply: bool = True,
                  **options: Any) -> tuple[CostPlan, Any]:
    """Plan the period's supplier costs from the sandbox and (by default) write them under an approval."""
    settings = cost_settings(options, target="sandbox", period=period, billable=True,
                             state_db=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path / "out"))
    with open_costs(settings, transport=harness.transport, today=TODAY) as s:
        plan = s.plan()
        result = s.run(plan, apply=apply, approved_hash=plan.plan_hash if apply else "", approved_by="bertil")
        s.record(plan, result)
    return plan, result


def written_lines(tmp_path: Path) -> list[list[str]]:
    return [row for path in sorted((tmp_path / "out").glob("project_costs_*.csv")) for row in read_file(path)[1:]]


def test_sandbox_costs_are_written_once_across_overlapping_periods_and_reruns(sandbox: Any, tmp_path: Path) -> None:
    sandbox.connect()
    dry, result = sandbox_costs(sandbox, tmp_path, "this_month", apply=False)
    assert dry.writable and result.exit_code == 1 and not list(tmp_path.glob("out/project_costs_*"))
    assert all(c.line.invoice_date.month == TODAY.month for c in dry.costs)
    plan, result = sandbox_costs(sandbox, tmp_path, "this_month")
    assert result.exit_code == 0 and result.file is not None and result.count("written") == len(plan.writable)
    first = written_lines(tmp_path)
    assert {(r[0], r[-1]) for r in first} == {(c.line.project, c.line.invoice_id) for c in plan.writable}
    assert all(r[3] == "1" and r[4] == r[5] and r[6] == "25" and r[7] == "Ja" for r in first)
    assert all(r[2].startswith(r[1] + " ") for r in first)  # "<invoice date> <voucher number> <supplier>"

    last_month_start = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    overlap, result = sandbox_costs(sandbox, tmp_path, f"{last_month_start}..{TODAY}")
    assert {c.line.invoice_date.month for c in overlap.writable} == {last_month_start.month}
    assert len(overlap.with_status(ALREADY)) == len(plan.writable)
    assert overlap.unassigned, "the seed has a supplier invoice without a project (last month's rent)"
    assert all(i.invoice_date.month == last_month_start.month for i in overlap.unassigned)
    both = written_lines(tmp_path)
    keys = [(r[-1], r[0]) for r in both]
    assert len(keys) == len(set(keys)) == len(first) + len(overlap.writable)

    again, result = sandbox_costs(sandbox, tmp_path, "last_month")
    assert not again.writable and result.file is None and result.exit_code == 0
    assert written_lines(tmp_path) == both


def test_a_sandbox_run_that_dies_before_its_file_neither_loses_nor_duplicates(sandbox: Any, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox.connect()

    def crash(*_: Any) -> None:
        raise Crash("killed before the file")

    with monkeypatch.context() as patched, pytest.raises(Crash):
        patched.setattr(cost_apply, "write_temp_file", crash)
        sandbox_costs(sandbox, tmp_path, "this_month")
    plan, result = sandbox_costs(sandbox, tmp_path, "this_month")
    assert plan.writable and {c.status for c in plan.writable} == {WRITE_AGAIN}
    assert result.approval is not None
    assert len(written_lines(tmp_path)) == len(plan.writable)
    again, _ = sandbox_costs(sandbox, tmp_path, "this_month")
    assert not again.writable and len(written_lines(tmp_path)) == len(plan.writable)


def test_the_next_sessions_plan_finishes_a_rename_a_crash_left(sandbox: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox.connect()

    def crash(path: Any) -> None:
        raise Crash("killed after the commit, before the rename")

    with monkeypatch.context() as patched, pytest.raises(Crash):
        patched.setattr(cost_apply, "publish", crash)
        sandbox_costs(sandbox, tmp_path, "this_month")
    assert not written_lines(tmp_path) and list((tmp_path / "out").glob(".project_costs_*.csv.tmp"))
    plan, result = sandbox_costs(sandbox, tmp_path, "this_month", apply=False)  # a dry run's plan recovers it
    assert not plan.writable and result.exit_code == 0
    assert not list((tmp_path / "out").glob(".*.tmp")) and len(written_lines(tmp_path)) == len(plan.costs) > 0
    assert "an interrupted run" not in plan.describe()


def test_a_sandbox_apply_needs_its_approval(sandbox: Any, tmp_path: Path) -> None:
    sandbox.connect()
    settings = cost_settings(target="sandbox", state_db=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path))
    with open_costs(settings, transport=sandbox.transport, today=TODAY) as s:
        plan = s.plan()
        with pytest.raises(ConflictError, match="Nothing is applied without approval"):
            s.run(plan, apply=True, approved_by="bertil")
        with pytest.raises(ConflictError, match="Four-eyes"):
            s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by=s.preparer(plan), four_eyes=True)
    assert not list(tmp_path.glob("project_costs_*"))


def test_run_costs_prints_the_plan_and_how_to_apply_it(sandbox: Any, tmp_path: Path) -> None:
    sandbox.connect()
    out = io.StringIO()
    settings = cost_settings(target="sandbox", state_db=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path))
    code = run_costs(settings, out=out, transport=sandbox.transport, today=TODAY)
    text = out.getvalue()
    assert code == 1 and "Supplier cost plan" in text and "--apply --approved-hash" in text
    assert (tmp_path / "supplier_costs_plan.json").exists() and (tmp_path / "supplier_costs_plan.xlsx").exists()


def test_an_applied_result_records_and_saves_what_it_wrote(sandbox: Any, tmp_path: Path) -> None:
    sandbox.connect()
    settings = cost_settings(target="sandbox", state_db=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path))
    with open_costs(settings, transport=sandbox.transport, today=TODAY) as s:
        plan = s.plan()
        result = s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
        record = s.record(plan, result)
    assert record["actions_applied"] == len(plan.writable) > 0 and not record["dry_run"]
    assert record["import_file"] == str(result.file) and record["plan_hash"] == plan.plan_hash
    written = result.write(tmp_path)
    assert set(written) == {"xlsx", "json", "import"} and written["import"] == result.file
    body = json.loads(written["json"].read_text(encoding="utf-8"))
    assert body["applied"] and body["approval"]["approved_by"] == "bertil"
    assert [o["outcome"] for o in body["outcomes"]].count("written") == len(plan.writable)
    assert all(isinstance(o["amount"], str) for o in body["outcomes"])  # exact decimal text, never a float
    page = result._repr_html_()
    assert "ops-sync-ok" in page and f"{len(plan.writable)} cost line(s) written into {result.file.name}" in page
