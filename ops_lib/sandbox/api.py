"""Machinery shared by every ``/v2`` endpoint: auth, limits, scopes, paging.

Each endpoint is declared with :func:`endpoint`, which runs the checks in
the order the service applies them: injected faults, then the bearer
token (401), the rate limit (429, ErrorCode 4010), then the scopes
(403, ErrorCode 4006). The handler receives an :class:`AuthorisedCall`
bound to the company the token was issued for, so one company's data is
never visible through another company's token.
"""

from __future__ import annotations

import inspect
import json
import math
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ops_lib.sandbox.clock import format_utc
from ops_lib.sandbox.core import Sandbox
from ops_lib.sandbox.errors import FieldViolation, ServiceError, validation_error
from ops_lib.sandbox.odata import compile_filter, query_error, sort_records
from ops_lib.sandbox.scopes import ENDPOINT_SCOPES
from ops_lib.sandbox.tables import Model


@dataclass
class AuthorisedCall:
    """One authorised API call: the request and the company it acts for."""

    request: Request
    sandbox: Sandbox
    tenant: str
    client_id: str
    scopes: frozenset[str]

    @property
    def store(self):  # noqa: ANN201 - the Store, typed where used
        return self.sandbox.store

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query_flag(self, name: str, default: bool) -> bool:
        value = self.request.query_params.get(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            raise query_error(f"{name} must be true or false")
        return value.lower() == "true"

    async def body(self) -> Any:
        raw = await self.request.body()
        try:
            return json.loads(raw or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise validation_error([FieldViolation("body", f"The request body is not valid JSON: {exc}")]) from exc


Handler = Callable[[AuthorisedCall], Awaitable[Response] | Response]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def endpoint(method: str, path: str, handler: Handler) -> Route:
    """Declare one API endpoint; its scopes come from :data:`ENDPOINT_SCOPES`."""
    needed = ENDPOINT_SCOPES[(method, path)]

    async def run(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        try:
            await sandbox.faults.apply()
            token = _bearer(request)
            grant = sandbox.grants.access(token) if token else None
            if grant is None:
                raise ServiceError(4005, "Unauthorized. Access denied.", 401,
                                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            sandbox.limiter.hit(grant.client_id, f"{method} {path}")
            if "ea:api" not in grant.scopes or not grant.scopes.intersection(needed):
                missing = "ea:api" if "ea:api" not in grant.scopes else " or ".join(needed)
                raise ServiceError(4006, f"The access token does not have the required scope(s): {missing}.", 403)
            call = AuthorisedCall(request, sandbox, grant.company_id, grant.client_id, grant.scopes)
            result = handler(call)
            if inspect.isawaitable(result):
                result = await result
            return result
        except ServiceError as exc:
            return exc.response()

    return Route(path, run, methods=[method])


def ok(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def paged(call: AuthorisedCall, model: Model, records: list[dict[str, Any]] | None = None,
          shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None, kind: str = "") -> JSONResponse:
    """Filter, sort and page ``records``, or the stored documents of ``kind``, into the ``{Meta, Data}`` envelope.

    Pass ``kind`` for a whole register: a plain page (no ``$filter``, no
    ``$orderby``) then reads only its own window, so paging a register of
    tens of thousands stays fast. Pass ``records`` when they are already
    narrowed down.
    """
    query = call.request.query_params
    page = _int_param(query.get("$page"), "$page", 1)
    size = min(_int_param(query.get("$pagesize"), "$pagesize", 50), call.sandbox.config.max_page_size)
    if records is None and not query.get("$filter") and not query.get("$orderby"):
        total = call.store.count(call.tenant, kind)
        window = call.store.all(call.tenant, kind, (page - 1) * size, size)
    else:
        if records is None:
            records = call.store.all(call.tenant, kind)
        predicate = compile_filter(model, query.get("$filter"))
        selected = sort_records(model, [r for r in records if predicate(r)], query.get("$orderby"))
        total = len(selected)
        window = selected[(page - 1) * size: page * size]
    pages = max(1, math.ceil(total / size)) if total else 0
    to_json = shape or model.shape
    return ok({
        "Meta": {
            "CurrentPage": page, "PageSize": size, "TotalNumberOfPages": pages,
            "TotalNumberOfResults": total, "ServerTimeUtc": format_utc(call.sandbox.clock.now()),
        },
        "Data": [to_json(r) for r in window],
    })


def _int_param(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise query_error(f"{name} must be a whole number") from exc
    if value < 1:
        raise query_error(f"{name} must be 1 or more")
    return value


def must_get(call: AuthorisedCall, kind: str, key: str, what: str, status: int = 404) -> dict[str, Any]:
    """Fetch a document or raise 3000 naming what was missing."""
    record = call.store.get(call.tenant, kind, key.lower())
    if record is None:
        raise ServiceError(3000, f"Resource not found: {what} {key}", status)
    return record


def unique(call: AuthorisedCall, kind: str, field: str, value: Any, own_id: str | None, message: str,
           within: Callable[[dict[str, Any]], bool] = lambda r: True) -> None:
    """Raise 4000 when another document already has ``field == value``."""
    for record in call.store.all(call.tenant, kind):
        if record.get(field) == value and record.get("Id") != own_id and within(record):
            raise ServiceError(4000, message, 400)


Save = Callable[[AuthorisedCall, Any, "dict[str, Any] | None"], dict[str, Any]]


@dataclass(frozen=True)
class RegisterHandlers:
    """List, get, create and update handlers for one register.

    ``save(call, body, existing)`` validates the body, applies the
    register's own rules and stores the record; ``existing`` is None on
    create. Creates answer 201, updates 200, both with the stored record.
    Read-only registers have no ``save`` and route only ``list`` and ``get``.
    """

    kind: str
    model: Model
    id_param: str
    what: str
    save: Save | None = None

    def list(self, call: AuthorisedCall) -> Response:
        return paged(call, self.model, kind=self.kind)

    def get(self, call: AuthorisedCall) -> Response:
        return ok(self.model.shape(must_get(call, self.kind, call.param(self.id_param), self.what)))

    def _saver(self) -> Save:
        if self.save is None:
            raise TypeError(f"{self.kind} is read-only")
        return self.save

    async def create(self, call: AuthorisedCall) -> Response:
        return ok(self.model.shape(self._saver()(call, await call.body(), None)), 201)

    async def update(self, call: AuthorisedCall) -> Response:
        existing = must_get(call, self.kind, call.param(self.id_param), self.what)
        return ok(self.model.shape(self._saver()(call, await call.body(), existing)))
