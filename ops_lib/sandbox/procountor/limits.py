"""Procountor's per-client request ceiling: a number of requests per second, one window per client.

The vendor publishes the ceiling (20 per second on an older page, 60 on
a newer) but not what a breach returns, only that it "may result in
suspending the service for the API client". The sandbox answers 429 in
the ordinary error envelope with ``Retry-After: 1``, so a client learns
to slow down instead of being cut off.
"""

from __future__ import annotations

import threading

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.procountor.errors import ProcountorError


class PerSecondLimiter:
    """Fixed one-second windows per client id."""

    def __init__(self, limit: int, clock: Clock) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, client_id: str) -> None:
        """Count one request; raise 429 once the client's second is full."""
        second = int(self.clock.now().timestamp())
        with self._lock:
            start, count = self._windows.get(client_id, (second, 0))
            if start != second:
                start, count = second, 0
            if count >= self.limit:
                raise ProcountorError.one(429, f"Too many requests: at most {self.limit} per second per API client",
                                          **{"Retry-After": "1"})
            self._windows[client_id] = (start, count + 1)
