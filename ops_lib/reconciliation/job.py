"""One reconciliation end to end, for ``ops reconcile`` and the reconcile notebook.

Load both sides, reconcile, write ``reconciliation.csv``/``.xlsx``/``.json``
and report. The exit code is 0 when everything matches, 1 when there are
findings (errors raise and become 2 in the CLI). The review step's
library half is here as well (the approval written beside the results,
the pairs a reviewer filters); its form is :mod:`ops_lib.forms.review`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping, TextIO

import httpx
import pandas as pd

from ops_lib.reconciliation.result import Approval, Reconciliation


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


def write_approval(result: Reconciliation, out_dir: str | Path, approved_by: str | None = None, *,
                   expected_hash: str | None = None) -> tuple[Approval, Path]:
    """Approve ``result``'s plan and record it as ``approval.json`` in ``out_dir``.

    ``expected_hash`` (from params, headless) must be the plan's hash; see
    :meth:`~ops_lib.reconciliation.result.Reconciliation.approve`.
    """
    approval = result.approve(approved_by, expected_hash=expected_hash)
    return approval, approval.write(Path(out_dir) / "approval.json")


def approve_from_params(result: Reconciliation, out_dir: str | Path, *, approved_plan_hash: str = "",
                        approved_by: str = "") -> str:
    """The headless review step: record an approval only when ``approved_plan_hash`` is this plan's hash.

    Approving "whatever the data is tonight" is not possible: without a
    hash the plan stays unapproved and nothing is written.
    """
    if not approved_plan_hash:
        return f"Plan {result.plan_hash} is not approved (set approved_plan_hash and approved_by to approve it)."
    approval, path = write_approval(result, out_dir, approved_by or None, expected_hash=approved_plan_hash)
    return (f"Plan {approval.plan_hash} approved by {approval.approved_by} at {approval.approved_at}; "
            f"recorded in {path}.")


def pairs_with_status(result: Reconciliation, status: str = "") -> pd.DataFrame:
    """The pairs of one status, or (``status`` empty) every finding: the pairs that are not a match."""
    pairs = result.pairs
    return pairs[pairs["status"] != "match"] if not status else pairs[pairs["status"] == status]
