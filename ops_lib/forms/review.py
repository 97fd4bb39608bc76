"""The reconcile notebook's review step: the review form, or (headless) the approval from params.

The form filters pairs by status, compares a pair side by side, accepts
or rejects fuzzy suggestions and approves the plan, bound to its hash.
The reviewed result stays on the form (``form.state["result"]``), where
:func:`reviewed` finds it for the cells after the form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ops_lib.core.errors import OpsError
from ops_lib.forms.panels import add_classes, message
from ops_lib.reconciliation.job import approve_from_params, pairs_with_status, write_approval
from ops_lib.reconciliation.result import PAIR_COLUMNS, STATUSES, Reconciliation

ALL_FINDINGS = "all findings"


def review_panel(result: Reconciliation, out_dir: str | Path, interactive: bool = True, *,
                 approved_hash: str = "", approved_by: str = "") -> Any:
    """The review form (interactive), or the approval recorded from params (headless).

    Headless, see :func:`ops_lib.reconciliation.job.approve_from_params`:
    an approval is recorded only when ``approved_hash`` is the plan's hash.
    """
    if interactive:
        return review_form(result, out_dir, approved_by)
    return approve_from_params(result, out_dir, approved_hash=approved_hash, approved_by=approved_by)


def reviewed(panel: Any, result: Reconciliation) -> Reconciliation:
    """The reconciliation as the review form left it (suggestions accepted or rejected), else ``result``."""
    state = getattr(panel, "state", None)
    return state.get("result", result) if isinstance(state, dict) else result


def review_form(result: Reconciliation, out_dir: str | Path, approved_by: str = "") -> Any:
    """Review a reconciliation: filter, compare side by side, accept or reject suggestions, approve."""
    return _ReviewForm(result, out_dir, approved_by).box


def _label(i: int, r: Any) -> str:
    text = (f"{i}: {r['status']} {r['left_number'] or '-'} {r['left_name'] or ''} | "
            f"{r['right_number'] or '-'} {r['right_name'] or ''}")
    return text + (f" (suggests {r['suggestion_number']}, {r['suggestion_score']})" if r["suggestion_number"] else "")


class _ReviewForm:
    """The widgets of one review form and their callbacks; ``box`` is what the notebook shows."""

    def __init__(self, result: Reconciliation, out_dir: str | Path, approved_by: str) -> None:
        import ipywidgets as w

        self.out_dir = out_dir
        self.state = {"result": result}
        self.status = w.Dropdown(options=[ALL_FINDINGS, *STATUSES], value=ALL_FINDINGS, description="Status")
        self.table = w.HTML()
        self.pick = w.Dropdown(description="Pair", options=[], layout=w.Layout(width="60%"))
        self.side = w.HTML()
        self.accept = w.Button(description="Accept suggestion", icon="check")
        self.reject = w.Button(description="Reject suggestion", icon="times")
        self.who = w.Text(value=approved_by, description="Approver", placeholder="your name")
        self.approve = w.Button(description="Approve plan", button_style="success", icon="thumbs-up")
        self.message = w.HTML()
        self.summary = w.HTML()
        add_classes(((self.status, "ops-filter"), (self.table, "ops-pairs"), (self.pick, "ops-pick"),
                     (self.side, "ops-side"), (self.accept, "ops-accept"), (self.reject, "ops-reject"),
                     (self.approve, "ops-approve"), (self.message, "ops-message-area"),
                     (self.summary, "ops-summary"), (self.who, "ops-approver")))
        self.status.observe(self.refresh, names="value")
        self.pick.observe(self.show_pair, names="value")
        self.accept.on_click(lambda _: self.decide(True))
        self.reject.on_click(lambda _: self.decide(False))
        self.approve.on_click(self.on_approve)
        self.refresh()
        self.box = w.VBox([self.summary, self.status, self.table, self.pick, self.side,
                           w.HBox([self.accept, self.reject]), w.HBox([self.who, self.approve]), self.message])
        self.box.add_class("ops-review")
        self.box.state = self.state  # the reviewed result, for the cells after the form

    def refresh(self, *_: Any) -> None:
        result = self.state["result"]
        shown = pairs_with_status(result, "" if self.status.value == ALL_FINDINGS else self.status.value)
        self.table.value = shown[PAIR_COLUMNS].head(200).to_html(classes="ops-pairs-table", index=True, escape=True)
        self.pick.options = [(_label(i, r), i) for i, r in shown.head(500).iterrows()]
        self.summary.value = result.summary_html()
        self.show_pair()

    def show_pair(self, *_: Any) -> None:
        if self.pick.value is None:
            self.side.value = ""
            return
        result = self.state["result"]
        self.side.value = result.side_by_side(self.pick.value).to_html(index=False, escape=True,
                                                                       classes="ops-side-table")
        has = bool(result.pairs.loc[self.pick.value, "suggestion_number"])
        self.accept.disabled = self.reject.disabled = not has

    def decide(self, accepting: bool) -> None:
        index, result = self.pick.value, self.state["result"]
        try:
            self.state["result"] = result.accept_suggestion(index) if accepting else result.reject_suggestion(index)
        except OpsError as exc:
            self.message.value = message("error", str(exc))
            return
        self.message.value = message("info", ("Accepted" if accepting else "Rejected")
                                     + f" the suggestion on row {index}.")
        self.refresh()

    def on_approve(self, _: Any) -> None:
        if not self.who.value.strip():
            self.message.value = message("error", "Type your name as approver first.")
            return
        approval, path = write_approval(self.state["result"], self.out_dir, self.who.value.strip())
        self.message.value = message("info", f"Approved plan {approval.plan_hash} by {approval.approved_by} at "
                                             f"{approval.approved_at}; recorded in {path}.")
