"""Invoice states back to the project tool: what changed since last reported, every state on request, missing drafts.

The unit tests read the states from a poster that answers as told
(:class:`FakeStatePoster`); the end-to-end tests at the bottom create the
drafts in the sandbox, convert and pay them through its API, and read the
states back through eAccounting's poster.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence

import httpx
import pytest

from ops_lib.core.errors import ConfigurationError
from ops_lib.invoicing.connected import InvoicingConnection, invoice_poster
from ops_lib.invoicing.status_session import StatusSession, basis_marker, run_status, status_settings
from ops_lib.invoicing.transfers import CREATED, SENDING, UNKNOWN, InvoiceTransfers
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.invoices import (
    ARTICLE_ROW,
    MISSING,
    PAID,
    SENT,
    TRANSFERRED,
    InvoiceBasis,
    InvoiceParty,
    InvoiceRow,
    InvoiceState,
)
from ops_lib.state.db import open_state
from ops_lib.systems.registry import get as get_system
from tests.conftest import TODAY as SANDBOX_TODAY

TODAY = date(2026, 12, 15)


class FakeStatePoster:
    """The part of an invoice poster the status run uses: each marker's state, as the test sets it."""

    target = "fake:company"

    def __init__(self) -> None:
        self.now: dict[str, InvoiceState] = {}
        self.asked: list[list[str]] = []

    def set(self, number: str, status: str, invoice_number: str = "", day: date | None = None) -> None:
        marker = basis_marker(number)
        self.now[marker] = InvoiceState(marker, status, invoice_number=invoice_number, invoice_date=day)

    def states(self, markers: Sequence[str]) -> dict[str, InvoiceState]:
        self.asked.append(list(markers))
        return {m: self.now.get(m, InvoiceState(m, MISSING)) for m in markers}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_state(tmp_path / "state.sqlite")
    yield connection
    connection.close()


def session(db: sqlite3.Connection, poster: FakeStatePoster, out: Path, all_states: bool = False) -> StatusSession:
    connected = InvoicingConnection(None, "fake", poster, SetupRules(), db, str(out / "state.sqlite"))  # type: ignore[arg-type]
    return StatusSession(connected, InvoiceTransfers(db, poster.target), out, all_states, TODAY)


def status_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    return list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))[1:]


def test_the_marker_is_the_invoice_basiss_own() -> None:
    basis = InvoiceBasis("1001", InvoiceParty("K1", "Kund AB"), TODAY, (), "export.csv", 2)
    assert basis_marker("1001") == basis.marker


def test_only_what_changed_since_last_reported_goes_into_the_file(db: sqlite3.Connection, tmp_path: Path) -> None:
    poster = FakeStatePoster()
    ledger = InvoiceTransfers(db, poster.target)
    for number in ("1001", "1002", "1003"):
        ledger.created(f"invoice:{number}", "h", f"d{number}")
        ledger.reported(f"invoice:{number}", TRANSFERRED)  # the drafts run wrote "Överförd eEkonomi"
    poster.set("1001", SENT, "5001", date(2026, 12, 10))
    poster.set("1002", PAID, "5002", date(2026, 12, 11))
    poster.set("1003", TRANSFERRED)
    report = session(db, poster, tmp_path).run()
    assert report.file is not None and report.exit_code == 0
    assert status_rows(report.file) == [["1001", "Skickad", "5001", "2026-12-10", "2026-12-15"],
                                        ["1002", "Betald", "5002", "2026-12-11", "2026-12-15"]]
    rows = ledger.of(["invoice:1001", "invoice:1002", "invoice:1003"])
    assert [(r.invoice_state, r.invoice_number, r.reported_state) for r in rows.values()] == [
        (SENT, "5001", SENT), (PAID, "5002", PAID), (TRANSFERRED, "", TRANSFERRED)]
    assert "1001: Skickad 5001" in report.describe()

    poster.set("1001", PAID, "5001", date(2026, 12, 10))
    second = session(db, poster, tmp_path).run()
    assert second.file is not None and second.file != report.file and report.file.exists()
    assert status_rows(second.file) == [["1001", "Betald", "5001", "2026-12-10", "2026-12-15"]]
    third = session(db, poster, tmp_path).run()
    assert third.file is None and not third.reported
    assert len(list(tmp_path.glob("invoice_status_*.csv"))) == 2


