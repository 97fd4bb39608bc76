"""ops_lib: keep Visma eAccounting registers in step with the systems beside them.

All logic of the notebook suite lives here (one package per capability; see
the README's layout section); notebooks and the ``ops`` CLI
only call it. Importing the package needs no display, so papermill
workers, cron and CI can use it headless.
"""

from ops_lib.approvals.approval import Approval
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
