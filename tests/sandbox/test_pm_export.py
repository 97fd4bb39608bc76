"""The demo project-management export: Nordic format, stable, and differing as planted."""

from __future__ import annotations

import csv
import io

import pytest

from ops_lib.sandbox.pm_export import PM_EXPORT_DIR, render_pm_export
from tests.conftest import planted_differences


def _rows(name: str) -> list[dict[str, str]]:
    text = (PM_EXPORT_DIR / name).read_bytes().decode("cp1252")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_committed_files_match_the_generator() -> None:
    """Regenerate with `python -m ops_lib.sandbox.pm_export` after changing the seed."""
    rendered = render_pm_export()
    assert set(rendered) == {"customers.csv", "products.csv", "projects.csv", "planted_differences.csv",
                             "invoice_basis.csv"}
    for name, content in rendered.items():
        assert (PM_EXPORT_DIR / name).read_bytes() == content, f"{name} is stale"


def test_invoice_basis_plants_its_cases() -> None:
    """The demo invoice bases: several to send, a draft left behind, a credit note, an unknown customer."""
    lines = _rows("invoice_basis.csv")
    by_number: dict[str, list[dict[str, str]]] = {}
    for line in lines:
        by_number.setdefault(line["Fakturaunderlag"], []).append(line)
    to_send = [n for n, rows in by_number.items() if rows[0]["Status"] == "Skicka till eEkonomi"
               and rows[0]["Fakturatyp"] == "Faktura"]
    assert len(to_send) >= 6
    assert by_number["7007"][0]["Status"] == "Utkast"
    assert by_number["7008"][0]["Fakturatyp"] == "Kreditfaktura"
    only_in_export = {p["number"] for p in planted_differences()
                      if p["register"] == "customers" and p["difference"] == "only_in_export"}
    assert by_number["7009"][0]["Kundnummer"] in only_in_export
    assert any(r["Artikel"] == "" and r["Radtyp"] == "Rad" for r in lines)
    assert [r["Radtyp"] for r in by_number["7001"]] == ["Text före", "Rad", "Rad", "Rad", "Text efter"]
    assert len({r["Projekt"] for r in by_number["7002"]} - {""}) == 2
    assert all(r["Fakturadatum"].startswith("2026-11-") for r in lines)
    inactive = {r["Kod"] for r in _rows("products.csv") if r["Aktiv"] == "Nej"}
    assert any(r["Artikel"] in inactive for r in by_number["7006"])


@pytest.mark.parametrize("name", ["customers.csv", "products.csv", "projects.csv", "invoice_basis.csv"])
def test_written_as_nordic_systems_export(name: str) -> None:
    raw = (PM_EXPORT_DIR / name).read_bytes()
    assert b"\r\n" in raw and raw.split(b"\r\n")[0].count(b";") >= 2
    if name != "projects.csv" or "ö".encode("cp1252") in raw:
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


def test_prices_use_decimal_comma() -> None:
    prices = [row["Pris exkl. moms"] for row in _rows("products.csv")]
    assert all("," in p and "." not in p for p in prices)


def test_planted_differences_are_in_the_files() -> None:
    customers = _rows("customers.csv")
    numbers = [row["Kundnummer"] for row in customers]
    by_number = {row["Kundnummer"]: row for row in customers}
    assert numbers.count("1040") == 2
    assert "01050" in numbers and "1050" not in numbers
    assert len(by_number["1303"]["Namn"]) > 50
    assert by_number["1304"]["Fakturaadress"] == ""
    assert "  " in by_number["1060"]["Namn"] and by_number["1060"]["Namn"] == by_number["1060"]["Namn"].lower()
    assert {"1296", "1297", "1298", "1299", "1300"}.isdisjoint(numbers)
    kinds = {row["Typ"] for row in _rows("products.csv")}
    assert kinds == {"Produkt", "Arbetstyp", "Reseutgift"}
    assert {p["difference"] for p in planted_differences()} >= {
        "renamed", "changed_address", "only_in_eaccounting", "only_in_export", "name_too_long",
        "missing_address", "duplicate_number", "leading_zero", "case_and_spacing",
    }
