"""Procountor's chart, VAT codes, dimensions and fiscal years read as neutral References, from the sandbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ops_lib.model.country_rules import country_rules
from ops_lib.systems.procountor.chart import read_references
from ops_lib.systems.procountor.client import ProcountorClient


def test_the_chart_holds_every_account_fi_yaml_names(pc_client: ProcountorClient) -> None:
    refs = read_references(pc_client)
    chart = refs.chart(date.today())
    fi = country_rules("FI")
    for role, account in fi.accounts.items():
        assert account in chart.accounts, f"{role} {account} is not in the demo chart"
    for account in fi.reverse_charge_output_vat.values():
        assert account in chart.accounts
    assert refs.currency == "EUR" and refs.company


def test_vat_codes_are_status_and_percent_with_the_rate_in_force(pc_client: ProcountorClient) -> None:
    refs = read_references(pc_client)
    domestic = refs.vat_codes["1:25.5"]
    assert domestic.rate == Decimal("0.255") and domestic.accounts == ("1763",)
    assert refs.vat_code_for("1763", Decimal("0.24")).id == "1:24"  # the rate before September 2024
    assert refs.vat_codes["1:0"].accounts == ()


def test_dimensions_carry_items_by_code_and_the_passive_one_inactive(pc_client: ProcountorClient) -> None:
    refs = read_references(pc_client)
    by_name = {d.name: d for d in refs.dimensions}
    assert by_name["Projekti"].items["P100"].active
    assert not by_name["Kustannuspaikka"].items["VANHA"].active


def test_closed_fiscal_years_lock_the_books_up_to_their_end(pc_client: ProcountorClient) -> None:
    refs = read_references(pc_client)
    year = date.today().year
    assert refs.locked_to == date(year - 2, 12, 31)
    assert refs.year(date(year - 2, 6, 1)).locked and not refs.year(date(year, 1, 1)).locked
