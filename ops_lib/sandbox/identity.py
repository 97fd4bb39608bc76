"""The sandbox identity server, at the paths of identity.vismaonline.com.

``/connect/authorize`` starts the authorization-code grant (PKCE and
``state`` supported), shows a consent page where the user picks one of
their companies, and redirects back with a code bound to that company.
``/connect/token`` exchanges codes and rotates refresh tokens, accepting
both ``client_secret_basic`` and ``client_secret_post``;
``/connect/revocation`` revokes. The discovery document advertises them.

Errors follow RFC 6749: a bad client or redirect URI is shown on a page
(never redirected to), everything else goes back to the client as
``error`` and ``state`` on the redirect.

The Visma.net sandbox's Visma Connect (:mod:`ops_lib.sandbox.vismanet.identity`)
speaks the same OAuth on the same :class:`~ops_lib.sandbox.grants.Grants`, so it
takes its redirects, client authentication and user grants from here
(:func:`redirect_allowed`, :func:`redirect_to`, :func:`grant_redirect`,
:func:`decode_basic`, :func:`verify_client`, :func:`redeem_user_grant`) and
keeps only what Visma Connect does differently.
"""

from __future__ import annotations

import base64
import binascii
import html
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ops_lib.sandbox.config import SandboxClient
from ops_lib.sandbox.core import USER_NAME, Sandbox
from ops_lib.sandbox.grants import TENANT, GrantError, Grants
from ops_lib.sandbox.scopes import SCOPE_DESCRIPTIONS, SUPPORTED_SCOPES

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# RFC 6749 5.1: token answers must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def redirect_allowed(client: SandboxClient, redirect_uri: str) -> bool:
    """Exact match against a registered URI, or a loopback one on any port (RFC 8252)."""
    if redirect_uri in client.redirect_uris:
        return True
    if not client.loopback_any_port:
        return False
    asked = urlsplit(redirect_uri)
    if asked.scheme != "http" or asked.hostname not in _LOOPBACK or asked.fragment:
        return False
    for registered in client.redirect_uris:
        known = urlsplit(registered)
        if known.hostname == asked.hostname and known.path == asked.path and known.scheme == "http":
            return True
    return False


