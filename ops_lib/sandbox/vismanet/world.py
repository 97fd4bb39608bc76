"""The state of one running Visma.net sandbox, shared by its identity server and API."""

from __future__ import annotations

from typing import Any

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.faults import Faults
from ops_lib.sandbox.grants import Grants
from ops_lib.sandbox.store import Store
from ops_lib.sandbox.vismanet.config import COMPANY_TENANT, VismaNetConfig
from ops_lib.sandbox.vismanet.limits import HourlyLimiter
from ops_lib.sandbox.vismanet.seed import seed_world


class TenantGrants(Grants):
    """The kernel's code, refresh and revocation grants, plus Visma Connect's client_credentials.

    A service token is bound to the tenant it was asked for, where the
    kernel binds a code to the company the user picked; both land in the
    grant's ``company_id``, so the API reads one field either way.
    """

    def issue_for_tenant(self, client_id: str, tenant_id: str, scopes: list[str]) -> dict[str, Any]:
        """A service token for ``tenant_id``: no refresh token, as for every client_credentials grant."""
        return self._issue(client_id, tenant_id, [s for s in scopes if s != "offline_access"])


class VismaNet:
    """Config, clock, store, grants, rate limiter and faults of one instance.

    A fresh store is seeded with the demo company; a state file seeded
    before is used as it is, so a stopped demo resumes where it was.
    """

    def __init__(self, config: VismaNetConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or VismaNetConfig()
        self.clock = clock or Clock()
        self.store = Store(self.config.state_path)
        seed_world(self.store, COMPANY_TENANT, self.config.today or self.clock.today())
        self.grants = TenantGrants(self.store, self.clock, self.config.token_ttl)
        self.limiter = HourlyLimiter(self.config.rate_limit, self.clock)
        self.faults = Faults()

    def setting(self, tenant: str, name: str) -> dict[str, Any]:
        """One settings document of a company (numbering, GL preferences)."""
        return self.store.get(tenant, "settings", name) or {}

    def close(self) -> None:
        self.store.close()
