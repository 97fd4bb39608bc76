"""ops_lib: keep Visma eAccounting registers in step with the systems beside them.

All logic of the notebook suite lives here; notebooks and the ``ops`` CLI
only call it. Importing the package needs no display, so papermill
workers, cron and CI can use it headless.
"""

from .errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    DataInputError,
    OpsError,
    ReconnectNeeded,
    ServiceUnreachable,
)

from .reconcile import reconcile  # noqa: E402 - the function shadows its module on purpose: ops_lib.reconcile(...)
from .reconciliation import Approval, Reconciliation

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
