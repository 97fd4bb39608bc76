"""The process's own sandbox, and demo clients signed in to a sandbox without any stored connection.

A ``demo-sandbox`` source (:mod:`ops_lib.sources.open`) reads from the
shared in-process sandbox; notebooks and tests use :func:`demo_client`.
Tokens live in a temporary directory, so no stored connection is touched.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Iterator

import httpx

from ops_lib.sandbox import SandboxConfig, create_app
from ops_lib.sandbox.inprocess import InProcessTransport
from ops_lib.sandbox.login import login_with_auto_consent

IN_PROCESS_BASE = "http://127.0.0.1:8765"
# The system whose sandbox this is; a ``demo-sandbox`` source for another system is refused, not served by it.
DEMO_SYSTEM = "eaccounting"

_SHARED: dict[str, Any] = {}


def shared_sandbox() -> tuple[InProcessTransport, Path]:
    """The process's own in-process sandbox for ``demo-sandbox`` sources, and a state folder that lives as long.

    One per process, so what a sync writes there, the next read in the
    same kernel sees; the state database beside it (operations log, cache) goes
    with it, because ids in it mean nothing to another sandbox.
    """
    if "transport" not in _SHARED:
        import atexit
        import tempfile

        _SHARED["transport"] = InProcessTransport(create_app(SandboxConfig(auto_consent=True)))
        _SHARED["state"] = Path(tempfile.mkdtemp(prefix="ops-demo-state-"))
        atexit.register(reset_shared_sandbox)
    return _SHARED["transport"], _SHARED["state"]


def reset_shared_sandbox() -> None:
    """Stop the shared demo sandbox and drop its state (the next use starts a fresh one)."""
    import shutil

    transport = _SHARED.pop("transport", None)
    state = _SHARED.pop("state", None)
    if transport is not None:
        transport.shutdown()
    if state is not None:
        shutil.rmtree(state, ignore_errors=True)


@contextlib.contextmanager
def demo_client(base_url: str | None = None, transport: httpx.BaseTransport | None = None, *,
                shared: bool = False) -> Iterator[Any]:
    """A typed client on an auto-consenting sandbox (the first demo company).

    ``base_url`` names a running sandbox (``ops sandbox --auto-consent``);
    empty or None runs a private one in-process, or with ``shared`` the
    process's own (:func:`shared_sandbox`). Either way no stored
    connection is touched: the tokens live in a temporary directory that
    is removed afterwards.
    """
    import tempfile

    from ops_lib.connection.connect import open_client

    own_transport = None
    if not base_url and shared:
        transport, _ = shared_sandbox()
        base_url = IN_PROCESS_BASE
    elif not base_url:
        own_transport = transport = InProcessTransport(create_app(SandboxConfig(auto_consent=True)))
        base_url = IN_PROCESS_BASE
    try:
        with tempfile.TemporaryDirectory() as config_dir:
            settings = store_sandbox_connection(base_url, Path(config_dir), transport)
            with open_client(settings, transport=transport) as client:
                yield client
    finally:
        if own_transport is not None:
            own_transport.shutdown()


def store_sandbox_connection(base_url: str, config_dir: Path, transport: httpx.BaseTransport | None = None, *,
                             named: bool = False) -> Any:
    """Sign in to an auto-consenting sandbox and store the connection in ``config_dir``; return its settings.

    This is what ``00_connect.ipynb`` leaves behind after a person passes
    the consent page, done without one (the sandbox consents by itself).
    ``named`` stores it under the company's own number and name, as a
    real connection is (one request more).
    """
    from dataclasses import replace

    from ops_lib.config.settings import connection_settings
    from ops_lib.connection.connect import open_client
    from ops_lib.connectors.oauth import with_expiry
    from ops_lib.connectors.tokens import StoredConnection, TokenStore

    token = with_expiry(login_with_auto_consent(base_url, transport=transport))
    settings = connection_settings({"sandbox_url": base_url, "config_dir": str(config_dir), "token_backend": "file"})
    store = TokenStore(settings.config_dir)
    provisional = StoredConnection(DEMO_SYSTEM, "sandbox", "demo", "Demo company (sandbox)", "ops-demo",
                                   str(token.get("scope", "")), time.time(), token)
    store.save(provisional)
    if not named:
        return settings
    with open_client(settings, transport=transport) as client:
        company = client.company_settings()
    connection = store.load(provisional.key) or provisional  # the token as the client left it
    store.delete(provisional.key)
    store.save(replace(connection, company_key=company.org_number, company_name=company.name))
    return settings
