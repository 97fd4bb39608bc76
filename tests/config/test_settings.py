"""Connection settings and the client secret: validated once, secrets never from params."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ops_lib.config.secrets import find_client_secret, require_client_secret
from ops_lib.config.settings import connection_settings
from ops_lib.core.errors import ConfigurationError


def test_defaults_point_at_the_local_sandbox_with_the_demo_client() -> None:
    settings = connection_settings()
    assert settings.environment == "sandbox"
    assert settings.endpoints.api_base == "http://127.0.0.1:8765/v2/"
    assert settings.endpoints.token_url == "http://127.0.0.1:8765/connect/token"
    assert settings.config_dir == Path(os.environ["OPS_CONFIG_DIR"])


@pytest.mark.parametrize(("environment", "api", "token"), [
    ("production", "https://eaccountingapi.vismaonline.com/v2/", "https://identity.vismaonline.com/connect/token"),
    ("visma-sandbox", "https://eaccountingapi-sandbox.test.vismaonline.com/v2/",
     "https://identity-sandbox.test.vismaonline.com/connect/token"),
])
def test_real_environments_are_a_setting(environment: str, api: str, token: str) -> None:
    endpoints = connection_settings({"environment": environment, "client_id": "my-app"}).endpoints
    assert (endpoints.api_base, endpoints.token_url) == (api, token)
    assert endpoints.revocation_url.endswith("/connect/revocation")


def test_required_scopes_are_always_asked_for_and_unknown_ones_refused() -> None:
    assert connection_settings({"scopes": ["ea:sales"]}).scopes == ("ea:api", "ea:sales", "offline_access")
    with pytest.raises(ConfigurationError, match="ea:everything"):
        connection_settings({"scopes": "ea:api ea:everything"})


@pytest.mark.parametrize(("params", "message"), [
    ({"enviroment": "sandbox"}, "Unknown connection parameter.*enviroment"),
    ({"environment": "staging"}, "Unknown environment 'staging'"),
    ({"client_secret": "x"}, "Unknown connection parameter"),
    ({"timeout_seconds": "30"}, "wrong type"),
    ({"client_id": "  "}, "client_id is empty"),
    ({"language": "de"}, "language must be one of"),
])
def test_bad_parameters_are_named(params: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        connection_settings(params)


def test_sandbox_url_comes_from_the_environment_when_params_leave_it_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_SANDBOX_URL", "http://127.0.0.1:9999")
    assert connection_settings({"sandbox_url": ""}).endpoints.api_base == "http://127.0.0.1:9999/v2/"


def test_secret_from_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPS_EACCOUNTING_CLIENT_SECRET", "from-env")
    assert find_client_secret(connection_settings({"environment": "production", "client_id": "app"})) == "from-env"


def test_secret_from_a_private_secrets_file(tmp_path: Path) -> None:
    settings = connection_settings({"environment": "production", "client_id": "app", "config_dir": str(tmp_path)})
    path = tmp_path / "secrets.yaml"
    path.write_text("eaccounting:\n  production:\n    app: from-file\n", encoding="utf-8")
    path.chmod(0o600)
    assert find_client_secret(settings) == "from-file"
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600") as caught:
        find_client_secret(settings)
    assert "from-file" not in str(caught.value)


def test_a_secrets_file_inside_a_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = tmp_path / "conf"
    config.mkdir()
    (config / "secrets.yaml").write_text("eaccounting: {}\n", encoding="utf-8")
    (config / "secrets.yaml").chmod(0o600)
    with pytest.raises(ConfigurationError, match="inside the git working tree"):
        find_client_secret(connection_settings({"config_dir": str(config)}))


def test_broken_secrets_file_does_not_echo_its_content(tmp_path: Path) -> None:
    path = tmp_path / "secrets.yaml"
    path.write_text("eaccounting: [s3cr3t-value: {\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError) as caught:
        find_client_secret(connection_settings({"config_dir": str(tmp_path)}))
    assert "s3cr3t-value" not in str(caught.value)


def test_missing_secret_says_where_to_put_it() -> None:
    settings = connection_settings({"environment": "production", "client_id": "app"})
    assert find_client_secret(settings) is None
    with pytest.raises(ConfigurationError, match="OPS_EACCOUNTING_CLIENT_SECRET.*secrets.yaml"):
        require_client_secret(settings)
    assert require_client_secret(settings, "typed") == "typed"


def test_the_sandbox_demo_client_needs_no_configured_secret() -> None:
    assert find_client_secret(connection_settings()) == "ops-demo-secret"
    assert find_client_secret(connection_settings({"environment": "production"})) is None
