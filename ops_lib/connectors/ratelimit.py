"""What a service counts requests by, and in which window: the rate policies of the systems.

A service refuses with 429 once a client goes past its limit, but each
counts differently: eAccounting per client and endpoint per minute (600),
Visma.net per company and client per hour, Procountor per client per
second. A :class:`RatePolicy` names the limit, the window and the key a
request is counted under; the session feeds that key to a client-side
:class:`~ops_lib.connectors.limiter.RequestBudget` made by :func:`budget_for`,
so a long pull stays under the limit instead of meeting the 429.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

from ops_lib.connectors.limiter import RequestBudget, endpoint_key


@runtime_checkable
class RatePolicy(Protocol):
    """``limit`` requests per ``window`` seconds for each :meth:`key`; ``margin`` covers latency and drift."""

    limit: int
    window: float
    margin: float

    def key(self, method: str, path: str, company: str) -> str:
        """What the service counts this request under."""


@dataclass(frozen=True)
class PerEndpoint:
    """Per client and endpoint (method and path with ids blanked), per minute by default."""

    limit: int
    window: float = 60.0
    margin: float = 1.0

    def key(self, method: str, path: str, company: str) -> str:
        return endpoint_key(method, path)


@dataclass(frozen=True)
class PerCompany:
    """Per company and client, whatever the endpoint, per hour by default.

    The session passes its connection key (system, environment, company)
    as ``company``; one session is one client, so the key is per client too.
    """

    limit: int
    window: float = 3600.0
    margin: float = 1.0

    def key(self, method: str, path: str, company: str) -> str:
        return company


@dataclass(frozen=True)
class PerClient:
    """Per client, every request alike, per second by default."""

    limit: int
    window: float = 1.0
    margin: float = 0.05

    def key(self, method: str, path: str, company: str) -> str:
        return "client"


def budget_for(policy: RatePolicy, *, clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = time.sleep) -> RequestBudget:
    """The client-side budget that keeps requests under ``policy``."""
    return RequestBudget(policy.limit, policy.window, clock=clock, sleep=sleep, margin=policy.margin)


__all__ = ["PerClient", "PerCompany", "PerEndpoint", "RatePolicy", "budget_for"]
