"""The connect notebook: its form's callbacks, and headless runs that never prompt or leak."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import papermill
import pytest

from ops_lib.config.settings import connection_settings
from ops_lib.core.errors import ReconnectNeeded
from ops_lib.forms.connect import connect_panel
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from tests.conftest import TODAY, SandboxHarness, approve, connect_over_socket, find, wait_for

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "00_connect.ipynb"


def test_form_connects_through_the_catcher(sandbox: SandboxHarness) -> None:
    form = connect_panel(connection_settings(), interactive=True, transport=sandbox.transport)
    assert "not connected" in find(form, "ops-status").value
    find(form, "ops-connect").click()
    link = re.search(r"href='([^']+)'", find(form, "ops-link").value)
    assert link, find(form, "ops-message-area").value
    url = link.group(1).replace("&amp;", "&")
    redirect = approve(sandbox.http, url, company_index=1)
    assert redirect.startswith("http://127.0.0.1:")
    with httpx.Client() as browser:
        browser.get(redirect)
    wait_for(lambda: "Kustväg Bygg AB" in find(form, "ops-status").value)
    assert "Connected to Kustväg Bygg AB" in find(form, "ops-message-area").value


def test_form_finishes_from_a_pasted_address(sandbox: SandboxHarness) -> None:
    form = connect_panel(connection_settings(), interactive=True, transport=sandbox.transport)
    find(form, "ops-connect").click()
    url = re.search(r"href='([^']+)'", find(form, "ops-link").value).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    find(form, "ops-paste").value = approve(sandbox.http, url)
    find(form, "ops-finish").click()
    assert "Fjällbris Konsult AB" in find(form, "ops-status").value
    find(form, "ops-disconnect").click()
    assert "revoked and removed" in find(form, "ops-message-area").value
    assert "not connected" in find(form, "ops-status").value


def test_form_shows_a_wrong_secret_readably(sandbox: SandboxHarness) -> None:
    form = connect_panel(connection_settings(), interactive=True, transport=sandbox.transport)
    find(form, "ops-secret").value = "wrong-secret-value"
    find(form, "ops-connect").click()
    assert find(form, "ops-secret").value == "", "the secret must not stay in the widget"
    url = re.search(r"href='([^']+)'", find(form, "ops-link").value).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    find(form, "ops-paste").value = approve(sandbox.http, url)
    find(form, "ops-finish").click()
    shown = find(form, "ops-message-area").value
    assert "invalid_client" in shown and "Traceback" not in shown and "wrong-secret-value" not in shown


def test_headless_panel_never_prompts() -> None:
    with pytest.raises(ReconnectNeeded, match="ops connect"):
        connect_panel(connection_settings(), interactive=False)


@pytest.mark.slow
def test_executed_notebook_shows_the_company_and_no_secret(tmp_path: Path) -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url, company_index=1)
        out = tmp_path / "connect.ipynb"
        papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={
            "sandbox_url": server.base_url, "interactive": False}, progress_bar=False, kernel_name="python3",
            cwd=str(NOTEBOOK.parent))
    text = out.read_text(encoding="utf-8")
    assert "Kustväg Bygg AB (556934-2107)" in text and "Checked against the service" in text
    tokens = json.loads((Path(os.environ["OPS_CONFIG_DIR"]) / "tokens.json").read_text())
    (entry,) = tokens["connections"].values()
    for secret in (entry["token"]["access_token"], entry["token"]["refresh_token"], "ops-demo-secret"):
        assert secret not in text


@pytest.mark.slow
def test_executed_notebook_without_a_connection_fails_clearly(tmp_path: Path) -> None:
    out = tmp_path / "connect.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"interactive": False},
                                   progress_bar=False, kernel_name="python3", cwd=str(NOTEBOOK.parent))
    assert caught.value.ename == "ReconnectNeeded"
    assert "ops connect --env sandbox" in caught.value.evalue
