"""``POST /api/oauth/token``: Procountor's M2M grant, and ``POST /logout``.

The form carries ``grant_type=client_credentials``, ``client_id``,
``client_secret`` and ``api_key`` (an extra ``redirect_uri``, which the
PyPI client sends, is ignored). The answer is a bearer token for the user
and company the API key belongs to, ``expires_in`` 3600, and no refresh
token. The vendor documents no error body for this endpoint; the sandbox
answers its ordinary envelope: 400 for a malformed request, 401
``Unauthorized`` for a wrong client, secret or key, so no answer says
which of the three was wrong.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ops_lib.sandbox.procountor.errors import ProcountorError, unauthorized
from ops_lib.sandbox.procountor.world import Procountor


async def token(request: Request) -> Response:
    """Exchange client id, secret and API key for an access token."""
    world: Procountor = request.app.state.world
    try:
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            raise ProcountorError.one(400, "Unsupported grant type", "grant_type")
        client_id, secret, api_key = (str(form.get(name) or "") for name in ("client_id", "client_secret", "api_key"))
        if not api_key:
            raise ProcountorError.one(400, "api_key is required for the client_credentials grant", "api_key")
        client = world.config.client(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
            raise unauthorized()
        bound = client.api_keys.get(api_key)
        if bound is None:
            raise unauthorized()
    except ProcountorError as error:
        return error.response()
    company_id, user_id = bound
    return JSONResponse(world.grants.issue_for_key(client_id, company_id, user_id),
                        headers={"Cache-Control": "no-store"})


async def logout(request: Request) -> Response:
    """End the bearer token's session (``POST {host}/logout``); an unknown token is 401 like any call."""
    world: Procountor = request.app.state.world
    header = request.headers.get("authorization", "")
    access = header[7:].strip() if header.lower().startswith("bearer ") else ""
    grant = world.grants.access(access) if access else None
    if grant is None:
        return unauthorized().response()
    world.grants.revoke(grant.client_id, access)
    return Response(status_code=200)


ROUTES = [Route("/api/oauth/token", token, methods=["POST"]),
          Route("/oauth/token", token, methods=["POST"]),
          Route("/logout", logout, methods=["POST"])]
