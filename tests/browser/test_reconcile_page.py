"""Reviewing the customer reconciliation in the browser, in JupyterLab and as a Voilà app.

The notebook runs with its committed defaults: the demo project-management
export against the sandbox world in the kernel. The counts it shows must be
the differences planted in that export, and the approval the form records
must carry the plan's hash and the accepted suggestion.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import choose, open_in_lab, open_in_voila, run_all, snap
from tests.browser.servers import Server
from tests.conftest import planted_differences

NOTEBOOK = "notebooks/20_reconcile.ipynb"
APPROVER = "Anna Analyst"
# What each kind of planted difference shows as in the reconciliation. A duplicated number leaves the
# accounting system's record of that number unpaired as well; a customer entered again under a new number
# is unpaired on both sides. Blocking reasons (too long a name, no address) ride on rows counted already.
FINDINGS = {
    "renamed": {"name_mismatch": 1}, "case_and_spacing": {"name_mismatch": 1},
    "changed_address": {"field_mismatch": 1}, "leading_zero": {"number_mismatch": 1},
    "only_in_eaccounting": {"right_only": 1}, "only_in_export": {"left_only": 1},
    "duplicate_number": {"duplicate": 2, "right_only": 1}, "renumbered": {"left_only": 1, "right_only": 1},
}
RIDE_ALONG = {"head_office_address", "name_too_long", "missing_address"}

pytestmark = pytest.mark.slow


def planted_counts(register: str) -> Counter[str]:
    """The findings per status that the demo export's planted differences must give."""
    counts: Counter[str] = Counter()
    for row in planted_differences(register):
        if row["difference"] not in RIDE_ALONG:
            assert row["difference"] in FINDINGS, f"say what a planted {row['difference']!r} shows as"
            counts.update(FINDINGS[row["difference"]])
    return counts


def expected_plan_hash(workspace: Path) -> str:
    """The hash of the reviewed plan, worked out here: the notebook's defaults, with 1305's suggestion taken."""
    from ops_lib.reconciliation.job import reconcile_sources
    from ops_lib.reconciliation.settings import reconcile_settings

    result = reconcile_sources(reconcile_settings(
        register="customers", left=str(workspace / "ops_lib/sandbox/pm_export/customers.csv"), right="demo-sandbox",
        mapping=workspace / "params/columns/pm.yaml"))
    pairs = result.pairs
    row = pairs.index[(pairs["status"] == "left_only") & (pairs["left_number"] == "1305")]
    return result.accept_suggestion(int(row[0])).plan_hash


def summary_hash(summary: Any) -> str:
    """The (shortened) plan hash the summary's heading shows."""
    found = re.search(r"plan ([0-9a-f]{16})", summary.text_content() or "")
    assert found, summary.text_content()
    return found.group(1)


def shown_counts(review: Any) -> Counter[str]:
    """The summary table's counts per status, findings only, as the page shows them."""
    rows = review.locator(".ops-summary table tr").evaluate_all(
        "rows => rows.slice(1).map(r => [...r.cells].map(c => c.textContent.trim()))")
    counts: Counter[str] = Counter()
    for status, _action, count in rows:
        if status != "match":
            counts[status] += int(count)
    return counts


def filter_to(review: Any, status: str, count: int) -> None:
    """Show only ``status``; wait until the table and the pair picker both hold its ``count`` rows.

    The picker's options follow a moment after the table, and the old options include the new ones.
    """
    review.locator(".ops-filter select").select_option(status)
    statuses = review.locator(".ops-pairs-table tbody tr td:nth-child(2)")
    expect(statuses).to_have_count(count)
    assert set(statuses.all_inner_texts()) == {status}
    options = review.locator(".ops-pick select option")
    expect(options.and_(review.locator(f"option:not([value*={json.dumps(f': {status} ')}])"))).to_have_count(0)
    expect(options).to_have_count(count)


def review_customers(page: Any, shot: str, workspace: Path) -> None:
    """The scenario on a rendered notebook, whichever server shows it."""
    review = page.locator(".ops-review")
    expect(review).to_be_visible()
    planted = planted_counts("customers")
    assert shown_counts(review) == planted
    summary = review.locator(".ops-summary")
    first_hash = summary_hash(summary)
    snap(page, f"{shot}-summary", summary)

    filter_to(review, "name_mismatch", planted["name_mismatch"])
    choose(review.locator(".ops-pick select"), " 1010 ")
    side = review.locator(".ops-side-table")
    expect(side).to_contain_text("Uddbacken Bygg & Partner AB")
    expect(side).to_contain_text("Uddbacken Bygg AB")
    snap(page, f"{shot}-side-by-side", side)

    filter_to(review, "left_only", planted["left_only"])
    label = choose(review.locator(".ops-pick select"), "(suggests 1080")
    assert ": left_only 1305 " in label
    expect(side).to_contain_text("1305")
    review.locator(".ops-accept").click()
    message = review.locator(".ops-message-area")
    expect(message).to_contain_text("Accepted the suggestion")
    snap(page, f"{shot}-accepted", message)

    review.locator(".ops-approver input").fill(APPROVER)
    review.locator(".ops-approve").click()
    expect(message).to_contain_text(f"by {APPROVER}")
    shown = re.search(r"Approved plan ([0-9a-f]{64})", message.inner_text())
    assert shown, message.inner_text()
    assert shown.group(1) == expected_plan_hash(workspace), "the approval is not for the plan as reviewed"
    assert summary_hash(summary) == shown.group(1)[:16] != first_hash
    snap(page, f"{shot}-approved", message)

    approval = json.loads((workspace / "build/reconcile/approval.json").read_text(encoding="utf-8"))
    assert approval["plan_hash"] == shown.group(1) and approval["approved_by"] == APPROVER
    assert approval["accepted_suggestions"] == ["left:1305~1080"]


@pytest.fixture
def fresh_approval(workspace: Path) -> None:
    """Remove an earlier scenario's approval, so that each run proves its own."""
    (workspace / "build/reconcile/approval.json").unlink(missing_ok=True)


@pytest.mark.usefixtures("fresh_kernels", "fresh_approval")
def test_review_in_jupyterlab_records_the_approval_with_the_plan_hash(page: Any, lab: Server,
                                                                      workspace: Path) -> None:
    open_in_lab(page, lab, NOTEBOOK)
    run_all(page)
    review_customers(page, "reconcile-lab", workspace)


@pytest.mark.usefixtures("fresh_approval")
def test_review_as_a_voila_app_records_the_approval_with_the_plan_hash(page: Any, voila: Server,
                                                                        workspace: Path) -> None:
    open_in_voila(page, voila, NOTEBOOK, ".ops-review")
    expect(page.get_by_text("open_sync(")).to_have_count(0)  # an app: the code cells stay hidden
    review_customers(page, "reconcile-voila", workspace)
