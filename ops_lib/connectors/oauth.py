"""The authorization-code flow with PKCE (S256) and ``state``, on authlib.

A connection starts in a browser: :func:`begin_authorization` builds the
address to open and remembers the PKCE verifier and ``state``; the
identity server sends the browser back to the redirect URI with a code;
:func:`finish_authorization` checks ``state``, exchanges the code and
returns the token. How the redirect is caught (a loopback catcher, or the
user pasting the address) is up to the caller; see
:mod:`ops_lib.connectors.catcher`.

All HTTP goes through authlib's httpx ``OAuth2Client`` with an injectable
transport, so tests run the sandbox's identity server in-process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from ops_lib.connectors.endpoints import Endpoints
from ops_lib.core.errors import AuthenticationError, ServiceUnreachable


@dataclass(frozen=True)
class AuthorizationRequest:
    """One started authorization: the address to open and what proves it is ours."""

    url: str
    redirect_uri: str
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)


def oauth_client(endpoints: Endpoints, client_id: str, client_secret: str, *, scope: str = "",
                 redirect_uri: str | None = None, token: Mapping[str, Any] | None = None,
                 transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                 client_class: type[OAuth2Client] = OAuth2Client, auth_method: str = "client_secret_basic",
                 **kwargs: Any) -> OAuth2Client:
    """authlib's httpx client set up for one identity server (``auth_method``: basic client auth by default)."""
    return client_class(
        client_id=client_id, client_secret=client_secret, scope=scope or None, redirect_uri=redirect_uri,
        token=dict(token) if token else None, token_endpoint=endpoints.token_url,
        token_endpoint_auth_method=auth_method, revocation_endpoint_auth_method=auth_method,
        code_challenge_method="S256", transport=transport, timeout=httpx.Timeout(timeout), **kwargs,
    )


def begin_authorization(endpoints: Endpoints, client_id: str, scope: str, redirect_uri: str,
                        extra: Mapping[str, str] | None = None) -> AuthorizationRequest:
    """Build the authorize address with a fresh ``state`` and PKCE verifier."""
    verifier = generate_token(64)
    client = OAuth2Client(client_id=client_id, scope=scope, redirect_uri=redirect_uri, code_challenge_method="S256")
    with client:
        url, state = client.create_authorization_url(endpoints.authorize_url, code_verifier=verifier,
                                                     **dict(extra or {}))
    return AuthorizationRequest(url=url, redirect_uri=redirect_uri, state=state, code_verifier=verifier)


def code_from_redirect(request: AuthorizationRequest, redirected_to: str) -> str:
    """The code in the address the browser was sent back to, after checking ``state``.

    Raises
    ------
    AuthenticationError
        When the address is not a redirect of this request, the user
        declined, or ``state`` does not match (a forged or stale redirect).
    """
    address = redirected_to.strip()
    parts = urlsplit(address)
    query = parse_qs(parts.query)
    if not parts.scheme or not parts.query:
        raise AuthenticationError("That is not the address the browser was sent back to: "
                                  "copy the whole address bar after approving, starting with http")
    if "error" in query:
        reason = query.get("error_description", query["error"])[0]
        raise AuthenticationError(f"The identity server did not grant access: {reason}")
    if query.get("state", [""])[0] != request.state:
        raise AuthenticationError("The redirect does not belong to this connection attempt (state differs); "
                                  "start again with Connect")
    code = query.get("code", [""])[0]
    if not code:
        raise AuthenticationError("The redirect carries no authorization code; start again with Connect")
    return code


def finish_authorization(endpoints: Endpoints, request: AuthorizationRequest, redirected_to: str,
                         client_id: str, client_secret: str, *, transport: httpx.BaseTransport | None = None,
                         timeout: float = 30.0) -> dict[str, Any]:
    """Exchange the code in ``redirected_to`` for a token (with ``expires_at`` set)."""
    code = code_from_redirect(request, redirected_to)
    client = oauth_client(endpoints, client_id, client_secret, redirect_uri=request.redirect_uri,
                          transport=transport, timeout=timeout)
    with client:
        try:
            token = client.fetch_token(endpoints.token_url, grant_type="authorization_code", code=code,
                                       code_verifier=request.code_verifier, redirect_uri=request.redirect_uri)
        except OAuthError as exc:
            raise token_error(exc) from None
        except httpx.HTTPError as exc:
            raise ServiceUnreachable(f"The identity server at {endpoints.identity_host} could not be reached "
                                     f"({type(exc).__name__})") from None
    return with_expiry(token)


def with_expiry(token: Mapping[str, Any]) -> dict[str, Any]:
    """The token with an absolute ``expires_at``, which authlib and the store rely on."""
    result = dict(token)
    if "expires_at" not in result and "expires_in" in result:
        result["expires_at"] = int(time.time()) + int(result["expires_in"])
    return result


def token_error(exc: OAuthError) -> AuthenticationError:
    """An identity-server refusal as a suite error, without echoing anything sent."""
    if exc.error == "invalid_client":
        return AuthenticationError("The identity server rejected the client id or client secret "
                                   "(invalid_client); check both and connect again")
    return AuthenticationError(f"The identity server refused the request ({exc.error}): "
                               f"{exc.description or 'no description'}")
