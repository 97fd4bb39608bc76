"""Fixtures for the browser scenarios: a working copy, the sandbox, JupyterLab, Voilà and headless Chromium.

Everything is started once per test session on 127.0.0.1, with random
ports and a random Jupyter token, against a temporary copy of
``notebooks/`` and ``params/`` (so nothing a scenario saves touches the
repository), and everything is stopped at the end, failed tests included.
Jupyter, IPython and Chromium keep their state in a temporary home, and
the kernels get their own token store and the sandbox's address.

Chromium is Debian's ``/usr/bin/chromium``; Playwright never downloads a
browser of its own (``make test`` installs the package when it is missing).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.servers import ARTIFACTS, BIN, Server, clean_environment, free_port, running

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
    # Nothing but loopback resolves: no stray traffic, and Voilà's CDN stylesheet fails at once instead of late.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
LAB_SETTINGS = {
    # No "get notified about Jupyter news?" toast over the forms, and no autosave into the notebook under test.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}
LOOPBACK = ("http://127.0.0.1:", "http://localhost:")
# Assertions wait for the kernel's answer; on a busy 2-core machine that can take longer than Playwright's 5 s.
expect.set_options(timeout=30_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """Keep each phase's report on the item, so the page fixture knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home for Jupyter, IPython, JupyterLab's settings and Chromium, outside the user's own.

    The screenshots and server logs of an earlier run are cleared here, so that what
    ``test-artifacts/browser/`` holds is this run's.
    """
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    folder = tmp_path_factory.mktemp("browser-home")
    for relative, body in LAB_SETTINGS.items():
        path = folder / "lab-settings" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working copy laid out like the repository: the notebooks, params and the demo export they read."""
    folder = tmp_path_factory.mktemp("browser-work")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "params", folder / "params")
    shutil.copytree(ROOT / "ops_lib" / "sandbox" / "pm_export", folder / "ops_lib" / "sandbox" / "pm_export",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "config").mkdir(mode=0o700)
    return folder


def server_environment(home: Path, workspace: Path, sandbox: Server) -> dict[str, str]:
    """What the Jupyter servers and their kernels run with: the temporary home, token store and sandbox."""
    return clean_environment(
        HOME=home, JUPYTER_CONFIG_DIR=home / "jupyter-config", JUPYTER_DATA_DIR=home / "jupyter-data",
        JUPYTER_RUNTIME_DIR=home / "jupyter-runtime", IPYTHONDIR=home / "ipython",
        JUPYTERLAB_SETTINGS_DIR=home / "lab-settings", JUPYTERLAB_WORKSPACES_DIR=home / "lab-workspaces",
        XDG_CONFIG_HOME=home / "xdg-config", XDG_CACHE_HOME=home / "xdg-cache",
        PATH=f"{BIN}:{os.environ['PATH']}",
        OPS_CONFIG_DIR=workspace / "config", OPS_TOKEN_BACKEND="file", OPS_SANDBOX_URL=sandbox.url,
    )


@pytest.fixture(scope="session")
def sandbox(home: Path) -> Iterator[Server]:
    """The eAccounting sandbox as its own process, with the consent page a person answers."""
    port = free_port()
    with running("sandbox", [str(BIN / "ops"), "sandbox", "--port", str(port)], port,
                 "/.well-known/openid-configuration", clean_environment(HOME=home)) as server:
        yield server


@pytest.fixture(scope="session")
def lab(home: Path, workspace: Path, sandbox: Server) -> Iterator[Server]:
    """JupyterLab serving the working copy, behind a random token."""
    port, token = free_port(), secrets.token_urlsafe(24)
    with running("jupyterlab", [
        str(BIN / "jupyter-lab"), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--port-retries=0", f"--IdentityProvider.token={token}", "--ServerApp.password=",
        f"--ServerApp.root_dir={workspace}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ], port, "/api", server_environment(home, workspace, sandbox), token) as server:
        yield server


@pytest.fixture(scope="session")
def voila(home: Path, workspace: Path, sandbox: Server) -> Iterator[Server]:
    """Voilà serving the working copy's notebooks as apps: no code cells, a fresh kernel per page."""
    port, token = free_port(), secrets.token_urlsafe(24)
    with running("voila", [
        str(BIN / "voila"), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", f"--token={token}",
        f"--Voila.root_dir={workspace}",
    ], port, "/", server_environment(home, workspace, sandbox), token) as server:
        yield server


@pytest.fixture(scope="session")
def browser(home: Path) -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package "
                    "(apt-get install chromium); Playwright's own browser download is not used")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                              env=clean_environment(HOME=home, XDG_CONFIG_HOME=home / "xdg-config",
                                                                    XDG_CACHE_HOME=home / "xdg-cache"))
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser profile for one scenario; only loopback may be reached.

    When the scenario fails, every page still open is saved as a screenshot first.
    """
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.route(lambda url: not url.startswith(LOOPBACK), lambda route: route.abort())
    ctx.set_default_timeout(60_000)
    yield ctx
    try:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            for n, page in enumerate(ctx.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failed-{n}.png"))
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def fresh_kernels(lab: Server) -> Iterator[None]:
    """JupyterLab keeps a notebook's kernel after its page closes: each scenario starts and ends without any."""
    shutdown_sessions(lab)
    yield
    shutdown_sessions(lab)


def shutdown_sessions(lab: Server) -> None:
    """Close every notebook session and stop every kernel, with or without a session."""
    for session in json.loads(lab.request("GET", "/api/sessions")):
        lab.request("DELETE", f"/api/sessions/{session['id']}")
    for kernel in json.loads(lab.request("GET", "/api/kernels")):
        lab.request("DELETE", f"/api/kernels/{kernel['id']}")
    deadline = time.monotonic() + 15
    while kernels := json.loads(lab.request("GET", "/api/kernels")):
        assert time.monotonic() < deadline, f"kernels still running: {kernels}"
        time.sleep(0.1)
