"""The environments of the Procountor API and its token endpoint.

``production`` is ``api.procountor.com`` and ``test`` the PTS test
environment (``pts-api.procountor.com``); both answer under ``/api`` (and
``/latest/api``, ``/supported/api``, ``/vYYMM/api``), and the M2M token is
asked for at ``{base}/oauth/token``. ``sandbox`` is the suite's local
sandbox (``ops sandbox --system procountor``), the default everywhere.

Procountor has no scopes: what a client may do is the rights of the user
its API key belongs to. The API key is a secret, read like the client
secret (never from params): :data:`API_KEY` names it.
"""

from __future__ import annotations

from ops_lib.connectors.endpoints import Environment

SYSTEM = "procountor"
API_KEY = "api_key"  # the extra secret of the M2M token request

ENVIRONMENTS: dict[str, Environment] = {
    "sandbox": Environment(
        name="sandbox",
        api_base="{sandbox_url}/api/",
        identity_base="{sandbox_url}/api",
        description="the suite's local Procountor sandbox (ops sandbox --system procountor); demo data only",
        # The local sandbox's published demo client and API key: they work nowhere else.
        public_client=("ops-demo", "ops-demo-secret"),
        public_secrets=((API_KEY, "ops-demo-api-key"),),
        token_path="/oauth/token",
    ),
    "test": Environment(
        name="test",
        api_base="https://pts-api.procountor.com/api/",
        identity_base="https://pts-api.procountor.com/api",
        description="Procountor PTS test environment (test companies only)",
        token_path="/oauth/token",
    ),
    "production": Environment(
        name="production",
        api_base="https://api.procountor.com/api/",
        identity_base="https://api.procountor.com/api",
        description="Procountor, live companies (the 'Procountor API' licence is needed)",
        token_path="/oauth/token",
    ),
}

SCOPES: tuple[str, ...] = ()
REQUIRED_SCOPES: tuple[str, ...] = ()
DEFAULT_SCOPES: tuple[str, ...] = ()
