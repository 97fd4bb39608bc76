"""The state of one running sandbox, shared by the identity server and the API."""

from __future__ import annotations

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.config import SandboxConfig
from ops_lib.sandbox.faults import Faults, RateLimiter
from ops_lib.sandbox.grants import Grants
from ops_lib.sandbox.seed import Company, companies, seed_world
from ops_lib.sandbox.store import Store

# The one sandbox user, who can reach both demo companies.
USER_NAME = "Demo User (sandbox)"


class Sandbox:
    """Config, clock, store, grants, rate limiter and faults of one instance.

    A fresh store is seeded with the demo world; a state file that was
    seeded before is used as it is, so a stopped demo resumes where it was.
    """

    def __init__(self, config: SandboxConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = clock or Clock()
        self.store = Store(self.config.state_path)
        if self.store.get_meta("seeded_for") is None:
            seed_world(self.store, self.config.today or self.clock.today())
        self.companies: tuple[Company, ...] = companies()
        self.grants = Grants(self.store, self.clock, self.config.token_ttl)
        self.limiter = RateLimiter(self.config.rate_limit, self.clock)
        self.faults = Faults()

    def company(self, company_id: str) -> Company | None:
        return next((c for c in self.companies if c.id == company_id), None)

    def close(self) -> None:
        self.store.close()
