"""A client-side request budget per endpoint, so a long pull never meets a 429.

Services count requests per client and endpoint in one-minute windows
(eAccounting: 600). :class:`RequestBudget` keeps the times of the last
requests per endpoint and, before a request that would make more than
``limit`` within any ``window`` seconds, sleeps until the oldest one
leaves the window. Any interval the service counts in then holds at most
``limit`` of our requests, whatever its window boundaries are. A request
is held a ``margin`` longer than the window, because the service starts
counting when a request arrives, a little after we sent it.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from typing import Callable

_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-fA-F-]{32,36})$")


def endpoint_key(method: str, path: str) -> str:
    """``GET customers/{}``: the method and path with ids blanked out."""
    segments = [("{}" if _ID_SEGMENT.match(s) else s) for s in path.split("?")[0].strip("/").split("/") if s]
    return f"{method.upper()} {'/'.join(segments)}"


class RequestBudget:
    """At most ``limit`` requests per ``window`` seconds for each endpoint key.

    Parameters
    ----------
    limit, window:
        The budget; give a little less than the service's own limit.
    margin:
        Seconds added to the window for network latency and clock drift.
    clock, sleep:
        Injected for tests; default to the monotonic clock and ``time.sleep``.
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, margin: float = 1.0) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window + margin
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self, key: str) -> float:
        """Block until one more request to ``key`` fits the budget, count it, and return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                sent = self._sent.setdefault(key, deque())
                while sent and now - sent[0] >= self.window:
                    sent.popleft()
                if len(sent) < self.limit:
                    sent.append(now)
                    return waited
                wait = sent[0] + self.window - now
            self.waited_seconds += wait
            waited += wait
            self._sleep(wait)
