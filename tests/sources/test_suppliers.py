"""The suppliers register: read from exports by the same readers, reconciled by number and name.

A system that has no suppliers register (eAccounting here, for now) says so
with a ConfigurationError naming the system and the register.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_lib.cli.main import main
from ops_lib.core.errors import ConfigurationError
from ops_lib.model.registers import REGISTERS, spec
from ops_lib.reconciliation.job import reconcile_sources
from ops_lib.reconciliation.settings import reconcile_settings
from ops_lib.sources.files import load_mapping, read_file
from ops_lib.sources.open import DEMO_SOURCE, read_system_register
from ops_lib.systems import registry
from tests.toy_system import ToyClient, ToySystem

# The expense service's vendor list, written the Nordic way: semicolons, Windows-1252, CRLF.
SERVICE_EXPORT = ("Leverantörsnummer;Leverantör;Momsnummer;Land;Aktiv\r\n"
                  "L100;Kontorsvaror AB;SE556677889901;SE;Ja\r\n"
                  "L200;Taxi Stockholm;SE556000111201;SE;Ja\r\n"
                  "L300;Åre Fjällhotell;;SE;Nej\r\n"
                  "L400;Nordic Flights Oy;FI12345678;FI;Ja\r\n")
MAPPING = """suppliers:
  number: Leverantörsnummer
  name: Leverantör
  vat_number: Momsnummer
  country_code: Land
  is_active: Aktiv
"""
# The accounting system's supplier export (one column mapping serves both files of a reconciliation).
SYSTEM_EXPORT = ("Leverantörsnummer,Leverantör,Momsnummer,Land,Aktiv\n"
                 "L100,Kontorsvaror AB,SE556677889901,SE,true\n"
                 "L200,Taxi Stockholm AB,SE556000111201,SE,true\n"
                 "L400,Nordic Flights Oy,FI12345678,FI,true\n")


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path, Path]:
    service, mapping, system = tmp_path / "vendors.csv", tmp_path / "columns.yaml", tmp_path / "suppliers.csv"
    service.write_bytes(SERVICE_EXPORT.encode("cp1252"))
    mapping.write_text(MAPPING, encoding="utf-8")
    system.write_text(SYSTEM_EXPORT, encoding="utf-8")
    return service, mapping, system


def test_suppliers_is_a_register_with_its_canonical_fields() -> None:
    assert "suppliers" in REGISTERS
    assert spec("suppliers").fields == ("number", "name", "vat_number", "country_code", "is_active")


def test_a_supplier_export_is_read_into_canonical_fields(exports: tuple[Path, Path, Path]) -> None:
    service, mapping, _ = exports
    frame = read_file(service, "suppliers", load_mapping(mapping, "suppliers"))
    assert frame[["number", "name", "vat_number", "country_code", "is_active"]].values.tolist() == [
        ["L100", "Kontorsvaror AB", "SE556677889901", "SE", "true"],
        ["L200", "Taxi Stockholm", "SE556000111201", "SE", "true"],
        ["L300", "Åre Fjällhotell", "", "SE", "false"],
        ["L400", "Nordic Flights Oy", "FI12345678", "FI", "true"]]


def test_vendors_reconcile_against_a_supplier_export_by_number_and_name(exports: tuple[Path, Path, Path]) -> None:
    service, mapping, system = exports
    result = reconcile_sources(reconcile_settings(register="suppliers", left=str(service), right=str(system),
                                                  mapping=str(mapping)))
    pairs = result.pairs.set_index("left_number")
    assert pairs.loc["L100", "status"] == "match"
    assert pairs.loc["L200", "status"] != "match"  # "Taxi Stockholm" vs "Taxi Stockholm AB"
    assert pairs.loc["L300", "action"] == "skip_inactive"  # an inactive vendor is not created in the system


def test_ops_reconcile_takes_the_suppliers_register(exports: tuple[Path, Path, Path], tmp_path: Path) -> None:
    service, mapping, system = exports
    out = tmp_path / "out"
    assert main(["reconcile", "suppliers", "--left", str(service), "--right", str(system),
                 "--mapping", str(mapping), "--out", str(out)]) == 1  # findings: a name differs
    assert (out / "reconciliation.csv").exists()


def test_a_system_without_suppliers_says_so_naming_system_and_register(exports: tuple[Path, Path, Path]) -> None:
    _, mapping, system = exports
    with pytest.raises(ConfigurationError, match=r"eaccounting cannot read the suppliers register"):
        reconcile_sources(reconcile_settings(register="suppliers", left=str(system), right=DEMO_SOURCE,
                                             mapping=str(mapping)))


def test_ops_reconcile_of_suppliers_with_such_a_system_is_an_error_not_a_crash(
        exports: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, mapping, system = exports
    assert main(["reconcile", "suppliers", "--left", str(system), "--right", DEMO_SOURCE,
                 "--mapping", str(mapping)]) == 2
    assert "eaccounting cannot read the suppliers register" in capsys.readouterr().err


class ProjectsOnly(ToySystem):
    """The toy, declaring the one register it has."""

    registers = ("projects",)


def test_a_system_that_declares_its_registers_is_refused_before_reading() -> None:
    registry.register(ProjectsOnly())
    try:
        with pytest.raises(ConfigurationError, match=r"toy has no suppliers register \(it has: projects\)"):
            read_system_register(ToyClient({}), "suppliers")
        assert read_system_register(ToyClient({"1": {"number": "P1", "name": "Bridge", "is_active": "true"}}),
                                    "projects")["number"].tolist() == ["P1"]
    finally:
        registry.unregister("toy")


def test_a_readers_own_value_error_is_not_taken_for_a_missing_register() -> None:
    class Broken(ToySystem):
        def read_register(self, client: ToyClient, register: str, **options: object) -> object:
            raise ValueError("a date in the wrong form")

    registry.register(Broken())
    try:
        with pytest.raises(ValueError, match="a date in the wrong form"):
            read_system_register(ToyClient({}), "suppliers")
    finally:
        registry.unregister("toy")
