"""The demo world: a first look at the sandbox, and sandbox clients for notebooks and tests.

:func:`tour` signs in to the sandbox with the authorization-code flow and
PKCE (the sandbox consents automatically), reads customers, articles and
projects page by page, and counts how their numbers line up with the demo
project-management export: what ``00_sandbox_tour.ipynb`` shows.
:func:`demo_client` and :func:`shared_sandbox` give notebooks and tests a
signed-in client without touching any stored connection. The end-to-end
``make demo`` job is :mod:`ops_lib.demo.job`.
"""

from __future__ import annotations

import contextlib
import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pandas as pd

from ops_lib.sandbox import SandboxConfig, create_app
from ops_lib.sandbox.inprocess import InProcessTransport
from ops_lib.sandbox.login import login_with_auto_consent
from ops_lib.sandbox.pm_export import ENCODING, PM_EXPORT_DIR
from ops_lib.systems.eaccounting.registers import read_register

REGISTERS = ("customers", "products", "projects")
IN_PROCESS_BASE = "http://127.0.0.1:8765"


@dataclass(frozen=True)
class Tour:
    """What the demo saw: the company it was granted and how the registers line up."""

    company_name: str
    org_number: str
    granted_scopes: str
    expires_in: int
    registers: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per register: counts on each side and of numbers in both."""
        return self.registers

    def describe(self) -> str:
        lines = [
            f"Company: {self.company_name} ({self.org_number})",
            f"Granted scopes: {self.granted_scopes}",
            f"Access token lifetime: {self.expires_in} s",
            "",
            self.registers.to_string(index=False),
        ]
        return "\n".join(lines)


def export_numbers(path: Path) -> list[str]:
    """The first column of a semicolon-separated Windows-1252 export, as written."""
    with path.open(encoding=ENCODING, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return [row[0].strip() for row in rows[1:] if row]


def tour(base_url: str | None = None, export_dir: Path = PM_EXPORT_DIR,
         transport: httpx.BaseTransport | None = None) -> Tour:
    """Sign in and compare register numbers with the demo export.

    Parameters
    ----------
    base_url:
        A running sandbox (``ops sandbox --auto-consent``); empty or None
        runs one in-process for the duration of the call.
    export_dir:
        Folder of the project-management export.
    transport:
        An httpx transport to reach the sandbox through (tests).
    """
    with demo_client(base_url, transport) as client:
        company = client.company_settings()
        connection = client.session.connection
        rows = []
        for register in REGISTERS:
            ours = set(read_register(client, register)["number"])
            theirs = export_numbers(export_dir / f"{register}.csv")
            unique_theirs = set(theirs)
            rows.append({
                "register": register, "in_eaccounting": len(ours), "export_rows": len(theirs),
                "numbers_in_both": len(ours & unique_theirs),
                "only_in_eaccounting": len(ours - unique_theirs),
                "only_in_export": len(unique_theirs - ours),
                "repeated_in_export": len(theirs) - len(unique_theirs),
            })
    return Tour(company.name, company.org_number, connection.scope, int(connection.token.get("expires_in", 0)),
                pd.DataFrame(rows))


_SHARED: dict[str, Any] = {}


def shared_sandbox() -> tuple[InProcessTransport, Path]:
    """The process's own in-process sandbox for ``demo-sandbox`` sources, and a state folder that lives as long.

    One per process, so what a sync writes there, the next read in the
    same kernel sees; the state database beside it (journal, cache) goes
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

    from ops_lib.systems.connect import open_client

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
    from ops_lib.connectors.oauth import with_expiry
    from ops_lib.connectors.tokens import StoredConnection, TokenStore
    from ops_lib.systems.connect import open_client

    token = with_expiry(login_with_auto_consent(base_url, transport=transport))
    settings = connection_settings({"sandbox_url": base_url, "config_dir": str(config_dir), "token_backend": "file"})
    store = TokenStore(settings.config_dir)
    provisional = StoredConnection("eaccounting", "sandbox", "demo", "Demo company (sandbox)", "ops-demo",
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
