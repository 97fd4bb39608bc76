"""Fixtures of the Visma.net sandbox tests: a fresh validating sandbox, a signed-in client."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from tests.conftest import shared_reference
from tests.sandbox.vismanet.harness import VismaNetHarness


@pytest.fixture
def vn() -> Iterator[VismaNetHarness]:
    shared_reference("vismanet-swagger.json")
    harness = VismaNetHarness()
    yield harness
    harness.close()


@pytest.fixture
def api(vn: VismaNetHarness) -> Iterator[httpx.Client]:
    with vn.api() as client:
        yield client
