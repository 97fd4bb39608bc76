"""The state of one running Procountor sandbox, shared by its token endpoint and API."""

from __future__ import annotations

from typing import Any

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.faults import Faults
from ops_lib.sandbox.grants import Grants
from ops_lib.sandbox.procountor.config import ProcountorConfig
from ops_lib.sandbox.procountor.limits import PerSecondLimiter
from ops_lib.sandbox.procountor.seed import seed_world
from ops_lib.sandbox.store import Store


def company_key(company_id: int) -> str:
    """The store "tenant" of a company's documents: its id as text."""
    return str(company_id)


class KeyGrants(Grants):
    """The kernel's token store with Procountor's M2M grant: one token per API key, no refresh token."""

    def issue_for_key(self, client_id: str, company_id: int, user_id: int) -> dict[str, Any]:
        body = self._issue(client_id, f"{company_id}:{user_id}", [])
        return {"access_token": body["access_token"], "token_type": "bearer", "expires_in": body["expires_in"]}


class Procountor:
    """Config, clock, store, grants, rate limiter and faults of one instance.

    A fresh store is seeded with the demo company; a state file seeded
    before is used as it is, so a stopped demo resumes where it was.
    """

    def __init__(self, config: ProcountorConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or ProcountorConfig()
        self.clock = clock or Clock()
        self.store = Store(self.config.state_path)
        seed_world(self.store, self.config.today or self.clock.today())
        self.grants = KeyGrants(self.store, self.clock, self.config.token_ttl)
        self.limiter = PerSecondLimiter(self.config.rate_limit, self.clock)
        self.faults = Faults()

    def next_id(self, name: str) -> int:
        """The next id of a sequence (receipts, invoices, attachments, partners, items), kept in the store."""
        with self.store.transaction():
            current = int(self.store.get_meta(f"procountor.seq.{name}") or "0") + 1
            self.store.set_meta(f"procountor.seq.{name}", str(current))
        return current

    def close(self) -> None:
        self.store.close()
