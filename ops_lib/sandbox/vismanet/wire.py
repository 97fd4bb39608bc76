"""What every Visma.net API call shares: auth, rate limit, DTOs, paging, ETags, Location.

Checks run in the service's order: injected faults, the bearer token
(401), the company context (a customer tenant's token is 401, an
unlicensed company's the IPP 12027 envelope), the hourly rate limit (429
with ``Retry-After``), then the scope. Every answer, errors included,
carries the four ``X-RateLimit-*`` headers.

Write bodies are ``*UpdateDto`` objects whose scalars are ``{"value": x}``;
the service matches property names case-insensitively (ONIT sends
``"Value"``, the Go client ``skipVatAMountValidation``), and so does
:class:`Dto`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ops_lib.sandbox.clock import UTC, parse_datetime
from ops_lib.sandbox.errors import ServiceError
from ops_lib.sandbox.vismanet.config import COMPANY_TENANT, CUSTOMER_TENANT, UNLICENSED_TENANT
from ops_lib.sandbox.vismanet.errors import PlatformError, VismaError
from ops_lib.sandbox.vismanet.limits import Quota
from ops_lib.sandbox.vismanet.world import VismaNet

LEGACY_PREFIX = "/API/controller/api"
_CONDITIONS = {">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}
_SCOPE_VERB = {"GET": "read", "POST": "create", "PUT": "update", "DELETE": "delete"}


class Dto:
    """A write DTO read case-insensitively; scalars unwrap from ``{"value": x}``."""

    def __init__(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise VismaError(400, None, "The request body is not a JSON object.")
        self._fields = {str(k).lower(): v for k, v in body.items()}

    def has(self, name: str) -> bool:
        return name.lower() in self._fields

    def raw(self, name: str) -> Any:
        return self._fields.get(name.lower())

    def value(self, name: str, default: Any = None) -> Any:
        """The ``value`` of a ``{"value": x}`` field; a bare scalar is taken as sent."""
        field = self.raw(name)
        if isinstance(field, dict):
            inner = {str(k).lower(): v for k, v in field.items()}
            return inner.get("value", default)
        return default if field is None else field

    def text(self, name: str) -> str | None:
        value = self.value(name)
        return None if value is None else str(value).strip()

    def decimal(self, name: str) -> Decimal | None:
        value = self.value(name)
        if value is None:
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise VismaError(400, None, f"'{name}' is not a number.") from exc

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.value(name)
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return default if value is None else bool(value)

    def lines(self, name: str) -> list["Dto"]:
        items = self.raw(name) or []
        if not isinstance(items, list):
            raise VismaError(400, None, f"'{name}' must be an array.")
        return [Dto(item) for item in items]


@dataclass
class ApiCall:
    """One authorised call: the request, the world, and the company it acts for."""

    request: Request
    world: VismaNet
    tenant: str
    quota: Quota

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    async def dto(self) -> Dto:
        try:
            return Dto(json.loads(await self.request.body() or b"null", parse_float=Decimal))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise VismaError(400, None, "The request body is not valid JSON.") from exc

    def location(self, path: str) -> str:
        """The new resource's address on this host, under the prefix the client used."""
        prefix = LEGACY_PREFIX if self.request.url.path.startswith(LEGACY_PREFIX) else ""
        return f"{str(self.request.base_url).rstrip('/')}{prefix}{path}"

    def stamp(self) -> str:
        return self.world.clock.stamp()


