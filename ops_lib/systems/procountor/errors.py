"""Procountor's error answers, read into the suite's exceptions.

Procountor answers errors as ``{"errors": [{"status", "field",
"message"}]}`` (``ErrorMessages``; ``model`` is deprecated). A validation
error's ``message`` is a code such as
``ERROR_LEDGERACCOUNT_VATPERCENTAGE_COMBINATION`` and its ``field`` a path
such as ``transactions[2].account``; other messages are plain text
(``Unauthorized``). A 500 may come back as an nginx HTML page instead,
which is read as text: whether the request was saved is then unknown, so
the booking looks before it sends again.

:func:`error_from_response` reads any of them into an
:class:`~ops_lib.core.errors.ApiError` explained from
``error_catalogue.yaml`` (English, Swedish and Finnish), never echoing the
request.
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

LANGUAGES = ("en", "sv", "fi")  # the catalogue's languages; every entry has all three
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{3,}$")


@dataclass(frozen=True)
class _MessageRule:
    id: str
    explanation: Explanation
    status: int | None
    pattern: re.Pattern[str]

    def matches(self, status: int, text: str) -> bool:
        return (self.status is None or self.status == status) and bool(self.pattern.search(text))


def _explanation(entry: dict[str, Any]) -> Explanation:
    return Explanation(entry["title"], {language: Advice(entry[language]["cause"], entry[language]["fix"])
                                        for language in LANGUAGES if language in entry})


@functools.cache
def catalogue() -> tuple[tuple[_MessageRule, ...], dict[str, Explanation]]:
    """The message rules (checked in order, when no code is explained) and the explanation of every code."""
    text = resources.files(__package__).joinpath("error_catalogue.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = tuple(_MessageRule(entry["id"], _explanation(entry), entry.get("status"),
                               re.compile(entry["pattern"], re.I)) for entry in data["messages"])
    return rules, {str(code): _explanation(entry) for code, entry in data["codes"].items()}


def explain(code: str, status: int, message: str = "") -> Explanation | None:
    """The catalogue's explanation of one error answer, or None."""
    rules, codes = catalogue()
    if code and code in codes:
        return codes[code]
    return next((rule.explanation for rule in rules if rule.matches(status, message)), None)


@dataclass(frozen=True)
class ErrorAnswer:
    """What an error answer says: its first code, its text and the fields it named."""

    message: str
    code: str = ""
    fields: tuple[FieldError, ...] = ()


def read_body(response: httpx.Response) -> ErrorAnswer:
    """The code, message and field errors of an error answer (the ``errors`` envelope, or text/HTML)."""
    try:
        body = response.json()
    except ValueError:
        text = re.sub(r"<[^>]+>", " ", response.text)
        return ErrorAnswer(" ".join(text.split())[:300])
    entries = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        return ErrorAnswer(str(body)[:300])
    fields = tuple(FieldError(str(e.get("field") or ""), str(e.get("message") or ""),
                              str(e.get("message") or "") if _CODE.match(str(e.get("message") or "")) else "")
                   for e in entries if isinstance(e, dict))
    code = next((f.code for f in fields if f.code), "")
    said = "; ".join(f"{f.field}: {f.message}" if f.field else f.message for f in fields)
    return ErrorAnswer(said, code, fields)


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
    if body.message:
        parts.append(f"Service says: {body.message}")
    if explanation is not None:
        parts.append(explanation.text(language))
    return ApiError("\n".join(parts), status=response.status_code, code=body.code, field_errors=body.fields,
                    explanation=explanation)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 asks to wait, from ``Retry-After`` (the sandbox's choice; Procountor documents none)."""
    header = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None
