"""The audit notebook's step: the period form, or (headless) the review with its Excel export written.

The form picks a period, lists and verifies its runs, shows what each
changed, and exports to Excel; every button calls one function of
:mod:`ops_lib.runs.audit`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ops_lib.core.errors import OpsError
from ops_lib.forms.panels import add_classes, message
from ops_lib.runs.audit import AuditReview, audit_review


def audit_panel(review: AuditReview, out_dir: Path | str = "build/audit", interactive: bool = True) -> Any:
    """What the audit notebook shows: the period form, or (headless) the review, with its Excel export written."""
    if interactive:
        return audit_form(review, out_dir)
    review.export(out_dir)
    return review


def audit_form(first: AuditReview, out_dir: Path | str) -> Any:
    """The auditor's form, opened on ``first`` (the period from params)."""
    import ipywidgets as w

    state = {"review": first}
    since = w.DatePicker(description="From", value=first.start)
    until = w.DatePicker(description="To", value=first.end)
    show = w.Button(description="List and verify", button_style="primary", icon="search")
    export = w.Button(description="Export to Excel", icon="file-excel-o")
    verdict = w.HTML()
    table = w.HTML()
    shown = w.HTML()
    add_classes(((since, "ops-period-start"), (until, "ops-period-end"), (show, "ops-verify"), (export, "ops-export"),
                 (verdict, "ops-verdict"), (table, "ops-runs"), (shown, "ops-message-area")))

    def refresh(review: AuditReview) -> None:
        state["review"] = review
        verdict.value = review.verification._repr_html_()
        table.value = review.runs_html() + review.operations_html()

    def on_show(_: Any) -> None:
        try:
            # an empty "To" is today, an empty "From" the usual period before it (audit_review's defaults)
            refresh(audit_review(first.root, since.value, until.value, state_db=first.state_db))
        except OpsError as exc:
            shown.value = message("error", str(exc))
            return
        review = state["review"]
        shown.value = message("info", f"{len(review.runs)} run(s) from {review.start} to {review.end}.")

    def on_export(_: Any) -> None:
        review = state["review"]
        path = review.export(out_dir)
        shown.value = message("info", f"Exported {len(review.runs)} run(s) to {path}.")

    show.on_click(on_show)
    export.on_click(on_export)
    refresh(first)
    form = w.VBox([w.HBox([since, until, show, export]), verdict, table, shown])
    form.state = state
    return form
