"""Visma.net ERP as the rest of the suite sees it: the :data:`SYSTEM` behind the registry.

Everything specific to Visma.net lives in this package; the machinery it
runs on (OAuth, the token-aware session, the request budget, the pagers)
is in ``ops_lib.connectors``.

Two ways to connect, chosen by whether a tenant id is given:

* **service integration** (the usual one): Visma Connect's
  ``client_credentials`` grant with ``tenant_id``, the *company's* tenant
  GUID, in the token request. The client id is a parameter and the secret
  comes from the secrets file or the environment, like any client secret;
  the tenant id is a parameter (``tenant_id``). A token is asked for again
  when it expires; there is no refresh token.
* **interactive**: a person signs in with an authorization code (PKCE)
  and picks the company; the refresh token renews it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping

import httpx

from ops_lib.connectors.grants import AuthorizationCode, ClientCredentials, Grant
from ops_lib.connectors.paging import PageNumberPager
from ops_lib.connectors.ratelimit import PerCompany
from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.package import SystemPackage
from ops_lib.systems.vismanet import environments as env
from ops_lib.systems.vismanet.chart import SETUP_RULES, read_references
from ops_lib.systems.vismanet.client import PAGER, VismaNetClient
from ops_lib.systems.vismanet.errors import LANGUAGES, error_from_response, retry_after
from ops_lib.systems.vismanet.invoices import SupplierInvoicePoster
from ops_lib.systems.vismanet.records import Branch
from ops_lib.systems.vismanet.registers import read_register
from ops_lib.systems.vismanet.vouchers import JournalPoster
from ops_lib.systems.vismanet.writer import VismaNetWriter

if TYPE_CHECKING:
    from ops_lib.config.settings import ConnectionSettings
    from ops_lib.connectors.endpoints import Environment
    from ops_lib.model.booking_rules import SetupRules

# Visma.net counts per company and client per hour and publishes no number; 15,000 was the last published
# production figure. The suite keeps a margin below it.
RATE_POLICY = PerCompany(limit=14_500, window=3600.0)
# The app factory of the Visma.net sandbox (package ops_lib/sandbox/vismanet, built on branch vn-sandbox).
SANDBOX_APP = "ops_lib.sandbox.vismanet:create_app"


def tenant_id(settings: Any) -> str:
    """The company's tenant id of a service integration ("" for an interactive connection)."""
    return str(getattr(settings, "tenant_id", "") or "").strip()


class VismaNetSystem(SystemPackage):
    """Visma.net ERP behind the :class:`~ops_lib.systems.base.System` seam (one instance: :data:`SYSTEM`)."""

    name: str = env.SYSTEM
    environments: Mapping[str, Environment] = MappingProxyType(env.ENVIRONMENTS)
    scopes: tuple[str, ...] = env.SCOPES
    required_scopes: tuple[str, ...] = env.REQUIRED_SCOPES
    default_scopes: tuple[str, ...] = env.DEFAULT_SCOPES
    languages: tuple[str, ...] = LANGUAGES  # error_catalogue.yaml explains in these
    rate_policy: PerCompany = RATE_POLICY
    pager: PageNumberPager = PAGER
    setup_rules: SetupRules = SETUP_RULES
    sandbox: str = SANDBOX_APP
    package = "ops_lib.systems.vismanet"  # where rules.yaml lives
    error_reader = staticmethod(error_from_response)
    retry_reader = staticmethod(retry_after)
    register_reader = staticmethod(read_register)
    reference_reader = staticmethod(read_references)

    def grant(self, settings: ConnectionSettings) -> Grant:
        """Client credentials with the tenant id when one is set (a service integration), else authorization code.

        The secret of a service client goes in the form body, as Visma's own
        documentation shows (Visma Connect accepts HTTP Basic too). Each grant
        asks for its own family of the settings' scopes (:func:`.environments.scopes_for`).
        """
        tenant = tenant_id(settings)
        if tenant:
            scope = env.scopes_for(tuple(settings.scopes), service=True)
            return ClientCredentials(extra={"tenant_id": tenant, "scope": scope}, auth_method="client_secret_post")
        return AuthorizationCode(extra_authorize={"scope": env.scopes_for(tuple(settings.scopes), service=False)})

    def company_identity(self, get: Callable[[str], httpx.Response]) -> tuple[str, str]:
        """(corporate id, name) of the company's main branch; one without a corporate id is keyed by its name."""
        response = get("v1/branch")
        if response.is_error:
            raise error_from_response(response)
        branches = [Branch.from_api(b) for b in loads(response.content) or []]
        main = next((b for b in branches if b.is_main), branches[0] if branches else Branch())
        return main.corporate_id.strip() or main.name.strip() or main.number.strip(), main.name.strip()

    def make_client(self, session: ApiSession, **options: Any) -> VismaNetClient:
        return VismaNetClient(session, **options)

    def make_writer(self, client: Any, register: str, **options: Any) -> VismaNetWriter:
        """The sync writer of one register (option: ``segment``, the tags' SUBACCOUNT segment)."""
        return VismaNetWriter(client, register, **options)

    def make_voucher_poster(self, client: Any, *, export_as: str = "journal", **options: Any) -> Any:
        """Journal transactions, or supplier invoices for card expenses (``export_as``; see :mod:`.options`)."""
        if export_as == "supplier_invoice":
            return SupplierInvoicePoster(client, **options)
        journal = {k: options[k] for k in ("auto_release", "transfer_receipts", "ledger", "branch") if k in options}
        return JournalPoster(client, **journal)


SYSTEM = VismaNetSystem()

__all__ = ["RATE_POLICY", "SANDBOX_APP", "SYSTEM", "VismaNetSystem", "tenant_id"]
