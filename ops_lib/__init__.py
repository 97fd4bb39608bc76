"""ops_lib: keep Visma eAccounting registers in step with the systems beside them.

All logic of the notebook suite lives here (one package per capability; see
the README's layout section); notebooks and the ``ops`` CLI
only call it. Importing the package needs no display, so papermill
workers, cron and CI can use it headless.

The reconciliation names (``reconcile``, ``Reconciliation``, ``Approval``)
are imported on first use: they bring pandas and pyarrow, which commands
such as ``ops run`` never need, and a headless run's start-up is part of
its time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ops_lib.core.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    DataInputError,
    OpsError,
    ReconnectNeeded,
    ServiceUnreachable,
)

if TYPE_CHECKING:
    from ops_lib.approvals.approval import Approval
    from ops_lib.reconciliation.engine import reconcile
    from ops_lib.reconciliation.result import Reconciliation

__version__ = "0.1.0"

__all__ = [
    "Approval",
    "Reconciliation",
    "reconcile",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DataInputError",
    "OpsError",
    "ReconnectNeeded",
    "ServiceUnreachable",
    "__version__",
]

_LAZY = {"Approval": "ops_lib.approvals.approval", "reconcile": "ops_lib.reconciliation.engine",
         "Reconciliation": "ops_lib.reconciliation.result"}


def __getattr__(name: str) -> Any:
    """``ops_lib.reconcile`` and the other reconciliation names, imported when first asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ops_lib' has no attribute {name!r}")
