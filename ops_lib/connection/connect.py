"""Connect a company once; use the connection from notebooks and scheduled runs.

The functions here are what the connect notebook's form, the ``ops
connect``/``status``/``disconnect`` commands and every later job call:

* :func:`start_connect` begins the authorization-code flow (PKCE S256,
  ``state``) and, unless told otherwise, starts a one-shot redirect
  catcher on 127.0.0.1; :class:`PendingConnect` then finishes it from the
  catcher or from an address the user pasted. A system whose grant is
  client credentials (a service integration) connects without a browser
  instead: :func:`ops_lib.connection.service.connect_service`;
* :func:`open_client` gives a typed client for the stored connection of
  the chosen company, refreshing tokens as needed; headless runs call it
  and fail with :class:`~ops_lib.core.errors.ReconnectNeeded` when there is no
  usable connection, never prompting;
* :func:`connection_status` and :func:`disconnect` show and end connections.

Nothing here prints or returns a token or the client secret.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

import httpx

from ops_lib.config.secrets import grant_with_secrets, require_client_secret
from ops_lib.config.settings import ConnectionSettings
from ops_lib.connectors.catcher import RedirectCatcher
from ops_lib.connectors.grants import AuthorizationCode
from ops_lib.connectors.limiter import RequestBudget
from ops_lib.connectors.oauth import AuthorizationRequest, begin_authorization, finish_authorization
from ops_lib.connectors.ratelimit import budget_for
from ops_lib.connectors.session import ApiSession, RetryPolicy
from ops_lib.connectors.tokens import BACKEND_NAMES, StoredConnection, TokenStore, open_store
from ops_lib.core.errors import ConfigurationError, OpsError, ReconnectNeeded
from ops_lib.systems.registry import DEFAULT_SYSTEM
from ops_lib.systems.registry import get as get_system

CONNECT_NOTEBOOK = "notebooks/00_connect.ipynb"


def connect_command(settings: ConnectionSettings) -> str:
    """The ``ops connect`` line that connects these settings' system and environment again."""
    words = ["ops connect"]
    if settings.system != DEFAULT_SYSTEM:
        words.append(f"--system {settings.system}")
    words.append(f"--env {settings.environment}")
    if settings.tenant_id:
        words.append(f"--tenant-id {settings.tenant_id}")
    return " ".join(words)


def reconnect_hint(settings: ConnectionSettings) -> str:
    return (f"Reconnect: run {CONNECT_NOTEBOOK} and press Connect, "
            f"or run `{connect_command(settings)}` in a terminal.")


# -- status -------------------------------------------------------------


def _utc(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if ts else "-"


@dataclass(frozen=True)
class ConnectionStatus:
    """What a person may see of a connection: never a token."""

    system: str
    environment: str
    connected: bool
    company_name: str = ""
    org_number: str = ""
    scope: str = ""
    expires_at: float | None = None
    has_refresh_token: bool = False
    connected_at: float | None = None
    verified: bool = False
    backend: str = ""
    note: str = ""
    asks_again: bool = False  # a service integration: no refresh token, a new token is asked for instead

    @classmethod
    def of(cls, connection: StoredConnection, *, verified: bool = False, backend: str = "",
           note: str = "", asks_again: bool = False) -> "ConnectionStatus":
        return cls(system=connection.system, environment=connection.environment, connected=True,
                   company_name=connection.company_name, org_number=connection.company_key,
                   scope=connection.scope, expires_at=connection.expires_at,
                   has_refresh_token=connection.has_refresh_token, connected_at=connection.connected_at,
                   verified=verified, backend=backend, note=note, asks_again=asks_again)

    @property
    def token_state(self) -> str:
        if not self.connected:
            return "none"
        if self.expires_at is None:
            return "expiry not recorded (stored by an older version; `ops status --check` reads it)"
        left = self.expires_at - time.time()
        refresh = ("; refreshes automatically" if self.has_refresh_token
                   else "; asked for again with the client's credentials" if self.asks_again else "; no refresh token")
        if left <= 0:
            return f"access token expired at {_utc(self.expires_at)}{refresh}"
        return f"access token valid until {_utc(self.expires_at)} ({int(left // 60)} min left){refresh}"

    def rows(self) -> list[tuple[str, str]]:
        if not self.connected:
            return [("Connection", f"not connected ({self.system}, {self.environment})"), ("Note", self.note)]
        rows = [
            ("Company", f"{self.company_name} ({self.org_number})"),
            ("Environment", f"{self.system} / {self.environment}"),
            ("Granted scopes", self.scope),
            ("Token", self.token_state),
            ("Connected at", _utc(self.connected_at)),
            ("Checked against the service", "yes" if self.verified else "no (stored state only)"),
        ]
        if self.backend:
            rows.append(("Token storage", self.backend))
        if self.note:
            rows.append(("Note", self.note))
        return rows

    def describe(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.rows())

    def _repr_html_(self) -> str:
        import html

        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                        f"{html.escape(v)}</td></tr>" for k, v in self.rows())
        return f"<table class='ops-connection-status'>{cells}</table>"


