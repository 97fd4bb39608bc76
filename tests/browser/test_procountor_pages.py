"""A Procountor company in JupyterLab: connected through ``00_connect`` machine to machine, mapped in ``10_mappings``.

The Procountor sandbox runs as its own process beside the eAccounting one,
with an API client whose secret and API key only the secrets file the
scenario writes holds: nothing in the params, nothing typed into the form.
The key chooses the company (it belongs to one user in one company), so the
form asks for no tenant, no company and no pasted address. The notebooks
get their parameters as ``ops run`` gives them (papermill's injected cell);
``10_mappings`` edits mapping tables the scenario writes into the working copy.
Both scenarios leave the shared token store as they found it, so the other
systems' scenarios see only their own connections.
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

from ops_lib.sandbox.procountor.config import COMPANY_NAME
from ops_lib.sandbox.procountor.seed import CHART, INACTIVE_ACCOUNTS
from tests.browser.pages import choose, open_in_lab, run_all, snap
from tests.browser.procountor_sandbox import API_KEY_VARIABLE, SECRET_VARIABLE
from tests.browser.secrets_file import add_secrets
from tests.browser.servers import BIN, Server, clean_environment, free_port, running

CLIENT_ID = "ops-browser-m2m"
# The scenario's own small tables, valid for the sandbox's seeded chart, VAT statuses and dimensions, written
# into the working copy: what it proves is the editor, not the demo's tables (``make demo`` checks those).
MAPPINGS = "params/mappings_procountor_browser"
# 7999 is closed in the seeded chart; 7680 (software) takes the same domestic standard-rate VAT as 7700.
CATEGORY, INACTIVE, VALID = "Office supplies", "7999", "7680"
CATEGORIES = [
    {"category": "Bank fees", "account": "7790", "vat_code": "12:0", "vat_treatment": "domestic", "vat_rate": "exempt"},
    {"category": CATEGORY, "account": "7700", "vat_code": "1:25.5", "vat_treatment": "domestic",
     "vat_rate": "standard"},
    {"category": "Phone", "account": "7140", "vat_code": "1:25.5", "vat_treatment": "domestic", "vat_rate": "standard"},
]
TAGS = [{"tag_group": "Kustannuspaikka", "tag": "*", "target": "Kustannuspaikka", "item": ""},
        {"tag_group": "Projekti", "tag": "*", "target": "Projekti", "item": ""}]
SETUP = {"voucher_series": "J", "card_contra_account": "1940", "out_of_pocket_account": "2871",
         "reimbursement_contra_account": "1910"}

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_kernels", "procountor_token_store_restored")]


@pytest.fixture(scope="session")
def procountor_secrets() -> dict[str, str]:
    """The scenario client's secret and API key: known to the sandbox and the secrets file, nobody else."""
    return {"client_secret": secrets.token_urlsafe(24), "api_key": secrets.token_urlsafe(24)}


@pytest.fixture(scope="session")
def procountor_sandbox(home: Path, procountor_secrets: dict[str, str]) -> Iterator[Server]:
    """The Procountor sandbox as its own process, knowing the scenarios' API client and key."""
    port = free_port()
    env = clean_environment(HOME=home, **{SECRET_VARIABLE: procountor_secrets["client_secret"],
                                          API_KEY_VARIABLE: procountor_secrets["api_key"]})
    with running("procountor-sandbox", [sys.executable, str(Path(__file__).with_name("procountor_sandbox.py")),
                                        str(port), CLIENT_ID], port, "/_sandbox", env) as server:
        yield server


@pytest.fixture(scope="session")
def procountor_notebooks(workspace: Path, procountor_sandbox: Server,
                         procountor_secrets: dict[str, str]) -> dict[str, str]:
    """The secrets file with the client's secret and API key, and both notebooks with their parameters."""
    add_secrets(workspace, "procountor", "sandbox", {CLIENT_ID: dict(procountor_secrets)})
    folder = workspace / MAPPINGS
    folder.mkdir(exist_ok=True)
    write_csv(folder / "categories.csv", CATEGORIES)
    write_csv(folder / "tags.csv", TAGS)
    (folder / "accounts.yaml").write_text(yaml.safe_dump(SETUP), encoding="utf-8")
    connection = {"system": "procountor", "sandbox_url": procountor_sandbox.url}
    prepared = {}
    for name, parameters in (("00_connect", {**connection, "client_id": CLIENT_ID}),
                             ("10_mappings", {**connection, "target": "sandbox",
                                              "mapping_dir": str(workspace / MAPPINGS)})):
        prepared[name] = f"notebooks/{name}-procountor.ipynb"
        papermill.execute_notebook(str(workspace / "notebooks" / f"{name}.ipynb"), str(workspace / prepared[name]),
                                   parameters=parameters, prepare_only=True, progress_bar=False)
    return prepared


@pytest.fixture
def procountor_token_store_restored(workspace: Path) -> Iterator[None]:
    """The token store after a scenario is the one before it: the Procountor connection is this module's alone."""
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


def stored_companies(workspace: Path) -> list[tuple[str, str]]:
    tokens = workspace / "config" / "tokens.json"
    stored = json.loads(tokens.read_text(encoding="utf-8")) if tokens.exists() else {}
    return [(c["system"], c["company_name"]) for c in (stored or {}).get("connections", {}).values()]


def assert_secrets_kept(page: Any, logs: tuple[Path, ...], values: dict[str, str]) -> None:
    """Neither the client secret nor the API key shows in the page or in any server's log."""
    content = page.content()
    for name, value in values.items():
        assert value not in content, f"the page shows the {name}"
        for log in logs:
            assert value not in log.read_text(encoding="utf-8", errors="replace"), f"{log.name} holds the {name}"


