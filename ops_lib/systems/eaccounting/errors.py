"""eAccounting's error answers, read into the suite's exceptions.

The service answers every failed call with ``{ErrorCode,
DeveloperErrorMessage, ErrorId, Errors[]}``. :func:`error_from_response`
turns that into an :class:`~ops_lib.core.errors.ApiError` carrying the code,
the id to quote to support, the HTTP status, the field errors and a plain
explanation with the fix from ``error_catalogue.yaml`` (English and
Swedish). The catalogue is data so that support staff can extend it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpx
import yaml

from ops_lib.core.errors import ApiError, Explanation, FieldError

_WAIT = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.I)


@dataclass(frozen=True)
class _MessageRule:
    id: str
    explanation: Explanation
    code: int | None
    status: int | None
    pattern: re.Pattern[str] | None

    def matches(self, code: int | None, status: int, texts: list[str]) -> bool:
        if self.code is not None and self.code != code:
            return False
        if self.status is not None and self.status != status:
            return False
        return self.pattern is None or any(self.pattern.search(t) for t in texts)


def _explanation(entry: dict[str, Any]) -> Explanation:
    en, sv = entry["en"], entry.get("sv", {})
    return Explanation(title=entry["title"], cause=en["cause"], fix=en["fix"],
                       cause_sv=sv.get("cause", ""), fix_sv=sv.get("fix", ""))


@functools.cache
def catalogue() -> tuple[tuple[_MessageRule, ...], dict[int, Explanation]]:
    """The message rules (checked first, in order) and the explanation of every code."""
    text = resources.files(__package__).joinpath("error_catalogue.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = tuple(
        _MessageRule(
            id=entry["id"], explanation=_explanation(entry), code=entry.get("code"), status=entry.get("status"),
            pattern=re.compile(entry["pattern"], re.I) if entry.get("pattern") else None,
        )
        for entry in data["messages"]
    )
    codes = {int(code): _explanation(entry) for code, entry in data["codes"].items()}
    return rules, codes


def explain(code: int | None, status: int, message: str = "",
            field_errors: tuple[FieldError, ...] = ()) -> Explanation | None:
    """The catalogue's explanation of one error answer, or None when it is unknown."""
    rules, codes = catalogue()
    texts = [message, *(f"{e.field}: {e.message}" for e in field_errors)]
    for rule in rules:
        if rule.matches(code, status, texts):
            return rule.explanation
    return codes.get(code) if code is not None else None


def error_from_response(response: httpx.Response, language: str = "en") -> ApiError:
    """Read an error answer into an :class:`ApiError` (never echoing the request)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    code = body.get("ErrorCode")
    code = int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None
    message = str(body.get("DeveloperErrorMessage") or "").strip()
    field_errors = tuple(
        FieldError(str(e.get("Field") or ""), str(e.get("Message") or ""), str(e.get("ErrorCode") or ""))
        for e in body.get("Errors") or [] if isinstance(e, dict)
    )
    explanation = explain(code, response.status_code, message, field_errors)
    request = response.request
    what = f"{request.method} {request.url.path}" if request is not None else "request"
    head = f"{what} failed: HTTP {response.status_code}"
    if code is not None:
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
    return ApiError("\n".join(parts), status=response.status_code, error_code=code,
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
