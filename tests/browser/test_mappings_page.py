"""The mapping editor in JupyterLab: a deactivated account is flagged on its row, a valid one is saved."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import choose, open_in_lab, run_all, snap
from tests.browser.servers import Server

NOTEBOOK = "notebooks/10_mappings.ipynb"
CATEGORY = "Office supplies"
INACTIVE = "6991"  # deactivated in the demo company's chart
VALID = "5460"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_kernels")]


def pick_account(row: Any, number: str) -> str:
    """Choose the account ``number`` in the row's dropdown, by the label a person reads; return that label."""
    return choose(row.locator(".ops-category-account select"), f"{number} ", at_start=True)


def category_row(page: Any, category: str) -> Any:
    """The editor's row whose name field holds ``category`` (a field's value is no attribute to select on)."""
    rows = page.locator(".ops-category-row")
    expect(rows.first).to_be_visible()
    names = [rows.nth(i).locator(".ops-category-name input").input_value() for i in range(rows.count())]
    assert category in names, names
    return rows.nth(names.index(category))


def categories(workspace: Path) -> dict[str, str]:
    with (workspace / "params" / "mappings" / "categories.csv").open(encoding="utf-8", newline="") as f:
        return {r["category"]: r["account"] for r in csv.DictReader(f)}


def test_a_deactivated_account_is_flagged_and_a_valid_one_is_saved(page: Any, lab: Server, workspace: Path) -> None:
    before = categories(workspace)
    assert before[CATEGORY] not in (INACTIVE, VALID)
    open_in_lab(page, lab, NOTEBOOK)
    run_all(page)
    row = category_row(page, CATEGORY)
    status = row.locator(".ops-row-status")
    expect(status).to_contain_class("ops-row-ok")
    snap(page, "mappings-editor", row)

    label = pick_account(row, INACTIVE)
    assert label.endswith("(inactive)")
    expect(status).to_contain_text("inactive")
    expect(status).to_contain_class("ops-row-problem")
    page.locator(".ops-save").click()
    message = page.locator(".ops-message-area").last
    expect(message).to_contain_text("Nothing was saved")
    snap(page, "mappings-inactive-flagged", row)
    assert categories(workspace) == before, "a table with a problem must not be saved"

    pick_account(row, VALID)
    expect(status).to_contain_class("ops-row-ok")
    page.locator(".ops-save").click()
    expect(message).to_have_text(re.compile(r"^Saved .*categories\.csv"))
    snap(page, "mappings-saved", message)
    assert categories(workspace) == {**before, CATEGORY: VALID}