def redirect_to(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    """A 302 back to the client's ``uri`` with ``params`` added to its query (the ``None`` ones left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302)


def _error_page(title: str, detail: str, status: int = 400) -> HTMLResponse:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Sign-in error</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1><p class='error'>{html.escape(detail)}</p></main></body></html>"
    )
    return HTMLResponse(body, status_code=status)


async def discovery(request: Request) -> JSONResponse:
    base = str(request.base_url).rstrip("/")
    return JSONResponse({
        "issuer": base,
        "authorization_endpoint": f"{base}/connect/authorize",
        "token_endpoint": f"{base}/connect/token",
        "revocation_endpoint": f"{base}/connect/revocation",
        "scopes_supported": sorted(SUPPORTED_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
    })


async def authorize(request: Request) -> Response:
    sandbox = _sandbox(request)
    params = request.query_params
    client = sandbox.config.client(params.get("client_id", ""))
    if client is None:
        return _error_page("Unknown client", "The client_id is not registered with this identity server.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_allowed(client, redirect_uri):
        return _error_page("Invalid redirect_uri", "The redirect_uri is not registered for this client.")
    state = params.get("state")
    if params.get("response_type") != "code":
        return redirect_to(redirect_uri, {"error": "unsupported_response_type", "state": state})
    scopes = params.get("scope", "").split()
    unknown = [s for s in scopes if s not in SUPPORTED_SCOPES]
    if not scopes or unknown:
        return redirect_to(redirect_uri, {
            "error": "invalid_scope", "error_description": f"Unknown scope(s): {' '.join(unknown)}",
            "state": state,
        })
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method") or ("plain" if challenge else None)
    if challenge and method not in ("S256", "plain"):
        return redirect_to(redirect_uri, {
            "error": "invalid_request", "error_description": "code_challenge_method must be S256 or plain",
            "state": state,
        })
    pending = {
        "client_id": client.client_id, "redirect_uri": redirect_uri, "scopes": scopes,
        "state": state, "code_challenge": challenge, "code_challenge_method": method,
        "force_select": "forceselectcompany:true" in params.get("acr_values", "").lower(),
    }
    if sandbox.config.auto_consent:
        return grant_redirect(sandbox.grants, pending, sandbox.companies[0].id)
    request_id = secrets.token_urlsafe(16)
    sandbox.store.put(TENANT, "pending", request_id, pending)
    return HTMLResponse(_consent_page(sandbox, client, pending, request_id))


def grant_redirect(grants: Grants, pending: dict[str, Any], company_id: str) -> RedirectResponse:
    """Issue a code for a consented sign-in (``pending`` as ``authorize`` stored it) and send the user back."""
    code = grants.issue_code(
        pending["client_id"], pending["redirect_uri"], pending["scopes"], company_id,
        pending["code_challenge"], pending["code_challenge_method"],
    )
    return redirect_to(pending["redirect_uri"], {"code": code, "state": pending["state"]})


def _consent_page(sandbox: Sandbox, client: SandboxClient, pending: dict[str, Any], request_id: str) -> str:
    scopes = "".join(
        f"<li data-scope='{html.escape(s)}'><code>{html.escape(s)}</code> "
        f"{html.escape(SCOPE_DESCRIPTIONS.get(s, ''))}</li>"
        for s in pending["scopes"]
    )
    companies = "".join(
        "<li><label><input type='radio' name='company_id' required "
        f"value='{c.id}'{'' if pending['force_select'] or i else ' checked'}> "
        f"{html.escape(c.name)} <span class='org'>({html.escape(c.org_number)})</span></label></li>"
        for i, c in enumerate(sandbox.companies)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Visma eAccounting sandbox: consent</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}} .sandbox{{color:#a33}}</style></head>
<body><main>
<h1>Allow access to eAccounting</h1>
<p class="sandbox">Local sandbox: no real company or account is involved.</p>
<p>Signed in as <strong>{html.escape(USER_NAME)}</strong>.</p>
<p><strong>{html.escape(client.name)}</strong> asks for:</p>
<ul id="scopes">{scopes}</ul>
<form method="post" action="/connect/authorize/consent">
<input type="hidden" name="request_id" value="{html.escape(request_id)}">
<fieldset><legend>Company</legend><ul id="companies">{companies}</ul></fieldset>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny" formnovalidate>Deny</button>
</form></main></body></html>"""


async def consent(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await request.form()
    request_id = str(form.get("request_id", ""))
    pending = sandbox.store.get(TENANT, "pending", request_id)
    if pending is None:
        return _error_page("Sign-in expired", "This consent request is unknown or was already answered.")
    if form.get("decision") != "allow":
        sandbox.store.delete(TENANT, "pending", request_id)
        return redirect_to(pending["redirect_uri"], {
            "error": "access_denied", "error_description": "The user denied access.", "state": pending["state"],
        })
    company_id = str(form.get("company_id", ""))
    if sandbox.company(company_id) is None:
        return _error_page("Choose a company", "Pick one of the companies listed to continue.")
    sandbox.store.delete(TENANT, "pending", request_id)
    return grant_redirect(sandbox.grants, pending, company_id)


def decode_basic(header: str) -> tuple[str, str]:
    """The client id and secret of an ``Authorization: Basic`` header, each percent-decoded (RFC 6749 2.3.1).

    Raises
    ------
    GrantError
        ``invalid_client`` (401) when the header is not base64 of UTF-8 text.
    """
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        client_id, _, secret = decoded.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise GrantError("invalid_client", "Malformed Basic credentials.", 401) from exc
    return unquote(client_id), unquote(secret)


def verify_client(lookup: Callable[[str], SandboxClient | None], client_id: str, secret: str) -> SandboxClient:
    """The registered client whose secret this is, compared in constant time.

    Raises
    ------
    GrantError
        ``invalid_client`` (401) for an unknown client, an empty secret or a wrong one.
    """
    client = lookup(client_id)
    if client is None or not secret or not secrets.compare_digest(secret, client.client_secret):
        raise GrantError("invalid_client", "Client authentication failed.", 401)
    return client


def _client_credentials(request: Request, form: Any) -> tuple[str, str, bool]:
    header = request.headers.get("authorization", "")
    in_body = "client_secret" in form
    if header.lower().startswith("basic "):
        if in_body:
            raise GrantError("invalid_request", "Use one client authentication method, not two.")
        return *decode_basic(header), True
    return str(form.get("client_id", "")), str(form.get("client_secret", "")), False


def _authenticate_client(sandbox: Sandbox, request: Request, form: Any) -> SandboxClient:
    client_id, secret, _basic = _client_credentials(request, form)
    return verify_client(sandbox.config.client, client_id, secret)


def redeem_user_grant(grants: Grants, client_id: str, form: Any) -> dict[str, Any]:
    """Answer the token endpoint's user grants: a code exchange or a refresh-token rotation.

    Raises
    ------
    GrantError
        ``unsupported_grant_type`` for any other ``grant_type``, or what :class:`Grants` raises.
    """
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return grants.redeem_code(
            client_id, str(form.get("code", "")), form.get("redirect_uri"),  # type: ignore[arg-type]
            form.get("code_verifier"),  # type: ignore[arg-type]
        )
    if grant_type == "refresh_token":
        return grants.refresh(
            client_id, str(form.get("refresh_token", "")), form.get("scope"),  # type: ignore[arg-type]
        )
    raise GrantError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported.")


def _grant_error(exc: GrantError) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
    return JSONResponse({"error": exc.error, "error_description": exc.description},
                        status_code=exc.status, headers=headers)


async def token(request: Request) -> JSONResponse:
    sandbox = _sandbox(request)
    form = await request.form()
    try:
        client = _authenticate_client(sandbox, request, form)
        body = redeem_user_grant(sandbox.grants, client.client_id, form)
    except GrantError as exc:
        return _grant_error(exc)
    return JSONResponse(body, headers=NO_STORE)


async def revocation(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await request.form()
    try:
        client = _authenticate_client(sandbox, request, form)
    except GrantError as exc:
        return _grant_error(exc)
    token_value = str(form.get("token", ""))
    if not token_value:
        return _grant_error(GrantError("invalid_request", "token is required."))
    sandbox.grants.revoke(client.client_id, token_value)
    return Response(status_code=200)


ROUTES = [
    Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route("/connect/authorize", authorize, methods=["GET"]),
    Route("/connect/authorize/consent", consent, methods=["POST"]),
    Route("/connect/token", token, methods=["POST"]),
    Route("/connect/revocation", revocation, methods=["POST"]),
]
