"""Assemble the Visma.net sandbox as one ASGI app: Visma Connect, the API, test controls.

Every API route is served twice: under ``/v1``/``/v2`` as the spec has
them, and under the legacy ``/API/controller/api`` prefix a maintained
client still uses. The ``/_sandbox`` paths are not part of the real
service: they let tests inject faults and expire tokens on a running
instance.
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
from ops_lib.sandbox.server_date import ServerDate
from ops_lib.sandbox.vismanet import attachments, identity, invoices, journals, reference, registers
from ops_lib.sandbox.vismanet.config import COMPANY_NAME, COMPANY_TENANT, CUSTOMER_TENANT, VismaNetConfig
from ops_lib.sandbox.vismanet.partners import CUSTOMER, INVENTORY, SUPPLIER, handlers
from ops_lib.sandbox.vismanet.wire import LEGACY_PREFIX
from ops_lib.sandbox.vismanet.world import VismaNet

Handler = Callable[[Request], Any]


def _partner_routes() -> list[tuple[str, str, Handler]]:
    routes: list[tuple[str, str, Handler]] = []
    for register, path in ((SUPPLIER, "/v1/supplier"), (CUSTOMER, "/v1/customer"), (INVENTORY, "/v1/inventory")):
        ends = handlers(register)
        routes += [("GET", path, ends["list"]), ("POST", path, ends["create"]),
                   ("GET", f"{path}/{{number}}", ends["get"]), ("PUT", f"{path}/{{number}}", ends["update"])]
    return routes


API: list[tuple[str, str, Handler]] = [
    ("GET", "/v1/account", registers.list_accounts),
    ("GET", "/v1/account/{accountCd}", registers.get_account),
    ("GET", "/v1/subaccount", registers.list_subaccounts),
    ("GET", "/v1/subaccount/{subAccountNumber}", registers.get_subaccount),
    ("GET", "/v1/dimension", registers.list_dimensions),
    ("GET", "/v1/dimension/{dimensionId}", registers.get_dimension),
    ("GET", "/v1/dimension/{dimensionId}/{segmentId}", registers.get_segment),
    ("PUT", "/v1/dimension/{dimensionId}/{segmentId}", registers.put_segment),
    ("GET", "/v1/dimension/{dimensionId}/{segmentId}/{valueId}", registers.get_segment_value),
    ("GET", "/v1/vat", reference.list_vat),
    ("GET", "/v1/vat/{vatId}", reference.get_vat),
    ("GET", "/v1/vatCategory", reference.list_vat_categories),
    ("GET", "/v1/vatCategory/{taxCategoryId}", reference.get_vat_category),
    ("GET", "/v1/vatZone", reference.list_vat_zones),
    ("GET", "/v1/vatZone/{vatZoneId}", reference.get_vat_zone),
    ("GET", "/v1/financialPeriod", reference.list_periods),
    ("GET", "/v1/financialPeriod/{financialPeriodId}", reference.get_period),
    ("GET", "/v1/branch", reference.list_branches),
    ("GET", "/v1/branch/{branchNumber}", reference.get_branch),
    ("GET", "/v1/ledger", reference.list_ledgers),
    ("GET", "/v1/paymentmethod", reference.list_payment_methods),
    ("GET", "/v1/paymentmethod/{paymentMethodNumber}", reference.get_payment_method),
    ("GET", "/v1/cashaccount", reference.list_cash_accounts),
    *_partner_routes(),
    ("GET", "/v2/journaltransaction", journals.list_journals),
    ("POST", "/v2/journaltransaction", journals.create_journal),
    ("GET", "/v2/journaltransaction/{journalTransactionNumber}", journals.get_journal),
    ("PUT", "/v2/journaltransaction/{journalTransactionNumber}", journals.update_journal),
    ("POST", "/v2/journaltransaction/{journalTransactionNumber}/action/release", journals.release_journal),
    ("POST", "/v2/journaltransaction/module/{module}/{journalTransactionNumber}/attachment",
     attachments.attach_to_journal),
    ("GET", "/v1/supplierInvoice", invoices.list_invoices),
    ("POST", "/v1/supplierInvoice", invoices.create_invoice),
    ("GET", "/v1/supplierInvoice/{invoiceNumber}", invoices.get_invoice),
    ("PUT", "/v1/supplierInvoice/{invoiceNumber}", invoices.update_invoice),
    ("POST", "/v1/supplierInvoice/{invoiceNumber}/action/release", invoices.release_invoice),
    ("POST", "/v1/supplierInvoice/{invoiceNumber}/attachment", attachments.attach_to_invoice),
    ("GET", "/v1/supplierInvoice/{documentType}/{invoiceNumber}", invoices.get_invoice),
    ("PUT", "/v1/supplierInvoice/{documentType}/{invoiceNumber}", invoices.update_invoice),
    ("POST", "/v1/supplierInvoice/{documentType}/{invoiceNumber}/action/release", invoices.release_invoice),
    ("POST", "/v1/supplierInvoice/documentType/{documentType}/{invoiceNumber}/attachment",
     attachments.attach_to_invoice),
    ("GET", "/v1/attachment/{attachmentId}", attachments.get_attachment),
]


async def sandbox_info(request: Request) -> JSONResponse:
    world: VismaNet = request.app.state.world
    base = str(request.base_url).rstrip("/")
    return JSONResponse({
        "system": "vismanet", "api": f"{base}/v1/", "token": f"{base}/connect/token",
        "authorize": f"{base}/connect/authorize", "company_tenant": COMPANY_TENANT, "company_name": COMPANY_NAME,
        "customer_tenant": CUSTOMER_TENANT, "clients": [c.client_id for c in world.config.clients],
        "rate_limit_per_hour": world.config.rate_limit, "token_ttl": world.config.token_ttl,
    })


async def set_faults(request: Request) -> Response:
    world: VismaNet = request.app.state.world
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
    world: VismaNet = request.app.state.world
    return JSONResponse({"expired": world.grants.expire_all()})


async def _server_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"message": "VismaId: 00000000-0000-0000-0000-000000000000. "
                                    "Error: An unexpected error occurred in the sandbox.\r\n"}, status_code=500)


def api_routes() -> list[Route]:
    """Each API route under its spec path and under the legacy prefix."""
    return [Route(prefix + path, handler, methods=[method])
            for prefix in ("", LEGACY_PREFIX) for method, path, handler in API]


def create_app(config: VismaNetConfig | None = None, clock: Clock | None = None) -> Starlette:
    """Build a Visma.net sandbox with its own fresh (or resumed) state.

    Parameters
    ----------
    config:
        How the sandbox behaves; defaults to :class:`VismaNetConfig()`.
    clock:
        The time source; tests pass one they can advance.
    """
    world = VismaNet(config, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        world.close()

    routes = [*identity.ROUTES, *api_routes(),
              Route("/_sandbox", sandbox_info, methods=["GET"]),
              Route("/_sandbox/faults", set_faults, methods=["POST"]),
              Route("/_sandbox/expire-tokens", expire_tokens, methods=["POST"])]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={500: _server_error},
                    middleware=[Middleware(ServerDate, clock=world.clock)])
    app.state.world = world
    return app
