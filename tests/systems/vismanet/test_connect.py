"""Connecting Visma.net interactively: authorization code through the sandbox's Visma Connect, then the API."""

from __future__ import annotations

from pathlib import Path

import httpx

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import open_client, start_connect
from ops_lib.connectors.grants import AuthorizationCode
from ops_lib.sandbox.clock import Clock
from ops_lib.sandbox.vismanet import VismaNetConfig
from ops_lib.systems.registry import get
from ops_lib.systems.vismanet.environments import INTERACTIVE_DEFAULT_SCOPES
from tests.conftest import shared_reference
from tests.sandbox.vismanet.harness import BASE, DEMO_AUTH, VismaNetHarness


def test_a_person_signs_in_with_a_code_and_the_company_is_connected(tmp_path: Path) -> None:
    shared_reference("vismanet-swagger.json")
    vn = VismaNetHarness(VismaNetConfig(auto_consent=True), Clock())
    try:
        settings = ConnectionSettings(system="vismanet", environment="sandbox", client_id=DEMO_AUTH[0],
                                      sandbox_url=BASE, config_dir=tmp_path, token_backend="file")
        assert isinstance(get("vismanet").grant(settings), AuthorizationCode)
        pending = start_connect(settings, client_secret=DEMO_AUTH[1], use_catcher=False,
                                redirect_uri="http://127.0.0.1/callback", transport=vn.transport)
        asked = httpx.URL(pending.url).params["scope"].split()
        assert asked == list(INTERACTIVE_DEFAULT_SCOPES)  # the default settings' scopes, this family only
        with httpx.Client(transport=vn.transport) as browser:
            answer = browser.get(pending.url)
        assert answer.status_code in (302, 303), answer.text
        status = pending.complete(answer.headers["location"])
        assert status.company_name and status.verified
        with open_client(settings, transport=vn.transport, client_secret=DEMO_AUTH[1]) as client:
            assert client.accounts() and client.session.connection.token.get("refresh_token")
    finally:
        vn.close()