def _asks_again(settings: ConnectionSettings, connection: StoredConnection) -> bool:
    """Whether ``connection`` renews by asking for a new token (a service integration of the settings' system)."""
    if connection.system != settings.system:
        return False
    try:
        return not get_system(settings.system).grant(settings).interactive
    except OpsError:  # a grant these settings cannot build (a missing tenant): say nothing about renewal
        return False


def _status(settings: ConnectionSettings, store: TokenStore, connection: StoredConnection, *,
            verified: bool = False) -> ConnectionStatus:
    """What a person may see of ``connection``, with where its tokens are kept and how they are renewed."""
    return ConnectionStatus.of(connection, verified=verified, backend=_storage(store, connection),
                               asks_again=_asks_again(settings, connection))


def _store(settings: ConnectionSettings) -> TokenStore:
    return open_store(settings.config_dir, settings.token_backend)


def _storage(store: TokenStore, connection: StoredConnection) -> str:
    """Where the connection's tokens are kept, and whether this process can reach them."""
    kept = connection.backend or store.backend.name
    where = BACKEND_NAMES.get(kept, kept)
    if store.reaches(kept):
        return where
    here = BACKEND_NAMES.get(store.backend.name, store.backend.name)
    return f"{where} (not reachable from this process, which uses the {here} backend)"


def find_connection(settings: ConnectionSettings, store: TokenStore | None = None) -> StoredConnection:
    """The stored connection the settings point at (``company``, or the only one).

    Raises
    ------
    ReconnectNeeded
        When there is none in this environment.
    ConfigurationError
        When several companies are connected and ``company`` does not choose one.
    """
    store = store or _store(settings)
    candidates = store.connections(settings.system, settings.environment)
    if settings.company:
        chosen = [c for c in candidates if c.company_key == settings.company]
        if not chosen:
            known = ", ".join(f"{c.company_key} ({c.company_name})" for c in candidates) or "none"
            raise ReconnectNeeded(f"No connection to company {settings.company} in {settings.system}/"
                                  f"{settings.environment} (connected: {known}). {reconnect_hint(settings)}")
        return chosen[0]
    if not candidates:
        raise ReconnectNeeded(f"Not connected to any {settings.system} company in environment "
                              f"{settings.environment!r}. {reconnect_hint(settings)}")
    if len(candidates) > 1:
        known = ", ".join(f"{c.company_key} ({c.company_name})" for c in candidates)
        raise ConfigurationError(f"Several companies are connected in {settings.environment} ({known}); "
                                 "set the parameter company to the organisation number to use")
    return candidates[0]


