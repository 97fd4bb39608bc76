"""A job's settings carry the chosen system, and its options are that system's, found without a second table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pytest

from ops_lib.booking.settings import booking_settings, mapping_settings
from ops_lib.core.errors import ConfigurationError
from ops_lib.core.options import option, settings_from, text
from ops_lib.reconciliation.job import reconcile_sources
from ops_lib.reconciliation.settings import reconcile_settings
from ops_lib.sync.settings import sync_settings
from ops_lib.systems import registry
from ops_lib.systems.eaccounting.options import EAccountingOptions
from ops_lib.systems.options import NoOptions, options_type, system_options
from tests.toy_system import TOY

# The eAccounting options every notebook's parameters cell passes, at their defaults.
NOTEBOOK_DEFAULTS = {"project_target": "cost_center_items", "cost_center": "Projekt"}


@dataclass(frozen=True)
class ToyOptions:
    """A toy system's own options block: which folder its projects live in."""

    folder: str = option("Projects", text, "the toy's project folder")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "ToyOptions":
        return settings_from(cls, values, "toy system_options")

    def as_kwargs(self) -> dict[str, Any]:
        return {"folder": self.folder}


@pytest.fixture
def toy() -> Iterator[None]:
    registry.register(TOY)
    yield
    registry.unregister(TOY.name)


@pytest.fixture
def toy_with_options() -> Iterator[None]:
    registry.register(TOY, options=ToyOptions)
    yield
    registry.unregister(TOY.name)


def test_every_job_defaults_to_the_registry_default_system() -> None:
    assert sync_settings().reconcile.system == registry.DEFAULT_SYSTEM
    assert booking_settings().system == mapping_settings().system == registry.DEFAULT_SYSTEM
    assert reconcile_settings().system_options == EAccountingOptions()


@pytest.mark.usefixtures("toy")
def test_a_system_without_options_drops_the_notebooks_eaccounting_defaults() -> None:
    settings = sync_settings(system="toy", **NOTEBOOK_DEFAULTS)
    assert settings.reconcile.system == "toy"
    assert settings.reconcile.system_options == NoOptions()
    assert settings.reconcile.system_options.as_kwargs() == {}


@pytest.mark.usefixtures("toy")
def test_an_eaccounting_option_set_for_another_system_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match=r"Unknown system_options \(this system takes none\) "
                                                 r"parameter\(s\): project_target"):
        sync_settings(system="toy", project_target="projects", cost_center="Projekt")


@pytest.mark.usefixtures("toy_with_options")
def test_the_chosen_systems_options_are_built_flat_or_in_the_block() -> None:
    assert options_type("toy") is ToyOptions
    assert reconcile_settings(system="toy", folder="Jobs").system_options == ToyOptions("Jobs")
    assert sync_settings(system="toy", system_options={"folder": "Jobs"}, **NOTEBOOK_DEFAULTS
                         ).reconcile.system_options.as_kwargs() == {"folder": "Jobs"}
    with pytest.raises(ConfigurationError, match=r"Unknown reconcile parameter\(s\): folder"):
        reconcile_settings(folder="Jobs")  # eAccounting's options have no folder


def test_an_unknown_system_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"Unknown system 'fortnox'; known: eaccounting"):
        sync_settings(system="fortnox")
    with pytest.raises(ConfigurationError, match=r"Unknown system 'fortnox'; known: eaccounting"):
        booking_settings(system="fortnox")


def test_a_built_in_system_without_an_options_module_takes_none(monkeypatch: pytest.MonkeyPatch) -> None:
    # ops_lib.connectors has no options module: a system package laid out like it takes no options.
    monkeypatch.setitem(registry.BUILT_IN, "plain", "ops_lib.connectors.paging:PAGER")
    assert options_type("plain") is NoOptions
    assert system_options(NOTEBOOK_DEFAULTS, "plain") == NoOptions()


@pytest.mark.usefixtures("toy")
def test_the_connection_of_a_job_carries_its_system() -> None:
    assert booking_settings(system="toy", company="556677-8899").connection == {
        "system": "toy", "company": "556677-8899"}
    assert mapping_settings(system="toy").connection == {"system": "toy"}
    assert sync_settings(system="toy", sandbox_url="http://127.0.0.1:1").reconcile.connection == {
        "system": "toy", "sandbox_url": "http://127.0.0.1:1"}


@pytest.mark.usefixtures("toy")
def test_the_eaccounting_demo_sandbox_does_not_stand_in_for_another_system(tmp_path: Path) -> None:
    export = tmp_path / "projects.csv"
    export.write_text("number,name,is_active\nP1,Bridge,true\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"demo-sandbox is the in-process eaccounting sandbox, not toy's"):
        reconcile_sources(reconcile_settings(register="projects", left=str(export), right="demo-sandbox",
                                             mapping="", system="toy"))


def test_the_connect_notebooks_parameters_are_connection_settings_and_default_to_the_system() -> None:
    from ops_lib.config.settings import ConnectionSettings, connection_settings
    from ops_lib.core.options import RUN_FIELDS
    from tests.config.test_jobs import NOTEBOOKS, declared, parameters_cell

    params = {k: v for k, v in declared(parameters_cell(NOTEBOOKS / "00_connect.ipynb")).items()
              if k not in RUN_FIELDS}
    assert {"system", "tenant_id"} <= set(params) <= {f for f in ConnectionSettings.__dataclass_fields__}
    settings = connection_settings(params)
    assert (settings.system, settings.tenant_id) == (registry.DEFAULT_SYSTEM, "")
    assert settings.scopes == registry.get(registry.DEFAULT_SYSTEM).default_scopes  # empty: the system's