def test_all_states_writes_every_known_one(db: sqlite3.Connection, tmp_path: Path) -> None:
    poster = FakeStatePoster()
    ledger = InvoiceTransfers(db, poster.target)
    for number in ("1001", "1002"):
        ledger.created(f"invoice:{number}", "h", f"d{number}")
        ledger.reported(f"invoice:{number}", TRANSFERRED)
    poster.set("1001", SENT, "5001", date(2026, 12, 10))
    poster.set("1002", TRANSFERRED)
    session(db, poster, tmp_path).run()
    everything = session(db, poster, tmp_path, all_states=True).run()
    assert everything.file is not None
    assert [r[:3] for r in status_rows(everything.file)] == [["1001", "Skickad", "5001"],
                                                            ["1002", "Överförd eEkonomi", ""]]


def test_open_rows_whose_draft_or_invoice_is_found_are_promoted_and_reported(db: sqlite3.Connection,
                                                                               tmp_path: Path) -> None:
    poster = FakeStatePoster()
    ledger = InvoiceTransfers(db, poster.target)
    ledger.sending("invoice:2001", "h", "dig1")  # a crash after the draft was sent; the basis left the export since
    ledger.ended("invoice:2002", UNKNOWN, "h", "the answer was lost")
    ledger.sending("invoice:2003", "h", "dig3")  # never reached the system
    one, two = basis_marker("2001"), basis_marker("2002")
    poster.now[one] = InvoiceState(one, SENT, invoice_id="inv-1", invoice_number="5001", invoice_date=TODAY)
    poster.now[two] = InvoiceState(two, TRANSFERRED, draft_id="dr-2")
    report = session(db, poster, tmp_path).run()
    assert report.file is not None
    assert [r[:3] for r in status_rows(report.file)] == [["2001", "Skickad", "5001"], ["2002", "Överförd eEkonomi", ""]]
    rows = ledger.of(["invoice:2001", "invoice:2002", "invoice:2003"])
    assert [(r.status, r.draft_id, r.invoice_state, r.reported_state) for r in rows.values()] == [
        (CREATED, "inv-1", SENT, SENT), (CREATED, "dr-2", TRANSFERRED, TRANSFERRED), (SENDING, "", "", "")]
    assert rows["invoice:2001"].plan_hash == "h" and "found by its marker" in rows["invoice:2001"].message
    again = session(db, poster, tmp_path).run()
    assert again.file is None and [r.number for r in again.rows] == ["2001", "2002"]


def test_an_older_read_never_reports_after_a_newer_one(db: sqlite3.Connection, tmp_path: Path) -> None:
    poster = FakeStatePoster()
    ledger = InvoiceTransfers(db, poster.target)
    ledger.created("invoice:1001", "h", "d1")
    ledger.reported("invoice:1001", TRANSFERRED)
    poster.set("1001", SENT, "5001", date(2026, 12, 10))
    slow = session(db, poster, tmp_path)
    older = slow.read()  # a status run that read "sent" and stalls before it writes its file
    poster.set("1001", PAID, "5001", date(2026, 12, 10))
    newer = session(db, poster, tmp_path).run()
    assert newer.file is not None and [r[1] for r in status_rows(newer.file)] == ["Betald"]
    late = slow.report(older)
    assert late.file is None and not late.reported
    assert list(tmp_path.glob("invoice_status_*.csv")) == [newer.file]
    assert ledger.of(["invoice:1001"])["invoice:1001"].reported_state == PAID


def test_a_missing_draft_is_shown_for_a_person_and_not_written(db: sqlite3.Connection, tmp_path: Path) -> None:
    poster = FakeStatePoster()
    ledger = InvoiceTransfers(db, poster.target)
    ledger.created("invoice:1001", "h", "d1")
    ledger.created("invoice:1002", "h", "d2")
    poster.set("1002", SENT, "5002")
    report = session(db, poster, tmp_path).run()
    assert [r.number for r in report.missing] == ["1001"] and report.exit_code == 1
    assert report.file is not None and [r[0] for r in status_rows(report.file)] == ["1002"]
    assert "1001: its draft is not in the accounting system any more" in report.describe()
    assert ledger.of(["invoice:1001"])["invoice:1001"].invoice_state == MISSING
    assert poster.asked == [[basis_marker("1001"), basis_marker("1002")]]


def test_no_created_drafts_reads_nothing_and_writes_nothing(db: sqlite3.Connection, tmp_path: Path) -> None:
    poster = FakeStatePoster()
    report = session(db, poster, tmp_path).run()
    assert report.file is None and not report.rows and poster.asked == []
    written = report.write(tmp_path)
    assert set(written) == {"json"}


def test_a_system_without_invoice_flows_is_refused_with_what_to_do() -> None:
    with pytest.raises(ConfigurationError, match="only with eAccounting for now"):
        invoice_poster(get_system("vismanet"), object(), {})


