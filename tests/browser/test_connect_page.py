"""The connect notebook in JupyterLab: connecting through the sandbox's consent page, and a wrong client secret."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import open_in_lab, run_all, snap
from tests.browser.servers import BIN, Server

NOTEBOOK = "notebooks/00_connect.ipynb"
SECOND_COMPANY = "Kustväg Bygg AB"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_kernels")]


def start_connecting(page: Any, lab: Server, shot: str, secret: str = "") -> Any:
    """Open the notebook, run it, fill the form as its first cell says, press Connect; return the sign-in link."""
    open_in_lab(page, lab, NOTEBOOK)
    run_all(page)
    connect = page.locator(".ops-connect")
    expect(connect).to_be_visible()
    page.locator(".ops-environment select").select_option("sandbox")
    page.locator(".ops-client-id input").fill("ops-demo")
    if secret:
        page.locator(".ops-secret input").fill(secret)
    snap(page, f"{shot}-form", page.locator(".ops-status"))
    connect.click()
    link = page.locator(".ops-link a.ops-signin")
    expect(link).to_be_visible()
    return link


def consent(page: Any, link: Any, company_index: int, shot: str) -> Any:
    """Follow the sign-in link into a new tab, pick a company on the consent page and allow."""
    with page.context.expect_page() as opened:
        link.click()
    signin = opened.value
    companies = signin.locator("input[name='company_id']")
    companies.nth(company_index).check()
    snap(signin, f"{shot}-consent")
    signin.locator("#allow").click()
    signin.wait_for_load_state()
    return signin


def test_connect_picks_the_second_company_and_the_token_works_from_a_fresh_kernel(
        page: Any, lab: Server, workspace: Path) -> None:
    link = start_connecting(page, lab, "connect")
    consent(page, link, 1, "connect")
    status = page.locator(".ops-status")
    expect(status).to_contain_text(SECOND_COMPANY)
    expect(page.locator(".ops-message-area")).to_contain_text(f"Connected to {SECOND_COMPANY}")
    snap(page, "connect-connected", status)

    stored = json.loads((workspace / "config" / "tokens.json").read_text(encoding="utf-8"))
    assert [c["company_name"] for c in stored["connections"].values()] == [SECOND_COMPANY]
    # A scheduled run starts a kernel of its own and checks the stored connection against the service.
    run = subprocess.run([str(BIN / "ops"), "run", NOTEBOOK,
                          "--params", "params/connect.yaml", "--out", str(workspace / "runs")],
                         cwd=workspace, env=lab.env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    executed = next((workspace / "runs").rglob("00_connect.ipynb")).read_text(encoding="utf-8")
    assert SECOND_COMPANY in executed
    assert re.search(r"Checked against the service</th><td[^>]*>yes", executed), "the token was not checked"


def test_a_wrong_client_secret_shows_a_readable_error_and_never_the_secret(page: Any, lab: Server, sandbox: Server,
                                                                            workspace: Path) -> None:
    secret = "not-the-demo-secret-4711"
    tokens = workspace / "config" / "tokens.json"
    stored = tokens.read_bytes() if tokens.exists() else None
    link = start_connecting(page, lab, "wrong-secret", secret)
    status_before = page.locator(".ops-status").inner_text()
    expect(page.locator(".ops-secret input")).to_have_value("")
    signin = consent(page, link, 0, "wrong-secret")
    message = page.locator(".ops-message-area")
    expect(message).to_contain_text("rejected the client id or client secret (invalid_client)")
    expect(page.locator(".ops-link a.ops-signin")).to_have_count(0)  # that sign-in is spent
    snap(page, "wrong-secret-error", message)
    assert "Traceback" not in message.inner_text()
    for shown in (page, signin):
        assert secret not in shown.content()
    for log in (lab.log, sandbox.log):
        assert secret not in log.read_text(encoding="utf-8", errors="replace")
    # The failed attempt changes nothing: the status and the token store are as they were.
    assert page.locator(".ops-status").inner_text() == status_before
    assert (tokens.read_bytes() if tokens.exists() else None) == stored
