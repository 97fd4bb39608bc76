"""How a connection gets its access tokens, and how it gets new ones when they run out.

Two OAuth grants cover the systems the suite serves:

:class:`AuthorizationCode`
    A person signs in once in a browser (PKCE S256 and ``state``, see
    :mod:`ops_lib.connectors.oauth`); afterwards the refresh token renews
    the access token. Refresh tokens may rotate (eAccounting's do: each
    refresh kills the previous one), which is why the session renews only
    under the token store's cross-process lock.
:class:`ClientCredentials`
    A machine-to-machine client: no person and no refresh token. When the
    access token expires the grant simply asks again with the client's
    credentials and its extra parameters (Visma.net's ``tenant_id``,
    Procountor's ``api_key``).

A system declares its grant (``System.grant(settings)``); the session
(:mod:`ops_lib.connectors.session`) calls :meth:`Grant.renew` and never
knows which one it holds. Both renew through authlib's client and hand
the new token to its ``update_token`` hook, so it is stored before use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Protocol, runtime_checkable

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client


@runtime_checkable
class Grant(Protocol):
    """One way of getting and renewing tokens.

    ``interactive`` grants need a person at a browser to connect;
    ``auth_method`` is how the client authenticates at the token endpoint.
    """

    kind: str
    interactive: bool
    auth_method: str

    def can_renew(self, token: Mapping[str, Any]) -> bool:
        """Whether an expired ``token`` can be renewed without a person."""

    def renew(self, client: OAuth2Client, token_url: str, token: Mapping[str, Any]) -> Mapping[str, Any]:
        """A new token, already passed to ``client``'s ``update_token`` hook. Raises authlib/httpx errors."""


@dataclass(frozen=True)
class AuthorizationCode:
    """Authorization code with PKCE; renewed with the (possibly rotating) refresh token.

    ``extra_authorize`` goes on the authorize address (eAccounting's
    ``acr_values=forceselectcompany:true``).
    """

    extra_authorize: Mapping[str, str] = field(default_factory=dict)
    auth_method: str = "client_secret_basic"
    kind: str = "authorization_code"
    interactive: bool = True

    def can_renew(self, token: Mapping[str, Any]) -> bool:
        return bool(token.get("refresh_token"))

    def renew(self, client: OAuth2Client, token_url: str, token: Mapping[str, Any]) -> Mapping[str, Any]:
        # authlib calls update_token itself after a refresh.
        return client.refresh_token(token_url, refresh_token=token["refresh_token"])


@dataclass(frozen=True)
class ClientCredentials:
    """Client credentials plus the system's extra token parameters; asked for again on expiry.

    ``extra`` may hold a secret (an API key), so it never shows in a repr.
    ``secret_params`` names the extra parameters that are secrets: the
    system cannot read them (they come from the secrets file or the
    environment, like the client secret), so the connection code fills
    them in with :meth:`with_secrets` before the grant is used.
    """

    extra: Mapping[str, str] = field(default_factory=dict, repr=False)
    secret_params: tuple[str, ...] = ()
    auth_method: str = "client_secret_post"
    kind: str = "client_credentials"
    interactive: bool = False

    def can_renew(self, token: Mapping[str, Any]) -> bool:
        return True

    def with_secrets(self, secrets: Mapping[str, str]) -> "ClientCredentials":
        """This grant with its secret parameters' values added to ``extra``."""
        return replace(self, extra={**dict(self.extra), **{name: secrets[name] for name in self.secret_params}})

    def fetch(self, client: OAuth2Client, token_url: str) -> Mapping[str, Any]:
        """A fresh token for the client's credentials and the extra parameters."""
        token = client.fetch_token(token_url, grant_type="client_credentials", **dict(self.extra))
        if not token.get("access_token"):
            # authlib raises only for OAuth's "error" field; some token endpoints refuse with a 4xx in their
            # own envelope (Procountor's {"errors": [...]}), which must not pass for a token.
            raise OAuthError(error="no_access_token", description="the token endpoint answered without an access "
                             "token; check the client id, the client secret and the other secrets the grant needs")
        if client.update_token is not None:  # authlib stores fetched tokens without calling the hook
            client.update_token(token, access_token=token.get("access_token"))
        return token

    def renew(self, client: OAuth2Client, token_url: str, token: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.fetch(client, token_url)


__all__ = ["AuthorizationCode", "ClientCredentials", "Grant"]
