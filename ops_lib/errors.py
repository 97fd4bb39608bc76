"""The suite's exceptions: one small tree, each knowing its CLI exit code.

    OpsError                  exit 2: the run cannot go on
    ├── ConfigurationError    a setting or parameter is missing or wrong
    ├── AuthenticationError   no usable token; reconnect needed
    ├── ApiError              the service refused a call (carries ErrorCode/ErrorId)
    ├── DataInputError        a file or column the user supplied is unusable
    └── ConflictError         a write would duplicate or contradict existing data

Findings (a mismatch, a validation problem) are never exceptions: they are
rows in a result table. Exceptions are for when the run cannot continue.
Messages never contain secrets.
"""

from __future__ import annotations


class OpsError(Exception):
    """Base of every error the suite raises on purpose."""

    exit_code = 2


class ConfigurationError(OpsError):
    """A setting, parameter or environment choice is missing or invalid."""


class AuthenticationError(OpsError):
    """Credentials are missing, rejected or expired beyond refresh."""


class ApiError(OpsError):
    """The accounting service answered with an error envelope."""

    def __init__(self, message: str, *, status: int, error_code: int | None = None,
                 error_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.error_id = error_id


class DataInputError(OpsError):
    """An input file, row or field cannot be used; the message names which."""


class ConflictError(OpsError):
    """A write would create a duplicate or contradict what is already there."""
