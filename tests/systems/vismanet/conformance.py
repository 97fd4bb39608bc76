"""What the connector-conformance suite needs to know of Visma.net and its sandbox.

``tests/connectors/test_conformance.py`` runs the same checks on every
registered system; this kit says which list to page through, which record
to write, which call the service refuses and how to age tokens. The
company is connected as a service integration (client credentials with
the company's tenant id), the usual way to connect Visma.net; the
sandbox answers through the harness's transport, which validates every
answer against ``vismanet-swagger.json``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Callable

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.vismanet import VismaNetConfig
from tests.conftest import TODAY, age_stored_token, shared_reference
from tests.sandbox.vismanet.harness import VismaNetHarness
from tests.systems.vismanet.conftest import service_settings, store_service_connection


class VismaNetRun:
    """One started sandbox with a company connected as a service integration."""

    def __init__(self, harness: VismaNetHarness, config_dir: Path) -> None:
        self.harness = harness
        self.transport = harness.transport
        self.settings = service_settings(config_dir)
        store_service_connection(harness, self.settings)

    def expire_tokens(self) -> None:
        """An hour later: the service refuses the access token, and the stored one says it has expired."""
        self.harness.http.post("/_sandbox/expire-tokens")
        age_stored_token(self.settings)

    def advance(self, seconds: float) -> None:
        self.harness.clock.advance(seconds)


class VismaNetKit:
    listing = ("v1/supplier", 5)  # a paged list, and how many records the demo company holds
    probe = ("customers", {"number": "90001", "name": "Konformitetsprov AB", "country_code": "SE",
                           "is_active": "true"})
    # A journal transaction dated in a closed financial period (V7): a business error, which carries no code.
    refused = ("POST", "v2/journaltransaction", {
        "transactionDate": {"value": "2025-03-14T00:00:00"}, "description": {"value": "Stängd period"},
        "journalTransactionLines": [
            {"operation": "Insert", "accountNumber": {"value": "6110"}, "debitAmountInCurrency": {"value": Decimal(10)}},
            {"operation": "Insert", "accountNumber": {"value": "1941"},
             "creditAmountInCurrency": {"value": Decimal(10)}}]})
    refused_code = ""
    explains = {"en": "Date the entries in an open period", "sv": "Datera posterna i en öppen period"}

    @contextlib.contextmanager
    def start(self, create_app: Callable[..., Any], *, rate_limit: int = 15000) -> Iterator[VismaNetRun]:
        shared_reference("vismanet-swagger.json")
        harness = VismaNetHarness(VismaNetConfig(today=TODAY, rate_limit=rate_limit), Clock())
        assert harness.app.__class__ is create_app().__class__  # the registry's factory is the harness's
        try:
            with TemporaryDirectory() as config_dir:
                yield VismaNetRun(harness, Path(config_dir))
        finally:
            harness.close()


KIT = VismaNetKit()
