"""Rate limiting and injected faults: the unhappy paths clients must survive.

The real service counts requests per client and endpoint in one-minute
windows and answers 429 with ErrorCode 4010 once a client goes past 600;
the wait is given only in the message text. Tests also need latency,
random 500/503 answers and early token expiry; :class:`Faults` holds those
knobs and ``POST /_sandbox/faults`` sets them on a running sandbox.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
from dataclasses import dataclass, field

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.errors import ServiceError


class RateLimiter:
    """Fixed one-minute windows per (client, endpoint), as the service counts."""

    WINDOW = 60.0

    def __init__(self, limit: int, clock: Clock) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, client_id: str, endpoint: str) -> None:
        """Count one request; raise 429/4010 when the window is full."""
        now = self.clock.now().timestamp()
        key = (client_id, endpoint)
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.WINDOW:
                start, count = now, 0
            if count >= self.limit:
                wait = max(1, math.ceil(start + self.WINDOW - now))
                raise ServiceError(
                    4010,
                    f"API calls quota exceeded! maximum admitted {self.limit} per Minute. "
                    f"Try again in {wait} seconds.",
                    429,
                )
            self._windows[key] = (start, count + 1)


@dataclass
class Faults:
    """Faults to inject into API calls.

    Attributes
    ----------
    latency_ms:
        Added to every API call before it is handled.
    failure_rate:
        Fraction (0..1) of API calls answered with one of ``failure_statuses``.
    failure_statuses:
        The statuses to fail with, picked in turn.
    seed:
        Seed of the random draw, so a faulty run can be repeated.
    """

    latency_ms: int = 0
    failure_rate: float = 0.0
    failure_statuses: tuple[int, ...] = (500, 503)
    seed: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)
    _turn: int = 0

    def configure(self, latency_ms: int = 0, failure_rate: float = 0.0,
                  failure_statuses: tuple[int, ...] = (500, 503), seed: int = 0) -> None:
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        if any(s not in (500, 502, 503, 504) for s in failure_statuses) or not failure_statuses:
            raise ValueError("failure_statuses must be server errors (500, 502, 503, 504)")
        self.latency_ms = latency_ms
        self.failure_rate = failure_rate
        self.failure_statuses = tuple(failure_statuses)
        self.seed = seed
        self._random = random.Random(seed)
        self._turn = 0

    async def apply(self) -> None:
        """Sleep and/or fail this call as configured."""
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        if self.failure_rate and self._random.random() < self.failure_rate:
            status = self.failure_statuses[self._turn % len(self.failure_statuses)]
            self._turn += 1
            if status == 503:
                raise ServiceError(5001, "The service is temporarily unavailable (injected fault).", 503)
            raise ServiceError(5000, "An unexpected error occurred (injected fault).", status)
