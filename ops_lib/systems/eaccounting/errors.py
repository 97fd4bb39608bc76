"""eAccounting's error answers, read into the suite's exceptions.

The service answers every failed call with ``{ErrorCode,
DeveloperErrorMessage, ErrorId, Errors[]}``. :func:`error_from_response`
turns that into an :class:`~ops_lib.core.errors.ApiError` carrying the code
(as text, ``"4006"``: the suite's codes are strings, whatever the system),
the id to quote to support, the HTTP status, the field errors and a plain
explanation with the fix from ``error_catalogue.yaml`` (English, Swedish
and Finnish). The catalogue is data so that support staff can extend it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpx
import yaml

from ops_lib.core.errors import Advice, ApiError, Explanation, FieldError

_WAIT = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.I)
LANGUAGES = ("en", "sv", "fi")  # the catalogue's languages; every entry has all three


@dataclass(frozen=True)
class _MessageRule:
    id: str
    explanation: Explanation
    code: str
    status: int | None
    pattern: re.Pattern[str] | None

    def matches(self, code: str, status: int, texts: list[str]) -> bool:
        if self.code and self.code != code:
            return False
        if self.status is not None and self.status != status:
            return False
        return self.pattern is None or any(self.pattern.search(t) for t in texts)


def _explanation(entry: dict[str, Any]) -> Explanation:
    return Explanation(entry["title"], {language: Advice(entry[language]["cause"], entry[language]["fix"])
                                        for language in LANGUAGES if language in entry})


def _code(value: Any) -> str:
    """An error code as text: ``4006`` and ``"4006"`` are the same code; nothing (or a yes/no) is ``""``."""
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()


@functools.cache
def catalogue() -> tuple[tuple[_MessageRule, ...], dict[str, Explanation]]:
    """The message rules (checked first, in order) and the explanation of every code."""
    text = resources.files(__package__).joinpath("error_catalogue.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = tuple(
        _MessageRule(
            id=entry["id"], explanation=_explanation(entry), code=_code(entry.get("code")),
            status=entry.get("status"), pattern=re.compile(entry["pattern"], re.I) if entry.get("pattern") else None,
        )
        for entry in data["messages"]
    )
    codes = {_code(code): _explanation(entry) for code, entry in data["codes"].items()}
    return rules, codes


def explain(code: str | None, status: int, message: str = "",
            field_errors: tuple[FieldError, ...] = ()) -> Explanation | None:
    """The catalogue's explanation of one error answer (``code`` as text, ``""`` for none), or None."""
    rules, codes = catalogue()
    wanted = _code(code)
    texts = [message, *(f"{e.field}: {e.message}" for e in field_errors)]
    for rule in rules:
        if rule.matches(wanted, status, texts):
            return rule.explanation
    return codes.get(wanted) if wanted else None


def error_from_response(response: httpx.Response, language: str = "en") -> ApiError:
    """Read an error answer into an :class:`ApiError` (never echoing the request)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    code = _code(body.get("ErrorCode") if isinstance(body.get("ErrorCode"), (int, str)) else None)
    message = str(body.get("DeveloperErrorMessage") or "").strip()
    field_errors = tuple(
        FieldError(str(e.get("Field") or ""), str(e.get("Message") or ""), str(e.get("ErrorCode") or ""))
        for e in body.get("Errors") or [] if isinstance(e, dict)
    )
    explanation = explain(code, response.status_code, message, field_errors)
    request = response.request
    what = f"{request.method} {request.url.path}" if request is not None else "request"
    head = f"{what} failed: HTTP {response.status_code}"
    if code:
        head += f", ErrorCode {code}"
    if explanation is not None:
        head += f" ({explanation.title})"
    parts = [head]
    if message:
        parts.append(f"Service says: {message}")
    if explanation is not None:
        parts.append(explanation.text(language))
    if body.get("ErrorId"):
        parts.append(f"ErrorId {body['ErrorId']} (quote it to Visma support)")
    return ApiError("\n".join(parts), status=response.status_code, code=code,
                    error_id=body.get("ErrorId"), field_errors=field_errors, explanation=explanation)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 asks to wait: from ``Retry-After`` or the message text."""
    header = response.headers.get("retry-after", "")
    if header.strip().isdigit():
        return float(header)
    try:
        message = str(response.json().get("DeveloperErrorMessage") or "")
    except (ValueError, AttributeError):
        return None
    found = _WAIT.search(message)
    return float(found.group(1)) if found else None
