"""Assemble the Procountor sandbox as one ASGI app: the token endpoint, the API, test controls.

Routes are declared once under ``/api``; :class:`~.wire.Prefixes` folds
``/latest/api``, ``/supported/api`` and ``/vYYMM/api`` onto it. The
``/_sandbox`` paths are not part of the real service: they let tests
inject faults and expire tokens on a running instance.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.procountor import attachments, identity, ledger, partners, registers
from ops_lib.sandbox.procountor.config import COMPANY_ID, COMPANY_NAME, ProcountorConfig
from ops_lib.sandbox.procountor.errors import ProcountorError
from ops_lib.sandbox.procountor.wire import Prefixes, proxy_error
from ops_lib.sandbox.procountor.world import Procountor
from ops_lib.sandbox.server_date import ServerDate

Handler = Callable[[Request], Any]

API: list[tuple[str, str, Handler]] = [
    ("GET", "/coa", registers.chart),
    ("GET", "/dimensions", registers.list_dimensions),
    ("GET", "/dimensions/{dimensionId}", registers.get_dimension),
    ("PUT", "/dimensions/{dimensionId}", registers.rename_dimension),
    ("POST", "/dimensions/{dimensionId}/items", registers.create_item),
    ("PUT", "/dimensions/{dimensionId}/items", registers.update_item),
    ("GET", "/fiscalyears", registers.list_fiscal_years),
    ("GET", "/vats/default", registers.vat_defaults),
    ("GET", "/vats/country", registers.vat_country),
    ("GET", "/vats/settings", registers.vat_settings),
    ("GET", "/company", registers.get_company),
    ("GET", "/sessioninfo", registers.session_info),
    ("GET", "/status", registers.status),
    ("GET", "/businesspartners", partners.list_partners),
    ("POST", "/businesspartners", partners.create_partner),
    ("GET", "/businesspartners/{id}", partners.get_partner),
    ("PUT", "/businesspartners/{id}", partners.update_partner),
    ("GET", "/ledgerreceipts", ledger.list_receipts),
    ("POST", "/ledgerreceipts", ledger.create_receipt),
    ("GET", "/ledgerreceipts/{receiptId}", ledger.get_receipt),
    ("PUT", "/ledgerreceipts/{receiptId}", ledger.update_receipt),
    ("PUT", "/ledgerreceipts/{receiptId}/approve", ledger.approve_receipt),
    ("PUT", "/ledgerreceipts/{receiptId}/invalidate", ledger.invalidate_receipt),
    ("PUT", "/ledgerreceipts/{receiptId}/unfinished", ledger.unfinish_receipt),
    ("GET", "/attachments", attachments.list_attachments),
    ("POST", "/attachments", attachments.upload),
    ("GET", "/attachments/{attachmentId}", attachments.download),
    ("DELETE", "/attachments/{attachmentId}", attachments.delete),
]


async def sandbox_info(request: Request) -> JSONResponse:
    world: Procountor = request.app.state.world
    base = str(request.base_url).rstrip("/")
    return JSONResponse({
        "system": "procountor", "api": f"{base}/api", "token": f"{base}/api/oauth/token",
        "company_id": COMPANY_ID, "company_name": COMPANY_NAME,
        "clients": [c.client_id for c in world.config.clients], "token_ttl": world.config.token_ttl,
        "rate_limit_per_second": world.config.rate_limit,
    })


async def set_faults(request: Request) -> Response:
    world: Procountor = request.app.state.world
    try:
        body = json.loads(await request.body() or b"{}")
        world.faults.configure(latency_ms=int(body.get("latency_ms", 0)),
                               failure_rate=float(body.get("failure_rate", 0.0)),
                               failure_statuses=tuple(int(s) for s in body.get("failure_statuses", (500, 503))),
                               seed=int(body.get("seed", 0)))
    except (ValueError, TypeError, AttributeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"latency_ms": world.faults.latency_ms, "failure_rate": world.faults.failure_rate})


async def expire_tokens(request: Request) -> JSONResponse:
    world: Procountor = request.app.state.world
    return JSONResponse({"expired": world.grants.expire_all()})


async def _server_error(request: Request, exc: Exception) -> Response:
    return proxy_error(500)


async def _not_found(request: Request, exc: Exception) -> Response:
    return ProcountorError.one(404, "Resource not found").response()


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return ProcountorError.one(405, "Method not allowed").response()


def create_app(config: ProcountorConfig | None = None, clock: Clock | None = None) -> Starlette:
    """Build a Procountor sandbox with its own fresh (or resumed) state.

    Parameters
    ----------
    config:
        How the sandbox behaves; defaults to :class:`ProcountorConfig()`.
    clock:
        The time source; tests pass one they can advance.
    """
    world = Procountor(config, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        world.close()

    routes = [*identity.ROUTES, *(Route("/api" + path, handler, methods=[method]) for method, path, handler in API),
              Route("/_sandbox", sandbox_info, methods=["GET"]),
              Route("/_sandbox/faults", set_faults, methods=["POST"]),
              Route("/_sandbox/expire-tokens", expire_tokens, methods=["POST"])]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={500: _server_error, 404: _not_found, 405: _not_allowed},
                    middleware=[Middleware(Prefixes), Middleware(ServerDate, clock=world.clock)])
    app.state.world = world
    return app
