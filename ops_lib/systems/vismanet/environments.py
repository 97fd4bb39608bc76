"""The environments of Visma.net ERP API and its sign-in (Visma Connect).

``production`` is the live service at ``api.finance.visma.net`` (paths
``/v1/...`` and ``/v2/...``, so the API base is the host itself) with
Visma Connect at ``connect.visma.com``. ``sandbox`` is the suite's own
local sandbox (``ops sandbox --system vismanet``), the default everywhere.

Scopes come in two families: a service integration (client credentials
bound to one company by ``tenant_id``) asks for the
``vismanet_erp_service_api`` scopes, an interactive one (a person signs in
with an authorization code) for the ``vismanet_erp_interactive_api``
scopes plus ``offline_access`` for a refresh token. The defaults hold
both families and the grant asks for its own family only
(:func:`scopes_for`), so ``system: vismanet`` connects either way without
naming scopes, and neither kind of client asks for a scope it cannot have.
"""

from __future__ import annotations

from ops_lib.connectors.endpoints import Environment

SYSTEM = "vismanet"

ENVIRONMENTS: dict[str, Environment] = {
    "sandbox": Environment(
        name="sandbox",
        api_base="{sandbox_url}/",
        identity_base="{sandbox_url}",
        description="the suite's local Visma.net sandbox (ops sandbox --system vismanet); demo data only",
        # The local sandbox's published demo client: it works nowhere else.
        public_client=("ops-demo", "ops-demo-secret"),
    ),
    "production": Environment(
        name="production",
        api_base="https://api.finance.visma.net/",
        identity_base="https://connect.visma.com",
        description="Visma.net ERP, live companies (Visma Connect sign-in)",
    ),
}

SERVICE_SCOPES: tuple[str, ...] = tuple(f"vismanet_erp_service_api:{verb}"
                                        for verb in ("create", "read", "update", "delete"))
INTERACTIVE_SCOPES: tuple[str, ...] = tuple(f"vismanet_erp_interactive_api:{verb}"
                                            for verb in ("create", "read", "update", "delete"))
# Every scope a user may tick in the connect form, in display order.
SCOPES: tuple[str, ...] = (*SERVICE_SCOPES, *INTERACTIVE_SCOPES, "offline_access")
REQUIRED_SCOPES: tuple[str, ...] = ()
INTERACTIVE_DEFAULT_SCOPES: tuple[str, ...] = (*INTERACTIVE_SCOPES, "offline_access")
DEFAULT_SCOPES: tuple[str, ...] = (*SERVICE_SCOPES, *INTERACTIVE_DEFAULT_SCOPES)


def scopes_for(asked: tuple[str, ...], *, service: bool) -> str:
    """The scopes of ``asked`` that one kind of client may ask for (its family's defaults when none)."""
    family = SERVICE_SCOPES if service else INTERACTIVE_DEFAULT_SCOPES
    return " ".join([s for s in asked if s in family] or family)
