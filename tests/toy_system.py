"""A toy accounting system: the least a system must declare to be synced through the registry.

One in-memory register of projects and a writer, nothing else: it has no
hosts, no sandbox and books no vouchers. ``tests/systems/test_toy_system.py``
registers it and runs reconcile, plan and apply on it.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ops_lib.connectors.grants import ClientCredentials
from ops_lib.connectors.paging import ResultsMetaPager
from ops_lib.connectors.ratelimit import PerClient
from ops_lib.core.errors import ApiError
from ops_lib.model.registers import canonical_frame
from ops_lib.systems.base import Call
from ops_lib.systems.rules import Rule

FIELDS = ("number", "name", "is_active")


class ToyClient:
    system = "toy"
    session: Any = None

    def __init__(self, records: Mapping[str, dict[str, str]]) -> None:
        self.records = {k: dict(v) for k, v in records.items()}  # id -> canonical fields
        self.sent: list[Call] = []

    def close(self) -> None: ...
    def __enter__(self) -> "ToyClient": return self
    def __exit__(self, *exc: object) -> None: ...


class ToyWriter:
    label = target = "toy:memory"
    deferred = False

    def __init__(self, client: ToyClient) -> None:
        self.client = client

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        number, name = record["number"], record["name"]
        if action.startswith("create"):
            return [Call(self.target, "POST", "projects", {f: record.get(f, "") for f in FIELDS}, number, name)]
        record_id = (current or {})["_id"]
        body = {f: record.get(f, "") for f in differences}
        return [Call(self.target, "PUT", f"projects/{record_id}", body, number, name, record_id)]

    def send(self, call: Call) -> str:
        self.client.sent.append(call)
        record_id = call.record_id or str(len(self.client.records) + 1)
        self.client.records[record_id] = {**self.client.records.get(record_id, {}), **call.body}
        return record_id

    def find(self, call: Call) -> str | None:
        return next((i for i, r in self.client.records.items()
                     if (r["number"], r["name"]) == (call.number, call.name)), None)

    def finish(self) -> list[str]:
        return []


class ToySystem:
    name, environments, languages, sandbox = "toy", {}, ("en",), ""
    scopes = required_scopes = default_scopes = ()
    rate_policy, pager, setup_rules = PerClient(10), ResultsMetaPager(), None

    def grant(self, settings: Any) -> ClientCredentials: return ClientCredentials()
    def company_identity(self, get: Any) -> tuple[str, str]: return "toy", "Toy Company"
    def make_client(self, session: Any, **options: Any) -> ToyClient: return ToyClient(options.get("records", {}))
    def translator(self, language: str) -> Any: return lambda r: ApiError(f"HTTP {r.status_code}", status=r.status_code)
    def retry_after(self, response: Any) -> float | None: return None
    def rules(self, register: str) -> tuple[Rule, ...]: return (Rule("toy_name_over_20", "name", max_length=20),)
    def read_references(self, client: Any) -> Any: raise NotImplementedError("the toy books no vouchers")
    def make_voucher_poster(self, client: Any) -> Any: raise NotImplementedError("the toy books no vouchers")
    def make_writer(self, client: ToyClient, register: str, **options: Any) -> ToyWriter: return ToyWriter(client)

    def read_register(self, client: ToyClient, register: str, **options: Any) -> Any:
        return canonical_frame([{**r, "_id": i} for i, r in client.records.items()], register, "toy")


TOY = ToySystem()