def test_connect_a_procountor_company_machine_to_machine(
        page: Any, lab: Server, procountor_sandbox: Server, procountor_notebooks: dict[str, str], workspace: Path,
        procountor_secrets: dict[str, str]) -> None:
    assert ("procountor", COMPANY_NAME) not in stored_companies(workspace)
    open_in_lab(page, lab, procountor_notebooks["00_connect"])
    run_all(page)
    connect = page.locator(".ops-connect")
    expect(connect).to_be_visible()
    expect(page.locator(".ops-client-id input")).to_have_value(CLIENT_ID)
    # The API key picks the company: no tenant, no company picker, no sign-in page and no address to paste back.
    for absent in (".ops-tenant", ".ops-force-select", ".ops-paste", ".ops-finish"):
        expect(page.locator(absent)).to_have_count(0)
    # The form says where the API key comes from, by its variable, never its value.
    expect(page.locator(".ops-secret-sources")).to_contain_text("OPS_PROCOUNTOR_API_KEY")
    snap(page, "procountor-connect-form", page.locator(".ops-status"))
    connect.click()  # neither the secret nor the key is in a field: the secrets file holds both
    status = page.locator(".ops-status")
    expect(page.locator(".ops-message-area")).to_contain_text(f"Connected to {COMPANY_NAME}")
    expect(status).to_contain_text(COMPANY_NAME)
    expect(page.locator(".ops-link a.ops-signin")).to_have_count(0)
    snap(page, "procountor-connect-connected", status)
    assert ("procountor", COMPANY_NAME) in stored_companies(workspace)
    assert_secrets_kept(page, (lab.log, procountor_sandbox.log), procountor_secrets)


def test_a_wrong_api_key_is_refused_without_showing_it(
        page: Any, lab: Server, procountor_sandbox: Server, procountor_notebooks: dict[str, str], workspace: Path,
        procountor_secrets: dict[str, str]) -> None:
    wrong = secrets.token_urlsafe(24)
    add_secrets(workspace, "procountor", "sandbox", {CLIENT_ID: {**procountor_secrets, "api_key": wrong}})
    try:
        open_in_lab(page, lab, procountor_notebooks["00_connect"])
        run_all(page)
        page.locator(".ops-connect").click()
        message = page.locator(".ops-message-area")
        expect(message).to_contain_text("The identity server refused the request")
        expect(message).not_to_contain_text("Connected to")
        snap(page, "procountor-connect-refused", page.locator(".ops-message-area"))
        assert ("procountor", COMPANY_NAME) not in stored_companies(workspace)
        assert_secrets_kept(page, (lab.log, procountor_sandbox.log), {**procountor_secrets, "wrong api_key": wrong})
    finally:
        add_secrets(workspace, "procountor", "sandbox", {CLIENT_ID: dict(procountor_secrets)})


def categories(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "categories.csv").open(encoding="utf-8", newline="") as f:
        return {r["category"]: r for r in csv.DictReader(f)}


def connect_on_the_command_line(lab: Server, sandbox: Server, workspace: Path) -> None:
    """``ops connect --system procountor``, with the secret and the key from the secrets file."""
    connected = subprocess.run([str(BIN / "ops"), "connect", "--system", "procountor", "--env", "sandbox",
                                "--client-id", CLIENT_ID, "--sandbox-url", sandbox.url],
                               cwd=workspace, env=lab.env, capture_output=True, text=True, timeout=60)
    assert connected.returncode == 0, connected.stdout + connected.stderr


def test_map_a_category_of_a_procountor_company(page: Any, lab: Server, procountor_notebooks: dict[str, str],
                                                procountor_sandbox: Server, workspace: Path,
                                                procountor_secrets: dict[str, str]) -> None:
    connect_on_the_command_line(lab, procountor_sandbox, workspace)
    folder = workspace / MAPPINGS
    before = categories(folder)
    assert before[CATEGORY]["account"] not in (INACTIVE, VALID)
    open_in_lab(page, lab, procountor_notebooks["10_mappings"])
    run_all(page)
    expect(page.get_by_text(re.compile(r"^Every mapping is valid"))).to_be_visible()  # against the live chart
    rows = page.locator(".ops-category-row")
    expect(rows).to_have_count(len(before))
    names = [rows.nth(i).locator(".ops-category-name input").input_value() for i in range(len(before))]
    row = rows.nth(names.index(CATEGORY))
    status = row.locator(".ops-row-status")
    expect(status).to_contain_class("ops-row-ok")
    # The account dropdown lists the live chart of the Procountor company, the closed account marked.
    account = row.locator(".ops-category-account select")
    expect(account.locator("option")).to_have_count(len(CHART) + len(INACTIVE_ACCOUNTS))
    assert INACTIVE in {code for code, *_ in INACTIVE_ACCOUNTS}
    assert choose(account, f"{INACTIVE} ", at_start=True).endswith("(inactive)")
    expect(status).to_contain_class("ops-row-problem")
    choose(account, f"{VALID} ", at_start=True)
    expect(status).to_contain_class("ops-row-ok")
    page.locator(".ops-save").click()
    expect(page.locator(".ops-message-area").last).to_have_text(re.compile(r"^Saved .*categories\.csv"))
    snap(page, "procountor-mappings-saved", row)
    after = categories(folder)
    assert after == {**before, CATEGORY: {**before[CATEGORY], "account": VALID}}  # VAT status and rate kept
    assert_secrets_kept(page, (lab.log, procountor_sandbox.log), procountor_secrets)
