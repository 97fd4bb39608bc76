"""The Procountor sandbox in-process, behind a transport that validates every answer against the vendor's OpenAPI.

:class:`ValidatingTransport` hands each request to the sandbox and checks
the answer with openapi-core against ``procountor-openapi.json`` (API
26.04, reconstructed) before the test sees it; an answer that does not
validate raises :class:`SpecViolation`, which fails the test. Paths under
``/latest/api``, ``/supported/api`` and ``/vYYMM/api`` are checked as the
``/api`` path they stand for. Where the reconstruction lost something
(``openapi-sources.md``) the harness says so and checks the real shape:

* ``GET /attachments/{id}`` answers ``multipart/mixed``: its JSON part
  must be an ``Attachment``;
* an undeclared 4xx must still be the ``ErrorMessages`` envelope, and a
  5xx may be the proxy's HTML page (wave2-apis.md §2.2);
* a 204 must have no body;
* ``format: date-time`` is read as Procountor writes datetimes, with or
  without a zone (``2017-01-30T15:20:00``, wave2-apis.md §2.2): the
  reconstruction kept the format name but the service sends no offset.

The connector's tests import :class:`ProcountorHarness` to get a
signed-in sandbox in one line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.inprocess import InProcessTransport
from ops_lib.sandbox.procountor import DEMO_CLIENT, ProcountorConfig, create_app
from tests.conftest import SHARED_REFERENCE

BASE = "http://procountor.sandbox.test"
SPEC_HOST = "https://pts-api.procountor.com"
SPEC_PATH = SHARED_REFERENCE / "procountor-openapi.json"
API_KEY = next(iter(DEMO_CLIENT.api_keys))
_VERSIONED = re.compile(r"^/(?:latest|supported|v\d{4})/api(?=/|$)")
MULTIPART = {("get", "/attachments/{attachmentId}")}


class SpecViolation(AssertionError):
    """A sandbox answer that the vendor's OpenAPI does not allow."""


LOCAL_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$"


def _zone_optional(node: Any) -> Any:
    """The spec with every ``format: date-time`` replaced by a pattern that allows a missing zone."""
    if isinstance(node, dict):
        if node.get("format") == "date-time":
            node = {**{k: v for k, v in node.items() if k != "format"}, "pattern": LOCAL_DATE_TIME}
        return {k: _zone_optional(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_zone_optional(v) for v in node]
    return node


@lru_cache(maxsize=1)
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    return _zone_optional(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


@lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern[str], str]]:
    paths = sorted(load_spec()["paths"], key=lambda p: (p.count("{"), -len(p)))
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in paths]


def template_of(path: str) -> str | None:
    return next((t for pattern, t in _templates() if pattern.match(path)), None)


def api_path(raw: str) -> str | None:
    """The spec-relative path of a request (``/api/coa`` → ``/coa``), or None outside the API."""
    path = _VERSIONED.sub("/api", re.sub(r"/{2,}", "/", raw)).rstrip("/")
    return path[len("/api"):] if path.startswith("/api/") else None


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters = field(default_factory=RequestParameters)


@dataclass
class _Response:
    status_code: int
    data: bytes
    content_type: str
    headers: Headers


def _schema(name: str) -> dict[str, Any]:
    """A component schema with its refs resolvable (the whole components block rides along)."""
    return {**load_spec()["components"]["schemas"][name], "components": load_spec()["components"]}


def _check_schema(name: str, value: Any, where: str) -> None:
    errors = list(OAS30Validator(_schema(name)).iter_errors(value))
    if errors:
        raise SpecViolation(f"{where}: not a {name}: {errors[0].message}")


def _is_proxy_page(response: httpx.Response) -> bool:
    return response.status_code >= 500 and response.headers.get("content-type", "").startswith("text/html") \
        and "nginx" in response.text


def _check_multipart(response: httpx.Response, where: str) -> None:
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("multipart/mixed"):
        raise SpecViolation(f"{where}: expected multipart/mixed, got {content_type}")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + response.content)
    parts = list(message.iter_parts())
    if len(parts) != 2 or parts[0].get_content_type() != "application/json":
        raise SpecViolation(f"{where}: expected a JSON part and a file part, got {len(parts)} parts")
    _check_schema("Attachment", json.loads(parts[0].get_payload(decode=True)), where)


