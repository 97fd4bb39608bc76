"""Visma.net registers, references and writes: suppliers, tags in a segment, periods as locks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ops_lib.core.errors import ConfigurationError, ConflictError
from ops_lib.systems.registry import get
from ops_lib.systems.rules import check
from ops_lib.systems.vismanet.chart import read_references
from ops_lib.systems.vismanet.payloads import new_partner
from ops_lib.systems.vismanet.registers import SUPPLIER_FIELDS, register_rows
from ops_lib.systems.vismanet.writer import VismaNetWriter
from tests.systems.vismanet.fake import BASE, FakeVismaNet, connect, json_response, sent_json


def test_vendors_map_to_the_suppliers_columns(tmp_path: Path) -> None:
    with connect(tmp_path, FakeVismaNet()) as client:
        rows = register_rows(SUPPLIER_FIELDS, [dict(s.data) for s in client.suppliers()], "number")
    assert len(rows) == 250
    assert rows[0] == {"number": "20001", "name": "Leverantör 1 AB", "vat_number": "SE5500000101",
                       "country_code": "SE", "is_active": "true", "_id": "20001"}
    assert rows[9]["is_active"] == "false"  # status Inactive


def test_tags_are_the_values_of_the_chosen_segment(tmp_path: Path) -> None:
    with connect(tmp_path, FakeVismaNet()) as client:
        frame = get("vismanet").read_register(client, "projects", segment="project")
        with pytest.raises(ConfigurationError, match="no SUBACCOUNT segment 'Region'.*2 Project, 1 Department"):
            get("vismanet").read_register(client, "projects", segment="Region")
    assert frame[["number", "name", "is_active", "_id"]].to_dict("records") == [
        {"number": "P01", "name": "Lansering", "is_active": "true", "_id": "2:P01"},
        {"number": "P02", "name": "Mässa", "is_active": "false", "_id": "2:P02"}]


def test_references_lock_closed_periods_and_name_segments_by_id(tmp_path: Path) -> None:
    with connect(tmp_path, FakeVismaNet()) as client:
        refs = read_references(client, today=date(2024, 5, 2))
    assert refs.company == "Demo Sverige AB" and refs.currency == "SEK"
    assert refs.year(date(2024, 4, 15)).locked and not refs.year(date(2024, 5, 15)).locked
    assert refs.year(date(2024, 6, 1)) is None and refs.locked_to == date(2024, 4, 30)
    assert refs.chart(date(2024, 5, 2)).accounts["6540"].name == "IT-tjänster"
    assert refs.vat_codes["1"].rate == Decimal("25.0") and refs.vat_code_for("2641", Decimal("12.0")).id == "2"
    assert [d.id for d in refs.dimensions] == ["1", "2"]
    assert refs.dimension("Project").item("lansering").code == "P01"


def test_rules_are_data_and_shown_before_a_write() -> None:
    import pandas as pd

    frame = pd.DataFrame([{"number": "", "name": "x" * 256, "country_code": "SE"},
                          {"number": "1", "name": "Ok AB", "country_code": "SWE"}])
    assert list(check(frame, get("vismanet").rules("suppliers"))) == [
        "missing_number;name_too_long", "country_code_too_long"]


def test_a_supplier_is_created_with_its_number_and_found_again_by_it(tmp_path: Path) -> None:
    fake = FakeVismaNet()
    record = {"number": "30001", "name": "Ny Leverantör AB", "vat_number": "SE556000000101",
              "country_code": "SE", "is_active": "true"}
    with connect(tmp_path, fake) as client:
        writer = VismaNetWriter(client, "suppliers")
        (call,) = writer.plan("create", record, None, [])
        assert call.body == new_partner(record) and call.body["number"] == {"value": "30001"}
        assert call.body["mainAddress"]["value"]["countryId"] == {"value": "SE"}
        assert writer.find(call) is None  # 404: not there
        fake.suppliers.append({"number": "30001", "name": "Ny Leverantör AB", "status": "Active"})
        assert writer.find(call) == "30001"
        fake.suppliers[-1]["name"] = "Någon annan AB"
        with pytest.raises(ConflictError, match="not made by this sync"):
            writer.find(call)


def test_an_update_sends_only_the_changed_fields_and_a_tag_goes_to_its_segment(tmp_path: Path) -> None:
    def accept(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(204) if request.method == "PUT" else None

    fake = FakeVismaNet(fail=accept)
    with connect(tmp_path, fake) as client:
        writer = VismaNetWriter(client, "suppliers")
        (call,) = writer.plan("update", {"number": "20001", "name": "X", "is_active": "false"},
                              {"_id": "20001"}, ["is_active"])
        assert (call.method, call.path, dict(call.body)) == ("PUT", "v1/supplier/20001",
                                                            {"status": {"value": "Inactive"}})
        assert writer.send(call) == "20001"
        tags = VismaNetWriter(client, "projects", segment="Project")
        (tag,) = tags.plan("create", {"number": "P03", "name": "Kickoff", "is_active": "true"}, None, [])
        assert tags.send(tag) == "2:P03"
    put = [r for r in fake.requests if r.method == "PUT"][-1]
    assert put.url.path == "/v1/dimension/SUBACCOUNT/2"
    assert sent_json(put) == {"segmentValues": [{"operation": "Insert", "value": "P03",
                                                 "description": {"value": "Kickoff"}, "active": {"value": True}}]}


def test_the_company_is_its_main_branch() -> None:
    def get_(path: str) -> httpx.Response:
        response = json_response([{"number": "2", "name": "Filial", "isMainBranch": False},
                                  {"number": "1", "name": "Demo Sverige AB", "isMainBranch": True,
                                   "corporateId": "556677-8899"}])
        response.request = httpx.Request("GET", f"{BASE}/{path}")
        return response

    assert get("vismanet").company_identity(get_) == ("556677-8899", "Demo Sverige AB")
