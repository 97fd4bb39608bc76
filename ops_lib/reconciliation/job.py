"""One reconciliation end to end, for ``ops reconcile`` and the reconcile notebook.

Load both sides, reconcile, write ``reconciliation.csv``/``.xlsx``/``.json``
and report. The exit code is 0 when everything matches, 1 when there are
findings (errors raise and become 2 in the CLI).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping, TextIO

import httpx

from ops_lib.reconciliation.result import Reconciliation
from ops_lib.reconciliation.settings import ReconcileSettings


def reconcile_sources(settings: ReconcileSettings, *, connection: Mapping[str, Any] | None = None,
                      transport: httpx.BaseTransport | None = None) -> Reconciliation:
    """Reconcile ``settings.register`` between its two sources (files or connected environments).

    ``settings.company`` and ``settings.sandbox_url`` (when set) join ``connection`` for system sources.
    """
    from ops_lib.sync.session import open_sync
    from ops_lib.sync.settings import SyncSettings

    with open_sync(SyncSettings(reconcile=settings), connection=connection, transport=transport) as session:
        return session.result


def run_reconcile(settings: ReconcileSettings, *, connection: Mapping[str, Any] | None = None,
                  transport: httpx.BaseTransport | None = None, out: TextIO | None = None) -> int:
    """Reconcile, write the results to ``settings.out_dir`` and print the summary; 0 clean, 1 findings."""
    out = out or sys.stdout
    result = reconcile_sources(settings, connection=connection, transport=transport)
    written = result.write(Path(settings.out_dir))
    out.write(result.describe() + "\n\n" + result.summary().to_string(index=False) + "\n\n")
    out.write("Written: " + ", ".join(str(p) for p in written.values()) + "\n")
    return 1 if result.findings else 0


def review_panel(result: Reconciliation, out_dir: str | Path, interactive: bool = True, *,
                 approved_plan_hash: str = "", approved_by: str = "") -> Any:
    """The review form (interactive), or the approval recorded from params (headless).

    Headless, an approval is recorded only when ``approved_plan_hash``
    equals the plan's hash: approving "whatever the data is tonight" is
    not possible. Without it the plan stays unapproved and nothing is written.
    """
    if interactive:
        from ops_lib.forms.widgets import review_form

        return review_form(result, out_dir, approved_by)
    if not approved_plan_hash:
        return f"Plan {result.plan_hash} is not approved (set approved_plan_hash and approved_by to approve it)."
    approval = result.approve(approved_by or None, expected_hash=approved_plan_hash)
    path = approval.write(Path(out_dir) / "approval.json")
    return f"Plan {approval.plan_hash} approved by {approval.approved_by} at {approval.approved_at}; recorded in {path}."


def reviewed(panel: Any, result: Reconciliation) -> Reconciliation:
    """The reconciliation as the review form left it (suggestions accepted or rejected), else ``result``."""
    state = getattr(panel, "state", None)
    return state.get("result", result) if isinstance(state, dict) else result
