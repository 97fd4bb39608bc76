"""Settings of one Visma.net sandbox, and the tenants its identity server knows.

Visma Connect issues a service token per **tenant**: the company tenant a
client was granted in the Visma App Store. The sandbox knows one demo
company tenant and one *customer* tenant (the licence holder above it),
because integrators mix the two up: a token for the customer tenant is
issued, and every API call with it answers 401 (the facts' V4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ops_lib.sandbox.config import DEMO_CLIENT, SandboxClient

# Tenant ids are GUIDs in Visma Connect; these are fixed so a demo's params stay valid across restarts.
COMPANY_TENANT = "6f0c2f43-57a4-4b5e-9a0e-2d4c1b7a9e01"
CUSTOMER_TENANT = "0b9a7f6e-3c1d-4e2f-8a5b-6c7d8e9f0a12"
UNLICENSED_TENANT = "9e8d7c6b-5a49-4837-a625-1f0e0d0c0b0a"
COMPANY_NAME = "Demo Sverige AB (Visma.net sandbox)"
COMPANY_ORG_NUMBER = "556677-8899"

SERVICE_SCOPES = ("vismanet_erp_service_api:create", "vismanet_erp_service_api:read",
                  "vismanet_erp_service_api:update", "vismanet_erp_service_api:delete")
INTERACTIVE_SCOPES = ("vismanet_erp_interactive_api:create", "vismanet_erp_interactive_api:read",
                      "vismanet_erp_interactive_api:update", "vismanet_erp_interactive_api:delete")
SUPPORTED_SCOPES = frozenset({"openid", "profile", "email", "offline_access", *SERVICE_SCOPES,
                              *INTERACTIVE_SCOPES, "vismanet_erp_interactive_api:ui-extension"})


@dataclass(frozen=True)
class VismaNetConfig:
    """How a Visma.net sandbox behaves; ``ops sandbox --system vismanet`` maps its flags onto it.

    Parameters
    ----------
    auto_consent:
        Skip the consent page of the authorization-code flow (tests, demo).
    rate_limit:
        Requests per hour per (tenant, client). Visma publishes no number for
        the current policy; 15,000 is the last published production figure.
    token_ttl:
        Access-token lifetime in seconds; Visma Connect issues 3600.
    state_path:
        SQLite file to keep state in; None keeps it in memory.
    today:
        The date the demo world is built around (its open and closed
        periods); None means the clock's date.
    max_page_size:
        The largest ``pageSize`` honoured on paged lists; larger asks are clamped.
    journal_max_page_size:
        The same for the journal-transaction list, which counts lines.
    """

    auto_consent: bool = False
    rate_limit: int = 15000
    token_ttl: int = 3600
    state_path: str | None = None
    today: date | None = None
    max_page_size: int = 1000
    journal_max_page_size: int = 1000
    clients: tuple[SandboxClient, ...] = field(default=(DEMO_CLIENT,))
    # Tenants each client may ask a token for (an App Store grant); the customer tenant is granted too.
    tenants: tuple[str, ...] = (COMPANY_TENANT, CUSTOMER_TENANT, UNLICENSED_TENANT)

    def client(self, client_id: str) -> SandboxClient | None:
        return next((c for c in self.clients if c.client_id == client_id), None)