def test_the_settings_take_the_systems_options_flat() -> None:
    settings = status_settings(all_states=True, cost_center="Projekt")
    assert settings.all_states and settings.out_dir == "build/invoices"
    assert settings.system_options.as_kwargs()["cost_center"] == "Projekt"


# -- end to end against the sandbox ---------------------------------------------------------------------------


def sandbox_basis(client: Any, number: str) -> InvoiceBasis:
    """An invoice basis the sandbox's first company can draft: a seeded customer, article and project."""
    customer = next(c for c in client.customers.list() if c.is_active)
    article = next(a for a in client.articles.list() if a.is_active)
    (projekt,) = [c for c in client.cost_centers() if c.name == "Projekt"]
    item = next(i for i in projekt.items if i.is_active)
    rows = (InvoiceRow(2, ARTICLE_ROW, "Konsulttimmar", article.number, Decimal("3"), "h", Decimal("1000"),
                       item.short_name),)
    party = InvoiceParty(customer.number, "Kund AB", "Storgatan 1", "", "111 22", "Stockholm", "SE")
    return InvoiceBasis(number, party, date(2026, 6, 10), rows, "invoice_basis.csv", 2)


def sandbox_status(harness: Any, tmp_path: Path, **options: Any) -> tuple[int, str, list[list[str]]]:
    """Run ``ops invoices status`` against the sandbox; its exit code, output and the new status file's rows."""
    out, folder = io.StringIO(), tmp_path / "out"
    before = set(folder.glob("invoice_status_*.csv"))
    settings = status_settings(options, target="sandbox", state_db=str(tmp_path / "state.sqlite"),
                               out_dir=str(folder))
    code = run_status(settings, out=out, transport=harness.transport, today=SANDBOX_TODAY)
    new = set(folder.glob("invoice_status_*.csv")) - before
    assert len(new) <= 1
    return code, out.getvalue(), status_rows(new.pop()) if new else []


def pay(api: httpx.Client, invoice: dict[str, Any]) -> None:
    """Pay all of ``invoice``; the sandbox keeps no bank accounts, so any account id is taken."""
    answer = api.post(f"customerinvoices/{invoice['Id']}/payments", json={
        "PaymentDate": SANDBOX_TODAY.isoformat(), "PaymentAmount": float(invoice["TotalAmount"]),
        "PaymentCurrency": "SEK", "PaymentType": 2, "CompanyBankAccountId": str(uuid.uuid4())})
    assert answer.status_code in (200, 201), answer.text


def test_sandbox_states_come_back_sent_with_the_number_then_paid_each_once(
        sandbox: Any, client: Any, api: httpx.Client, tmp_path: Path) -> None:
    poster = get_system("eaccounting").make_invoice_poster(client)
    db = open_state(tmp_path / "state.sqlite")
    ledger = InvoiceTransfers(db, poster.target)
    refs = {}
    for number in ("7001", "7002", "7003"):
        refs[number] = poster.send(sandbox_basis(client, number))
        ledger.created(f"invoice:{number}", "h", refs[number].draft_id)
        ledger.reported(f"invoice:{number}", TRANSFERRED)
    sent = api.post(f"customerinvoicedrafts/{refs['7001'].draft_id}/convert").json()
    paid = api.post(f"customerinvoicedrafts/{refs['7002'].draft_id}/convert").json()
    pay(api, paid)

    code, text, rows = sandbox_status(sandbox, tmp_path)
    assert code == 0, text
    assert rows == [
        ["7001", "Skickad", str(sent["InvoiceNumber"]), "2026-06-10", SANDBOX_TODAY.isoformat()],
        ["7002", "Betald", str(paid["InvoiceNumber"]), "2026-06-10", SANDBOX_TODAY.isoformat()]]
    assert ledger.of(["invoice:7001"])["invoice:7001"].invoice_number == str(sent["InvoiceNumber"])

    pay(api, sent)
    assert api.delete(f"customerinvoicedrafts/{refs['7003'].draft_id}").status_code in (200, 204)
    code, text, rows = sandbox_status(sandbox, tmp_path)
    assert rows == [["7001", "Betald", str(sent["InvoiceNumber"]), "2026-06-10", SANDBOX_TODAY.isoformat()]]
    assert code == 1 and "7003: its draft is not in the accounting system any more" in text
    code, text, rows = sandbox_status(sandbox, tmp_path)
    assert rows == [] and "0 status line(s) written" in text  # nothing changed: no file
    code, text, rows = sandbox_status(sandbox, tmp_path, all_states=True)
    assert [r[:2] for r in rows] == [["7001", "Betald"], ["7002", "Betald"]]
    db.close()
