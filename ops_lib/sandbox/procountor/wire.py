"""What every Procountor API call shares: the path prefixes, the bearer token, JSON bodies, paging.

The service answers the same API under ``/api``, ``/latest/api``,
``/supported/api`` and ``/vYYMM/api`` (a client pinned to 26.04 calls
``/v2604/api``); :class:`Prefixes` folds the four onto ``/api`` before
routing, collapses doubled slashes (the PyPI client sends
``/api//dimensions/5/items``) and drops a trailing slash (it posts to
``/oauth/token/``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ops_lib.sandbox.errors import ServiceError
from ops_lib.sandbox.procountor.errors import ProcountorError, unauthorized
from ops_lib.sandbox.procountor.world import Procountor, company_key

_VERSIONED = re.compile(r"^/(?:latest|supported|v\d{4})/api(?=/|$)")
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class Prefixes:
    """ASGI middleware: fold the versioned prefixes onto ``/api`` and tidy slashes before routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = re.sub(r"/{2,}", "/", scope["path"])
            path = _VERSIONED.sub("/api", path)
            if len(path) > 1 and path.endswith("/"):
                path = path.rstrip("/")
            scope = {**scope, "path": path, "raw_path": path.encode("utf-8")}
        await self.app(scope, receive, send)


@dataclass
class ProcountorCall:
    """One authorised call: the request, the world, and the company and user the token is bound to."""

    request: Request
    world: Procountor
    company_id: int
    user_id: int

    @property
    def tenant(self) -> str:
        return company_key(self.company_id)

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def int_param(self, name: str, what: str) -> int:
        try:
            return int(self.param(name))
        except ValueError as exc:
            raise ProcountorError.one(404, f"{what} not found") from exc

    async def json(self) -> Any:
        try:
            return json.loads(await self.request.body() or b"null", parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProcountorError.one(400, "Request body is not valid JSON") from exc

    async def body(self) -> dict[str, Any]:
        data = await self.json()
        if not isinstance(data, dict):
            raise ProcountorError.one(400, "Request body must be a JSON object")
        return data

    def stamp(self) -> str:
        """A Procountor datetime, no zone, milliseconds (the ``version`` format), strictly later than the last."""
        return self.world.clock.stamp().removesuffix("Z")


def _bearer(world: Procountor, request: Request) -> tuple[int, int, str]:
    header = request.headers.get("authorization", "")
    grant = world.grants.access(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if grant is None:
        raise unauthorized()
    company, _, user = grant.company_id.partition(":")
    return int(company), int(user), grant.client_id


def to_wire(value: Any) -> Any:
    """Decimals as JSON numbers (two places are kept exactly by float repr for cent amounts)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    return value


def ok(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(to_wire(body), status_code=status)


def endpoint(handler: Callable[[ProcountorCall], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler in the checks every call passes: faults, the bearer token, the per-second ceiling.

    Errors answer the envelope; an injected server error the proxy's HTML page.
    """

    async def run(request: Request) -> Response:
        world: Procountor = request.app.state.world
        try:
            await world.faults.apply()
            company_id, user_id, client_id = _bearer(world, request)
            world.limiter.hit(client_id)
            return await handler(ProcountorCall(request, world, company_id, user_id))
        except ProcountorError as error:
            return error.response()
        except ServiceError as fault:
            return proxy_error(fault.status)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def proxy_error(status: int) -> Response:
    """An injected server error looks like the real one: nginx's HTML page, not the JSON envelope."""
    reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
              504: "Gateway Time-out"}.get(status, "Error")
    html = (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}"
            "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return Response(html, status_code=status, media_type="text/html")


def page_args(call: ProcountorCall) -> tuple[int, int]:
    """``page`` (0-based, default 0) and ``size`` (default 50, at most 200: larger asks are clamped)."""
    query = call.request.query_params
    try:
        page = int(query.get("page", "0"))
        size = int(query.get("size", str(DEFAULT_PAGE_SIZE)))
    except ValueError as exc:
        raise ProcountorError.one(400, "Invalid paging parameter", "page" if "page" in str(exc) else "size") from exc
    if page < 0:
        raise ProcountorError.one(400, "Page number must not be negative", "page")
    if size < 1:
        raise ProcountorError.one(400, "Page size must be positive", "size")
    return page, min(size, MAX_PAGE_SIZE)


def paged(call: ProcountorCall, items: list[dict[str, Any]]) -> JSONResponse:
    """One page of ``items`` in the search envelope; the legacy ``previousId`` cursor is honoured too."""
    previous = call.request.query_params.get("previousId")
    if previous is not None:
        try:
            after = int(previous)
        except ValueError as exc:
            raise ProcountorError.one(400, "Invalid previousId", "previousId") from exc
        items = [item for item in items if int(item["id"]) > after]
    page, size = page_args(call)
    window = items[page * size:(page + 1) * size]
    return ok({"results": window, "meta": {"pageNumber": page, "pageSize": size, "resultCount": len(window),
                                          "totalCount": len(items)}})
