"""A Visma.net company in JupyterLab: connected through ``00_connect`` as a service integration, mapped in ``10_mappings``.

The Visma.net sandbox runs as its own process beside the eAccounting one,
with a service client whose secret only the secrets file the scenario
writes holds. The notebooks get their parameters as ``ops run`` gives
them (papermill's injected cell): ``system: vismanet``, the company's
tenant id and the sandbox's address; ``10_mappings`` edits
``params/mappings_vismanet`` of the working copy. Both scenarios leave the shared token
store as they found it, so the eAccounting scenarios see only their own
connections, in whatever order the scenarios run.
"""

from __future__ import annotations

import csv
import json
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import papermill
import pytest
import yaml
from playwright.sync_api import expect

from ops_lib.sandbox.vismanet.config import COMPANY_TENANT
from ops_lib.sandbox.vismanet.seed import ACCOUNTS, INACTIVE_ACCOUNTS
from tests.browser.pages import choose, open_in_lab, run_all, snap
from tests.browser.secrets_file import add_secrets
from tests.browser.servers import BIN, Server, clean_environment, free_port, running
from tests.browser.vismanet_sandbox import SECRET_VARIABLE

CLIENT_ID = "ops-browser-service"
COMPANY = "Demo Sverige AB"  # the main branch of the sandbox's demo company
CATEGORY, INACTIVE, VALID = "Office supplies", "8999", "5410"  # 8999 is deactivated in the seeded chart
# The mapping folder users get is params/mappings_vismanet; until the repository has one, the scenario
# writes this small folder valid for the sandbox's seeded chart and VAT codes in its place (in the working copy).
MAPPINGS = "params/mappings_vismanet"
CATEGORIES = [
    {"category": "Bank fees", "account": "6570", "vat_code": "00", "vat_treatment": "domestic", "vat_rate": "exempt"},
    {"category": CATEGORY, "account": "6110", "vat_code": "", "vat_treatment": "domestic", "vat_rate": "standard"},
    {"category": "Phone", "account": "6212", "vat_code": "", "vat_treatment": "domestic", "vat_rate": "standard"},
    {"category": "Travel", "account": "5800", "vat_code": "", "vat_treatment": "domestic", "vat_rate": "standard"},
]
TAGS = [{"tag_group": "Avdelning", "tag": "*", "target": "Avdelning", "item": ""},
        {"tag_group": "Projekt", "tag": "*", "target": "Projekt", "item": ""}]
SETUP = {"voucher_series": "E", "card_contra_account": "1941", "out_of_pocket_account": "2829",
         "reimbursement_contra_account": "1930", "input_vat_account": "2641", "rounding_account": "3740"}

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_kernels", "token_store_restored")]


@pytest.fixture(scope="session")
def service_secret() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture(scope="session")
def vismanet_sandbox(home: Path, service_secret: str) -> Iterator[Server]:
    """The Visma.net sandbox as its own process, knowing the scenarios' service client."""
    port = free_port()
    with running("vismanet-sandbox", [sys.executable, str(Path(__file__).with_name("vismanet_sandbox.py")),
                                      str(port), CLIENT_ID], port, "/.well-known/openid-configuration",
                 clean_environment(HOME=home, **{SECRET_VARIABLE: service_secret})) as server:
        yield server


@pytest.fixture(scope="session")
def vismanet_notebooks(workspace: Path, vismanet_sandbox: Server, service_secret: str) -> dict[str, str]:
    """The secrets file with the client's secret, the mapping folder, and both notebooks with their parameters."""
    add_secrets(workspace, "vismanet", "sandbox", {CLIENT_ID: service_secret})
    folder = workspace / MAPPINGS
    if not folder.exists():
        folder.mkdir()
        write_csv(folder / "categories.csv", CATEGORIES)
        write_csv(folder / "tags.csv", TAGS)
        (folder / "accounts.yaml").write_text(yaml.safe_dump(SETUP), encoding="utf-8")
    connection = {"system": "vismanet", "sandbox_url": vismanet_sandbox.url, "tenant_id": COMPANY_TENANT}
    prepared = {}
    for name, parameters in (("00_connect", {**connection, "client_id": CLIENT_ID}),
                             ("10_mappings", {**connection, "target": "sandbox", "mapping_dir": str(folder)})):
        prepared[name] = f"notebooks/{name}-vismanet.ipynb"
        papermill.execute_notebook(str(workspace / "notebooks" / f"{name}.ipynb"), str(workspace / prepared[name]),
                                   parameters=parameters, prepare_only=True, progress_bar=False)
    return prepared


