"""Fixtures of the Procountor connector tests: the validating sandbox and a company connected to it (M2M)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import open_client
from ops_lib.connection.service import connect_service
from ops_lib.systems.procountor.client import ProcountorClient
from tests.conftest import no_wait, shared_reference
from tests.sandbox.procountor.harness import BASE, ProcountorHarness


def demo_settings(config_dir: Path) -> ConnectionSettings:
    """The sandbox's demo client: its secret and API key are the environment's published ones, not params."""
    return ConnectionSettings(system="procountor", environment="sandbox", client_id="ops-demo", sandbox_url=BASE,
                              config_dir=config_dir, token_backend="file")


def connect(harness: ProcountorHarness, settings: ConnectionSettings) -> None:
    """Connect the demo company the way ``ops connect --system procountor`` does (client credentials)."""
    status = connect_service(settings, transport=harness.transport)
    assert status.connected, status


@pytest.fixture
def pc() -> Iterator[ProcountorHarness]:
    shared_reference("procountor-openapi.json")
    harness = ProcountorHarness()
    yield harness
    harness.close()


@pytest.fixture
def pc_client(pc: ProcountorHarness, tmp_path: Path) -> Iterator[ProcountorClient]:
    settings = demo_settings(tmp_path)
    connect(pc, settings)
    with open_client(settings, transport=pc.transport, sleep=no_wait) as client:
        yield client
