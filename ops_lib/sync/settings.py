"""The settings of one sync, declared once (see :mod:`ops_lib.core.options`).

A sync is a reconciliation (:class:`~ops_lib.reconciliation.settings.ReconcileSettings`,
nested and accepted flat) plus where its state lives and who approves what.
``20_reconcile.ipynb`` and ``ops sync`` build a :class:`SyncSettings` and
hand it to :func:`ops_lib.sync.session.open_sync`.

The approval fields keep the names the notebook and the CLI use today and
are passed through unchanged to the approval step: ``approved_reconciliation_hash``
approves the reconciliation review, ``approved_sync_hash`` the sync plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ops_lib.core.options import flag, nested, option, path_text, settings_from, text
from ops_lib.reconciliation.settings import ReconcileSettings, reconcile_settings


@dataclass(frozen=True)
class SyncSettings:
    """A reconciliation, the state database it syncs through, and the approval (passed through)."""

    reconcile: ReconcileSettings = nested(ReconcileSettings, reconcile_settings, "what to reconcile")
    state_db: str = option("", path_text, "operations log and register cache; empty: the configuration directory's")
    full_resync: bool = option(False, flag, "pull system registers in full, not only the changes")
    prepared_by: str = option("", text, "who prepares the plan; empty: the OS user")
    apply: bool = option(False, flag, "headless: send the approved sync plan")
    approved_reconciliation_hash: str = option("", text, "headless: the reconciliation plan hash an approver signed off")
    approved_sync_hash: str = option("", text, "headless: the sync plan hash an approver signed off")
    approved_by: str = option("", text, "the approver's name")
    four_eyes: bool = option(False, flag, "the approver must not be the preparer")


def sync_settings(values: Mapping[str, Any] | None = None, **given: Any) -> SyncSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`SyncSettings`.

    Raises
    ------
    ConfigurationError
        Naming the unknown parameter, or the field whose value is wrong.
    """
    return settings_from(SyncSettings, {**dict(values or {}), **given}, "sync")
