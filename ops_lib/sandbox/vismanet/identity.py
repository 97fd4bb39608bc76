"""The sandbox Visma Connect: token endpoint, authorization-code sign-in, discovery.

``/connect/token`` takes ``client_credentials`` with a ``tenant_id`` (the
company's tenant GUID) and issues 3600 s bearer tokens, with the client's
secret in the form or as HTTP Basic (clients do both). A tenant the
client was never granted fails here with ``invalid_tenant``; a *customer*
tenant is granted and gets its token, which the API then refuses with 401.
The interactive flow (``/connect/authorize`` with PKCE, a consent page that
picks the company, the code and refresh grants) runs on the kernel's
:class:`~ops_lib.sandbox.grants.Grants`; its page carries the same form
fields as the eAccounting sandbox's, so :func:`ops_lib.sandbox.login.approve_consent`
passes it too. The OAuth both identity servers share (redirects, Basic
decoding, secret checks, code and refresh grants) comes from
:mod:`ops_lib.sandbox.identity`.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ops_lib.sandbox.config import SandboxClient
from ops_lib.sandbox.grants import TENANT, GrantError
from ops_lib.sandbox.identity import (
    NO_STORE,
    decode_basic,
    grant_redirect,
    redeem_user_grant,
    redirect_allowed,
    redirect_to,
    verify_client,
)
from ops_lib.sandbox.vismanet.config import (
    COMPANY_NAME,
    COMPANY_ORG_NUMBER,
    COMPANY_TENANT,
    SERVICE_SCOPES,
    SUPPORTED_SCOPES,
    UNLICENSED_TENANT,
)
from ops_lib.sandbox.vismanet.world import VismaNet

# The companies the sandbox user may pick at sign-in: (tenant, name, organisation number).
COMPANIES = ((COMPANY_TENANT, COMPANY_NAME, COMPANY_ORG_NUMBER),
             (UNLICENSED_TENANT, "Olicensierat Bolag AB (no Financials licence)", "559900-0001"))


def _world(request: Request) -> VismaNet:
    return request.app.state.world


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                        f"<title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>",
                        status_code=status)


async def discovery(request: Request) -> JSONResponse:
    base = str(request.base_url).rstrip("/")
    return JSONResponse({
        "issuer": base, "authorization_endpoint": f"{base}/connect/authorize",
        "token_endpoint": f"{base}/connect/token", "revocation_endpoint": f"{base}/connect/revocation",
        "scopes_supported": sorted(SUPPORTED_SCOPES), "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["plain", "S256"],
    })


async def authorize(request: Request) -> Response:
    world = _world(request)
    params = request.query_params
    client = world.config.client(params.get("client_id", ""))
    if client is None:
        return _page("Sign-in error", "<h1>Unknown client</h1>", 400)
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_allowed(client, redirect_uri):
        return _page("Sign-in error", "<h1>Invalid redirect_uri</h1>", 400)
    state = params.get("state")
    if params.get("response_type") != "code":
        return redirect_to(redirect_uri, {"error": "unsupported_response_type", "state": state})
    scopes = params.get("scope", "").split()
    if not scopes or any(s not in SUPPORTED_SCOPES for s in scopes):
        return redirect_to(redirect_uri, {"error": "invalid_scope", "state": state})
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method") or ("plain" if challenge else None)
    if challenge and method not in ("S256", "plain"):
        return redirect_to(redirect_uri, {"error": "invalid_request", "state": state})
    pending = {"client_id": client.client_id, "redirect_uri": redirect_uri, "scopes": scopes, "state": state,
               "code_challenge": challenge, "code_challenge_method": method}
    if world.config.auto_consent:
        return grant_redirect(world.grants, pending, COMPANY_TENANT)
    request_id = secrets.token_urlsafe(16)
    world.store.put(TENANT, "pending", request_id, pending)
    return _page("Visma.net sandbox: consent", _consent_form(client, pending, request_id))


def _consent_form(client: SandboxClient, pending: dict[str, Any], request_id: str) -> str:
    scopes = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in pending["scopes"])
    companies = "".join(
        f"<li><label><input type='radio' name='company_id' required value='{tenant}'{'' if i else ' checked'}> "
        f"{html.escape(name)} <span class='org'>({org})</span></label></li>"
        for i, (tenant, name, org) in enumerate(COMPANIES))
    return (f"<h1>Allow access to Visma.net ERP</h1><p class='sandbox'>Local sandbox: no real company is involved.</p>"
            f"<p><strong>{html.escape(client.name)}</strong> asks for:</p><ul id='scopes'>{scopes}</ul>"
            '<form method="post" action="/connect/authorize/consent">'
            f'<input type="hidden" name="request_id" value="{html.escape(request_id)}">'
            f"<fieldset><legend>Company</legend><ul id='companies'>{companies}</ul></fieldset>"
            '<button type="submit" name="decision" value="allow" id="allow">Allow</button>'
            '<button type="submit" name="decision" value="deny" id="deny" formnovalidate>Deny</button></form>')


async def consent(request: Request) -> Response:
    world = _world(request)
    form = await request.form()
    request_id = str(form.get("request_id", ""))
    pending = world.store.get(TENANT, "pending", request_id)
    if pending is None:
        return _page("Sign-in error", "<h1>Sign-in expired</h1>", 400)
    world.store.delete(TENANT, "pending", request_id)
    if form.get("decision") != "allow":
        return redirect_to(pending["redirect_uri"], {"error": "access_denied", "state": pending["state"]})
    tenant = str(form.get("company_id", ""))
    if tenant not in {t for t, _, _ in COMPANIES}:
        return _page("Sign-in error", "<h1>Choose a company</h1>", 400)
    return grant_redirect(world.grants, pending, tenant)


def _authenticate(world: VismaNet, request: Request, form: Any) -> SandboxClient:
    header = request.headers.get("authorization", "")
    client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    if header.lower().startswith("basic "):
        client_id, secret = decode_basic(header)
    return verify_client(world.config.client, client_id, secret)


def _client_credentials(world: VismaNet, client: SandboxClient, form: Any) -> dict[str, Any]:
    tenant = str(form.get("tenant_id", "")).strip()
    if not tenant or tenant not in world.config.tenants:
        raise GrantError("invalid_tenant", "The tenant is unknown or the client has no access to it.")
    asked = str(form.get("scope", "")).split() or list(SERVICE_SCOPES)
    if any(s not in SERVICE_SCOPES for s in asked):
        raise GrantError("invalid_scope", "A service integration may ask for vismanet_erp_service_api scopes only.")
    return world.grants.issue_for_tenant(client.client_id, tenant, asked)


async def token(request: Request) -> JSONResponse:
    world = _world(request)
    form = await request.form()
    try:
        client = _authenticate(world, request, form)
        if form.get("grant_type") == "client_credentials":
            body = _client_credentials(world, client, form)
        else:
            body = redeem_user_grant(world.grants, client.client_id, form)
    except GrantError as exc:
        return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=exc.status,
                            headers=NO_STORE)
    return JSONResponse(body, headers=NO_STORE)


async def revocation(request: Request) -> Response:
    world = _world(request)
    form = await request.form()
    try:
        client = _authenticate(world, request, form)
    except GrantError as exc:
        return JSONResponse({"error": exc.error}, status_code=exc.status)
    world.grants.revoke(client.client_id, str(form.get("token", "")))
    return Response(status_code=200)


ROUTES = [
    Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route("/connect/authorize", authorize, methods=["GET"]),
    Route("/connect/authorize/consent", consent, methods=["POST"]),
    Route("/connect/token", token, methods=["POST"]),
    Route("/connect/revocation", revocation, methods=["POST"]),
]
