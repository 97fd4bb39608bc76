"""The settings of one reconciliation, declared once (see :mod:`ops_lib.core.options`).

``ops reconcile`` builds them from its flags and ``20_reconcile.ipynb``
(through :func:`ops_lib.sync.settings.sync_settings`) from its
``parameters`` cell; :func:`ops_lib.reconciliation.job.reconcile_sources`
takes the object instead of loose keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ops_lib.core.options import choice, connection_values, integer, nested, option, path_text, settings_from, text
from ops_lib.model.registers import REGISTERS
from ops_lib.sources.open import DEMO_SOURCE
from ops_lib.systems.options import SystemOptions, default_options, system_name, system_options
from ops_lib.systems.registry import DEFAULT_SYSTEM


@dataclass(frozen=True)
class ReconcileSettings:
    """Which register, between which two sources, and how to match them.

    ``left``/``right`` are a file, a connected environment or ``demo-sandbox``;
    ``mapping`` is a column-mapping YAML for file sources (empty: canonical
    headers). ``system`` is the accounting system a connected side is in;
    ``system_options`` is that system's own block (eAccounting:
    ``project_target``, ``cost_center``), accepted flat too.
    """

    register: str = option("customers", choice(*REGISTERS), " | ".join(REGISTERS))
    left: str = option("ops_lib/sandbox/pm_export/customers.csv", path_text, "a file, or an environment name",
                       relative=True)
    right: str = option(DEMO_SOURCE, path_text, "a file, or an environment name")
    mapping: str = option("params/columns/pm.yaml", path_text, "column mapping for file sources; empty: canonical",
                          relative=True)
    master: str = option("left", choice("left", "right"), "the side updates flow from")
    threshold: int = option(85, integer(0, 100), "lowest fuzzy score for a suggestion")
    system: str = option(DEFAULT_SYSTEM, system_name, "the accounting system of a connected side")
    company: str = option("", text, "organisation number, when several companies are connected")
    sandbox_url: str = option("", text, "empty: OPS_SANDBOX_URL or the default sandbox address")
    tenant_id: str = option("", text, "a service integration's tenant (client-credentials systems); empty: none")
    out_dir: str = option("build/reconcile", path_text, "where the results are written", relative=True)
    system_options: SystemOptions = nested(default_options, system_options, "the accounting system's options",
                                           key="system")

    @property
    def connection(self) -> dict[str, str]:
        """The connection parameters given (empty ones are left to the defaults; the system always)."""
        return connection_values(self)


def reconcile_settings(values: Mapping[str, Any] | None = None, **given: Any) -> ReconcileSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`ReconcileSettings`.

    Raises
    ------
    ConfigurationError
        Naming the unknown parameter, or the field whose value is wrong.
    """
    return settings_from(ReconcileSettings, {**dict(values or {}), **given}, "reconcile")