def connection_status(settings: ConnectionSettings, *, check: bool = False,
                      transport: httpx.BaseTransport | None = None) -> ConnectionStatus:
    """The chosen connection as stored, or checked against the service when ``check``.

    Without ``check`` nothing is sent anywhere, so a notebook can show the
    status on open even when the service is out of reach.
    """
    store = _store(settings)
    try:
        connection = find_connection(settings, store)
    except ReconnectNeeded as exc:
        return ConnectionStatus(settings.system, settings.environment, connected=False, note=str(exc))
    if not check:
        return _status(settings, store, connection)
    with open_client(settings, transport=transport, store=store) as client:
        get_system(settings.system).company_identity(lambda path: client.session.request("GET", path))
        checked = client.session.connection
        return _status(settings, store, checked, verified=True)


def list_connections(settings: ConnectionSettings, all_environments: bool = False,
                     all_systems: bool = False) -> list[ConnectionStatus]:
    """Every stored connection of the system (of the settings' environment unless ``all_environments``).

    ``all_systems`` lists every system's (``ops status`` without ``--system``).
    """
    store = _store(settings)
    environment = None if all_environments else settings.environment
    system = None if all_systems else settings.system
    return [_status(settings, store, c) for c in store.connections(system, environment)]


# -- connecting ---------------------------------------------------------


class PendingConnect:
    """A started authorization, waiting for the browser to come back.

    Finish it with :meth:`wait` (the loopback catcher) or :meth:`complete`
    (an address the user pasted); :meth:`cancel` closes the catcher.
    """

    def __init__(self, settings: ConnectionSettings, client_secret: str, request: AuthorizationRequest,
                 catcher: RedirectCatcher | None, transport: httpx.BaseTransport | None) -> None:
        self.settings = settings
        self.request = request
        self.catcher = catcher
        self._secret = client_secret
        self._transport = transport

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        return self.request.url

    def wait(self, timeout: float = 300.0) -> ConnectionStatus:
        """Wait for the catcher to receive the redirect, then finish."""
        if self.catcher is None:
            raise ConfigurationError("This connection was started without a redirect catcher; paste the address")
        return self.complete(self.catcher.wait(timeout))

    def complete(self, redirected_to: str) -> ConnectionStatus:
        """Finish with the address the browser was sent back to."""
        self.cancel()
        return complete_connect(self.settings, self.request, redirected_to, self._secret,
                                transport=self._transport)

    def cancel(self) -> None:
        if self.catcher is not None:
            self.catcher.close()


def start_connect(settings: ConnectionSettings, *, client_secret: str | None = None, use_catcher: bool = True,
                  redirect_uri: str = "", transport: httpx.BaseTransport | None = None) -> PendingConnect:
    """Begin connecting a company: returns the address to open and how to finish.

    Parameters
    ----------
    client_secret:
        Typed into a form; otherwise from the environment or the secrets file.
    use_catcher:
        Listen on 127.0.0.1 at a free port for the redirect (JupyterLab on
        the user's own machine). Without it, ``redirect_uri`` (default
        ``http://127.0.0.1/callback``) must be registered for the client,
        and the user pastes the address the browser ends on.
    """
    grant = get_system(settings.system).grant(settings)
    if not isinstance(grant, AuthorizationCode):
        raise ConfigurationError(f"{settings.system} connects without a browser ({grant.kind}): use "
                                 f"`{connect_command(settings)}` or connect_service(); this flow is for "
                                 "an authorization-code grant")
    secret = require_client_secret(settings, client_secret)
    catcher = RedirectCatcher().start() if use_catcher else None
    uri = catcher.redirect_uri if catcher else (redirect_uri or "http://127.0.0.1/callback")
    request = begin_authorization(settings.endpoints, settings.client_id, settings.scope, uri,
                                  grant.extra_authorize)
    return PendingConnect(settings, secret, request, catcher, transport)


