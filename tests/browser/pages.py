"""Driving a notebook as an analyst does: open it in JupyterLab or Voilà, run it, and look at what it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.servers import ARTIFACTS, Server

# The status bar's kernel item reads "Python 3 (ipykernel) | Idle" once the kernel runs and waits. The toolbar's
# execution indicator says idle before a kernel exists, and Run All pressed then runs nothing.
KERNEL_IDLE = re.compile(r"\| Idle$")
KERNEL_ITEM = "#jp-main-statusbar .jp-StatusBar-TextItem"
# Every code cell of the notebook on show has run: its prompt reads [N], not [*] or [ ].
ALL_CELLS_RAN = r"""() => {
    const prompts = [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
    return prompts.length > 0 && prompts.every(p => /\[\d+\]/.test(p.textContent));
}"""
ERROR_OUTPUT = ("[data-mime-type='application/vnd.jupyter.error'], "
                "[data-mime-type='application/vnd.jupyter.stderr']")


def open_in_lab(page: Any, lab: Server, notebook: str) -> None:
    """Open ``notebook`` (relative to the working copy) in a fresh JupyterLab layout and wait for its kernel."""
    page.goto(f"{lab.url}/lab/tree/{notebook}?reset&token={lab.token}", wait_until="domcontentloaded")
    page.locator(KERNEL_ITEM, has_text=KERNEL_IDLE).wait_for()


def run_all(page: Any) -> None:
    """Run > Run All Cells, then wait until every cell has run and the kernel is idle again."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    page.wait_for_function(ALL_CELLS_RAN)
    page.locator(KERNEL_ITEM, has_text=KERNEL_IDLE).wait_for()


def open_in_voila(page: Any, voila: Server, notebook: str, ready: str) -> None:
    """Open ``notebook`` as a Voilà app; Voilà runs every cell in a new kernel before ``ready`` shows."""
    page.goto(f"{voila.url}/voila/render/{notebook}?token={voila.token}", wait_until="domcontentloaded")
    page.locator(ready).first.wait_for()


def choose(select: Any, text: str, *, at_start: bool = False) -> str:
    """Choose the one option of a dropdown whose label contains (or, ``at_start``, begins with) ``text``.

    The label is the option's value: its text has non-breaking spaces. Waits for the option, since a
    dropdown's options can follow a moment after the rest of the form. Returns the label.
    """
    option = select.locator(f"option[value{'^' if at_start else '*'}={json.dumps(text)}]")
    expect(option).to_have_count(1)
    label = str(option.get_attribute("value"))
    select.select_option(value=label)
    return label


def assert_rendered(page: Any) -> None:
    """Every widget has rendered, and no cell shows an error, a traceback or anything on stderr."""
    expect(page.get_by_text("Loading widget...")).to_have_count(0)
    errors = page.locator(ERROR_OUTPUT)
    assert errors.count() == 0, errors.all_inner_texts()
    for text in ("Traceback", "There was an error when executing cell"):
        assert page.get_by_text(text).count() == 0, f"the page shows {text!r}"


def snap(page: Any, name: str, focus: Any | None = None) -> Path:
    """Check the page renders cleanly, then save it as ``test-artifacts/browser/<name>.png``.

    ``focus`` is scrolled into view first: JupyterLab scrolls inside its own panel, so a
    screenshot shows only what is in view.
    """
    if focus is not None:
        focus.scroll_into_view_if_needed()
    assert_rendered(page)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
