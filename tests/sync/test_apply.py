"""Sync against the sandbox: payloads, approval, crash-safety, failures, incremental pulls."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from ops_lib.connectors.limiter import RequestBudget
from ops_lib.core.errors import ConflictError
from ops_lib.reconciliation.engine import reconcile
from ops_lib.runs.audit import audit_review
from ops_lib.sandbox.pm_export import ENCODING, PM_EXPORT_DIR
from ops_lib.sources.files import read_file, read_rows
from ops_lib.state.db import open_state
from ops_lib.state.oplog import OperationsLog
from ops_lib.sync.session import SyncSession, open_sync
from ops_lib.sync.settings import sync_settings
from tests.conftest import API_WRITES, Crash, Recording, SandboxHarness, no_wait

MAPPING = str(Path(__file__).resolve().parents[2] / "params" / "columns" / "pm.yaml")


def open_session(harness: SandboxHarness, register: str, tmp_path: Path, transport: httpx.BaseTransport | None = None,
                 left: Path | None = None, **options: Any) -> SyncSession:
    opening = {name: options.pop(name) for name in ("client_options", "language") if name in options}
    opening.setdefault("client_options", {"sleep": no_wait})
    settings = sync_settings(options, register=register, left=str(left or PM_EXPORT_DIR / f"{register}.csv"),
                             right="sandbox", mapping=MAPPING, out_dir=tmp_path / "out",
                             state_db=tmp_path / "state.sqlite")
    return open_sync(settings, transport=transport or harness.transport, **opening)


def apply_all(harness: SandboxHarness, register: str, tmp_path: Path, **options: Any) -> Any:
    with open_session(harness, register, tmp_path, **options) as session:
        plan = session.plan()
        return session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")


def customers(harness: SandboxHarness) -> list[dict[str, Any]]:
    token = harness.login()
    with harness.api(token) as api:
        return api.get("customers", params={"$pagesize": 1000}).json()["Data"]


def imported(export: Path, import_file: Path, target: Path) -> Path:
    """The export as the PM tool would export it after importing ``import_file`` (rows replaced by number)."""
    rows = read_rows(export)
    header, body = rows[0], rows[1:]
    new = read_rows(import_file)[1:]
    numbers = {r[0] for r in new}
    text = "\r\n".join(";".join(r) for r in [header, *[r for r in body if r[0] not in numbers], *new]) + "\r\n"
    target.write_bytes(text.encode(ENCODING))
    return target


# -- payloads --------------------------------------------------------------

def test_the_plan_shows_every_call_with_payloads_from_the_field_mapping(sandbox: SandboxHarness,
                                                                           tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "products", tmp_path) as session:
        plan = session.plan()
    calls = {a.number: a.calls for a in plan.actions}
    work_type = calls["A41"][0]
    assert work_type.method == "POST" and work_type.path == "articles"
    units = {u["Id"]: u["Abbreviation"] for u in sandbox.sandbox.store.all(
        sandbox.sandbox.companies[0].id, "units")}
    codings = {c["Id"]: c["Name"] for c in sandbox.sandbox.store.all(
        sandbox.sandbox.companies[0].id, "articleaccountcodings")}
    assert units[work_type.body["UnitId"]] == "tim"
    assert codings[work_type.body["CodingId"]] == "Tjänster 25 % moms"
    assert str(work_type.body["NetPrice"]) == "1650" and str(work_type.body["GrossPrice"]) == "2062.50"
    assert codings[calls["R11"][0].body["CodingId"]] == "Tjänster momsfri"
    price = calls["1005"][0]
    assert price.method == "PUT" and set(price.body) == {"NetPrice", "GrossPrice"}
    assert str(price.body["GrossPrice"]) == "3547.50"
    text = plan.describe()
    assert "POST /articles" in text and "PUT /articles/" in text and "ROW import_products_products.csv" in text
    assert plan.plan_hash in text


def test_customers_are_companies_with_terms_by_days_and_the_contact_joined(sandbox: SandboxHarness,
                                                                           tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "customers", tmp_path) as session:
        plan = session.plan()
    body = next(a for a in plan.actions if a.number == "1301").calls[0].body
    tenant = sandbox.sandbox.companies[0].id
    terms = {t["Id"]: t["NumberOfDays"] for t in sandbox.sandbox.store.all(tenant, "termsofpayments")}
    export = read_file(PM_EXPORT_DIR / "customers.csv", "customers", _mapping("customers"))
    row = export[export["number"] == "1301"].iloc[0]
    assert body["IsPrivatePerson"] is False
    assert terms[body["TermsOfPaymentId"]] == int(row["payment_terms_days"])
    assert body["ContactPersonName"] == row["contact_name"] and " " in body["ContactPersonName"]
    assert body["CurrencyCode"] == row["currency"] and body["InvoiceAddress1"] == row["address1"]
    # 1302 has no invoicing address in the export: its head-office address is used, all of it
    office = next(a for a in plan.actions if a.number == "1302").calls[0].body
    assert (office["InvoiceAddress1"], office["InvoicePostalCode"], office["InvoiceCity"],
            office["InvoiceCountryCode"]) == ("Hamngatan 8", "972 31", "Luleå", "SE")


def _mapping(register: str) -> dict[str, Any]:
    from ops_lib.sources.files import load_mapping

    return load_mapping(MAPPING, register)


def test_projects_become_cost_centre_items_or_projects_as_chosen(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "projects", tmp_path) as session:
        items = session.plan()
    create = next(a for a in items.actions if a.number == "1026").calls[0]
    assert create.path == "costcenteritems" and create.body["ShortName"] == "1026" and create.body["IsActive"] is True
    closed = next(a for a in items.actions if a.number == "1004").calls[0]
    assert closed.method == "PUT" and closed.body == {"IsActive": False}
    with open_session(sandbox, "projects", tmp_path, project_target="projects") as session:
        projects = session.plan()
    create = next(a for a in projects.actions if a.number == "1026").calls[0]
    assert create.path == "projects" and create.body["Number"] == "1026" and create.body["Status"] == 1
    assert next(a for a in projects.actions if a.number == "1004").calls[0].body == {"Status": 2}


# -- the demo export synced, then reconciled again --------------------------

@pytest.mark.parametrize("register, manual", [
    ("customers", {"1010", "1060", "01050", "1040", "1303", "1304"}),
    ("products", {"A05", "1010", "1151"}),
    ("projects", {"1003"}),
])
def test_after_syncing_the_demo_export_only_manual_and_blocked_rows_remain(
        sandbox: SandboxHarness, tmp_path: Path, register: str, manual: set[str]) -> None:
    sandbox.connect()
    result = apply_all(sandbox, register, tmp_path)
    assert result.failed == 0 and result.transferred == len(result.plan.writable) > 0
    # The PM tool imports the file the sync wrote for it.
    export = imported(PM_EXPORT_DIR / f"{register}.csv", Path(result.written[0]), tmp_path / f"{register}.csv")
    with open_session(sandbox, register, tmp_path / "again", left=export) as session:
        pairs = session.result.pairs
    left = pairs[pairs["action"].isin(["manual", "blocked"])]
    assert set(pairs["action"]) <= {"none", "manual", "blocked", "skip_inactive"}
    assert set(left["left_number"].replace("", None).dropna()) | set(
        left.loc[left["left_number"] == "", "right_number"]) == manual
    created_left = {a.number for a in result.plan.actions if a.action == "create_left"}
    assert created_left and set(pairs.loc[pairs["status"] == "match", "left_number"]) >= created_left


def test_a_second_apply_is_a_no_op(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    first = apply_all(sandbox, "customers", tmp_path)
    import_file = Path(first.written[0])
    before = import_file.read_bytes()
    counting = Recording(sandbox.transport)
    second = apply_all(sandbox, "customers", tmp_path, transport=counting)
    assert counting.write_count() == 0
    assert {o.outcome for o in second.outcomes} <= {"found", "already_done", "blocked"}
    assert import_file.read_bytes() == before
    assert second.failed == 0 and second.exit_code == 1  # the manual rows are still there for a person


def test_a_rerun_after_a_created_record_was_deleted_says_so_instead_of_already_done(
        sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    first = apply_all(sandbox, "customers", tmp_path)
    approved = first.plan.plan_hash
    deleted = next(c for c in customers(sandbox) if c["CustomerNumber"] == "1301")
    with sandbox.api(sandbox.login()) as api:
        assert api.delete(f"customers/{deleted['Id']}").status_code in (200, 204)

    counting = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=counting) as session:
        rerun = session.run(session.plan(), apply=True, approved_hash=approved, approved_by="bertil")
    assert counting.write_count() == 0  # an approval is used once: nothing is recreated behind anyone's back
    gone = next(o for o in rerun.outcomes if o.number == "1301")
    assert gone.outcome == "gone" and gone.record_id == deleted["Id"]
    assert "no longer there" in gone.message and "dry-run again" in gone.message
    assert rerun.gone == 1 and rerun.exit_code == 1
    assert "1301" not in {o.number for o in rerun.outcomes if o.outcome in ("done", "found", "already_done")}
    assert rerun.transferred == sum(1 for o in rerun.outcomes if o.action == "create_left")  # the import rows only
    assert "1 applied earlier but no longer there" in rerun.headline() and "ops-sync-attention" in rerun.summary_box()
    written = rerun.write(tmp_path / "rerun")
    body = json.loads(written["json"].read_text(encoding="utf-8"))
    assert body["counts"]["gone"] == 1 and body["gone"] == 1
    assert "gone" in openpyxl.load_workbook(written["xlsx"]).sheetnames

    # A new dry run plans the create again under a new hash; approving that one recreates the record once.
    with open_session(sandbox, "customers", tmp_path) as session:
        again = session.plan()
        recreate = next(a for a in again.actions if a.number == "1301")
        assert again.plan_hash != approved and recreate.redo_of == approved
        assert "applied earlier" in again.describe()
        done = session.run(again, apply=True, approved_hash=again.plan_hash, approved_by="bertil")
    assert next(o for o in done.outcomes if o.number == "1301").outcome == "done"
    assert [c["CustomerNumber"] for c in customers(sandbox)].count("1301") == 1


# -- crashes ------------------------------------------------------------------

@pytest.mark.parametrize("crash_at, when", [(1, "before"), (1, "after"), (2, "before"), (2, "after"),
                                            (3, "before"), (3, "after")])
def test_a_crash_after_k_of_n_actions_and_a_rerun_leaves_exactly_the_expected_records(
        sandbox: SandboxHarness, tmp_path: Path, crash_at: int, when: str) -> None:
    sandbox.connect()
    crashing = Recording(sandbox.transport, crash_at=crash_at, when=when)
    with open_session(sandbox, "customers", tmp_path, transport=crashing) as session:
        plan = session.plan()
        api_calls = [c for a in plan.writable for c in a.calls if c.method in API_WRITES]
        assert len(api_calls) == 4  # three creates and one update in eAccounting
        with pytest.raises(Crash):
            session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    with open_session(sandbox, "customers", tmp_path) as session:
        fresh = session.plan()
        assert len(fresh.writable) < len(plan.writable) or when == "before" and crash_at == 1
        rerun = session.run(fresh, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    assert rerun.failed == 0 and rerun.approval and rerun.approval.resumed_from in ("", plan.plan_hash)
    records = customers(sandbox)
    numbers = [c["CustomerNumber"] for c in records]
    assert len(numbers) == len(set(numbers))
    assert {"1301", "1302", "1305"} <= set(numbers)
    assert next(c for c in records if c["CustomerNumber"] == "1020")["InvoiceAddress1"] == "Nya Vägen 5"
    rows = read_rows(Path(rerun.written[0]))[1:]
    assert sorted(r[0] for r in rows) == ["1080", "1296", "1297", "1298", "1299", "1300"]
    oplog = OperationsLog(open_state(tmp_path / "state.sqlite"))
    assert set(oplog.counts(plan.plan_hash)) == {"done"}
    oplog.db.close()


def test_a_crash_before_the_import_file_is_written_loses_no_row(sandbox: SandboxHarness, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from ops_lib.sources.import_file import ImportFileWriter

    sandbox.connect()
    original = ImportFileWriter.finish

    def dies(self: ImportFileWriter) -> list[str]:
        raise Crash("killed before the import file was written")

    monkeypatch.setattr(ImportFileWriter, "finish", dies)
    with open_session(sandbox, "projects", tmp_path) as session:
        plan = session.plan()
        with pytest.raises(Crash):
            session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    monkeypatch.setattr(ImportFileWriter, "finish", original)
    with open_session(sandbox, "projects", tmp_path) as session:
        rerun = session.run(session.plan(), apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    assert [r[0] for r in read_rows(Path(rerun.written[0]))[1:]] == ["1025"]
    assert rerun.failed == 0


def test_a_newer_approval_closes_the_open_entries_of_the_one_it_replaced(sandbox: SandboxHarness,
                                                                         tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "customers", tmp_path, transport=Recording(sandbox.transport, crash_at=1)) as session:
        first = session.plan()
        with pytest.raises(Crash):
            session.run(first, apply=True, approved_hash=first.plan_hash, approved_by="bertil")
    # The data changes before anyone reruns the first approval: a new plan is approved, and its apply crashes too.
    changed = tmp_path / "customers.csv"
    source = (PM_EXPORT_DIR / "customers.csv").read_bytes().decode(ENCODING)
    changed.write_bytes(source.replace("Nya Vägen 5", "Andra Vägen 9").encode(ENCODING))
    with open_session(sandbox, "customers", tmp_path, left=changed,
                      transport=Recording(sandbox.transport, crash_at=1)) as session:
        second = session.plan()
        assert second.plan_hash != first.plan_hash
        with pytest.raises(Crash):
            session.run(second, apply=True, approved_hash=second.plan_hash, approved_by="bertil")
    oplog = OperationsLog(open_state(tmp_path / "state.sqlite"))
    assert oplog.counts(first.plan_hash) == {"superseded": 1}
    assert oplog.counts(second.plan_hash) == {"sent": 1}  # the current approval's entry stays open
    # ... and its rerun still looks the record up before sending it again.
    with open_session(sandbox, "customers", tmp_path, left=changed) as session:
        rerun = session.run(session.plan(), apply=True, approved_hash=second.plan_hash, approved_by="bertil")
    assert rerun.failed == 0 and rerun.approval and rerun.approval.resumed_from == second.plan_hash
    numbers = [c["CustomerNumber"] for c in customers(sandbox)]
    assert len(numbers) == len(set(numbers)) and {"1301", "1302", "1305"} <= set(numbers)
    assert set(oplog.counts(second.plan_hash)) == {"done"}
    assert oplog.counts(first.plan_hash) == {"superseded": 1}
    oplog.db.close()

    review = audit_review(tmp_path / "runs", state_db=tmp_path / "state.sqlite")
    closed = review.operations[review.operations["plan_hash"] == first.plan_hash]
    assert list(closed["status"]) == ["superseded"] and second.plan_hash[:12] in closed["message"].iloc[0]
    assert "superseded" in review._repr_html_()
    sheet = openpyxl.load_workbook(review.export(tmp_path / "audit"))["operations"]
    header = [c.value for c in sheet[1]]
    assert "superseded" in [row[header.index("status")] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_state_database_from_before_superseded_is_widened_keeping_its_rows(tmp_path: Path) -> None:
    from ops_lib.state.db import SCHEMA

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA.replace(", 'superseded')", ")"))
    old.execute("INSERT INTO operations (id, plan_hash, target, call_digest, action_digest, register, action, number, "
                "name, method, path, status, attempts, created_at, updated_at) VALUES "
                "(7, 'h', 't', 'c', 'a', 'customers', 'create_right', '1301', 'X', 'POST', 'customers', 'sent', 1, "
                "'2026-06-15T06:00:00+00:00', '2026-06-15T06:00:00+00:00')")
    old.commit()
    with pytest.raises(sqlite3.IntegrityError):
        old.execute("UPDATE operations SET status = 'superseded'")
    old.close()
    db = open_state(path)
    db.execute("UPDATE operations SET status = 'superseded' WHERE id = 7")
    assert [tuple(r) for r in db.execute("SELECT id, number, status FROM operations")] == [(7, "1301", "superseded")]
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'operations_by_call'").fetchone()
    db.close()


# -- rate limits and unavailability --------------------------------------------

def test_429s_during_apply_are_waited_out(make_sandbox: Any, tmp_path: Path) -> None:
    harness = make_sandbox(rate_limit=1)
    harness.connect()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        harness.clock.advance(seconds)

    result = apply_all(harness, "customers", tmp_path,
                       client_options={"sleep": sleep, "budget": RequestBudget(1000)})
    assert result.failed == 0 and result.transferred == len(result.plan.writable)
    assert any(w >= 1 for w in waits)
    numbers = [c["CustomerNumber"] for c in customers(harness)]
    assert numbers.count("1301") == 1 and numbers.count("1302") == 1


def test_503s_during_apply_are_survived_without_duplicates(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    # write 1 (the update) and write 2 (a create) fail before reaching the service; write 3, the
    # second create, is done by the service but answered 503: it must be found, not sent again.
    flaky = Recording(sandbox.transport, unavailable={1: "before", 2: "before", 4: "after"})
    result = apply_all(sandbox, "customers", tmp_path, transport=flaky)
    assert result.failed == 0
    assert "found" in {o.outcome for o in result.outcomes}
    numbers = [c["CustomerNumber"] for c in customers(sandbox)]
    assert numbers.count("1301") == 1 and numbers.count("1302") == 1


# -- failures reported with their explanation ----------------------------------

def test_service_validation_failures_are_explained_while_the_rest_apply(sandbox: SandboxHarness,
                                                                        tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "customers", tmp_path) as session:
        # Without the suite's own checks, the long name and the missing address reach the service.
        unchecked = reconcile(session.result.left, session.result.right, "customers", rules_right=None,
                              left_name=session.result.left_name, right_name=session.result.right_name)
        plan = session.plan(unchecked)
        result = session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    outcomes = {o.number: o for o in result.outcomes}
    long_name, no_address = outcomes["1303"], outcomes["1304"]
    assert long_name.outcome == no_address.outcome == "failed"
    assert long_name.error_code == "2000" and long_name.error_id
    assert "50" in long_name.explanation and "Fix" in long_name.explanation
    assert no_address.error_code and "address" in no_address.explanation.lower()
    assert outcomes["1301"].outcome == outcomes["1302"].outcome == outcomes["1020"].outcome == "done"
    assert result.exit_code == 1
    box = result.summary_box()
    assert "ops-sync-failed" in box and "2 failed" in box
    written = result.write(tmp_path / "out")
    assert written["xlsx"].exists() and '"failed": 2' in written["json"].read_text(encoding="utf-8")


# -- approval ----------------------------------------------------------------

def test_nothing_is_sent_without_apply_or_with_an_unapproved_hash(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    counting = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=counting) as session:
        plan = session.plan()
        dry = session.run(plan)
        assert {o.outcome for o in dry.outcomes} == {"planned"} and dry.exit_code == 1
        with pytest.raises(ConflictError, match="approve"):
            session.run(plan, apply=True, approved_hash="", approved_by="bertil")
        with pytest.raises(ConflictError, match="data changed"):
            session.run(plan, apply=True, approved_hash="0" * 64, approved_by="bertil")
    assert counting.write_count() == 0


def test_changing_the_data_after_approval_blocks_the_apply(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "customers", tmp_path) as session:
        approved = session.plan().plan_hash
    changed = tmp_path / "customers.csv"
    shutil.copy(PM_EXPORT_DIR / "customers.csv", changed)
    text = changed.read_bytes().decode(ENCODING).replace("Sjövägen 3;", "Sjövägen 30;")
    changed.write_bytes(text.encode(ENCODING))
    counting = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=counting, left=changed) as session:
        plan = session.plan()
        assert plan.plan_hash != approved
        with pytest.raises(ConflictError, match="changed after plan .* was approved: 1 action"):
            session.run(plan, apply=True, approved_hash=approved, approved_by="bertil")
    assert counting.write_count() == 0


def test_four_eyes_refuses_the_preparer_as_approver(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "projects", tmp_path, prepared_by="anna") as session:
        plan = session.plan()
        with pytest.raises(ConflictError, match="Four-eyes"):
            session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by=" Anna ", four_eyes=True)
        result = session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil", four_eyes=True)
    assert result.approval and result.approval.prepared_by == "anna" and result.approval.approved_by == "bertil"
    assert (tmp_path / "out" / "sync_approval.json").exists()


# -- incremental pulls ---------------------------------------------------------

def test_the_incremental_pull_fetches_only_changed_records(sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    options = {"client_options": {"sleep": no_wait, "page_size": 50}}

    def api(method: str, path: str, **kwargs: Any) -> httpx.Response:
        with sandbox.api(sandbox.login()) as client:  # a fresh token: the clock moves in hours here
            response = client.request(method, path, **kwargs)
        response.raise_for_status()
        return response

    first = api("GET", "customers", params={"$pagesize": 4}).json()["Data"]
    sandbox.clock.advance(3600)
    api("PUT", f"customers/{first[0]['Id']}", json={**first[0], "Telephone": "08-100 00 00"})
    sandbox.connect()  # the stored token expired with the hour; counting a 401 and its retry is not the point

    full = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=full, **options) as session:
        total = len(session.result.right)
    assert len(full.api("GET", "customers")) == -(-total // 50) >= 6

    sandbox.clock.advance(3600)
    for record in first[1:3]:
        api("PUT", f"customers/{record['Id']}", json={**record, "Telephone": "08-200 00 00"})
    sandbox.connect()
    changed = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=changed, **options) as session:
        phones = dict(zip(session.result.right["number"], session.result.right["phone"]))
        assert len(session.result.right) == total
    pulls = changed.api("GET", "customers")
    assert len(pulls) == 2  # the changes since the last pull, and the count that detects deletions
    assert "ChangedUtc gt" in pulls[0].url.params["$filter"]
    assert phones[first[1]["CustomerNumber"]] == phones[first[2]["CustomerNumber"]] == "08-200 00 00"
    assert phones[first[0]["CustomerNumber"]] == "08-100 00 00"

    api("DELETE", f"customers/{first[3]['Id']}")
    deleted = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=deleted, **options) as session:
        assert first[3]["CustomerNumber"] not in set(session.result.right["number"])
        assert len(session.result.right) == total - 1
    assert len(deleted.api("GET", "customers")) > 2  # the count disagreed: pulled in full

    resync = Recording(sandbox.transport)
    with open_session(sandbox, "customers", tmp_path, transport=resync, full_resync=True, **options):
        pass
    assert len(resync.api("GET", "customers")) == -(-(total - 1) // 50)


# -- the notebook's apply step ---------------------------------------------------

def test_the_approve_button_applies_exactly_the_plan_shown(sandbox: SandboxHarness, tmp_path: Path) -> None:
    from ops_lib.forms.sync import sync_panel
    from tests.conftest import find

    sandbox.connect()
    with open_session(sandbox, "projects", tmp_path, prepared_by="anna") as session:
        plan = session.plan()
        form = sync_panel(session, plan, tmp_path / "out", interactive=True, four_eyes=True)
        assert "POST /costcenteritems" in find(form, "ops-plan").value
        assert "Prepared by anna" in find(form, "ops-preparer").value
        find(form, "ops-apply").click()
        assert "Type your name" in find(form, "ops-message-area").value
        find(form, "ops-approver").value = "Anna"
        find(form, "ops-apply").click()
        assert "Four-eyes" in find(form, "ops-message-area").value and not find(form, "ops-apply").disabled
        find(form, "ops-approver").value = "Bertil"
        find(form, "ops-apply").click()
    assert "ops-sync-ok" in find(form, "ops-sync-outcome").value
    assert "3 transferred, 0 failed" in find(form, "ops-sync-outcome").value
    assert plan.plan_hash in find(form, "ops-message-area").value
    results = (tmp_path / "out" / "sync_results.json").read_text(encoding="utf-8")
    assert '"approved_by": "Bertil"' in results


def test_with_eaccounting_as_master_updates_go_to_the_import_file_and_keep_what_only_pm_holds(
        sandbox: SandboxHarness, tmp_path: Path) -> None:
    sandbox.connect()
    with open_session(sandbox, "products", tmp_path, master="right") as session:
        plan = session.plan()
        result = session.run(plan, apply=True, approved_hash=plan.plan_hash, approved_by="bertil")
    price = next(a for a in plan.actions if a.number == "1005")
    assert price.action == "update_left" and price.calls[0].method == "ROW"
    rows = {r[0]: r for r in read_rows(Path(result.written[0]))}
    header = rows["Kod"]
    updated = dict(zip(header, rows["1005"]))
    assert updated["Pris exkl. moms"] == "2580,00" and updated["Typ"] == "Produkt" and updated["Enhet"] == "st"
    # updates flow from the master only; new records still go both ways
    assert result.failed == 0 and not any(a.action == "update_right" for a in plan.actions)
    assert {a.action for a in plan.writable} == {"update_left", "create_left", "create_right"}
