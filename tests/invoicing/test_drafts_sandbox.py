"""Invoice drafts end to end against the sandbox: once after approval, never twice, whatever crashes or is lost."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from ops_lib.core.errors import ConfigurationError, ConflictError
from ops_lib.core.money import loads
from ops_lib.invoicing.draft_session import DraftSession, make_poster, open_drafts, run_drafts
from ops_lib.invoicing.settings import draft_settings
from tests.conftest import Crash, Recording, SandboxHarness, no_wait

SENT = ["7001", "7002", "7003", "7004", "7005"]  # the demo export's invoices the sandbox can take


def session(harness: SandboxHarness, tmp_path: Path, transport: httpx.BaseTransport | None = None,
            **options: Any) -> DraftSession:
    settings = draft_settings(options, target="sandbox", state_db=tmp_path / "state.sqlite",
                              out_dir=tmp_path / "out", default_article="A01")
    return open_drafts(settings, transport=transport or harness.transport, client_options={"sleep": no_wait})


def drafts(harness: SandboxHarness) -> list[dict[str, Any]]:
    with harness.api(harness.login()) as api:
        return loads(api.get("customerinvoicedrafts", params={"$pagesize": 1000}).content)["Data"]


def markers(harness: SandboxHarness) -> list[str]:
    """The invoice-basis marker each draft carries in its rows (one per draft)."""
    found = []
    for draft in drafts(harness):
        texts = " ".join(str(r.get("Text") or "") for r in draft["Rows"])
        found.extend(w for w in texts.split() if w.startswith("#ops-invoice-"))
    return sorted(found)


def approve(s: DraftSession, approved_hash: str = "") -> Any:
    plan = s.plan()
    return plan, s.run(plan, apply=True, approved_hash=approved_hash or plan.plan_hash, approved_by="bertil")


def test_drafts_are_created_once_after_approval_and_a_rerun_creates_nothing(sandbox: SandboxHarness,
                                                                            tmp_path: Path) -> None:
    sandbox.connect()
    recording = Recording(sandbox.transport)
    with session(sandbox, tmp_path, recording) as s:
        plan = s.plan()
        dry = s.run(plan)
        assert dry.count("planned") == 5 and recording.write_count() == 0 and drafts(sandbox) == []
        with pytest.raises(ConflictError):
            s.run(plan, apply=True, approved_hash="0" * 64, approved_by="bertil")
        result = s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    assert sorted(o.number for o in result.created) == SENT
    assert markers(sandbox) == [f"#ops-invoice-{n}" for n in SENT]
    dates = {d["InvoiceDate"][:10] for d in drafts(sandbox)}
    assert dates == {"2026-11-02", "2026-11-05", "2026-11-09", "2026-11-12", "2026-11-16"}  # kept, not today
    outcomes = {o.number: o for o in result.outcomes}
    assert outcomes["7008"].outcome == "credit_note" and "not transferred" in outcomes["7008"].message
    assert outcomes["7009"].outcome == "blocked" and "reconcile and sync customers first" in outcomes["7009"].message
    assert outcomes["7006"].outcome == "blocked" and "409" in outcomes["7006"].message
    assert result.status_file is not None
    today = dt.date.today().isoformat()
    assert result.status_file.read_bytes() == ("Fakturaunderlag;Status;Fakturanummer;Fakturadatum;Datum\r\n" + "".join(
        f"{n};Överförd eEkonomi;;;{today}\r\n" for n in SENT)).encode("cp1252")
    again = Recording(sandbox.transport)
    with session(sandbox, tmp_path, again) as s:
        plan, rerun = approve(s)
    assert again.write_count() == 0 and rerun.count("already_transferred") == 5 and rerun.status_file is None
    assert len(drafts(sandbox)) == 5 and rerun.exit_code == 1  # 7006 and 7009 still wait


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_crash_during_apply_leaves_no_second_draft(sandbox: SandboxHarness, tmp_path: Path, when: str) -> None:
    sandbox.connect()
    with session(sandbox, tmp_path, Recording(sandbox.transport, crash_at=2, when=when)) as s:
        plan = s.plan()
        with pytest.raises(Crash):
            s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    assert len(drafts(sandbox)) == (2 if when == "after" else 1)
    recording = Recording(sandbox.transport)
    with session(sandbox, tmp_path, recording) as s:
        fresh = s.plan()
        assert {i.number: i.status for i in fresh.invoices}["7002"] == "check_first"
        result = s.run(fresh, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    assert markers(sandbox) == [f"#ops-invoice-{n}" for n in SENT]
    outcomes = {o.number: o.outcome for o in result.outcomes}
    assert outcomes["7001"] == "already_transferred"
    assert outcomes["7002"] == ("found" if when == "after" else "created")
    assert len(recording.api("POST", "customerinvoicedrafts")) == (3 if when == "after" else 4)
    status = result.status_file.read_text(encoding="cp1252") if result.status_file else ""
    assert status.count("Överförd eEkonomi") == 5  # the crashed run's 7001 is reported too


def test_a_lost_answer_is_found_again_not_sent_twice(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    flaky = Recording(sandbox.transport, unavailable={1: "after"})
    with session(sandbox, tmp_path, flaky) as s:
        _, result = approve(s)
    outcomes = {o.number: o.outcome for o in result.outcomes}
    assert outcomes["7001"] == "found" and outcomes["7002"] == "created"
    assert markers(sandbox) == [f"#ops-invoice-{n}" for n in SENT]
    assert len(flaky.api("POST", "customerinvoicedrafts")) == 4  # the 503'd one is not recorded as passed


def test_drafts_made_with_another_state_database_are_found_and_recorded_never_sent_again(
        sandbox: SandboxHarness, tmp_path: Path) -> None:
    """A second machine, another state_db or a lost state file: the system is looked at, not only the ledger."""
    sandbox.connect()
    with session(sandbox, tmp_path / "a") as s:
        approve(s)
    made = {m: d for d in drafts(sandbox) for m in markers_of(d)}
    with sandbox.api(sandbox.login()) as api:  # one of them became an invoice since
        invoice = loads(api.post(f"customerinvoicedrafts/{made['#ops-invoice-7002']['Id']}/convert").content)
    recording = Recording(sandbox.transport)
    with session(sandbox, tmp_path / "b", recording) as s:
        plan = s.plan()
        statuses = {i.number: i.status for i in plan.invoices}
        assert [n for n, status in statuses.items() if status == "in_system"] == SENT and plan.to_send == ()
        assert f"already in the accounting system as invoice {invoice['InvoiceNumber']} (sent)" in plan.describe()
        assert len(recording.api("GET", "customerinvoicedrafts")) == 1  # one bulk read, not one per invoice
        dry = s.run(plan)
        assert dry.count("in_system") == 5 and "5 found in the system (recorded at apply, not sent)" in dry.headline()
        assert "in_system: 7001" in dry.describe() and dry.exit_code == 1  # 7006 and 7009 still wait
        result = s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
        ledger = s.transfers.of(f"invoice:{n}" for n in SENT)
    assert recording.write_count() == 0 and len(drafts(sandbox)) == 4
    assert {o.number: o.outcome for o in result.outcomes if o.number in SENT} == {n: "found" for n in SENT}
    assert {k: r.status for k, r in ledger.items()} == {f"invoice:{n}": "created" for n in SENT}
    assert ledger["invoice:7001"].draft_id == made["#ops-invoice-7001"]["Id"]
    assert (ledger["invoice:7002"].draft_id, ledger["invoice:7002"].invoice_state,
            ledger["invoice:7002"].invoice_number) == (invoice["Id"], "sent", str(invoice["InvoiceNumber"]))
    with session(sandbox, tmp_path / "b") as s:
        again = s.plan()
    assert {i.number: i.status for i in again.invoices if i.number in SENT} == {
        n: "already_transferred" for n in SENT}


def markers_of(draft: dict[str, Any]) -> list[str]:
    return [w for r in draft["Rows"] for w in str(r.get("Text") or "").split() if w.startswith("#ops-invoice-")]


def test_run_drafts_prints_the_plan_and_writes_the_results(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    out = io.StringIO()
    settings = draft_settings(target="sandbox", state_db=tmp_path / "state.sqlite", out_dir=tmp_path / "out")
    code = run_drafts(settings, out=out, transport=sandbox.transport, client_options={"sleep": no_wait})
    text = out.getvalue()
    assert code == 1 and "Invoice dates are kept from the project tool" in text
    assert "--apply --approved-hash" in text and "row 12 has no article" in text
    assert (tmp_path / "out" / "invoice_plan.json").exists() and drafts(sandbox) == []


def test_four_eyes_refuses_the_preparer_as_approver(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    with session(sandbox, tmp_path, prepared_by="anna") as s:
        plan = s.plan()
        assert s.preparer(plan) == "anna"
        with pytest.raises(ConflictError):
            s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="anna", four_eyes=True)
        assert drafts(sandbox) == []
        result = s.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil", four_eyes=True)
        record = s.record(plan, result)
    assert len(result.created) == 5 and record["actions_applied"] == 5 and record["register"] == "invoices"
    assert record["findings"] == 2 and record["writes_planned"] == 5 and not record["dry_run"]


def test_a_system_without_invoice_flows_says_so() -> None:
    with pytest.raises(ConfigurationError, match="procountor has no invoice flows"):
        make_poster(SimpleNamespace(system="procountor"), {})
