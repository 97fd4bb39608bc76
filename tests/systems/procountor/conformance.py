"""What the connector-conformance suite needs to know of Procountor and its sandbox.

``tests/connectors/test_conformance.py`` runs the same checks on every
registered system; this kit says which list to page through, which record
to write, which call the service refuses and how to age tokens. The
company is connected machine to machine (client id, client secret and API
key), the only way to connect Procountor here; the sandbox answers through
the harness's transport, which validates every answer against
``procountor-openapi.json``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Callable

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.procountor import ProcountorConfig
from tests.conftest import TODAY, age_stored_token, shared_reference
from tests.sandbox.procountor.harness import ProcountorHarness
from tests.systems.procountor.conftest import connect, demo_settings


class ProcountorRun:
    """One started sandbox with the demo company connected."""

    def __init__(self, harness: ProcountorHarness, config_dir: Path) -> None:
        self.harness = harness
        self.transport = harness.transport
        self.settings = demo_settings(config_dir)
        connect(harness, self.settings)

    def expire_tokens(self) -> None:
        """An hour later: the service refuses the access token, and the stored one says it has expired."""
        self.harness.http.post("/_sandbox/expire-tokens")
        age_stored_token(self.settings)

    def advance(self, seconds: float) -> None:
        self.harness.clock.advance(seconds)


class ProcountorKit:
    listing = ("businesspartners", 5)  # a paged search, and how many partners the demo company holds
    probe = ("suppliers", {"number": "90001", "name": "Konformiteetti Oy", "vat_number": "1234567-1",
                           "country_code": "FI", "is_active": "true"})
    # A journal dated in the closed fiscal year two years back (P5).
    refused = ("POST", "ledgerreceipts", {
        "type": "JOURNAL", "name": "Suljettu kausi", "receiptDate": date(TODAY.year - 2, 10, 14).isoformat(),
        "vatType": "PURCHASE", "vatStatus": 1,
        "transactions": [
            {"transactionType": "ENTRY", "account": "7890", "accountingValue": Decimal(10), "vatPercent": Decimal(0)},
            {"transactionType": "ENTRY", "account": "1940", "accountingValue": Decimal(-10),
             "vatPercent": Decimal(0)}]})
    refused_code = "CLOSED_FISCAL_PERIOD"
    explains = {"en": "Date the entries in an open period", "sv": "Datera posterna i en öppen period",
                "fi": "Päivää viennit avoimelle jaksolle"}

    @contextlib.contextmanager
    def start(self, create_app: Callable[..., Any], *, rate_limit: int = 20) -> Iterator[ProcountorRun]:
        shared_reference("procountor-openapi.json")
        harness = ProcountorHarness(ProcountorConfig(today=TODAY, rate_limit=rate_limit), Clock())
        assert harness.app.__class__ is create_app().__class__  # the registry's factory is the harness's
        try:
            with TemporaryDirectory() as config_dir:
                yield ProcountorRun(harness, Path(config_dir))
        finally:
            harness.close()


KIT = ProcountorKit()
