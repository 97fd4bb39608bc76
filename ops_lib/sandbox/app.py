"""Assemble the sandbox as one ASGI app: identity server, ``/v2`` API, test controls.

``create_app()`` is what ``ops sandbox`` serves and what tests mount
in-process (``starlette.testclient.TestClient`` or ``httpx.ASGITransport``).
The ``/_sandbox`` paths are not part of the real service: they let tests
inject faults and expire tokens on a running instance.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ops_lib.sandbox import dimensions, identity, invoices, ledger, sales, supplier_invoices, vouchers
from ops_lib.sandbox.bulk import bulk_customers
from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.config import SandboxConfig
from ops_lib.sandbox.core import Sandbox
from ops_lib.sandbox.errors import ServiceError
from ops_lib.sandbox.server_date import ServerDate


async def sandbox_info(request: Request) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    base = str(request.base_url).rstrip("/")
    return JSONResponse({
        "api": f"{base}/v2/",
        "identity": f"{base}/connect/",
        "discovery": f"{base}/.well-known/openid-configuration",
        "companies": [{"id": c.id, "name": c.name, "org_number": c.org_number} for c in sandbox.companies],
        "clients": [c.client_id for c in sandbox.config.clients],
        "auto_consent": sandbox.config.auto_consent,
        "rate_limit": sandbox.config.rate_limit,
        "token_ttl": sandbox.config.token_ttl,
    })


async def set_faults(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        body = json.loads(await request.body() or b"{}")
        sandbox.faults.configure(
            latency_ms=int(body.get("latency_ms", 0)),
            failure_rate=float(body.get("failure_rate", 0.0)),
            failure_statuses=tuple(int(s) for s in body.get("failure_statuses", (500, 503))),
            seed=int(body.get("seed", 0)),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"latency_ms": sandbox.faults.latency_ms, "failure_rate": sandbox.faults.failure_rate,
                         "failure_statuses": list(sandbox.faults.failure_statuses)})


async def expire_tokens(request: Request) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    return JSONResponse({"expired": sandbox.grants.expire_all()})


async def _server_error(request: Request, exc: Exception) -> Response:
    return ServiceError(5000, "An unexpected error occurred in the sandbox.", 500).response()


def create_app(config: SandboxConfig | None = None, clock: Clock | None = None) -> Starlette:
    """Build a sandbox app with its own fresh (or resumed) state.

    Parameters
    ----------
    config:
        How the sandbox behaves; defaults to :class:`SandboxConfig()`.
    clock:
        The time source; tests pass one they can advance.
    """
    sandbox = Sandbox(config, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    routes = [
        *identity.ROUTES,
        *sales.ROUTES,
        *ledger.ROUTES,
        *dimensions.ROUTES,
        *vouchers.ROUTES,
        *invoices.ROUTES,
        *supplier_invoices.ROUTES,
        Route("/_sandbox", sandbox_info, methods=["GET"]),
        Route("/_sandbox/faults", set_faults, methods=["POST"]),
        Route("/_sandbox/expire-tokens", expire_tokens, methods=["POST"]),
        Route("/_sandbox/bulk-customers", bulk_customers, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={500: _server_error},
                    middleware=[Middleware(ServerDate, clock=sandbox.clock)])
    app.state.sandbox = sandbox
    return app
