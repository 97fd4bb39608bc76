"""The settings of an invoice-drafts run, declared once (see :mod:`ops_lib.core.options`).

``40_invoices.ipynb`` and ``ops invoices drafts`` build a
:class:`DraftSettings` for :func:`ops_lib.invoicing.draft_session.open_drafts`.
``source`` is the project tool's invoice-basis export, or ``demo`` for the
committed demo export beside the sandbox (``ops_lib/sandbox/pm_export/invoice_basis.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ops_lib.core.options import connection_values, flag, nested, option, path_text, settings_from, text
from ops_lib.sources.open import DEMO_SOURCE
from ops_lib.systems.options import SystemOptions, default_options, system_name, system_options
from ops_lib.systems.registry import DEFAULT_SYSTEM

DEMO_EXPORT = "demo"


@dataclass(frozen=True)
class DraftSettings:
    """Which invoice-basis export, drafted in which company, and the approval (passed through)."""

    source: str = option(DEMO_EXPORT, path_text, "the invoice-basis export (CSV or XLSX); demo: the demo export")
    default_article: str = option("", text, "the article an invoice row without one gets; empty: such rows block")
    system: str = option(DEFAULT_SYSTEM, system_name, "the accounting system the target is in")
    target: str = option(DEMO_SOURCE, text, "demo-sandbox, or a connected environment")
    company: str = option("", text, "organisation number, when several companies are connected")
    sandbox_url: str = option("", text, "empty: OPS_SANDBOX_URL or the default sandbox address")
    tenant_id: str = option("", text, "a service integration's tenant (client-credentials systems); empty: none")
    out_dir: str = option("build/invoices", path_text, "where the results and the status file are written",
                          relative=True)
    state_db: str = option("", path_text, "transfers ledger and operations log; empty: the configuration "
                                          "directory's")
    prepared_by: str = option("", text, "who prepared the plan; empty: the OS user")
    apply: bool = option(False, flag, "headless: create the drafts of the approved plan")
    approved_hash: str = option("", text, "headless: the draft plan hash an approver signed off")
    approved_by: str = option("", text, "the approver's name")
    four_eyes: bool = option(False, flag, "the approver must not be the preparer")
    # Where the system keeps projects (eAccounting: project_target, cost_center), as one mapping.
    system_options: SystemOptions = nested(default_options, system_options, "the accounting system's options",
                                           key="system")

    @property
    def connection(self) -> dict[str, str]:
        """The connection parameters given (empty ones are left to the defaults; the system always)."""
        return connection_values(self)

    def options(self) -> dict[str, Any]:
        """The system's options as keywords: for its register reader and its invoice poster alike."""
        return dict(self.system_options.as_kwargs())


def draft_settings(values: Mapping[str, Any] | None = None, **given: Any) -> DraftSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`DraftSettings`.

    Raises
    ------
    ConfigurationError
        Naming the unknown parameter, or the field whose value is wrong.
    """
    return settings_from(DraftSettings, {**dict(values or {}), **given}, "invoice drafts")


__all__ = ["DEMO_EXPORT", "DraftSettings", "draft_settings"]
