"""Settings of one sandbox instance, and the OAuth clients it knows.

The sandbox's own demo client (``ops-demo`` / ``ops-demo-secret``) exists
only here: it is a published, sandbox-only credential so that the demo,
the tests and a new user's first hour need no account anywhere. It can
never work against the real identity server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SandboxClient:
    """An OAuth client registered with the sandbox identity server.

    ``loopback_any_port`` applies RFC 8252 section 7.3: a registered
    loopback redirect (``http://127.0.0.1/callback``) matches on any port,
    because a native app's redirect catcher listens on a free one.
    """

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str
    loopback_any_port: bool = False


DEMO_CLIENT = SandboxClient(
    client_id="ops-demo",
    client_secret="ops-demo-secret",
    redirect_uris=(
        "http://127.0.0.1/callback",
        "http://localhost/callback",
        "http://[::1]/callback",
    ),
    name="Ops suite demo client (sandbox only)",
    loopback_any_port=True,
)


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox behaves; the CLI flags of ``ops sandbox`` map onto it.

    Parameters
    ----------
    auto_consent:
        Skip the consent page and grant the first company (tests, demo).
    rate_limit:
        Requests per minute per client and endpoint; the real service allows 600.
    token_ttl:
        Access-token lifetime in seconds; the real service issues 3600.
    state_path:
        SQLite file to keep state in; None keeps it in memory.
    today:
        The date the demo world is built around (fiscal years, voucher
        dates); None means the clock's date.
    max_page_size:
        The largest ``$pagesize`` honoured; larger requests are capped.
    """

    auto_consent: bool = False
    rate_limit: int = 600
    token_ttl: int = 3600
    state_path: str | None = None
    today: date | None = None
    max_page_size: int = 1000
    clients: tuple[SandboxClient, ...] = field(default=(DEMO_CLIENT,))

    def client(self, client_id: str) -> SandboxClient | None:
        return next((c for c in self.clients if c.client_id == client_id), None)
