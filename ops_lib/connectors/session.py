"""A token-aware HTTP session: refresh safely, retry what is safe, respect limits.

:class:`ApiSession` is what a system's typed client sends its requests
through. It is system-neutral: the system supplies how to read an error
envelope (``translate``), how long a 429 asks to wait (``retry_after``),
how tokens are renewed (its :class:`~ops_lib.connectors.grants.Grant`) and
what the service counts requests by (its
:class:`~ops_lib.connectors.ratelimit.RatePolicy`).

Token lifecycle
    The token comes from the :class:`~ops_lib.connectors.tokens.TokenStore`. Shortly
    before it expires, and once after a 401, the session refreshes it with
    authlib. Refresh tokens rotate (each refresh kills the previous one),
    so two processes refreshing the same connection would lock each other
    out. Refreshing therefore happens under the store's cross-process
    lock; after taking it the session re-reads the store, and when another
    process has refreshed meanwhile it takes that token instead of
    refreshing again. A client-credentials grant has no refresh token and
    asks for a new token instead, under the same lock. authlib's ``update_token`` callback writes the new
    tokens to the store before the new access token is used, through a
    recovery file (:mod:`ops_lib.connectors.token_recovery`) that a later session
    moves into the store when that write did not happen.

Retries
    Every request has a timeout. GET, PUT and DELETE are retried with
    exponential backoff and full jitter on connection errors and 5xx
    answers. A POST is retried only when the request provably never left
    (connection refused); otherwise its outcome is unknown and the caller
    must look before sending again. A 429 waits as long as the service
    says, then retries any method, because a 429 means nothing was done.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from ops_lib.connectors.endpoints import Endpoints
from ops_lib.connectors.grants import AuthorizationCode, Grant
from ops_lib.connectors.limiter import RequestBudget, endpoint_key
from ops_lib.connectors.oauth import oauth_client, token_error, with_expiry
from ops_lib.connectors.ratelimit import RatePolicy
from ops_lib.connectors.tokens import StoredConnection, TokenStore
from ops_lib.core.errors import OpsError, ReconnectNeeded, ServiceUnreachable

log = logging.getLogger("ops_lib.http")

RETRYABLE_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD"})
# Errors raised before any byte of the request reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up.

    ``attempts`` counts tries of one request on connection errors and 5xx;
    ``rate_limit_waits`` counts 429 waits; ``refresh_leeway`` is how many
    seconds before expiry a token is refreshed.
    """

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    rate_limit_waits: int = 5
    default_rate_limit_wait: float = 60.0
    refresh_leeway: int = 120

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: a random wait up to base * 2^attempt, capped."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** attempt))


