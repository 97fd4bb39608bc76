"""The demo world: a first look at the sandbox, and sandbox clients for notebooks and tests.

:func:`tour` signs in to the sandbox with the authorization-code flow and
PKCE (the sandbox consents automatically), reads customers, articles and
projects page by page, and counts how their numbers line up with the demo
project-management export: what ``00_sandbox_tour.ipynb`` shows.
:func:`~ops_lib.connection.demo_sandbox.demo_client` and
:func:`~ops_lib.connection.demo_sandbox.shared_sandbox` give notebooks and
tests a signed-in client without touching any stored connection. The end-to-end
``make demo`` job is :mod:`ops_lib.demo.job`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd

from ops_lib.connection.demo_sandbox import demo_client
from ops_lib.model.registers import REGISTERS
from ops_lib.sandbox.pm_export import ENCODING, PM_EXPORT_DIR
from ops_lib.systems.registry import get as get_system


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
        for register in (r for r in REGISTERS if (export_dir / f"{r}.csv").exists()):  # the PM tool's registers
            ours = set(get_system(client.system).read_register(client, register)["number"])
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