def validate(request: httpx.Request, response: httpx.Response) -> None:
    """Raise :class:`SpecViolation` unless ``response`` is an answer the spec allows for ``request``."""
    path = api_path(request.url.path)
    template = template_of(path) if path is not None else None
    if path is None or template is None:
        raise SpecViolation(f"{request.method} {request.url.path} is not a path of the spec")
    method = request.method.lower()
    operation = load_spec()["paths"][template].get(method)
    if operation is None:
        raise SpecViolation(f"{request.method} {template} is not an operation of the spec")
    status, where = response.status_code, f"{request.method} {template} {response.status_code}"
    if _is_proxy_page(response):
        return
    if status == 204:
        if response.content:
            raise SpecViolation(f"{where} answered with a body")
        return
    if (method, template) in MULTIPART and status == 200:
        _check_multipart(response, where)
        return
    if str(status) not in operation["responses"] or not operation["responses"][str(status)].get("content"):
        if status < 400:
            raise SpecViolation(f"{where}: a status the spec does not declare")
        _check_schema("ErrorMessages", response.json(), where)
        if not response.json().get("errors"):
            raise SpecViolation(f"{where}: an error envelope with no errors")
        return
    adapted = _Request(SPEC_HOST, "/api" + path, method, request.content or None,
                       request.headers.get("content-type", ""),
                       RequestParameters(query=ImmutableMultiDict(request.url.params.multi_items()),
                                         header=Headers(list(request.headers.items()))))
    answer = _Response(status, response.content, response.headers.get("content-type", "application/json"),
                       Headers(list(response.headers.items())))
    try:
        _openapi().validate_response(adapted, answer)
    except Exception as exc:  # openapi-core raises a tree of its own errors; any of them is a violation
        detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", ()) or (exc, getattr(exc, "__cause__", "")))
        raise SpecViolation(f"{where}: {detail[:1500]}\n{response.text[:500]}") from exc


class ValidatingTransport(httpx.BaseTransport):
    """Hand requests to an inner transport; validate every API answer against the spec."""

    def __init__(self, inner: httpx.BaseTransport, owns_inner: bool = False) -> None:
        self.inner = inner
        self.owns_inner = owns_inner
        self.validated = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if api_path(request.url.path) is not None:
            response.read()
            validate(request, response)
            self.validated += 1
        return response

    def close(self) -> None:
        """Close the inner transport only when it is this one's own; the in-process one is shared."""
        if self.owns_inner:
            self.inner.close()


class ProcountorHarness:
    """One in-process Procountor sandbox, its validating transport, and sign-in in one call."""

    def __init__(self, config: ProcountorConfig | None = None, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.app = create_app(config, self.clock)
        self.inner = InProcessTransport(self.app)
        self.transport = ValidatingTransport(self.inner)
        self.http = httpx.Client(base_url=BASE, transport=self.transport)

    @property
    def world(self) -> Any:
        return self.app.state.world

    def token(self, **override: str) -> httpx.Response:
        """Ask ``/api/oauth/token`` for an M2M token with the demo client and API key."""
        form = {"grant_type": "client_credentials", "client_id": DEMO_CLIENT.client_id,
                "client_secret": DEMO_CLIENT.client_secret, "api_key": API_KEY, **override}
        return self.http.post("/api/oauth/token", data=form)

    def api(self, prefix: str = "/api") -> httpx.Client:
        """A client signed in for the demo company, rooted at ``prefix`` (``/api``, ``/v2604/api``, …)."""
        answer = self.token()
        assert answer.status_code == 200, answer.text
        return httpx.Client(base_url=f"{BASE}{prefix}", transport=self.transport,
                            headers={"Authorization": f"Bearer {answer.json()['access_token']}"})

    def close(self) -> None:
        self.http.close()
        self.inner.shutdown()
        self.world.close()
