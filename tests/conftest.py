"""Shared fixtures: a clean environment and an in-process sandbox to talk to.

Every test runs with the suite's, proxy and credential environment
variables removed, so nothing can reach a real account or leave loopback.
"""

from __future__ import annotations

import base64
import csv
import difflib
import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connectors.tokens import TokenStore
from ops_lib.sandbox import Clock, SandboxConfig, create_app
from ops_lib.sandbox.inprocess import InProcessTransport
from ops_lib.sandbox.login import approve_consent as approve
from ops_lib.sandbox.login import consent_form
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR

BASE = "http://127.0.0.1:8765"
REDIRECT = "http://127.0.0.1:61234/callback"
DEMO_AUTH = ("ops-demo", "ops-demo-secret")
FULL_SCOPE = "ea:api ea:sales ea:accounting ea:purchase offline_access"
TODAY = date(2026, 6, 15)

# The suite's, proxy and credential variables: no test, and no server a test starts, inherits them.
CLEARED = re.compile(r"^(OPS_|VISMA_|EACCOUNTING_|HTTPS?_PROXY$|ALL_PROXY$|NO_PROXY$|CLIENT_SECRET)", re.I)


GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/ from what the code produces now, instead of comparing")


class Golden:
    """Compares what a person reads with its file in ``tests/golden/``; ``--update-goldens`` rewrites the file.

    Text is kept as UTF-8; bytes (an import file in the PM tool's own
    encoding) are kept as they are and shown decoded with ``encoding``.
    """

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, produced: str | bytes, encoding: str = "utf-8") -> None:
        data = produced.encode("utf-8") if isinstance(produced, str) else produced
        path = GOLDEN_DIR / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        assert path.is_file(), f"no golden file {path}; run the golden tests once with --update-goldens"
        expected = path.read_bytes()
        if data != expected:
            diff = "".join(difflib.unified_diff(
                expected.decode(encoding, "replace").splitlines(keepends=True),
                data.decode(encoding, "replace").splitlines(keepends=True), f"golden/{name}", "now", n=2))
            pytest.fail(f"{name} differs from its golden file; if the change is meant, rerun with --update-goldens "
                        f"and commit the file:\n{diff[:6000] or 'only line ends or bytes differ'}", pytrace=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-goldens")))


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No real credentials, proxies or config: tokens go to a fresh temporary directory, in a file."""
    for name in list(os.environ):
        if CLEARED.match(name):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPS_CONFIG_DIR", str(tmp_path_factory.mktemp("ops-config")))
    monkeypatch.setenv("OPS_TOKEN_BACKEND", "file")


@pytest.fixture(autouse=True)
def _fresh_demo_sandbox() -> Iterator[None]:
    """Each test that reads ``demo-sandbox`` starts from the seeded world, whatever an earlier one wrote."""
    yield
    from ops_lib.connection.demo_sandbox import reset_shared_sandbox

    reset_shared_sandbox()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def connect_through(params: dict[str, Any], http: httpx.Client, transport: httpx.BaseTransport | None,
                    company_index: int = 0) -> Any:
    """Connect through the library's own flow, consenting with ``http``; return the settings."""
    from ops_lib.config.settings import connection_settings
    from ops_lib.connection.connect import start_connect

    settings = connection_settings(params)
    pending = start_connect(settings, use_catcher=False, transport=transport)
    pending.complete(approve(http, pending.url, company_index))
    return settings


def connect_over_socket(base_url: str, company_index: int = 0) -> Any:
    """Connect to a sandbox served on a socket (ServerThread); return the settings that reach it."""
    with httpx.Client() as http:
        return connect_through({"sandbox_url": base_url}, http, None, company_index)


class SandboxHarness:
    """One in-process sandbox plus the steps of the OAuth flow as plain HTTP."""

    def __init__(self, config: SandboxConfig, clock: Clock, factory: Any = create_app) -> None:
        self.app = factory(config, clock)
        self.clock = clock
        self.transport = InProcessTransport(self.app)
        self.http = httpx.Client(base_url=BASE, transport=self.transport)

    @property
    def sandbox(self) -> Any:
        return self.app.state.sandbox

    def authorize(self, scope: str = FULL_SCOPE, **extra: str) -> httpx.Response:
        verifier, challenge = pkce_pair()
        self.last_verifier = verifier
        params = {
            "client_id": "ops-demo", "redirect_uri": REDIRECT, "response_type": "code", "scope": scope,
            "state": "st-123", "code_challenge": challenge, "code_challenge_method": "S256", **extra,
        }
        return self.http.get("/connect/authorize", params=params)

    def consent(self, page: httpx.Response, company_index: int = 0, decision: str = "allow") -> httpx.Response:
        form = consent_form(page.text, company_index, decision)
        assert form is not None, "the consent page lacks its form"
        return self.http.post("/connect/authorize/consent", data=form)

    def exchange(self, redirect: httpx.Response, verifier: str | None = None) -> httpx.Response:
        query = parse_qs(urlsplit(redirect.headers["location"]).query)
        return self.http.post("/connect/token", auth=DEMO_AUTH, data={
            "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT,
            "code_verifier": verifier or self.last_verifier,
        })

    def login(self, scope: str = FULL_SCOPE, company_index: int = 0) -> dict[str, Any]:
        """The whole flow through the consent page; returns the token response."""
        page = self.authorize(scope)
        answer = self.consent(page, company_index)
        token = self.exchange(answer)
        assert token.status_code == 200, token.text
        return token.json()

    def api(self, token: dict[str, Any]) -> httpx.Client:
        return httpx.Client(base_url=f"{BASE}/v2/", transport=self.transport,
                            headers={"Authorization": f"Bearer {token['access_token']}"})

    def connect(self, company_index: int = 0, **params: Any) -> Any:
        """Connect through the library's own flow; return the settings that reach the connection."""
        return connect_through(params, self.http, self.transport, company_index)

    def close(self) -> None:
        self.http.close()
        self.transport.shutdown()
        self.sandbox.close()


@pytest.fixture
def make_sandbox() -> Iterator[Any]:
    """Factory for sandboxes with their own config; all are closed afterwards."""
    made: list[SandboxHarness] = []

    def make(**config: Any) -> SandboxHarness:
        config.setdefault("today", TODAY)
        harness = SandboxHarness(SandboxConfig(**config), Clock())
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def sandbox(make_sandbox: Any) -> SandboxHarness:
    return make_sandbox()


@pytest.fixture
def client(sandbox: SandboxHarness) -> Iterator[Any]:
    """The suite's typed eAccounting client for the first company, connected through the library's own flow."""
    from ops_lib.connection.connect import open_client

    with open_client(sandbox.connect(), transport=sandbox.transport) as connected:
        yield connected


@pytest.fixture
def api(sandbox: SandboxHarness) -> Iterator[httpx.Client]:
    """An API client for the first company with every scope."""
    with sandbox.api(sandbox.login()) as client:
        yield client


# -- helpers several test modules use ------------------------------------------

# Read-only reference material (the published swagger, research notes) beside the checkout, as in CI.
SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def shared_reference(name: str) -> Path:
    """The reference file ``name`` from ``../shared/reference``; skips the test when it is not there."""
    path = SHARED_REFERENCE / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {SHARED_REFERENCE} (the shared reference folder beside this checkout)")
    return path


def planted_differences(register: str | None = None) -> list[dict[str, str]]:
    """The rows of the demo export's ``planted_differences.csv`` (of one register, when given)."""
    with (PM_EXPORT_DIR / "planted_differences.csv").open(encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if register is None or row["register"] == register]


def find(widget: Any, dom_class: str) -> Any:
    """The widget inside ``widget`` carrying ``dom_class``."""
    if dom_class in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, dom_class)
        if found is not None:
            return found
    return None