def _bearer(world: VismaNet, request: Request) -> tuple[str, str, frozenset[str]]:
    header = request.headers.get("authorization", "")
    grant = world.grants.access(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if grant is None or grant.company_id == CUSTOMER_TENANT:
        # The customer tenant's token is valid at Visma Connect but has no company context (VN-AUTHDOC fix401error).
        raise VismaError(401, None, "Authorization has been denied for this request.",
                         headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if grant.company_id == UNLICENSED_TENANT:
        raise PlatformError(403, "No license for this company.", "12027")
    return grant.company_id, grant.client_id, grant.scopes


def _check_scope(method: str, scopes: frozenset[str]) -> None:
    verb = _SCOPE_VERB.get(method, "read")
    if not {f"vismanet_erp_service_api:{verb}", f"vismanet_erp_interactive_api:{verb}"} & scopes:
        raise VismaError(403, None, f"The token lacks the '{verb}' scope for this operation.")


def endpoint(handler: Callable[[ApiCall], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler in the checks every call passes, and the headers every answer carries."""

    async def run(request: Request) -> Response:
        world: VismaNet = request.app.state.world
        quota: Quota | None = None
        try:
            try:
                await world.faults.apply()
            except ServiceError as exc:  # the kernel's fault, written in Visma.net's envelope
                raise VismaError(exc.status, None, "An unexpected error occurred (injected fault).") from exc
            tenant, client_id, scopes = _bearer(world, request)
            quota = world.limiter.hit(tenant, client_id)
            if quota.exceeded:
                raise VismaError(429, None, f"API calls quota exceeded. Try again in {quota.reset} seconds.")
            _check_scope(request.method, scopes)
            if tenant != COMPANY_TENANT:
                raise PlatformError(401, "Company in context is not valid.", "12021")
            answer = await handler(ApiCall(request, world, tenant, quota))
        except (VismaError, PlatformError) as exc:
            answer = exc.response()
            answer.headers.update(exc.headers)
        quota = quota or world.limiter.peek()
        answer.headers.update(quota.headers())
        return answer

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def clean(record: dict[str, Any]) -> dict[str, Any]:
    """Drop empty fields: the spec marks none nullable, and the service leaves them out."""
    return {k: v for k, v in record.items() if v is not None and v != ""}


def etag(record: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return f'"{digest}"'


def check_if_match(request: Request, record: dict[str, Any]) -> None:
    """412 when the client's If-Match names another version than the stored one."""
    asked = request.headers.get("if-match")
    if asked and asked.strip() != "*" and asked.strip() != etag(record):
        raise VismaError(412, None, "The record has been changed by another user since you read it.")


def one(record: dict[str, Any], body: dict[str, Any]) -> JSONResponse:
    """A single resource, with its ETag."""
    return JSONResponse(body, headers={"ETag": etag(record)})


def created(call: ApiCall, path: str, record: dict[str, Any] | None = None) -> Response:
    headers = {"Location": call.location(path)}
    if record is not None:
        headers["ETag"] = etag(record)
    # The spec declares a JSON object for 201; the service sends an empty one, clients read Location.
    return JSONResponse({}, status_code=201, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


@contextmanager
def changing(call: ApiCall, kind: str, find: Callable[[], dict[str, Any]],
             key: Callable[[dict[str, Any]], str]) -> Iterator[dict[str, Any]]:
    """Change one stored record the way every Visma.net write does, in one store transaction.

    The record ``find`` returns must still be the version the client's
    ``If-Match`` names (412 otherwise); the block then changes it, and on
    leaving it is stamped ``lastModifiedDateTime`` (so change filters see
    it) and stored under ``key(record)`` in ``kind``. An error raised in
    the block stores nothing.

    Parameters
    ----------
    call:
        The API call making the change.
    kind:
        The store table the record lives in.
    find:
        Loads the record (raising the endpoint's own 404 when it is missing).
    key:
        The record's key in ``kind``.
    """
    with call.world.store.transaction():
        record = find()
        check_if_match(call.request, record)
        yield record
        record["lastModifiedDateTime"] = call.stamp()
        call.world.store.put(call.tenant, kind, key(record), record)


def action_done() -> JSONResponse:
    """The action-result DTO a release answers (the 2023 build's; the 2025 spec declares none)."""
    return JSONResponse({"actionId": str(uuid.uuid4()), "actionResult": "Done"})


def _parse_moment(text: str) -> datetime:
    try:
        return parse_datetime(text.replace(" ", "T", 1))
    except ValueError as exc:
        raise VismaError(400, None, f"'{text}' is not a valid date. Use yyyy-MM-dd, yyyy-MM-dd HH:mm:ss[.FFF] "
                                    "or yyyy-MM-ddTHH:mm:ss[.FFF].") from exc


def modified_filter(request: Request, field: str = "lastModifiedDateTime") -> Callable[[dict[str, Any]], bool]:
    """The ``lastModifiedDateTime`` + ``lastModifiedDateTimeCondition`` filter; both or neither."""
    moment = request.query_params.get(field)
    condition = request.query_params.get(f"{field}Condition")
    if moment is None and condition is None:
        return lambda record: True
    if moment is None or condition is None:
        raise VismaError(400, None, f"{field} and {field}Condition must be given together.")
    compare = _CONDITIONS.get(condition.strip())
    if compare is None:
        raise VismaError(400, None, f"{field}Condition must be one of >, <, >=, <=.")
    since = _parse_moment(moment)
    return lambda record: compare(_parse_moment(record[field]).astimezone(UTC), since)


def paged(request: Request, records: list[dict[str, Any]], max_size: int) -> list[dict[str, Any]]:
    """One page of ``records`` with ``metadata`` on each, as the paged lists answer."""
    number = int_param(request, "pageNumber", 1)
    size = min(max(int_param(request, "pageSize", max_size), 1), max_size)
    window = records[(max(number, 1) - 1) * size:][:size]
    return [{**r, "metadata": {"totalCount": len(records), "maxPageSize": max_size}} for r in window]


def int_param(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise VismaError(400, None, f"The value '{text}' is not valid for {name}.") from exc
