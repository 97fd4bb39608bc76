"""Procountor's suppliers and dimension items as canonical registers, read and written against the sandbox."""

from __future__ import annotations

import pytest

from ops_lib.core.errors import ConfigurationError, ConflictError
from ops_lib.systems.procountor.client import ProcountorClient
from ops_lib.systems.procountor.registers import read_register
from ops_lib.systems.procountor.writer import ProcountorWriter


def test_suppliers_are_the_supplier_partners_by_number_with_iso_countries(pc_client: ProcountorClient) -> None:
    frame = read_register(pc_client, "suppliers")
    rows = {r["name"]: r for r in frame.to_dict("records")}
    assert "Asiakas Oy" not in rows  # a customer, not a supplier
    assert rows["Finnair Oyj"]["country_code"] == "FI" and rows["Finnair Oyj"]["vat_number"] == "0109862-8"
    assert rows["Amazon Web Services EMEA SARL"]["country_code"] == "LU"
    assert all(r["is_active"] == "true" for r in rows.values())


def test_tags_are_the_items_of_the_chosen_dimension(pc_client: ProcountorClient) -> None:
    frame = read_register(pc_client, "projects", dimension="Kustannuspaikka")
    rows = {r["number"]: r for r in frame.to_dict("records")}
    assert rows["HALLINTO"]["name"] == "Hallinto" and rows["VANHA"]["is_active"] == "false"
    with pytest.raises(ConfigurationError, match="Projekti"):
        read_register(pc_client, "projects", dimension="Ei ole")


def test_a_supplier_is_created_updated_and_found_again(pc_client: ProcountorClient) -> None:
    writer = ProcountorWriter(pc_client, "suppliers")
    record = {"number": "S900", "name": "Taksi Helsinki Oy", "vat_number": "1234567-1", "country_code": "FI",
              "is_active": "true"}
    [call] = writer.plan("create", record, None, [])
    key = writer.send(call)
    assert writer.find(call) == key
    current = {r["number"]: r for r in read_register(pc_client, "suppliers").to_dict("records")}["S900"]
    [update] = writer.plan("update", {**record, "name": "Taksi Helsinki Ab"}, current, ["name"])
    writer.send(update)
    after = {r["number"]: r for r in read_register(pc_client, "suppliers").to_dict("records")}["S900"]
    assert after["name"] == "Taksi Helsinki Ab" and after["vat_number"] == "1234567-1"
    with pytest.raises(ConflictError):
        writer.find(call)  # the number now stands for another name: not this call's record


def test_a_tag_becomes_a_dimension_item(pc_client: ProcountorClient) -> None:
    writer = ProcountorWriter(pc_client, "projects", dimension="Projekti")
    [call] = writer.plan("create", {"number": "P300", "name": "Uusi projekti", "is_active": "true"}, None, [])
    key = writer.send(call)
    assert writer.find(call) == key
    rows = {r["number"]: r for r in read_register(pc_client, "projects", dimension="Projekti").to_dict("records")}
    assert rows["P300"]["name"] == "Uusi projekti" and rows["P300"]["_id"] == key
