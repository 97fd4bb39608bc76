"""A small in-process Visma.net, answering exactly as ``vismanet-swagger.json`` shapes its DTOs.

Only for the connector's unit tests while no part of them needs the full
sandbox (``ops_lib/sandbox/vismanet``): bare arrays with ``metadata`` on
each element, clamped page sizes, a journal list paged by lines, 201 with
a ``Location`` and an empty body, 204 on PUT, multipart attachments, error
bodies in the service's ``{"message": "VismaId: ..."}`` shape. It keeps
every request it saw in :attr:`FakeVismaNet.requests`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import httpx

from ops_lib.config.settings import ConnectionSettings
from ops_lib.connection.connect import open_client
from ops_lib.connectors.tokens import StoredConnection, TokenStore
from ops_lib.core.money import dumps, loads

BASE = "http://127.0.0.1:8765"
VISMA_ID = "3f1d9c2e-7a4b-4c8d-9e0f-1a2b3c4d5e6f"


def visma_error(text: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"message": f"VismaId: {VISMA_ID}. {text}\r\n"})


@dataclass
class FakeVismaNet:
    """The state of one fake company and the handler serving it."""

    max_page_size: int = 100
    journal_max_page_size: int = 3
    suppliers: list[dict[str, Any]] = field(default_factory=list)
    journals: dict[str, dict[str, Any]] = field(default_factory=dict)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    released: list[str] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    fail: Callable[[httpx.Request], httpx.Response | None] = lambda request: None

    def __post_init__(self) -> None:
        if not self.suppliers:
            self.suppliers = [supplier(n) for n in range(1, 251)]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        failed = self.fail(request)
        if failed is not None:
            return failed
        path, method = request.url.path, request.method
        if path == "/connect/token":
            return httpx.Response(200, json={"access_token": "fresh", "expires_in": 3600, "token_type": "Bearer",
                                             "scope": "vismanet_erp_service_api:read"})
        static = {"/v1/account": ACCOUNTS, "/v1/vat": VAT, "/v1/financialPeriod": PERIODS, "/v1/branch": BRANCHES,
                  "/v1/dimension": ["ACCOUNT", "SUBACCOUNT"], "/v1/dimension/SUBACCOUNT": SUBACCOUNT}
        if method == "GET" and path in static:
            return json_response(static[path])
        if path == "/v1/supplier" and method == "GET":
            return self.page(self.suppliers, request)
        if path.startswith("/v1/supplier/") and method == "GET":
            number = path.rsplit("/", 1)[-1]
            found = next((s for s in self.suppliers if s["number"] == number), None)
            return json_response(found) if found else visma_error("Supplier not found.", 404)
        if path == "/v2/journaltransaction":
            return self.post_journal(request) if method == "POST" else self.journal_page(request)
        if path.endswith("/attachment") and method == "POST":
            return self.attach(request)
        if path.endswith("/action/release"):
            self.released.append(path.split("/")[3])
            return json_response({"actionId": "9b2f", "actionResult": "Done"})
        if path.startswith("/v2/journaltransaction/") and method == "GET":
            return json_response(self.journals[path.rsplit("/", 1)[-1]])
        return visma_error("Not found.", 404)

    def page(self, items: list[dict[str, Any]], request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("pageNumber", 1))
        size = min(int(request.url.params.get("pageSize", self.max_page_size)), self.max_page_size)
        meta = {"totalCount": len(items), "maxPageSize": self.max_page_size}
        return json_response([{**i, "metadata": meta} for i in items[(number - 1) * size:number * size]])

    def post_journal(self, request: httpx.Request) -> httpx.Response:
        body = loads(request.content)
        lines = body["journalTransactionLines"]
        debit = sum((Decimal(str(x.get("debitAmountInCurrency", {}).get("value", 0))) for x in lines), Decimal(0))
        credit = sum((Decimal(str(x.get("creditAmountInCurrency", {}).get("value", 0))) for x in lines), Decimal(0))
        if not body.get("ledger") and not BRANCHES[0]["ledger"]:
            return visma_error("Error creating journal transaction. Error: 'Ledger' cannot be empty.")
        number = f"{len(self.journals) + 1:06d}"
        self.journals[number] = {
            "module": "ModuleGL", "batchNumber": number, "status": "Balanced" if debit == credit else "Hold",
            "hold": False, "transactionDate": body["transactionDate"]["value"], "financialPeriod": "202405",
            "description": body["description"]["value"], "debitTotal": debit, "creditTotal": credit,
            "journalTransactionLines": [
                {"lineNumber": i + 1, "accountNumber": x["accountNumber"]["value"],
                 "debitAmount": x.get("debitAmountInCurrency", {}).get("value", 0),
                 "creditAmount": x.get("creditAmountInCurrency", {}).get("value", 0)}
                for i, x in enumerate(lines)],
            "attachments": []}
        return httpx.Response(201, json={}, headers={"Location": f"{BASE}/v2/journaltransaction/{number}"})

    def journal_page(self, request: httpx.Request) -> httpx.Response:
        """Pages count lines: a batch is cut where a page ends and continues on the next."""
        if not request.url.params.get("periodId") and not request.url.params.get("lastModifiedDateTime"):
            return visma_error("Error: periodId or lastModifiedDateTime is mandatory.")
        number = int(request.url.params.get("pageNumber", 1))
        size = min(int(request.url.params.get("pageSize", 1000)), self.journal_max_page_size)
        pieces = [(b, line) for b in self.journals.values() for line in b["journalTransactionLines"]]
        chosen = pieces[(number - 1) * size:number * size]
        out: list[dict[str, Any]] = []
        for batch, line in chosen:
            if not out or out[-1]["batchNumber"] != batch["batchNumber"]:
                out.append({**batch, "journalTransactionLines": [],
                            "metadata": {"totalCount": len(pieces), "maxPageSize": self.journal_max_page_size}})
            out[-1]["journalTransactionLines"].append(line)
        return json_response(out)

    def attach(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
        number = request.url.path.split("/")[-2]
        name = request.content.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
        record = {"name": name, "id": f"att-{len(self.attachments.get(number, [])) + 1}", "revision": 1}
        self.attachments.setdefault(number, []).append(record)
        if number in self.journals:
            self.journals[number]["attachments"].append(record)
        return httpx.Response(201, json={}, headers={"Location": f"{BASE}/v1/attachment/{record['id']}"})


def json_response(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"})


def supplier(n: int) -> dict[str, Any]:
    return {"internalId": n, "number": f"{20000 + n}", "name": f"Leverantör {n} AB",
            "status": "Active" if n % 10 else "Inactive", "vatRegistrationId": f"SE55{n:06d}01",
            "mainAddress": {"addressLine1": "Storgatan 1", "city": "Stockholm",
                            "country": {"id": "SE", "name": "Sweden"}},
            "paymentMethod": {"id": "PLEO", "description": "Pleo card"}, "cashAccount": "1940",
            "lastModifiedDateTime": "2024-05-01T10:00:00"}


ACCOUNTS = [{"accountID": 1, "accountCD": "1940", "description": "Pleo wallet", "type": "Asset", "active": True},
            {"accountID": 2, "accountCD": "2641", "description": "Ingående moms", "type": "Liability",
             "active": True},
            {"accountID": 3, "accountCD": "6540", "description": "IT-tjänster", "type": "Expense", "active": True,
             "taxCategory": "1"},
            {"accountID": 4, "accountCD": "6999", "description": "Gammalt konto", "type": "Expense",
             "active": False}]
VAT = [{"vatId": "1", "description": "Ingående moms 25 %", "type": "Vat",
        "glAccounts": {"vatClaimableAccount": {"number": "2641"}, "vatPayableAccount": {"number": "2611"}},
        "schedules": [{"startDate": "2000-01-01T00:00:00", "vatRate": 25.0}]},
       {"vatId": "2", "description": "Ingående moms 12 %", "type": "Vat",
        "glAccounts": {"vatClaimableAccount": {"number": "2641"}},
        "schedules": [{"startDate": "2000-01-01T00:00:00", "vatRate": 12.0}]}]
PERIODS = [{"year": 2024, "period": "202404", "startDate": "2024-04-01T00:00:00", "endDate": "2024-04-30T00:00:00",
            "description": "April", "active": True, "closedInGeneralLedger": True, "closedInSupplierLedger": True},
           {"year": 2024, "period": "202405", "startDate": "2024-05-01T00:00:00", "endDate": "2024-05-31T00:00:00",
            "description": "May", "active": True, "closedInGeneralLedger": False, "closedInSupplierLedger": False}]
BRANCHES = [{"branchId": 1, "number": "1", "name": "Demo Sverige AB", "isMainBranch": True, "isActive": True,
             "corporateId": "556677-8899", "ledger": {"number": "MAIN"}, "currency": {"id": "SEK"}}]
SUBACCOUNT = {"id": "SUBACCOUNT", "length": 6, "description": "Subaccount", "segments": [
    {"segmentId": 2, "description": "Project", "length": 3, "validate": True, "segmentValues": [
        {"segmentId": 2, "valueId": "P01", "description": "Lansering", "active": True},
        {"segmentId": 2, "valueId": "P02", "description": "Mässa", "active": False}]},
    {"segmentId": 1, "description": "Department", "length": 3, "validate": True, "segmentValues": [
        {"segmentId": 1, "valueId": "100", "description": "Sälj", "active": True}]}]}


def connect(tmp_path: Path, fake: FakeVismaNet, **options: Any) -> Any:
    """A client of the fake company, through a stored service connection and the real session."""
    settings = ConnectionSettings(system="vismanet", environment="sandbox", client_id="ops-demo",
                                  sandbox_url=BASE, config_dir=tmp_path, token_backend="file")
    store = TokenStore(tmp_path)
    store.save(StoredConnection("vismanet", "sandbox", "556677-8899", "Demo Sverige AB", "ops-demo",
                                "vismanet_erp_service_api:read", time.time(),
                                {"access_token": "t", "token_type": "Bearer", "expires_at": time.time() + 3600}))
    return open_client(settings, transport=fake.transport, client_secret="ops-demo-secret", store=store, **options)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)
