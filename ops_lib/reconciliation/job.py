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


def reconcile_sources(register: str, left: str, right: str, *, master: str = "left",
                      mapping: str | Path | None = None, threshold: int = 85,
                      connection: Mapping[str, Any] | None = None, company: str = "", sandbox_url: str = "",
                      transport: httpx.BaseTransport | None = None, **options: Any) -> Reconciliation:
    """Reconcile ``register`` between two sources (files or connected environments).

    ``company`` and ``sandbox_url`` (empty: not set) join ``connection`` for system sources;
    ``options`` are those of :func:`ops_lib.sync.session.open_sync` (``project_target``, ``full_resync``, ...).
    """
    from ops_lib.sync.session import open_sync

    with open_sync(register, left, right, master=master, mapping=mapping, threshold=threshold,
                   connection=connection, company=company, sandbox_url=sandbox_url, transport=transport,
                   **options) as session:
        return session.result


def run_reconcile(register: str, left: str, right: str, *, master: str = "left", mapping: Path | None = None,
                  out_dir: Path = Path("build/reconcile"), threshold: int = 85,
                  connection: Mapping[str, Any] | None = None, transport: httpx.BaseTransport | None = None,
                  out: TextIO | None = None) -> int:
    """Reconcile, write the results to ``out_dir`` and print the summary; 0 clean, 1 findings."""
    out = out or sys.stdout
    result = reconcile_sources(register, left, right, master=master, mapping=mapping, threshold=threshold,
                               connection=connection, transport=transport)
    written = result.write(out_dir)
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
        return (f"Plan {result.plan_hash} is not approved "
                f"(set approved_reconciliation_hash and approved_by to approve it).")
    approval = result.approve(approved_by or None, expected_hash=approved_plan_hash)
    path = approval.write(Path(out_dir) / "approval.json")
    return f"Plan {approval.plan_hash} approved by {approval.approved_by} at {approval.approved_at}; recorded in {path}."


def reviewed(panel: Any, result: Reconciliation) -> Reconciliation:
    """The reconciliation as the review form left it (suggestions accepted or rejected), else ``result``."""
    state = getattr(panel, "state", None)
    return state.get("result", result) if isinstance(state, dict) else result
