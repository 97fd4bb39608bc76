"""Visma.net's error answers, read into the suite's exceptions.

Visma.net has no error schema; three shapes are seen:

* business errors, HTTP 400 (and 404, 500): ``{"message": "VismaId: <uuid>.
  <action>. Error: <text>\\r\\nError: <text>\\r\\n"}``, no code; the
  ``VismaId`` is the id to quote to support;
* platform errors, the ``IPPException`` envelope ``{ExceptionType,
  ExceptionMessage, ExceptionFaultCode, ExceptionMessageID, ...}``
  (``12027``: no licence for the company), whose fault code is the code;
* sign-in errors from Visma Connect, ``{"error": "invalid_tenant", ...}``,
  whose ``error`` is the code; and sometimes plain text.

:func:`error_from_response` reads any of them into an
:class:`~ops_lib.core.errors.ApiError` explained from
``error_catalogue.yaml`` (English and Swedish), never echoing the request.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpx
import yaml

from ops_lib.core.errors import Advice, ApiError, Explanation

LANGUAGES = ("en", "sv")  # the catalogue's languages; every entry has both
_VISMA_ID = re.compile(r"VismaId:\s*([0-9A-Za-z-]+)\.?\s*")
_ERRORS = re.compile(r"Error:\s*(.+?)\s*(?=\r?\n|Error:|$)")


@dataclass(frozen=True)
class _MessageRule:
    id: str
    explanation: Explanation
    code: str
    status: int | None
    pattern: re.Pattern[str] | None

    def matches(self, code: str, status: int, text: str) -> bool:
        if self.code and self.code != code:
            return False
        if self.status is not None and self.status != status:
            return False
        return self.pattern is None or bool(self.pattern.search(text))


def _explanation(entry: dict[str, Any]) -> Explanation:
    return Explanation(entry["title"], {language: Advice(entry[language]["cause"], entry[language]["fix"])
                                        for language in LANGUAGES if language in entry})


@functools.cache
def catalogue() -> tuple[tuple[_MessageRule, ...], dict[str, Explanation]]:
    """The message rules (checked first, in order) and the explanation of every code."""
    text = resources.files(__package__).joinpath("error_catalogue.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = tuple(
        _MessageRule(id=entry["id"], explanation=_explanation(entry), code=str(entry.get("code") or ""),
                     status=entry.get("status"),
                     pattern=re.compile(entry["pattern"], re.I) if entry.get("pattern") else None)
        for entry in data["messages"]
    )
    return rules, {str(code): _explanation(entry) for code, entry in data["codes"].items()}


def explain(code: str, status: int, message: str = "") -> Explanation | None:
    """The catalogue's explanation of one error answer, or None."""
    rules, codes = catalogue()
    for rule in rules:
        if rule.matches(code, status, message):
            return rule.explanation
    return codes.get(code) if code else None


@dataclass(frozen=True)
class ErrorBody:
    """What an error answer says, whatever its shape."""

    message: str
    code: str = ""
    error_id: str = ""

    @property
    def errors(self) -> tuple[str, ...]:
        """The ``Error: ...`` sentences of a business error (the reasons, without the preamble)."""
        return tuple(e.strip() for e in _ERRORS.findall(self.message) if e.strip())


def read_body(response: httpx.Response) -> ErrorBody:
    """The message, code and support id of an error answer (JSON of any of the three shapes, or text)."""
    try:
        body = response.json()
    except ValueError:
        return ErrorBody(response.text.strip()[:500])
    if not isinstance(body, dict):
        return ErrorBody(str(body)[:500])
    if body.get("ExceptionType") or body.get("ExceptionMessage"):
        return ErrorBody(str(body.get("ExceptionMessage") or body.get("ExceptionType") or "").strip(),
                         str(body.get("ExceptionFaultCode") or body.get("FaultCode") or ""),
                         str(body.get("ExceptionMessageID") or ""))
    if body.get("error") and isinstance(body["error"], str):
        description = str(body.get("error_description") or "").strip()
        return ErrorBody(f"{body['error']}: {description}" if description else body["error"], body["error"])
    message = str(body.get("message") or body.get("Message") or "").strip()
    found = _VISMA_ID.search(message)
    return ErrorBody(message, "", found.group(1) if found else "")


def error_from_response(response: httpx.Response, language: str = "en") -> ApiError:
    """Read an error answer into an :class:`ApiError` explained in ``language``."""
    body = read_body(response)
    explanation = explain(body.code, response.status_code, body.message)
    request = response.request
    what = f"{request.method} {request.url.path}" if request is not None else "request"
    head = f"{what} failed: HTTP {response.status_code}"
    if body.code:
        head += f", code {body.code}"
    if explanation is not None:
        head += f" ({explanation.title})"
    parts = [head]
    said = "; ".join(body.errors) or _VISMA_ID.sub("", body.message).strip()
    if said:
        parts.append(f"Service says: {said}")
    if explanation is not None:
        parts.append(explanation.text(language))
    if body.error_id:
        parts.append(f"VismaId {body.error_id} (quote it to Visma support)")
    return ApiError("\n".join(parts), status=response.status_code, code=body.code,
                    error_id=body.error_id or None, explanation=explanation)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 asks to wait, from ``Retry-After`` (seconds; the service sends no date form)."""
    header = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None
