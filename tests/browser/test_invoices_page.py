"""The invoices notebook in JupyterLab: review the drafts, approve them once, then the supplier costs.

The notebook runs with its committed defaults: the demo invoice-basis export
against the sandbox in the kernel (``demo-sandbox``). The review must show
what the demo export plants (four drafts to create; 7003, 7006 and 7009
blocked, each with its reason; the credit note 7008 not transferred) under
the plan's hash. After Approve and apply the sandbox must hold exactly the
four drafts, each with its marker, and running the notebook again in the
same kernel must find them instead of creating a fifth. The sandbox is
asked through its own API, from inside the notebook's kernel, since that is
where the in-process sandbox lives.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from jupyter_client import BlockingKernelClient
from playwright.sync_api import expect

from tests.browser.pages import open_in_lab, run_all, snap
from tests.browser.servers import Server

NOTEBOOK = "notebooks/40_invoices.ipynb"
APPROVER = "Anna Analyst"
CREATED = ["7001", "7002", "7004", "7005"]
# What the review must say of each invoice it does not send: its status and words of its reason.
NOT_SENT = {
    "7003": ("blocked", ["no article", "no default article"]),
    "7006": ("blocked", ["A07", "inactive", "409"]),
    "7009": ("blocked", ["customer 1301", "reconcile and sync customers first"]),
    "7008": ("credit_note", ["credit notes are not transferred"]),
}
# Run inside the notebook's kernel: the marker of every customer invoice draft the in-process sandbox holds,
# read through the sandbox's API, as JSON on stdout (one list of markers per draft).
DRAFT_MARKERS = """
import json
from ops_lib.connection.demo_sandbox import demo_client
with demo_client(shared=True) as client:
    drafts = list(client.invoice_drafts.list())
print(json.dumps([[w for t in d.texts for w in str(t or '').split() if w.startswith('#ops-invoice-')]
                  for d in drafts]))
"""

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_kernels")]


@pytest.fixture
def out_dir(workspace: Path) -> Path:
    """The notebook's ``out_dir`` (``../build/invoices``), emptied so each run proves its own files."""
    folder = workspace / "build" / "invoices"
    shutil.rmtree(folder, ignore_errors=True)
    return folder


@pytest.fixture
def plan_hash(monkeypatch: pytest.MonkeyPatch) -> str:
    """The drafts plan's hash, worked out here with the notebook's defaults against a fresh sandbox of our own.

    This process's shared demo sandbox (another test's) is set aside meanwhile and put back after.
    """
    from ops_lib.connection import demo_sandbox
    from ops_lib.invoicing.draft_session import open_drafts
    from ops_lib.invoicing.settings import draft_settings

    monkeypatch.setattr(demo_sandbox, "_SHARED", {})
    try:
        with open_drafts(draft_settings(source="demo", target="demo-sandbox")) as session:
            return str(session.plan().plan_hash)
    finally:
        demo_sandbox.reset_shared_sandbox()


def sandbox_markers(lab: Server, home: Path) -> list[list[str]]:
    """The markers of the drafts in the notebook kernel's sandbox, asked through the sandbox's API."""
    sessions = [s for s in json.loads(lab.request("GET", "/api/sessions")) if s["path"] == NOTEBOOK]
    assert len(sessions) == 1, sessions
    connection = home / "jupyter-runtime" / f"kernel-{sessions[0]['kernel']['id']}.json"  # JUPYTER_RUNTIME_DIR
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    printed: list[str] = []
    try:
        client.wait_for_ready(timeout=30)
        reply = client.execute_interactive(f"exec({DRAFT_MARKERS!r}, {{}})", timeout=60, output_hook=lambda msg: (
            printed.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None))
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return [sorted(m) for m in json.loads("".join(printed))]