def complete_connect(settings: ConnectionSettings, request: AuthorizationRequest, redirected_to: str,
                     client_secret: str, *, transport: httpx.BaseTransport | None = None) -> ConnectionStatus:
    """Exchange the code, learn which company it is for, and store the connection."""
    endpoints = settings.endpoints
    token = finish_authorization(endpoints, request, redirected_to, settings.client_id, client_secret,
                                 transport=transport, timeout=settings.timeout_seconds)
    return store_connection(settings, token, transport=transport)


def store_connection(settings: ConnectionSettings, token: Mapping[str, Any], *,
                     transport: httpx.BaseTransport | None = None) -> ConnectionStatus:
    """Learn which company a fresh ``token`` is for, and store it as that company's connection.

    Both ways of connecting end here: the authorization code's exchange and
    a service integration's client-credentials token.
    """
    endpoints = settings.endpoints
    system = get_system(settings.system)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    with httpx.Client(base_url=endpoints.api_base, headers=headers, transport=transport,
                      timeout=settings.timeout_seconds) as http:
        company_key, company_name = system.company_identity(http.get)
    connection = StoredConnection(
        system=settings.system, environment=settings.environment, company_key=company_key,
        company_name=company_name, client_id=settings.client_id,
        scope=str(token.get("scope") or settings.scope), connected_at=time.time(), token=token,
    )
    store = _store(settings)
    with store.lock(connection.key):
        store.save(connection)
    return _status(settings, store, connection, verified=True)


# -- using a connection ---------------------------------------------------


def open_client(settings: ConnectionSettings, *, transport: httpx.BaseTransport | None = None,
                client_secret: str | None = None, policy: RetryPolicy = RetryPolicy(),
                budget: RequestBudget | None = None, sleep: Callable[[float], None] = time.sleep,
                store: TokenStore | None = None, **client_options: Any) -> Any:
    """A typed client for the chosen company's stored connection.

    Never prompts: when there is no usable connection it raises
    :class:`~ops_lib.core.errors.ReconnectNeeded` naming the connect notebook
    and command. The default request budget keeps requests under the
    system's rate policy (for eAccounting, every endpoint under the service's
    per-minute limit). ``store`` is the token store a caller has opened already.
    """
    system = get_system(settings.system)
    store = store or _store(settings)
    connection = find_connection(settings, store)
    secret = require_client_secret(settings, client_secret)
    session = ApiSession(
        settings.endpoints, connection.client_id, secret, store, connection.key,
        translate=system.translator(settings.language), retry_after=system.retry_after,
        reconnect_hint=reconnect_hint(settings), transport=transport, timeout=settings.timeout_seconds,
        policy=policy, budget=budget if budget is not None else budget_for(system.rate_policy, sleep=sleep),
        sleep=sleep, grant=grant_with_secrets(settings, system.grant(settings)), rate_policy=system.rate_policy,
    )
    return system.make_client(session, **client_options)


def disconnect(settings: ConnectionSettings, *, transport: httpx.BaseTransport | None = None) -> ConnectionStatus:
    """Revoke the chosen connection's tokens at the identity server and remove them."""
    store = _store(settings)
    connection = find_connection(settings, store)
    try:
        client = open_client(settings, transport=transport, store=store)
    except ReconnectNeeded:
        client = None
    note = "tokens removed"
    if client is not None:
        with client:
            client.session.revoke()
        note = "tokens revoked and removed"
    store.delete(connection.key)
    return ConnectionStatus(settings.system, settings.environment, connected=False,
                            note=f"Disconnected from {connection.company_name} ({connection.company_key}): {note}.")


def require_connection(settings: ConnectionSettings, *,
                       transport: httpx.BaseTransport | None = None) -> ConnectionStatus:
    """The stored connection, checked against the service; what a headless connect step shows.

    It never prompts (scheduled runs cannot sign in): with no working
    connection it raises :class:`~ops_lib.core.errors.ReconnectNeeded`
    naming the connect notebook and command.
    """
    status = connection_status(settings, check=True, transport=transport)
    if not status.connected:
        raise ReconnectNeeded(status.note)
    return status
