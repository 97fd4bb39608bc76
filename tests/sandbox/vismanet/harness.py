"""The Visma.net sandbox in-process, behind a transport that validates every answer against the vendor's OpenAPI.

:class:`ValidatingTransport` hands each request to the sandbox and checks
the answer with openapi-core against ``vismanet-swagger.json`` before the
test sees it; an answer that does not validate raises
:class:`SpecViolation`, which fails the test. The spec declares almost no
error statuses, so an undeclared 4xx/5xx must be one of the service's two
error envelopes; an undeclared success must be one of the few documented
deviations in :data:`DEVIATIONS` (and still match the schema named there).

The connector's tests import :class:`VismaNetHarness` to get a signed-in
sandbox in one line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
from ops_lib.sandbox.vismanet import COMPANY_TENANT, VismaNetConfig, create_app
from ops_lib.sandbox.vismanet.wire import LEGACY_PREFIX
from tests.conftest import SHARED_REFERENCE

BASE = "http://vismanet.sandbox.test"
SPEC_HOST = "https://api.finance.visma.net"
DEMO_AUTH = ("ops-demo", "ops-demo-secret")
SPEC_PATH = SHARED_REFERENCE / "vismanet-swagger.json"

# (method, path template, status) the 2025 spec does not declare, with the schema the answer must match instead.
DEVIATIONS: dict[tuple[str, str, int], str] = {
    # The 2025 spec declares only 202/412; the 2023 build answered 200 with this DTO (wave2-apis.md §1.7).
    ("post", "/v1/supplierInvoice/{invoiceNumber}/action/release", 200): "ReleaseSupplierInvoiceActionResultDto",
    ("post", "/v1/supplierInvoice/{documentType}/{invoiceNumber}/action/release", 200):
        "ReleaseSupplierInvoiceActionResultDto",
}
# Operations whose success answer is a file, whatever the spec's media type says (wave2-apis.md §1.8).
BINARY = {("get", "/v1/attachment/{attachmentId}")}


class SpecViolation(AssertionError):
    """A sandbox answer that the vendor's OpenAPI does not allow."""


@lru_cache(maxsize=1)
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


@lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """Spec paths as patterns, literal segments first so ``/v1/supplierInvoice/approval`` beats ``{invoiceNumber}``."""
    paths = sorted(load_spec()["paths"], key=lambda p: (p.count("{"), -len(p)))
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in paths]


def template_of(path: str) -> str | None:
    return next((t for pattern, t in _templates() if pattern.match(path)), None)


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


def _is_error_envelope(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    if isinstance(body, dict) and set(body) == {"message"}:
        return str(body["message"]).startswith("VismaId: ") and body["message"].endswith("\r\n")
    return isinstance(body, dict) and {"ExceptionType", "ExceptionMessage", "ExceptionFaultCode"} <= set(body)


def validate(request: httpx.Request, response: httpx.Response) -> None:
    """Raise :class:`SpecViolation` unless ``response`` is an answer the spec allows for ``request``."""
    path = request.url.path
    if path.startswith(LEGACY_PREFIX):
        path = path[len(LEGACY_PREFIX):]
    template = template_of(path)
    if template is None:
        raise SpecViolation(f"{request.method} {path} is not a path of the spec")
    method = request.method.lower()
    operation = load_spec()["paths"][template].get(method)
    if operation is None:
        raise SpecViolation(f"{request.method} {template} is not an operation of the spec")
    status = response.status_code
    if (method, template) in BINARY and status == 200:
        return
    if status == 204:
        # The spec gives every 204 a JSON content; HTTP forbids a body on 204 (RFC 9110 section 15.3.5).
        if response.content:
            raise SpecViolation(f"{request.method} {template} answered 204 with a body")
        return
    if str(status) not in operation["responses"]:
        _validate_undeclared(method, template, response)
        return
    adapted = _Request(SPEC_HOST, path, method, request.content or None, request.headers.get("content-type", ""),
                       RequestParameters(query=ImmutableMultiDict(request.url.params.multi_items()),
                                         header=Headers(list(request.headers.items()))))
    answer = _Response(status, response.content, response.headers.get("content-type", "application/json"),
                       Headers(list(response.headers.items())))
    try:
        _openapi().validate_response(adapted, answer)
    except Exception as exc:  # openapi-core raises a tree of its own errors; any of them is a violation
        detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", ()) or (exc, getattr(exc, "__cause__", "")))
        raise SpecViolation(f"{request.method} {template} {status}: {detail[:1500]}\n{response.text[:500]}") from exc


def _validate_undeclared(method: str, template: str, response: httpx.Response) -> None:
    status = response.status_code
    if status >= 400:
        if not _is_error_envelope(response):
            raise SpecViolation(f"{method.upper()} {template} {status}: not a Visma.net error body: {response.text}")
        return
    schema_name = DEVIATIONS.get((method, template, status))
    if schema_name is None:
        raise SpecViolation(f"{method.upper()} {template} answered {status}, which the spec does not declare")
    schema = load_spec()["components"]["schemas"][schema_name]
    errors = list(OAS30Validator(schema).iter_errors(response.json()))
    if errors:
        raise SpecViolation(f"{method.upper()} {template} {status}: {errors[0].message}")


class ValidatingTransport(httpx.BaseTransport):
    """Hand requests to an inner transport; validate every API answer against the spec."""

    def __init__(self, inner: httpx.BaseTransport, owns_inner: bool = False) -> None:
        self.inner = inner
        self.owns_inner = owns_inner
        self.validated = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if re.match(rf"^({re.escape(LEGACY_PREFIX)})?/v[12]/", request.url.path):
            response.read()
            validate(request, response)
            self.validated += 1
        return response

    def close(self) -> None:
        """Close the inner transport only when it is this one's own; the in-process one is shared."""
        if self.owns_inner:
            self.inner.close()


class VismaNetHarness:
    """One in-process Visma.net sandbox, its validating transport, and sign-in in one call."""

    def __init__(self, config: VismaNetConfig | None = None, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.app = create_app(config, self.clock)
        self.inner = InProcessTransport(self.app)
        self.transport = ValidatingTransport(self.inner)
        self.http = httpx.Client(base_url=BASE, transport=self.transport)

    @property
    def world(self) -> Any:
        return self.app.state.world

    def token(self, tenant: str = COMPANY_TENANT, **extra: str) -> httpx.Response:
        """Ask Visma Connect for a service token (client_credentials, secret as HTTP Basic)."""
        return self.http.post("/connect/token", auth=DEMO_AUTH,
                              data={"grant_type": "client_credentials", "tenant_id": tenant, **extra})

    def api(self, tenant: str = COMPANY_TENANT, prefix: str = "") -> httpx.Client:
        """A client signed in for ``tenant``, rooted at the API (``prefix`` may be the legacy one)."""
        answer = self.token(tenant)
        assert answer.status_code == 200, answer.text
        return httpx.Client(base_url=f"{BASE}{prefix}", transport=self.transport,
                            headers={"Authorization": f"Bearer {answer.json()['access_token']}"})

    def close(self) -> None:
        self.http.close()
        self.inner.shutdown()
        self.world.close()
