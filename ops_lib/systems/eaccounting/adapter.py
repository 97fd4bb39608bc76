"""What the system-neutral connection code needs to know about eAccounting.

:mod:`ops_lib.systems.connect` looks systems up by name and calls only these
names, so adding Visma.net or Procountor means adding a module like this
one, not changing the connection code.
"""

from __future__ import annotations

from typing import Any, Callable

import httpx

from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.eaccounting.chart import SETUP_RULES, read_references
from ops_lib.systems.eaccounting.client import EAccountingClient
from ops_lib.systems.eaccounting.errors import error_from_response, retry_after
from ops_lib.systems.eaccounting.registers import read_register
from ops_lib.systems.eaccounting.vouchers import EAccountingVoucherPoster
from ops_lib.systems.eaccounting.writer import EAccountingWriter

# The service allows 600 requests per minute per client and endpoint; the suite keeps a margin.
BUDGET_PER_MINUTE = 590


def company_identity(get: Callable[[str], httpx.Response]) -> tuple[str, str]:
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


def make_client(session: ApiSession, **options: Any) -> EAccountingClient:
    return EAccountingClient(session, **options)


def make_writer(client: EAccountingClient, register: str, **options: Any) -> EAccountingWriter:
    """The sync writer of one register (options: ``project_target``, ``cost_center``)."""
    return EAccountingWriter(client, register, **options)


def make_voucher_poster(client: EAccountingClient) -> EAccountingVoucherPoster:
    """What a voucher export sends through (payload, receipts, finding a voucher after a crash)."""
    return EAccountingVoucherPoster(client)


def translator(language: str) -> Callable[[httpx.Response], Exception]:
    return lambda response: error_from_response(response, language)


__all__ = ["SETUP_RULES", "company_identity", "make_client", "make_voucher_poster", "make_writer", "read_references",
           "read_register", "retry_after", "translator"]
