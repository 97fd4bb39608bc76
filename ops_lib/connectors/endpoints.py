"""Where a system lives: the hosts of one environment of one accounting system.

System-neutral on purpose. Each system module (``ops_lib.systems.eaccounting``,
later Visma.net and Procountor) declares its environments as
:class:`Environment` values; settings pick one by name, and the
connectors only ever see the resolved :class:`Endpoints`. Pointing the
suite at the real service is therefore a change of the ``environment``
parameter, never of code.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Endpoints:
    """Resolved URLs of one environment."""

    api_base: str
    authorize_url: str
    token_url: str
    revocation_url: str

    @property
    def identity_host(self) -> str:
        parts = urlsplit(self.token_url)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Environment:
    """One named environment of a system.

    ``api_base`` and ``identity_base`` may contain ``{sandbox_url}``, which
    is filled from the settings: the local sandbox moves with its port.
    ``public_client`` names a published, sandbox-only client whose secret
    is not a secret (the local sandbox's demo client), so a new user needs
    no account to try the suite; ``public_secrets`` are that client's other
    published secrets by name (Procountor's demo ``api_key``). The identity paths default to Visma
    Connect's (``/connect/authorize``, ``/connect/token``,
    ``/connect/revocation``); a system with its own identity server (such as
    Procountor's ``/oauth/token``) sets its own.
    """

    name: str
    api_base: str
    identity_base: str
    description: str
    public_client: tuple[str, str] | None = None
    public_secrets: tuple[tuple[str, str], ...] = ()
    authorize_path: str = "/connect/authorize"
    token_path: str = "/connect/token"
    revocation_path: str = "/connect/revocation"

    def resolve(self, sandbox_url: str) -> Endpoints:
        base = sandbox_url.rstrip("/")
        identity = self.identity_base.format(sandbox_url=base).rstrip("/")
        return Endpoints(
            api_base=self.api_base.format(sandbox_url=base).rstrip("/") + "/",
            authorize_url=identity + self.authorize_path,
            token_url=identity + self.token_path,
            revocation_url=identity + self.revocation_path,
        )
