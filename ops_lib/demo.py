"""The demo job: sign in to the sandbox, read its registers, set them beside the export.

``make demo`` runs :func:`run_demo`. It serves the sandbox on a free
loopback port, signs in with the authorization-code flow and PKCE (the
sandbox consents automatically), reads customers, articles and projects
page by page, counts how their numbers line up with the demo
project-management export, and then executes the tour notebook against the
same sandbox with papermill, leaving the executed notebook under
``build/demo/``. Full reconciliation by number and name comes with the
reconciliation notebook; this is the first look.
"""

from __future__ import annotations

import contextlib
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, TextIO

import httpx
import pandas as pd

from .sandbox import SandboxConfig, create_app
from .sandbox.inprocess import InProcessTransport
from .sandbox.login import login_with_auto_consent
from .sandbox.pm_export import ENCODING, PM_EXPORT_DIR
from .sandbox.server import ServerThread

# register -> (API path, number field, export file)
REGISTERS = {
    "customers": ("customers", "CustomerNumber", "customers.csv"),
    "products": ("articles", "Number", "products.csv"),
    "projects": ("projects", "Number", "projects.csv"),
}
TOUR_NOTEBOOK = Path("notebooks/00_sandbox_tour.ipynb")
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


def iter_pages(client: httpx.Client, path: str, page_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Every record of a ``{Meta, Data}`` list, following ``$page`` to the end."""
    page = 1
    while True:
        response = client.get(path, params={"$page": page, "$pagesize": page_size})
        response.raise_for_status()
        body = response.json()
        yield from body["Data"]
        if page >= body["Meta"]["TotalNumberOfPages"]:
            return
        page += 1


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
    own_transport = None
    if not base_url:
        own_transport = transport = InProcessTransport(create_app(SandboxConfig(auto_consent=True)))
        base_url = IN_PROCESS_BASE
    try:
        token = login_with_auto_consent(base_url, transport=transport)
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        with httpx.Client(base_url=f"{base_url.rstrip('/')}/v2/", headers=headers, transport=transport) as api:
            settings = api.get("companysettings").raise_for_status().json()
            rows = []
            for register, (path, number_field, export_file) in REGISTERS.items():
                ours = {str(r[number_field]) for r in iter_pages(api, path)}
                theirs = export_numbers(export_dir / export_file)
                unique_theirs = set(theirs)
                rows.append({
                    "register": register, "in_eaccounting": len(ours), "export_rows": len(theirs),
                    "numbers_in_both": len(ours & unique_theirs),
                    "only_in_eaccounting": len(ours - unique_theirs),
                    "only_in_export": len(unique_theirs - ours),
                    "repeated_in_export": len(theirs) - len(unique_theirs),
                })
        return Tour(settings["Name"], settings["CorporateIdentityNumber"], token.get("scope", ""),
                    int(token.get("expires_in", 0)), pd.DataFrame(rows))
    finally:
        if own_transport is not None:
            own_transport.shutdown()


def run_demo(out_dir: Path = Path("build/demo"), notebook: Path = TOUR_NOTEBOOK, out: TextIO = sys.stdout) -> int:
    """Serve the sandbox, run the tour in Python and as a notebook; return an exit code."""
    with ServerThread(SandboxConfig(auto_consent=True)) as server:
        out.write(f"Sandbox running at {server.base_url} (sandbox data only, no real company).\n\n")
        result = tour(server.base_url)
        out.write(result.describe() + "\n\n")
        if notebook.exists():
            import papermill

            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / notebook.name
            papermill.execute_notebook(
                str(notebook), str(target), parameters={"sandbox_url": server.base_url},
                progress_bar=False, kernel_name="python3", cwd=str(notebook.parent),
            )
            out.write(f"Executed notebook: {target}\n")
        else:
            out.write(f"(No {notebook} here: run from the repository root to execute the tour notebook.)\n")
        out.flush()
    return 0


@contextlib.contextmanager
def demo_client() -> Iterator[Any]:
    """A typed client on a private in-process sandbox (the first demo company).

    For notebooks' defaults: runs anywhere, touches no stored connection,
    and holds its tokens in a temporary directory that is removed after.
    """
    import tempfile

    from .connection import open_client
    from .settings import connection_settings
    from .tokens import StoredConnection, TokenStore

    transport = InProcessTransport(create_app(SandboxConfig(auto_consent=True)))
    try:
        with tempfile.TemporaryDirectory() as config_dir:
            token = login_with_auto_consent(IN_PROCESS_BASE, transport=transport)
            settings = connection_settings({"sandbox_url": IN_PROCESS_BASE, "config_dir": config_dir,
                                            "token_backend": "file"})
            TokenStore(settings.config_dir).save(StoredConnection(
                "eaccounting", "sandbox", "demo", "Demo company (in-process sandbox)", "ops-demo",
                str(token.get("scope", "")), 0.0, {**token, "expires_at": time.time() + int(token["expires_in"])}))
            with open_client(settings, transport=transport) as client:
                yield client
    finally:
        transport.shutdown()