@pytest.fixture
def token_store_restored(workspace: Path) -> Iterator[None]:
    """The token store after a scenario is the one before it: the Visma.net connection is this module's alone."""
    tokens = workspace / "config" / "tokens.json"
    before = tokens.read_bytes() if tokens.exists() else None
    yield
    if before is None:
        tokens.unlink(missing_ok=True)
    else:
        tokens.write_bytes(before)


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def categories(folder: Path) -> dict[str, str]:
    with (folder / "categories.csv").open(encoding="utf-8", newline="") as f:
        return {r["category"]: r["account"] for r in csv.DictReader(f)}


def stored_companies(workspace: Path) -> list[tuple[str, str]]:
    tokens = workspace / "config" / "tokens.json"
    stored = json.loads(tokens.read_text(encoding="utf-8")) if tokens.exists() else {}
    return [(c["system"], c["company_name"]) for c in (stored or {}).get("connections", {}).values()]


def test_connect_a_visma_net_company_as_a_service_integration(
        page: Any, lab: Server, vismanet_sandbox: Server, vismanet_notebooks: dict[str, str], workspace: Path,
        service_secret: str) -> None:
    assert ("vismanet", COMPANY) not in stored_companies(workspace)
    open_in_lab(page, lab, vismanet_notebooks["00_connect"])
    run_all(page)
    connect = page.locator(".ops-connect")
    expect(connect).to_be_visible()
    expect(page.locator(".ops-client-id input")).to_have_value(CLIENT_ID)
    expect(page.locator(".ops-tenant input")).to_have_value(COMPANY_TENANT)
    # No sign-in page: no company to pick there, and no address to paste back.
    expect(page.locator(".ops-force-select")).to_have_count(0)
    expect(page.locator(".ops-paste")).to_have_count(0)
    snap(page, "vismanet-connect-form", page.locator(".ops-status"))
    connect.click()  # the secret is in no field: the secrets file holds it
    status = page.locator(".ops-status")
    expect(page.locator(".ops-message-area")).to_contain_text(f"Connected to {COMPANY}")
    expect(status).to_contain_text(COMPANY)
    expect(page.locator(".ops-link a.ops-signin")).to_have_count(0)
    snap(page, "vismanet-connect-connected", status)
    assert ("vismanet", COMPANY) in stored_companies(workspace)
    assert service_secret not in page.content()
    for log in (lab.log, vismanet_sandbox.log):
        assert service_secret not in log.read_text(encoding="utf-8", errors="replace")


def test_map_a_category_of_a_visma_net_company(page: Any, lab: Server, vismanet_notebooks: dict[str, str],
                                               vismanet_sandbox: Server, workspace: Path) -> None:
    connected = subprocess.run([str(BIN / "ops"), "connect", "--system", "vismanet", "--env", "sandbox",
                                "--client-id", CLIENT_ID, "--tenant-id", COMPANY_TENANT,
                                "--sandbox-url", vismanet_sandbox.url],
                               cwd=workspace, env=lab.env, capture_output=True, text=True, timeout=60)
    assert connected.returncode == 0, connected.stdout + connected.stderr
    folder = workspace / MAPPINGS
    before = categories(folder)
    assert before[CATEGORY] not in (INACTIVE, VALID)
    open_in_lab(page, lab, vismanet_notebooks["10_mappings"])
    run_all(page)
    expect(page.get_by_text(re.compile(r"^Every mapping is valid"))).to_be_visible()  # against the live chart
    rows = page.locator(".ops-category-row")
    expect(rows).to_have_count(len(before))
    names = [rows.nth(i).locator(".ops-category-name input").input_value() for i in range(len(before))]
    row = rows.nth(names.index(CATEGORY))
    status = row.locator(".ops-row-status")
    expect(status).to_contain_class("ops-row-ok")
    # The account dropdown lists the live chart of the Visma.net company, the inactive account marked.
    account = row.locator(".ops-category-account select")
    expect(account.locator("option")).to_have_count(len(ACCOUNTS))
    assert INACTIVE in INACTIVE_ACCOUNTS
    assert choose(account, f"{INACTIVE} ", at_start=True).endswith("(inactive)")
    expect(status).to_contain_class("ops-row-problem")
    choose(account, f"{VALID} ", at_start=True)
    expect(status).to_contain_class("ops-row-ok")
    page.locator(".ops-save").click()
    expect(page.locator(".ops-message-area").last).to_have_text(re.compile(r"^Saved .*categories\.csv"))
    snap(page, "vismanet-mappings-saved", row)
    assert categories(folder) == {**before, CATEGORY: VALID}
