"""The environments of Visma eAccounting (eEkonomi) API v2.

``production`` is the live service. Visma's current sandbox model uses
the same hosts with a sandbox-typed client and company, so a Visma
sandbox account uses ``production`` too; ``visma-sandbox`` keeps the
legacy ``*-sandbox.test.vismaonline.com`` hosts that older client
registrations still point at. ``sandbox`` is the suite's own local
sandbox (``ops sandbox``), the default everywhere.
"""

from __future__ import annotations

from ops_lib.connectors.endpoints import Environment

SYSTEM = "eaccounting"

ENVIRONMENTS: dict[str, Environment] = {
    "sandbox": Environment(
        name="sandbox",
        api_base="{sandbox_url}/v2/",
        identity_base="{sandbox_url}",
        description="the suite's local sandbox (ops sandbox); demo data only",
        # The local sandbox's published demo client: it works nowhere else.
        public_client=("ops-demo", "ops-demo-secret"),
    ),
    "production": Environment(
        name="production",
        api_base="https://eaccountingapi.vismaonline.com/v2/",
        identity_base="https://identity.vismaonline.com",
        description="Visma eAccounting, live companies (and sandbox-typed clients)",
    ),
    "visma-sandbox": Environment(
        name="visma-sandbox",
        api_base="https://eaccountingapi-sandbox.test.vismaonline.com/v2/",
        identity_base="https://identity-sandbox.test.vismaonline.com",
        description="Visma's legacy sandbox hosts",
    ),
}

# Every scope a user may tick in the connect form, in display order.
SCOPES: tuple[str, ...] = (
    "ea:api", "ea:sales", "ea:sales_readonly", "ea:accounting", "ea:accounting_readonly",
    "ea:purchase", "ea:purchase_readonly", "offline_access",
)
# Needed for any call and for unattended runs (refresh tokens): always asked for.
REQUIRED_SCOPES: tuple[str, ...] = ("ea:api", "offline_access")
DEFAULT_SCOPES: tuple[str, ...] = ("ea:api", "ea:sales", "ea:accounting", "ea:purchase", "offline_access")

# The identity server's way of making the user pick a company on every consent.
FORCE_SELECT_COMPANY = {"acr_values": "forceselectcompany:true"}
