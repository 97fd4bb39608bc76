"""Fixtures of the Procountor sandbox tests: a fresh validating sandbox on a fixed date, a signed-in client."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Iterator

import httpx
import pytest

from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.procountor import ProcountorConfig
from tests.conftest import shared_reference
from tests.sandbox.procountor.harness import ProcountorHarness

# Fiscal years 2024 (closed), 2025 and 2026 (open): both sides of 24 % → 25.5 % and 14 % → 13.5 % are reachable.
TODAY = date(2026, 3, 15)


@pytest.fixture
def pc() -> Iterator[ProcountorHarness]:
    shared_reference("procountor-openapi.json")
    clock = Clock(lambda: datetime(2026, 3, 15, 9, 0, tzinfo=timezone.utc))
    harness = ProcountorHarness(ProcountorConfig(today=TODAY), clock)
    yield harness
    harness.close()


@pytest.fixture
def api(pc: ProcountorHarness) -> Iterator[httpx.Client]:
    with pc.api() as client:
        yield client