def invoice_rows(review: Any) -> dict[str, dict[str, str]]:
    """The review's invoices table, one dict of column to text per invoice number."""
    table = review.locator("table.ops-plan-table")
    header = table.locator("thead th").evaluate_all("cells => cells.map(c => c.textContent.trim())")
    rows = table.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))")
    return {row[header.index("invoice")]: dict(zip(header, row)) for row in rows}


def test_drafts_are_approved_once_and_a_rerun_creates_no_second(page: Any, lab: Server, home: Path,
                                                                out_dir: Path, plan_hash: str) -> None:
    open_in_lab(page, lab, NOTEBOOK)
    run_all(page)

    # The review (the cell output above the form): each invoice, blocked ones with their reasons, under the hash.
    review = page.locator(".jp-OutputArea-output[data-mime-type='text/html']", has_text="Invoice draft plan")
    expect(review).to_have_count(1)
    head = review.locator(".ops-plan-head")
    expect(head).to_contain_text(plan_hash)
    expect(head).to_contain_text("4 draft(s) to create")
    expect(head).to_contain_text("3 blocked, 1 credit note(s) not transferred")
    rows = invoice_rows(review)
    assert sorted(n for n, r in rows.items() if r["status"] == "new") == CREATED
    for number, (status, words) in NOT_SENT.items():
        assert rows[number]["status"] == status, rows[number]
        for word in words:
            assert word in rows[number]["why"], rows[number]
    snap(page, "invoices-drafts-review", head)

    drafts = page.locator(".ops-step-drafts")
    expect(drafts.locator(".ops-plan .ops-plan-head")).to_contain_text(plan_hash)
    assert sandbox_markers(lab, home) == []
    drafts.locator(".ops-approver input").fill(APPROVER)
    drafts.locator(".ops-apply").click()
    message = drafts.locator(".ops-message-area")
    expect(message).to_contain_text(f"Plan {plan_hash} approved by {APPROVER}")
    outcome = drafts.locator(".ops-sync-outcome")
    expect(outcome).to_contain_text("4 draft(s) created")
    expect(outcome).to_contain_text("0 failed, 3 blocked, 1 credit note(s) not transferred")
    snap(page, "invoices-drafts-applied", message)
    assert sorted(sandbox_markers(lab, home)) == [[f"#ops-invoice-{n}"] for n in CREATED]
    expect(drafts.locator(".ops-apply")).to_be_disabled()  # the plan applied is spent: no second click

    costs = page.locator(".ops-step-costs")
    # The seeded supplier invoices, all inside the default period (since_last_month): 7 invoice-project lines.
    expect(costs.locator(".ops-plan .ops-plan-head")).to_contain_text("7 cost line(s) to write")
    costs.locator(".ops-approver input").fill(APPROVER)
    costs.locator(".ops-apply").click()
    cost_outcome = costs.locator(".ops-sync-outcome")
    expect(cost_outcome).to_contain_text(re.compile(r"7 cost line\(s\) written into project_costs_\S+\.csv"))
    snap(page, "invoices-costs-applied", cost_outcome)
    cost_files = sorted(out_dir.glob("project_costs_*.csv"))
    assert len(cost_files) == 1, cost_files
    assert cost_files[0].name in cost_outcome.inner_text()

    # Run the notebook again in the same kernel (the same sandbox): the drafts are found, not planned again.
    run_all(page)
    rerun = drafts.locator(".ops-plan .ops-plan-head")
    expect(rerun).to_contain_text("0 draft(s) to create")
    expect(rerun).to_contain_text("4 already transferred, 0 found in the system (recorded, not sent), 3 blocked")
    expect(drafts.locator(".ops-apply")).to_be_disabled()
    expect(costs.locator(".ops-plan .ops-plan-head")).to_contain_text("0 cost line(s) to write")
    snap(page, "invoices-rerun", rerun)
    assert sorted(sandbox_markers(lab, home)) == [[f"#ops-invoice-{n}"] for n in CREATED]
    assert len(list(out_dir.glob("project_costs_*.csv"))) == 1
