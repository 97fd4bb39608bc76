"""Connecting a company through a service integration: client credentials, no browser, no person.

Some systems connect a machine, not a person: their grant is
:class:`~ops_lib.connectors.grants.ClientCredentials` (Visma.net ERP's
service integrations, with the company's tenant id as an extra token
parameter). :func:`connect_service` asks the identity server for a token
with the client id (from params), the client secret (from
``OPS_<SYSTEM>_CLIENT_SECRET`` or the secrets file, never params, see
:mod:`ops_lib.config.secrets`) and the grant's extras (the tenant id from
params), learns which company the token is for and stores the connection,
as the browser flow does at its end. Later runs renew the token by asking
again (:meth:`ClientCredentials.renew`), so nobody ever has to sign in.

Nothing here prints or returns the token or the client secret.
"""

from __future__ import annotations

import httpx
from authlib.integrations.base_client.errors import OAuthError

from ops_lib.config.secrets import grant_with_secrets, require_client_secret
from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import ConnectionStatus, connect_command, store_connection
from ops_lib.connectors.grants import ClientCredentials
from ops_lib.connectors.oauth import oauth_client, token_error, with_expiry
from ops_lib.core.errors import ConfigurationError, ServiceUnreachable
from ops_lib.systems.registry import get as get_system


def is_service_connection(settings: ConnectionSettings) -> bool:
    """Whether ``settings``' system connects without a browser (its grant is client credentials)."""
    return not get_system(settings.system).grant(settings).interactive


def service_grant(settings: ConnectionSettings) -> ClientCredentials:
    """The client-credentials grant of ``settings``' system.

    Raises
    ------
    ConfigurationError
        When the system signs in in a browser instead (``ops connect`` without a tenant id does that).
    """
    grant = get_system(settings.system).grant(settings)
    if not isinstance(grant, ClientCredentials):
        raise ConfigurationError(f"{settings.system} connects by signing in in a browser ({grant.kind}), "
                                 f"not as a service integration: run `{connect_command(settings)}`")
    return grant


def connect_service(settings: ConnectionSettings, *, client_secret: str | None = None,
                    transport: httpx.BaseTransport | None = None) -> ConnectionStatus:
    """Connect the company of a service integration and store the connection; nobody signs in.

    Parameters
    ----------
    settings:
        The system, environment, client id and (for a system that asks for one) the tenant id.
    client_secret:
        Typed into a form; otherwise from the environment or the secrets file.

    Raises
    ------
    ConfigurationError
        The system signs in in a browser, or no client secret (or other secret the grant names,
        such as Procountor's API key) is configured.
    AuthenticationError
        The identity server refused the client, its secret or the tenant (its own words, nothing sent).
    ServiceUnreachable
        The identity server could not be reached.
    """
    grant = grant_with_secrets(settings, service_grant(settings))
    secret = require_client_secret(settings, client_secret)
    endpoints = settings.endpoints
    client = oauth_client(endpoints, settings.client_id, secret, scope=settings.scope, transport=transport,
                          timeout=settings.timeout_seconds, auth_method=grant.auth_method)
    with client:
        try:
            token = grant.fetch(client, endpoints.token_url)
        except OAuthError as exc:
            raise token_error(exc) from None
        except httpx.HTTPError as exc:
            raise ServiceUnreachable(f"The identity server at {endpoints.identity_host} could not be reached "
                                     f"({type(exc).__name__})") from None
    return store_connection(settings, with_expiry(token), transport=transport)


__all__ = ["connect_service", "is_service_connection", "service_grant"]
