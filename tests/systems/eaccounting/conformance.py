"""What the connector-conformance suite needs to know of eAccounting and its sandbox.

``tests/connectors/test_conformance.py`` runs the same checks on every
registered system; this kit says which list to page through, which
record to write, which call the service refuses and how to age tokens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Callable

from ops_lib.model.invoices import ARTICLE_ROW, TEXT_ROW, InvoiceBasis, InvoiceParty, InvoiceRow
from ops_lib.sandbox import Clock, SandboxConfig
from tests.conftest import TODAY, SandboxHarness, age_stored_token


class EAccountingRun:
    """One started sandbox with a company connected through the library's own flow."""

    def __init__(self, harness: SandboxHarness) -> None:
        self.harness = harness
        self.transport = harness.transport
        self.settings = harness.connect()

    def expire_tokens(self) -> None:
        """An hour later: the service refuses the access token, and the stored one says it has expired."""
        self.harness.http.post("/_sandbox/expire-tokens")
        age_stored_token(self.settings)

    def advance(self, seconds: float) -> None:
        self.harness.clock.advance(seconds)


class EAccountingKit:
    listing = ("customers", 300)  # a list longer than one small page, and how many records it holds
    probe = ("projects", {"number": "9001", "name": "Konformitetsprov", "is_active": "true"})
    refused = ("POST", "vouchers", {"VoucherDate": "2030-01-15", "VoucherText": "Framtid", "Rows": [
        {"AccountNumber": 6110, "DebitAmount": Decimal("10"), "CreditAmount": Decimal("0")},
        {"AccountNumber": 1930, "DebitAmount": Decimal("0"), "CreditAmount": Decimal("10")}]})
    refused_code = 3001
    explains = {"en": "Create the fiscal year", "sv": "Lägg upp räkenskapsåret"}

    def invoice_basis(self, client: Any) -> InvoiceBasis:
        """An invoice basis the connected company can take as a draft: an active customer and article."""
        customer = next(c for c in client.customers.list() if c.is_active)
        article = next(a for a in client.articles.list() if a.is_active)
        rows = (InvoiceRow(2, TEXT_ROW, "Konformitetsprov"),
                InvoiceRow(3, ARTICLE_ROW, article.name, article.number, Decimal("2"), "h", Decimal("100")))
        return InvoiceBasis("9001", InvoiceParty(customer.number, customer.name), TODAY, rows, "kit", 2)

    @contextlib.contextmanager
    def start(self, create_app: Callable[..., Any], *, rate_limit: int = 600) -> Iterator[EAccountingRun]:
        harness = SandboxHarness(SandboxConfig(today=TODAY, rate_limit=rate_limit), Clock(), create_app)
        try:
            yield EAccountingRun(harness)
        finally:
            harness.close()


KIT = EAccountingKit()
