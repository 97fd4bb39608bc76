"""A client generated from the vendor's OpenAPI, at test time, works against the Visma.net sandbox.

openapi-python-client writes the client into ``tmp_path`` from
``vismanet-swagger.json``; nothing generated is committed or edited. It
talks to the sandbox over a real loopback socket, through the validating
transport, so its answers are checked against the spec as well.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from ops_lib.sandbox.vismanet import COMPANY_TENANT
from ops_lib.sandbox.vismanet.server import VismaNetServerThread
from tests.conftest import shared_reference
from tests.sandbox.vismanet.harness import DEMO_AUTH, ValidatingTransport

PACKAGE = "vismanet_generated_client"


def _generate(spec: Path, into: Path) -> None:
    command = [str(Path(sys.executable).with_name("openapi-python-client")), "generate", "--path", str(spec),
               "--meta", "none", "--output-path", str(into / PACKAGE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0 or not (into / PACKAGE / "client.py").is_file():
        pytest.skip(f"openapi-python-client could not generate a client from the spec: {done.stderr[-500:]}")


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Any]:
    _generate(shared_reference("vismanet-swagger.json"), tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.mark.slow
def test_a_generated_client_lists_the_registers_and_books_a_journal(generated: Any) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.account.account_get_all")
    suppliers = importlib.import_module(f"{PACKAGE}.api.supplier.supplier_get_all")
    vat = importlib.import_module(f"{PACKAGE}.api.vat.vat_get_all_vats")
    post = importlib.import_module(f"{PACKAGE}.api.journal_transaction_v2.journal_transaction_v2_post")
    models = importlib.import_module(f"{PACKAGE}.models")
    with VismaNetServerThread() as server:
        token = httpx.post(f"{server.base_url}/connect/token", auth=DEMO_AUTH, data={
            "grant_type": "client_credentials", "tenant_id": COMPANY_TENANT}).json()
        transport = ValidatingTransport(httpx.HTTPTransport(), owns_inner=True)
        client = generated.AuthenticatedClient(base_url=server.base_url, token=token["access_token"],
                                               httpx_args={"transport": transport})
        with client:
            accounts = api.sync(client=client)
            assert {"1930", "1941", "2641"} <= {a.account_cd for a in accounts}
            assert "Pleo standardleverantör" in {s.name for s in suppliers.sync(client=client)}
            assert {"10", "20"} <= {v.vat_id for v in vat.sync(client=client)}
            body = models.JournalTransactionUpdateDto.from_dict({
                "transactionDate": {"value": f"{date.today().isoformat()}T00:00:00"},
                "description": {"value": "Generated client"},
                "journalTransactionLines": [
                    {"operation": "Insert", "accountNumber": {"value": "6540"}, "vatCodeId": {"value": "10"},
                     "debitAmountInCurrency": {"value": 100.0}},
                    {"operation": "Insert", "accountNumber": {"value": "1941"},
                     "creditAmountInCurrency": {"value": 100.0}}]})
            answer = post.sync_detailed(client=client, body=body)
            assert answer.status_code == 201
            location = answer.headers["location"]
            assert location.startswith(server.base_url)
            booked = client.get_httpx_client().get(location).json()
        assert booked["status"] == "Balanced" and booked["description"] == "Generated client"
        assert transport.validated >= 5
