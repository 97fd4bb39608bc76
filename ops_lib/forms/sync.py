"""The apply step of the reconcile and booking notebooks: the Approve button, or (headless) params.

The approval is bound to the plan shown: the button applies exactly that
plan under its hash, and the results (red or green box and the
per-action table) replace the plan when it is done.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ops_lib.core.errors import OpsError
from ops_lib.forms.panels import add_classes, message
from ops_lib.sync.session import run_and_write


def sync_panel(session: Any, plan: Any, out_dir: str | Path, interactive: bool = True, *,
               apply: bool = False, approved_hash: str = "", approved_by: str = "",
               four_eyes: bool = False) -> Any:
    """The notebook's apply step: the Approve button (interactive), or params (headless).

    ``session`` is a sync or an export session (see
    :func:`ops_lib.sync.session.run_and_write`). Headless, nothing is sent
    unless ``apply`` is true and ``approved_hash`` names this plan;
    the outcome is saved in ``out_dir`` either way.
    """
    if interactive:
        return sync_form(session, plan, out_dir, approved_by=approved_by, four_eyes=four_eyes)
    result, _ = run_and_write(session, plan, out_dir, apply=apply, approved_hash=approved_hash,
                              approved_by=approved_by, four_eyes=four_eyes)
    return result


def sync_form(session: Any, plan: Any, out_dir: str | Path, approved_by: str = "", four_eyes: bool = False) -> Any:
    """The plan with every call, the approver's name, and Approve and apply."""
    import ipywidgets as w

    plan_view = w.HTML(value=plan._repr_html_())
    who = w.Text(value=approved_by, description="Approver", placeholder="your name")
    apply = w.Button(description="Approve and apply", button_style="danger", icon="upload",
                     disabled=not plan.writable)
    preparer = w.HTML(value=f"<span class='ops-preparer'>Prepared by {html.escape(session.preparer(plan))}"
                            + (" (four-eyes: someone else must approve)" if four_eyes else "") + "</span>")
    outcome = w.HTML()
    shown = w.HTML()
    add_classes(((plan_view, "ops-plan"), (who, "ops-approver"), (apply, "ops-apply"), (preparer, "ops-preparer"),
                 (outcome, "ops-sync-outcome"), (shown, "ops-message-area")))
    state: dict[str, Any] = {"result": None}

    def on_apply(_: Any) -> None:
        approver = who.value.strip()
        if not approver:
            shown.value = message("error", "Type your name as approver first.")
            return
        apply.disabled = True
        shown.value = message("wait", "Applying…")
        try:
            result, written = run_and_write(session, plan, out_dir, apply=True, approved_hash=plan.plan_hash,
                                            approved_by=approver, four_eyes=four_eyes)
        except OpsError as exc:
            apply.disabled = False
            shown.value = message("error", str(exc))
            return
        state["result"] = result
        outcome.value = result._repr_html_()
        shown.value = message("info", f"Plan {plan.plan_hash} approved by {approver}; results saved in "
                                      + ", ".join(str(p) for p in written.values()) + ".")

    apply.on_click(on_apply)
    form = w.VBox([plan_view, preparer, w.HBox([who, apply]), shown, outcome])
    form.add_class("ops-sync")
    form.state = state
    return form
