"""Procountor's error envelope: ``{"errors": [{"status", "field", "message"}]}``.

Every failed call answers this body (``ErrorMessages`` in the spec); the
``message`` is a validation code such as ``CLOSED_FISCAL_PERIOD`` or a
short text, and ``field`` a path into the request body such as
``transactions[2].account``. Handlers raise :class:`ProcountorError`; the
app turns it into the body, so every error path looks alike to a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse

# The validation codes seen from the real service (wave2-apis.md §2 and §5).
ACCOUNT_VAT_COMBINATION = "ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION"
DIMENSION_IDS = "DIMENSION_OR_DIMENSION_ITEM_IDENTIFIERS_DOES_NOT_MATCH_THOSE_STORED_IN_DATABASE"
VATSTATUS_VATPERC = "ERROR_VATSTATUS_VATPERC"
CLOSED_FISCAL_PERIOD = "CLOSED_FISCAL_PERIOD"


@dataclass(frozen=True)
class Problem:
    """One entry of the envelope."""

    message: str
    field: str | None = None


@dataclass
class ProcountorError(Exception):
    """A failed call: its HTTP status and the problems to list."""

    status: int
    problems: list[Problem]
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def one(cls, status: int, message: str, field_path: str | None = None, **headers: str) -> "ProcountorError":
        return cls(status, [Problem(message, field_path)], dict(headers))

    def body(self) -> dict[str, Any]:
        entries: list[dict[str, Any]] = []
        for problem in self.problems:
            entry: dict[str, Any] = {"status": self.status}
            if problem.field is not None:
                entry["field"] = problem.field
            entry["message"] = problem.message
            entries.append(entry)
        return {"errors": entries}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def unauthorized() -> ProcountorError:
    """The real 401 body (wave2-apis.md §2.1)."""
    return ProcountorError.one(401, "Unauthorized")


def not_found(what: str) -> ProcountorError:
    return ProcountorError.one(404, f"{what} not found")
