"""Reviewing the customer reconciliation in the browser, in JupyterLab and as a Voilà app.

The notebook runs with its committed defaults: the demo project-management
export against the sandbox world in the kernel. The counts it shows must be
the differences planted in that export, and the approval the form records
must carry the plan's hash and the accepted suggestion.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from tests.browser.pages import open_in_lab, open_in_voila, run_all, snap
from tests.browser.servers import Server

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


def planted_counts(register: str) -> Counter[str]:
    """The findings per status that the demo export's planted differences must give."""
    counts: Counter[str] = Counter()
    with (PM_EXPORT_DIR / "planted_differences.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["register"] == register:
                counts.update(FINDINGS.get(row["difference"], {}))
    return counts


def shown_counts(review: Any) -> Counter[str]:
    """The summary table's counts per status, findings only, as the page shows them."""
    rows = review.locator(".ops-summary table tr").evaluate_all(
        "rows => rows.slice(1).map(r => [...r.cells].map(c => c.textContent.trim()))")
    counts: Counter[str] = Counter()
    for status, _action, count in rows:
        if status != "match":
            counts[status] += int(count)
    return counts


def pick(review: Any, text: str) -> str:
    """Choose the pair whose label contains ``text``; return the label."""
    select = review.locator(".ops-pick select")
    option = select.locator(f"option[value*={json.dumps(text)}]")
    expect(option).to_have_count(1)  # the options follow the filter a moment after the table does
    label = str(option.get_attribute("value"))
    select.select_option(value=label)
    return label


def review_customers(page: Any, shot: str, out_dir: Path) -> None:
    """The scenario on a rendered notebook, whichever server shows it."""
    review = page.locator(".ops-review")
    expect(review).to_be_visible()
    assert shown_counts(review) == planted_counts("customers")
    snap(page, f"{shot}-summary", review.locator(".ops-summary"))

    review.locator(".ops-filter select").select_option("name_mismatch")
    statuses = review.locator(".ops-pairs-table tbody tr td:nth-child(2)")
    expect(statuses).to_have_count(2)
    assert set(statuses.all_inner_texts()) == {"name_mismatch"}
    pick(review, " 1010 ")
    side = review.locator(".ops-side-table")
    expect(side).to_contain_text("Uddbacken Bygg & Partner AB")
    expect(side).to_contain_text("Uddbacken Bygg AB")
    snap(page, f"{shot}-side-by-side", side)

    review.locator(".ops-filter select").select_option("left_only")
    label = pick(review, "(suggests 1080")
    assert "1305" in label
    expect(review.locator(".ops-side-table")).to_contain_text("Bergnäs Konsult")
    review.locator(".ops-accept").click()
    message = review.locator(".ops-message-area")
    expect(message).to_contain_text("Accepted the suggestion")
    snap(page, f"{shot}-accepted", message)

    review.locator(".ops-approver input").fill(APPROVER)
    review.locator(".ops-approve").click()
    expect(message).to_contain_text(f"by {APPROVER}")
    shown = re.search(r"Approved plan ([0-9a-f]{64})", message.inner_text())
    assert shown, message.inner_text()
    expect(review.locator(".ops-summary")).to_contain_text(shown.group(1)[:16])
    snap(page, f"{shot}-approved", message)

    approval = json.loads((out_dir / "approval.json").read_text(encoding="utf-8"))
    assert approval["plan_hash"] == shown.group(1) and approval["approved_by"] == APPROVER
    assert approval["accepted_suggestions"] == ["left:1305~1080"]


@pytest.fixture
def out_dir(workspace: Path) -> Path:
    """Where the notebook's defaults record the approval; emptied so that each run proves its own."""
    folder = workspace / "build" / "reconcile"
    (folder / "approval.json").unlink(missing_ok=True)
    return folder


@pytest.mark.usefixtures("fresh_kernels")
def test_review_in_jupyterlab_records_the_approval_with_the_plan_hash(page: Any, lab: Server, out_dir: Path) -> None:
    open_in_lab(page, lab, NOTEBOOK)
    run_all(page)
    review_customers(page, "reconcile-lab", out_dir)


def test_review_as_a_voila_app_records_the_approval_with_the_plan_hash(page: Any, voila: Server,
                                                                        out_dir: Path) -> None:
    open_in_voila(page, voila, NOTEBOOK, ".ops-review")
    expect(page.get_by_text("open_sync(")).to_have_count(0)  # an app: the code cells stay hidden
    review_customers(page, "reconcile-voila", out_dir)
