"""Settings of one Procountor sandbox, and the API clients and keys it knows.

Procountor's machine-to-machine sign-in takes three things: the client
id and secret of a registered API client, and an **API key** that a
company's user created for that client in the UI ("API client keys").
The key binds the token to one user in one company, so the sandbox keeps
its keys next to the clients: a key for another client is refused like a
wrong secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

COMPANY_ID = 1234567
COMPANY_NAME = "Demo Suomi Oy (Procountor sandbox)"
BUSINESS_ID = "1234567-8"
USER_ID = 4001
USER_NAME = "ops-demo-api"


@dataclass(frozen=True)
class ApiClient:
    """A registered Procountor API client and the API keys its users created for it."""

    client_id: str
    client_secret: str
    # api key -> (company id, user id)
    api_keys: dict[str, tuple[int, int]] = field(default_factory=dict)


DEMO_CLIENT = ApiClient("ops-demo", "ops-demo-secret", {"ops-demo-api-key": (COMPANY_ID, USER_ID)})


@dataclass(frozen=True)
class ProcountorConfig:
    """How a Procountor sandbox behaves; ``ops sandbox --system procountor`` maps its flags onto it.

    Parameters
    ----------
    token_ttl:
        Access-token lifetime in seconds; Procountor issues 3600 (``expires_in``).
    rate_limit:
        Requests per second per client; the vendor publishes 20 (older page)
        and 60 (newer page) and no breach contract, so the sandbox answers
        429 above this ceiling.
    state_path:
        SQLite file to keep state in; None keeps it in memory.
    today:
        The date the demo world is built around (which fiscal years are
        open); None means the clock's date.
    max_attachment_bytes:
        The upload cap of ``POST /attachments`` (10,000,000 bytes in the spec).
    """

    token_ttl: int = 3600
    rate_limit: int = 60
    state_path: str | None = None
    today: date | None = None
    max_attachment_bytes: int = 10_000_000
    clients: tuple[ApiClient, ...] = (DEMO_CLIENT,)

    def client(self, client_id: str) -> ApiClient | None:
        return next((c for c in self.clients if c.client_id == client_id), None)
