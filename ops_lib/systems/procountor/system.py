"""Procountor as the rest of the suite sees it: the :data:`SYSTEM` behind the registry.

Everything specific to Procountor lives in this package; the machinery it
runs on (OAuth, the token-aware session, the request budget, the pagers)
is in ``ops_lib.connectors``.

A company is connected machine to machine: the ``client_credentials``
grant with the client id, the client secret **and the API key** in the
token request (``POST {base}/oauth/token``). The API key binds the token
to one user and company, so it is a secret like the client secret: the
client id is a parameter, while the secret and the API key come from the
secrets file or the environment (``OPS_PROCOUNTOR_CLIENT_SECRET``,
``OPS_PROCOUNTOR_API_KEY``), never from params. The grant names the API
key in ``secret_params`` and the connection code fills it in
(:func:`ops_lib.config.secrets.grant_with_secrets`). A token lasts an
hour and is asked for again when it expires; there is no refresh token.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping

import httpx

from ops_lib.connectors.grants import ClientCredentials, Grant
from ops_lib.connectors.paging import ResultsMetaPager
from ops_lib.connectors.ratelimit import PerClient
from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.package import SystemPackage
from ops_lib.systems.procountor import environments as env
from ops_lib.systems.procountor.chart import SETUP_RULES, read_references
from ops_lib.systems.procountor.client import PAGER, ProcountorClient
from ops_lib.systems.procountor.errors import LANGUAGES, error_from_response, retry_after
from ops_lib.systems.procountor.registers import read_register
from ops_lib.systems.procountor.vouchers import LedgerReceiptPoster
from ops_lib.systems.procountor.writer import ProcountorWriter

if TYPE_CHECKING:
    from ops_lib.config.settings import ConnectionSettings
    from ops_lib.connectors.endpoints import Environment
    from ops_lib.model.booking_rules import SetupRules

# "max 20 requests/second per client" (the older, stricter of the two published figures); a breach may suspend
# the client, so the suite keeps under it.
RATE_POLICY = PerClient(limit=20, window=1.0)
# The app factory of the Procountor sandbox (package ops_lib/sandbox/procountor, built on branch pc-sandbox).
SANDBOX_APP = "ops_lib.sandbox.procountor:create_app"


class ProcountorSystem(SystemPackage):
    """Procountor behind the :class:`~ops_lib.systems.base.System` seam (one instance: :data:`SYSTEM`)."""

    name: str = env.SYSTEM
    environments: Mapping[str, Environment] = MappingProxyType(env.ENVIRONMENTS)
    scopes: tuple[str, ...] = env.SCOPES
    required_scopes: tuple[str, ...] = env.REQUIRED_SCOPES
    default_scopes: tuple[str, ...] = env.DEFAULT_SCOPES
    languages: tuple[str, ...] = LANGUAGES  # error_catalogue.yaml explains in these
    rate_policy: PerClient = RATE_POLICY
    pager: ResultsMetaPager = PAGER
    setup_rules: SetupRules = SETUP_RULES
    sandbox: str = SANDBOX_APP
    package = "ops_lib.systems.procountor"  # where rules.yaml lives
    error_reader = staticmethod(error_from_response)
    retry_reader = staticmethod(retry_after)
    register_reader = staticmethod(read_register)
    reference_reader = staticmethod(read_references)

    def grant(self, settings: ConnectionSettings) -> Grant:
        """Client credentials with the API key, a secret filled in by the connection code (never params).

        Every credential goes in the form body, as Procountor's M2M guide shows.
        """
        return ClientCredentials(secret_params=(env.API_KEY,), auth_method="client_secret_post")

    def company_identity(self, get: Callable[[str], httpx.Response]) -> tuple[str, str]:
        """(company id, name) of the company the token (its API key) is bound to."""
        response = get("company")
        if response.is_error:
            raise error_from_response(response)
        company = loads(response.content) or {}
        return str(company.get("id") or ""), str(company.get("name") or "").strip()

    def make_client(self, session: ApiSession, **options: Any) -> ProcountorClient:
        return ProcountorClient(session, **options)

    def make_writer(self, client: Any, register: str, **options: Any) -> ProcountorWriter:
        """The sync writer of one register (option: ``dimension``, the tags' dimension)."""
        return ProcountorWriter(client, register, **options)

    def make_voucher_poster(self, client: Any, **options: Any) -> LedgerReceiptPoster:
        """JOURNAL ledger receipts; approved in Procountor only with ``approve_receipts`` (see :mod:`.options`)."""
        wanted = {k: options[k] for k in ("approve_receipts", "transfer_receipts", "create_reconciliation")
                  if k in options}
        return LedgerReceiptPoster(client, **wanted)


SYSTEM = ProcountorSystem()

__all__ = ["RATE_POLICY", "SANDBOX_APP", "SYSTEM", "ProcountorSystem"]
