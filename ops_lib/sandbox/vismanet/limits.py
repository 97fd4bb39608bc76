"""Visma.net's rate limit: fixed hourly windows per (tenant, client), headers on every answer.

The current policy (``4-fixed-window``) publishes no number, only that
every response carries ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
(seconds until the window turns) and ``-Policy``, and that a throttled
call answers 429 with ``Retry-After``. The 429 body is not documented; the
sandbox writes it in the service's ``message`` envelope.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from ops_lib.sandbox.clock import Clock

POLICY = "4-fixed-window"


@dataclass(frozen=True)
class Quota:
    """Where one caller stands in its window, as the headers tell it."""

    limit: int
    remaining: int
    reset: int
    exceeded: bool

    def headers(self) -> dict[str, str]:
        answer = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                  "X-RateLimit-Reset": str(self.reset), "X-RateLimit-Policy": POLICY}
        if self.exceeded:
            answer["Retry-After"] = str(self.reset)
        return answer


class HourlyLimiter:
    """Counts calls in one-hour windows that start with a caller's first call."""

    WINDOW = 3600.0

    def __init__(self, limit: int, clock: Clock) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, tenant: str, client_id: str) -> Quota:
        """Count one call; the quota says whether it went past the limit (and is then not counted)."""
        now = self.clock.now().timestamp()
        key = (tenant, client_id)
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.WINDOW:
                start, count = now, 0
            reset = max(1, math.ceil(start + self.WINDOW - now))
            if count >= self.limit:
                return Quota(self.limit, 0, reset, True)
            self._windows[key] = (start, count + 1)
            return Quota(self.limit, self.limit - count - 1, reset, False)

    def peek(self) -> Quota:
        """The quota shown on answers that were refused before any caller was known (a bad token)."""
        return Quota(self.limit, self.limit, int(self.WINDOW), False)
