"""eAccounting as the rest of the suite sees it: the :data:`SYSTEM` behind the registry.

Everything specific to eAccounting lives in this package: hosts, paths,
field names, paging and error codes. The machinery it runs on (OAuth,
the token-aware session, the request budget) is in ``ops_lib.connectors``.
:data:`SYSTEM` is what the rest of the suite sees of it, through the
registry (:mod:`ops_lib.systems.registry`) and the seams in
:mod:`ops_lib.systems.base`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping

import httpx

from ops_lib.connectors.grants import AuthorizationCode
from ops_lib.connectors.paging import MetaDataPager
from ops_lib.connectors.ratelimit import PerEndpoint
from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.eaccounting import environments as env
from ops_lib.systems.eaccounting.chart import SETUP_RULES, read_references
from ops_lib.systems.eaccounting.client import PAGER, EAccountingClient
from ops_lib.systems.eaccounting.errors import error_from_response, retry_after
from ops_lib.systems.eaccounting.invoices import EAccountingInvoicePoster, invoice_poster
from ops_lib.systems.eaccounting.registers import read_register
from ops_lib.systems.eaccounting.vouchers import EAccountingVoucherPoster
from ops_lib.systems.eaccounting.writer import EAccountingWriter
from ops_lib.systems.package import SystemPackage

if TYPE_CHECKING:
    from ops_lib.config.settings import ConnectionSettings
    from ops_lib.connectors.endpoints import Environment
    from ops_lib.model.booking_rules import SetupRules

# The service allows 600 requests per minute per client and endpoint; the suite keeps a margin.
RATE_POLICY = PerEndpoint(limit=590, window=60.0)


class EAccounting(SystemPackage):
    """Visma eAccounting behind the :class:`~ops_lib.systems.base.System` seam (one instance: :data:`SYSTEM`)."""

    name: str = env.SYSTEM
    environments: Mapping[str, Environment] = MappingProxyType(env.ENVIRONMENTS)
    scopes: tuple[str, ...] = env.SCOPES
    required_scopes: tuple[str, ...] = env.REQUIRED_SCOPES
    default_scopes: tuple[str, ...] = env.DEFAULT_SCOPES
    languages: tuple[str, ...] = ("en", "sv", "fi")  # error_catalogue.yaml explains in these
    rate_policy: PerEndpoint = RATE_POLICY
    pager: MetaDataPager = PAGER
    setup_rules: SetupRules = SETUP_RULES
    sandbox: str = "ops_lib.sandbox:create_app"
    package = "ops_lib.systems.eaccounting"  # where rules.yaml lives
    error_reader = staticmethod(error_from_response)
    retry_reader = staticmethod(retry_after)
    register_reader = staticmethod(read_register)
    reference_reader = staticmethod(read_references)

    def grant(self, settings: ConnectionSettings) -> AuthorizationCode:
        """Visma Connect's authorization code (PKCE), asking for the company on every consent unless told not to."""
        extra = env.FORCE_SELECT_COMPANY if settings.force_select_company else {}
        return AuthorizationCode(extra_authorize=dict(extra))

    def company_identity(self, get: Callable[[str], httpx.Response]) -> tuple[str, str]:
        """(organisation number, company name) of the company a fresh token is bound to.

        The organisation number is the stable, readable key of a connection;
        a company without one (possible in test companies) is keyed by name.
        """
        response = get("companysettings")
        if response.is_error:
            raise error_from_response(response)
        body = loads(response.content)
        name = str(body.get("Name") or "").strip()
        org_number = str(body.get("CorporateIdentityNumber") or "").strip()
        return org_number or name, name

    def make_client(self, session: ApiSession, **options: Any) -> EAccountingClient:
        return EAccountingClient(session, **options)

    def make_writer(self, client: Any, register: str, **options: Any) -> EAccountingWriter:
        """The sync writer of one register (options: ``project_target``, ``cost_center``)."""
        return EAccountingWriter(client, register, **options)

    def make_voucher_poster(self, client: Any) -> EAccountingVoucherPoster:
        """What a voucher booking sends through (payload, receipts, finding a voucher after a crash)."""
        return EAccountingVoucherPoster(client)

    def make_invoice_poster(self, client: Any, **options: Any) -> EAccountingInvoicePoster:
        """What the invoice flows send drafts through and read states and supplier invoices from.

        ``options`` is eAccounting's options block (``project_target``, ``cost_center``), validated here:
        projects are looked up where the register sync writes them. Raises ConfigurationError for a bad option.
        """
        return invoice_poster(client, options)


SYSTEM = EAccounting()

__all__ = ["RATE_POLICY", "SYSTEM", "EAccounting"]
