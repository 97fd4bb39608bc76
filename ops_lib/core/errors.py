"""The suite's exceptions: one small tree, each knowing its CLI exit code.

    OpsError                    exit 2: the run cannot go on
    ├── ConfigurationError      a setting or parameter is missing or wrong
    ├── AuthenticationError     no usable token
    │   └── ReconnectNeeded     the grant is gone; connect again
    ├── ApiError                the service refused a call (carries its code and error id)
    ├── ServiceUnreachable      no answer at all (network, timeout, retries spent)
    ├── DataInputError          a file or column the user supplied is unusable
    └── ConflictError           a write would duplicate or contradict existing data

Findings (a mismatch, a validation problem) are never exceptions: they are
rows in a result table. Exceptions are for when the run cannot continue.
Messages never contain secrets: connectors build them from the service's
error envelope and the suite's own catalogue, never from request headers
or token responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


class OpsError(Exception):
    """Base of every error the suite raises on purpose."""

    exit_code = 2


class ConfigurationError(OpsError):
    """A setting, parameter or environment choice is missing or invalid."""


class AuthenticationError(OpsError):
    """Credentials are missing, rejected or expired beyond refresh."""


class ReconnectNeeded(AuthenticationError):
    """The stored grant no longer works (revoked, rotated away, expired).

    Only a person can fix this, by connecting again; the message names the
    notebook and the command that do it.
    """


@dataclass(frozen=True)
class FieldError:
    """One field the service rejected, as listed in its error envelope."""

    field: str
    message: str
    code: str = ""


# The word before the fix in each language an explanation may be written in.
FIX_LABELS = {"en": "Fix", "sv": "Åtgärd", "fi": "Korjaus"}


@dataclass(frozen=True)
class Advice:
    """What an error means and how to fix it, in one language."""

    cause: str
    fix: str


@dataclass(frozen=True)
class Explanation:
    """What an error means and how to fix it, by language (``en`` always; ``sv``, ``fi`` where written).

    A language the catalogue has no text in falls back to English, so a
    user always reads a cause and a fix.
    """

    title: str
    advice: Mapping[str, Advice] = field(default_factory=dict)

    def in_language(self, language: str = "en") -> tuple[str, Advice]:
        """The language used (``language``, else ``en``) and its advice."""
        if language in self.advice:
            return language, self.advice[language]
        return "en", self.advice.get("en", Advice("", ""))

    @property
    def cause(self) -> str:
        return self.in_language("en")[1].cause

    @property
    def fix(self) -> str:
        return self.in_language("en")[1].fix

    def text(self, language: str = "en") -> str:
        used, advice = self.in_language(language)
        return f"{advice.cause} {FIX_LABELS.get(used, FIX_LABELS['en'])}: {advice.fix}"


class ApiError(OpsError):
    """The accounting service answered with an error.

    Attributes
    ----------
    status:
        The HTTP status.
    code:
        The service's own error code as text (eAccounting's ``ErrorCode`` 4006 is ``"4006"``;
        other systems name theirs), or ``""`` when it gave none.
    error_id:
        The id of this occurrence, to quote to support, when the service gives one.
    field_errors:
        The fields the service named, if any.
    explanation:
        The catalogue's plain explanation and fix by language, when the error is known.
    """

    def __init__(self, message: str, *, status: int, code: str = "",
                 error_id: str | None = None, field_errors: tuple[FieldError, ...] = (),
                 explanation: Explanation | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.error_id = error_id
        self.field_errors = field_errors
        self.explanation = explanation

    def explain(self, language: str = "en") -> str:
        """The plain explanation with its fix, or the bare message when unknown."""
        return self.explanation.text(language) if self.explanation else str(self)


class ServiceUnreachable(OpsError):
    """No usable answer: the connection failed, timed out, or retries ran out.

    ``outcome_unknown`` is True when a write may have reached the service
    before the connection broke; look the record up before sending again.
    """

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


class DataInputError(OpsError):
    """An input file, row or field cannot be used; the message names which."""


class ConflictError(OpsError):
    """A write would create a duplicate or contradict what is already there."""


def outcome_unknown(exc: OpsError, is_create: bool) -> bool:
    """A write whose answer says nothing about whether it was done (a create answered 5xx, or no answer)."""
    if isinstance(exc, ServiceUnreachable):
        return exc.outcome_unknown
    return isinstance(exc, ApiError) and is_create and exc.status >= 500


def error_details(exc: OpsError, language: str = "en") -> dict[str, str]:
    """What a result row shows of an error: the service's ErrorCode and ErrorId, the message, what it means."""
    return {"error_code": exc.code if isinstance(exc, ApiError) else "",
            "error_id": str(getattr(exc, "error_id", "") or ""), "message": str(exc),
            "explanation": exc.explain(language) if isinstance(exc, ApiError) else ""}
