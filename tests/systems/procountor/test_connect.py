"""Connecting Procountor machine to machine: client id from params, secret and API key as secrets."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from ops_lib.config.secrets import find_secret, grant_with_secrets, known_secrets
from ops_lib.connection.connect import open_client
from ops_lib.connection.service import connect_service
from ops_lib.connectors.grants import ClientCredentials
from ops_lib.core.errors import ConfigurationError
from ops_lib.systems.registry import get
from tests.conftest import no_wait
from tests.sandbox.procountor.harness import ProcountorHarness
from tests.systems.procountor.conftest import demo_settings


def test_the_grant_names_the_api_key_as_a_secret_and_carries_no_value(tmp_path: Path) -> None:
    grant = get("procountor").grant(demo_settings(tmp_path))
    assert isinstance(grant, ClientCredentials) and not grant.interactive
    assert grant.secret_params == ("api_key",) and dict(grant.extra) == {}


def test_the_api_key_comes_from_the_environment_before_the_sandbox_demo(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    settings = demo_settings(tmp_path)
    assert find_secret(settings, "api_key") == "ops-demo-api-key"  # the sandbox's published demo key
    monkeypatch.setenv("OPS_PROCOUNTOR_API_KEY", "key-from-environment")
    filled = grant_with_secrets(settings, get("procountor").grant(settings))
    assert filled.extra["api_key"] == "key-from-environment"
    assert "key-from-environment" not in repr(filled)
    assert known_secrets(settings)["key-from-environment"].endswith("OPS_PROCOUNTOR_API_KEY")


def test_the_api_key_comes_from_the_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("procountor:\n  production:\n    cid: {client_secret: s3cret-value, api_key: k3y-value-1}\n")
    os.chmod(secrets, 0o600)
    monkeypatch.setenv("OPS_SECRETS_FILE", str(secrets))
    from ops_lib.config.secrets import find_client_secret
    from ops_lib.config.settings import ConnectionSettings
    settings = ConnectionSettings(system="procountor", environment="production", client_id="cid",
                                  config_dir=tmp_path, token_backend="file")
    assert find_client_secret(settings) == "s3cret-value"
    assert find_secret(settings, "api_key") == "k3y-value-1"
    assert set(known_secrets(settings)) >= {"s3cret-value", "k3y-value-1"}


def test_a_missing_api_key_is_a_configuration_error_naming_where_it_goes(tmp_path: Path) -> None:
    from ops_lib.config.settings import ConnectionSettings
    settings = ConnectionSettings(system="procountor", environment="production", client_id="cid",
                                  config_dir=tmp_path, token_backend="file")
    with pytest.raises(ConfigurationError, match="OPS_PROCOUNTOR_API_KEY"):
        grant_with_secrets(settings, get("procountor").grant(settings))


def test_connect_service_stores_the_demo_company_and_requests_work(pc: ProcountorHarness, tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    status = connect_service(settings, transport=pc.transport)
    assert status.connected and status.company_name
    with open_client(settings, transport=pc.transport, sleep=no_wait) as client:
        assert client.company()["name"] == status.company_name
    assert pc.transport.validated > 0


def test_a_wrong_api_key_is_refused_at_the_token_endpoint(pc: ProcountorHarness, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_PROCOUNTOR_API_KEY", "not-the-key-at-all")
    with pytest.raises(Exception) as caught:
        connect_service(demo_settings(tmp_path), transport=pc.transport)
    assert "not-the-key-at-all" not in str(caught.value)


def test_an_expired_token_is_asked_for_again_with_the_api_key(pc: ProcountorHarness, tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    connect_service(settings, transport=pc.transport)
    with open_client(settings, transport=pc.transport, sleep=no_wait) as client:
        assert pc.http.post("/_sandbox/expire-tokens").status_code == 200
        assert client.accounts()  # 401, then a fresh M2M token with the API key, then the answer
    assert isinstance(pc.transport, httpx.BaseTransport)