@dataclass
class SessionStats:
    """Counters a benchmark or a run header can report."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    refreshes: int = 0
    waited_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


class _StoreBackedClient(OAuth2Client):
    """authlib's client, with "is the token fresh?" answered by the session."""

    def __init__(self, *args: Any, on_ensure: Callable[[], bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_ensure = on_ensure

    def ensure_active_token(self, token: Any = None) -> bool:
        return self._on_ensure()


class ApiSession:
    """Authorised requests to one company's API, through one stored connection.

    Parameters
    ----------
    endpoints:
        The environment's URLs.
    client_id, client_secret:
        The OAuth client (the secret is needed to refresh).
    store, key:
        Where the connection's tokens live.
    translate:
        Turns an error response into the suite's exception.
    retry_after:
        Seconds a 429 asks to wait, or None.
    reconnect_hint:
        The sentence that tells a person how to connect again.
    transport:
        An httpx transport (tests inject the in-process sandbox).
    budget:
        Client-side rate limiter; None disables it.
    grant:
        How tokens are renewed (default: authorization code with refresh tokens).
    rate_policy:
        What ``budget`` counts a request under (default: its endpoint).
    sleep, rng:
        Injected for tests.
    """

    def __init__(self, endpoints: Endpoints, client_id: str, client_secret: str, store: TokenStore, key: str, *,
                 translate: Callable[[httpx.Response], OpsError],
                 retry_after: Callable[[httpx.Response], float | None],
                 reconnect_hint: str, transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                 policy: RetryPolicy = RetryPolicy(), budget: RequestBudget | None = None,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 grant: Grant = AuthorizationCode(), rate_policy: RatePolicy | None = None) -> None:
        self.endpoints = endpoints
        self.grant = grant
        self.rate_policy = rate_policy
        self.store = store
        self.key = key
        self.policy = policy
        self.budget = budget
        self.stats = SessionStats()
        self._translate = translate
        self._retry_after = retry_after
        self._reconnect_hint = reconnect_hint
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._refresh_lock = threading.Lock()
        if store.recovery.exists(key):  # a run before this one could not write its rotated tokens to the store
            with store.lock(key):
                store.recover(key)
        connection = store.load(key)
        if connection is None or not connection.token.get("access_token"):
            raise ReconnectNeeded(f"Not connected ({key}). {reconnect_hint}")
        self.connection: StoredConnection = connection
        self._client = oauth_client(
            endpoints, client_id, client_secret, scope=connection.scope, token=connection.token,
            transport=transport, timeout=timeout, base_url=endpoints.api_base, auth_method=grant.auth_method,
            client_class=_StoreBackedClient, on_ensure=self._ensure_fresh, update_token=self._persist,
        )

    # -- tokens --------------------------------------------------------

    def _expiring(self, token: Mapping[str, Any]) -> bool:
        expires_at = token.get("expires_at")
        return expires_at is None or float(expires_at) - time.time() < self.policy.refresh_leeway

    def _persist(self, token: Mapping[str, Any], refresh_token: str | None = None,
                 access_token: str | None = None) -> None:
        """authlib's ``update_token`` hook: store the rotated tokens before they are used."""
        self.connection = self.connection.with_token(with_expiry(token))
        self.store.save(self.connection)

    def _ensure_fresh(self, rejected: str | None = None) -> bool:
        """Make sure the client holds a usable access token; refresh under the lock if not.

        ``rejected`` is an access token the API just answered 401 to: it
        must be replaced even if its expiry says it is still good.
        """
        current = self._client.token or {}
        if rejected is None and not self._expiring(current):
            return True
        with self._refresh_lock, self.store.lock(self.key):
            self.store.recover(self.key)
            stored = self.store.load(self.key)
            if stored is None or not stored.token.get("access_token"):
                raise ReconnectNeeded(f"The connection {self.key} was removed (disconnected). {self._reconnect_hint}")
            newer = stored.token.get("access_token") not in (current.get("access_token"), rejected)
            if newer and not self._expiring(stored.token):
                # Another process refreshed while we waited for the lock: use its token.
                self.connection = stored
                self._client.token = dict(stored.token)
                return True
            if not self.grant.can_renew(stored.token):
                raise ReconnectNeeded(f"The access token of {self.key} has expired and there is no refresh token "
                                      f"(offline_access was not granted). {self._reconnect_hint}")
            self.connection = stored
            self._client.token = dict(stored.token)
            try:
                self.grant.renew(self._client, self.endpoints.token_url, stored.token)
            except OAuthError as exc:
                if exc.error == "invalid_grant":
                    raise ReconnectNeeded(
                        f"The stored connection {self.key} is no longer valid: its refresh token was "
                        f"revoked, expired or already used. {self._reconnect_hint}") from None
                raise token_error(exc) from None
            except httpx.HTTPError as exc:
                raise ServiceUnreachable(f"The identity server at {self.endpoints.identity_host} could not be "
                                         f"reached to refresh the token ({type(exc).__name__})") from None
            self.stats.refreshes += 1
            log.info("refreshed the access token of %s", self.key)
        return True

    # -- requests ------------------------------------------------------

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                content: bytes | None = None, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """Send one request relative to the API base; return the successful response.

        Raises
        ------
        OpsError
            The translated error answer (usually :class:`~ops_lib.core.errors.ApiError`).
        ServiceUnreachable
            When retries are spent, or a POST broke off after it may have been received.
        ReconnectNeeded
            When the connection cannot be refreshed.
        """
        method = method.upper()
        key = endpoint_key(method, path)
        budget_key = self.rate_policy.key(method, path, self.key) if self.rate_policy is not None else key
        attempt = 0
        rate_waits = 0
        retried_401 = False
        while True:
            if self.budget is not None:
                self.stats.waited_seconds += self.budget.acquire(budget_key)
            self.stats.requests += 1
            try:
                response = self._client.request(method, path, params=params, content=content, headers=headers)
            except httpx.TransportError as exc:
                # A request that never left, or one safe to repeat, leaves no doubt about its outcome.
                unknown = not (isinstance(exc, NOT_SENT) or method in RETRYABLE_METHODS)
                if not unknown and attempt + 1 < self.policy.attempts:
                    self._pause(self.policy.backoff(attempt, self._rng), f"{type(exc).__name__} on {key}")
                    attempt += 1
                    continue
                raise ServiceUnreachable(
                    f"{method} {path} failed after {attempt + 1} attempt(s): {type(exc).__name__}"
                    + ("; the service may have received it, so look the record up before sending it again"
                       if unknown else ""),
                    outcome_unknown=unknown,
                ) from None
            status = response.status_code
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            log.debug("%s %s -> %s", method, path, status)
            if status == 401 and not retried_401:
                retried_401 = True
                # The token this request carried, which may be one refreshed just before sending.
                sent = response.request.headers.get("authorization", "").partition(" ")[2]
                self._ensure_fresh(rejected=sent)
                continue
            if status == 429:
                self.stats.rate_limited += 1
                if rate_waits < self.policy.rate_limit_waits:
                    rate_waits += 1
                    wait = self._retry_after(response)
                    self._pause(self.policy.default_rate_limit_wait if wait is None else wait, f"429 on {key}")
                    continue
            elif status >= 500 and method in RETRYABLE_METHODS and attempt + 1 < self.policy.attempts:
                self._pause(self.policy.backoff(attempt, self._rng), f"{status} on {key}")
                attempt += 1
                continue
            if response.is_error:
                raise self._translate(response)
            return response

    def _pause(self, seconds: float, why: str) -> None:
        self.stats.retries += 1
        self.stats.waited_seconds += seconds
        log.info("waiting %.1f s before retrying (%s)", seconds, why)
        self._sleep(seconds)

    def revoke(self) -> None:
        """Revoke the refresh and access tokens at the identity server (best effort per token)."""
        token = self._client.token or {}
        for kind in ("refresh_token", "access_token"):
            value = token.get(kind)
            if value:
                try:
                    self._client.revoke_token(self.endpoints.revocation_url, token=value, token_type_hint=kind)
                except (httpx.HTTPError, OAuthError) as exc:
                    log.warning("could not revoke the %s of %s (%s)", kind.replace("_", " "), self.key,
                                type(exc).__name__)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "ApiSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ApiSession", "RetryPolicy", "SessionStats"]