def wait_for(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def age_stored_token(settings: ConnectionSettings) -> None:
    """Make the stored access token look expired, as it would an hour later."""
    store = TokenStore(settings.config_dir)
    (connection,) = store.connections()
    loaded = store.load(connection.key)
    assert loaded is not None
    store.save(loaded.with_token({**loaded.token, "expires_at": int(time.time()) - 5}))


API_WRITES = ("POST", "PUT")


class Crash(BaseException):
    """A process dying mid-run: not an error the sync may catch."""


class Recording(httpx.BaseTransport):
    """Passes requests through and records them; can crash or answer 503 at chosen API writes.

    ``crash_at``: the 1-based API write that kills the run, ``before`` it
    reaches the service or ``after`` the service has done it.
    ``unavailable``: API writes answered 503, as ``{n: "before"|"after"}``.
    """

    def __init__(self, inner: httpx.BaseTransport, crash_at: int = 0, when: str = "after",
                 unavailable: dict[int, str] | None = None) -> None:
        self.inner, self.crash_at, self.when = inner, crash_at, when
        self.unavailable = unavailable or {}
        self.requests: list[httpx.Request] = []
        self.writes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        is_write = request.method in API_WRITES and request.url.path.startswith("/v2/")
        if is_write:
            self.writes += 1
            if self.writes == self.crash_at:
                if self.when == "after":
                    self.inner.handle_request(request).read()
                raise Crash(f"killed at write {self.writes}")
            if self.writes in self.unavailable:
                if self.unavailable[self.writes] == "after":
                    self.inner.handle_request(request).read()
                return httpx.Response(503, json={"ErrorCode": 5000, "DeveloperErrorMessage": "Service unavailable"},
                                      request=request)
        self.requests.append(request)
        return self.inner.handle_request(request)

    def api(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == f"/v2/{path}"]

    def write_count(self) -> int:
        return sum(1 for r in self.requests if r.method in API_WRITES and r.url.path.startswith("/v2/"))


def no_wait(_: float) -> None:
    return None
