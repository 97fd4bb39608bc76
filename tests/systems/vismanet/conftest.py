"""Fixtures of the Visma.net connector tests: the validating sandbox and a client connected to it as a service."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import open_client
from ops_lib.connectors.tokens import StoredConnection, TokenStore
from ops_lib.systems.registry import get
from ops_lib.systems.vismanet.client import VismaNetClient
from tests.conftest import no_wait, shared_reference
from tests.sandbox.vismanet.harness import BASE, DEMO_AUTH, VismaNetHarness

try:
    from ops_lib.sandbox.vismanet import COMPANY_TENANT
except ImportError:  # the sandbox branch not merged: the fake-based tests still run
    COMPANY_TENANT = ""


@dataclass(frozen=True)
class ServiceSettings(ConnectionSettings):
    """Connection settings with the tenant id a service integration is bound to."""

    tenant_id: str = COMPANY_TENANT


def service_settings(config_dir: Path) -> ConnectionSettings:
    return ServiceSettings(system="vismanet", environment="sandbox", client_id=DEMO_AUTH[0], sandbox_url=BASE,
                           config_dir=config_dir, token_backend="file")


def store_service_connection(vn: VismaNetHarness, settings: ConnectionSettings) -> StoredConnection:
    """What connecting a service integration stores: a fresh token for the tenant, keyed by the company."""
    answer = vn.token(COMPANY_TENANT)
    assert answer.status_code == 200, answer.text
    token = {**answer.json(), "expires_at": time.time() + 3600}
    with vn.api() as api:
        key, name = get("vismanet").company_identity(api.get)
    connection = StoredConnection("vismanet", "sandbox", key, name, settings.client_id,
                                  str(token.get("scope") or settings.scope), time.time(), token)
    TokenStore(settings.config_dir).save(connection)
    return connection


@pytest.fixture
def vn() -> Iterator[VismaNetHarness]:
    shared_reference("vismanet-swagger.json")
    harness = VismaNetHarness()
    yield harness
    harness.close()


@pytest.fixture
def vn_client(vn: VismaNetHarness, tmp_path: Path) -> Iterator[VismaNetClient]:
    settings = service_settings(tmp_path)
    store_service_connection(vn, settings)
    with open_client(settings, transport=vn.transport, client_secret=DEMO_AUTH[1], sleep=no_wait) as client:
        yield client
