"""One reconciliation end to end, for ``ops reconcile`` and the reconcile notebook.

Load both sides, reconcile, write ``reconciliation.csv``/``.xlsx``/``.json``
and report. The exit code is 0 when everything matches, 1 when there are
findings (errors raise and become 2 in the CLI).

Reconciling only reads. Two files are read as files: no connection
settings, no token store, no state database. A connected side opens that
system's reader: its client, and the register cache the pull goes through
(in the state database; the cache is part of how a system is read, so the
first pull creates ``state.sqlite``). Nothing here plans, records or
writes to a system: :mod:`ops_lib.sync.session` builds on
:func:`open_reconciliation`, never the other way round.

The review step's library half is here as well (the approval written beside
the results, the pairs a reviewer filters); its form is :mod:`ops_lib.forms.review`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, TextIO

import httpx
import pandas as pd

from ops_lib.reconciliation.engine import reconcile
from ops_lib.reconciliation.result import Approval, Reconciliation
from ops_lib.reconciliation.settings import ReconcileSettings
from ops_lib.sources.open import LoadedRegister, load_register, open_register_cache


@dataclass
class OpenReconciliation:
    """A reconciliation with its sources still open, for whoever acts on it next (a sync).

    ``sides`` keeps each side's client (a system) or path (a file);
    ``state`` is the state database opened for the register cache, None
    when both sides are files. Close it (or use it as a context manager) when done.
    """

    register: str
    result: Reconciliation
    sides: dict[str, LoadedRegister]
    state: sqlite3.Connection | None
    options: Mapping[str, Any]
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def close(self) -> None:
        self.stack.close()

    def __enter__(self) -> "OpenReconciliation":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_reconciliation(settings: ReconcileSettings, *, connection: Mapping[str, Any] | None = None,
                        transport: httpx.BaseTransport | None = None, state_db: str | Path = "",
                        full_resync: bool = False,
                        client_options: Mapping[str, Any] | None = None) -> OpenReconciliation:
    """Read both sides of ``settings.register`` and reconcile them, keeping the sources open.

    Parameters
    ----------
    settings:
        What to reconcile; ``settings.company`` and ``settings.sandbox_url`` (when set) join
        ``connection`` for a system side, and are unused, and not validated, when both sides are files.
    state_db:
        The state database holding the register cache of a system side; empty: the
        configuration directory's ``state.sqlite``. Not opened when both sides are files.
    full_resync:
        Pull system registers in full, ignoring what the cache holds.
    client_options:
        Passed to :func:`ops_lib.connection.connect.open_client` (``sleep``, ``budget``, ``policy``, ``page_size``).
    """
    connection = {**dict(connection or {}), **settings.connection}
    options = settings.system_options.as_kwargs()
    sources = (("left", settings.left), ("right", settings.right))
    stack = contextlib.ExitStack()
    try:
        db = open_register_cache(stack, (settings.left, settings.right), state_db, connection)
        sides = {name: load_register(stack, source, settings.register, mapping=settings.mapping or None,
                                     connection=connection, transport=transport, db=db, full=full_resync,
                                     options=options, client_options=client_options)
                 for name, source in sources}
        result = reconcile(sides["left"].frame, sides["right"].frame, settings.register, master=settings.master,
                           threshold=settings.threshold, rules_left=sides["left"].rules,
                           rules_right=sides["right"].rules, left_name=sides["left"].label,
                           right_name=sides["right"].label)
    except BaseException:
        stack.close()
        raise
    return OpenReconciliation(settings.register, result, sides, db, options, stack)


def reconcile_sources(settings: ReconcileSettings, *, connection: Mapping[str, Any] | None = None,
                      transport: httpx.BaseTransport | None = None) -> Reconciliation:
    """Reconcile ``settings.register`` between its two sources (files or connected environments), then close them."""
    with open_reconciliation(settings, connection=connection, transport=transport) as opened:
        return opened.result


def run_reconcile(settings: ReconcileSettings, *, connection: Mapping[str, Any] | None = None,
                  transport: httpx.BaseTransport | None = None, out: TextIO | None = None) -> int:
    """Reconcile, write the results to ``settings.out_dir`` and print the summary; 0 clean, 1 findings."""
    out = out or sys.stdout
    result = reconcile_sources(settings, connection=connection, transport=transport)
    written = result.write(Path(settings.out_dir))
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


def approve_from_params(result: Reconciliation, out_dir: str | Path, *, approved_hash: str = "",
                        approved_by: str = "") -> str:
    """The headless review step: record an approval only when ``approved_hash`` is this plan's hash.

    Approving "whatever the data is tonight" is not possible: without a
    hash the plan stays unapproved and nothing is written.
    """
    if not approved_hash:
        return (f"Plan {result.plan_hash} is not approved "
                f"(set approved_reconciliation_hash and approved_by to approve it).")
    approval, path = write_approval(result, out_dir, approved_by or None, expected_hash=approved_hash)
    return (f"Plan {approval.plan_hash} approved by {approval.approved_by} at {approval.approved_at}; "
            f"recorded in {path}.")


def pairs_with_status(result: Reconciliation, status: str = "") -> pd.DataFrame:
    """The pairs of one status, or (``status`` empty) every finding: the pairs that are not a match."""
    pairs = result.pairs
    return pairs[pairs["status"] != "match"] if not status else pairs[pairs["status"] == status]
