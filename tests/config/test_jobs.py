"""Job settings: declared once, matching each notebook's parameters cell, validated once."""

from __future__ import annotations

import ast
import dataclasses
import json
import posixpath
from pathlib import Path
from typing import Any

import pytest
from ops_lib.invoicing.settings import DraftSettings, draft_settings
from ops_lib.invoicing.status_session import StatusSettings, status_settings

from ops_lib.booking.settings import BookingSettings, MappingSettings, booking_settings, mapping_settings
from ops_lib.config.settings import ConnectionSettings
from ops_lib.core.errors import ConfigurationError
from ops_lib.core.options import CONNECTION_FIELDS, RUN_FIELDS, accepted_names, defaults, relative_fields
from ops_lib.invoicing.cost_session import CostSettings, cost_settings
from ops_lib.reconciliation.settings import ReconcileSettings, reconcile_settings
from ops_lib.sync.settings import SyncSettings, sync_settings
from ops_lib.systems.eaccounting.options import EAccountingOptions
from ops_lib.systems.options import options_type, system_options
from ops_lib.systems.registry import DEFAULT_SYSTEM

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# Each notebook that runs a job, and the settings objects its parameters cell fills (one per step).
JOBS: dict[str, tuple[type, ...]] = {
    "10_mappings.ipynb": (MappingSettings,), "20_reconcile.ipynb": (SyncSettings,),
    "30_book_vouchers.ipynb": (BookingSettings,), "40_invoices.ipynb": (DraftSettings, StatusSettings, CostSettings)}
BUILDERS: dict[type, Any] = {SyncSettings: sync_settings, BookingSettings: booking_settings,
                             MappingSettings: mapping_settings, DraftSettings: draft_settings,
                             StatusSettings: status_settings, CostSettings: cost_settings}
# A notebook of several steps names each step's approval apart ("one parameter per thing approved"):
# notebook parameter -> (the settings class, its field).
RENAMED: dict[str, tuple[type, str]] = {"approved_draft_hash": (DraftSettings, "approved_hash"),
                                        "approved_cost_hash": (CostSettings, "approved_hash")}
# Notebooks without a job: connecting (connection settings), the sandbox tour, the audit review.
NO_JOB = {"00_connect.ipynb", "00_sandbox_tour.ipynb", "90_audit_review.ipynb"}


def parameters_cell(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{notebook.name}: one cell tagged 'parameters'"
    return "".join(tagged[0]["source"])


def declared(source: str) -> dict[str, Any]:
    """name -> literal default of each ``name = literal`` in a parameters cell."""
    found = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.unparse(node)
        target = node.targets[0]
        assert isinstance(target, ast.Name), ast.unparse(node)
        found[target.id] = ast.literal_eval(node.value)
    return found


def fields_of(settings: type, whole_options: bool = True) -> dict[str, Any]:
    """A settings class's fields and defaults as a parameters cell names them (the options block whole or flat)."""
    fields = defaults(settings)
    for parameter, (owner, name) in RENAMED.items():
        if owner is settings:
            fields[parameter] = fields.pop(name)
    if whole_options and "system_options" in {f.name for f in dataclasses.fields(settings)}:
        fields = {k: v for k, v in fields.items() if k not in accepted_names(options_type(DEFAULT_SYSTEM))}
        fields["system_options"] = {}
    return fields


def problems(source: str, *settings: type) -> list[str]:
    """Where a parameters cell and its settings classes disagree: names, defaults and their types.

    A notebook of several steps fills one settings object per step; a name they share (``target``,
    ``apply``) is one parameter, so the classes must agree on its default too.
    """
    params = {k: v for k, v in declared(source).items() if k not in RUN_FIELDS}
    fields: dict[str, Any] = {}
    relative: set[str] = set()
    found: list[str] = []
    for cls in settings:
        for name, default in fields_of(cls, "system_options" in params).items():
            if name in fields and (type(fields[name]) is not type(default) or fields[name] != default):
                found.append(f"{name}: {cls.__name__}'s default {default!r} is not {fields[name]!r}")
            fields.setdefault(name, default)
        relative |= set(relative_fields(cls))
    found += [f"parameter {n} has no settings field" for n in sorted(set(params) - set(fields))]
    found += [f"settings field {n} is no parameter" for n in sorted(set(fields) - set(params))]
    for name in sorted(set(params) & set(fields)):
        value, default = params[name], fields[name]
        if name in relative and value:  # the notebook runs in notebooks/ and says the same path with ../
            value = posixpath.normpath(posixpath.join("notebooks", value))
        if type(value) is not type(default) or value != default:
            found.append(f"{name}: the notebook's default {params[name]!r} is not the settings' {default!r}")
    return found


def test_every_notebook_is_a_job_or_listed_as_none() -> None:
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == set(JOBS) | NO_JOB


@pytest.mark.parametrize("name", sorted(JOBS))
def test_the_parameters_cell_matches_the_settings_object(name: str) -> None:
    assert problems(parameters_cell(NOTEBOOKS / name), *JOBS[name]) == []


@pytest.mark.parametrize("name", sorted(JOBS))
def test_the_parameters_cell_builds_the_settings_object(name: str) -> None:
    """The notebook's defaults validate, and (paths aside) are the settings' defaults, for each step's settings."""
    params = {k: v for k, v in declared(parameters_cell(NOTEBOOKS / name)).items() if k not in RUN_FIELDS}
    for cls in JOBS[name]:
        own = {RENAMED[k][1] if k in RENAMED else k: v for k, v in params.items() if k in fields_of(cls)}
        built = BUILDERS[cls](own)
        relative = set(relative_fields(cls))
        assert {k: v for k, v in defaults(type(built)).items() if k not in relative} == {
            k: v for k, v in defaults(cls).items() if k not in relative}


def test_a_step_the_invoices_notebook_does_not_know_is_refused_naming_it() -> None:
    from ops_lib.forms.invoices import STEPS, invoice_steps

    assert declared(parameters_cell(NOTEBOOKS / "40_invoices.ipynb"))["steps"] == list(STEPS)
    assert invoice_steps("costs, drafts") == ("drafts", "costs")
    with pytest.raises(ConfigurationError, match=r"steps must name one or more of drafts, status, costs, not \['co"):
        invoice_steps(["cost"])


def test_a_parameter_added_to_a_notebook_without_a_field_is_found() -> None:
    source = parameters_cell(NOTEBOOKS / "30_book_vouchers.ipynb") + '\nround_to = "ore"  # new\n'
    assert problems(source, BookingSettings) == ["parameter round_to has no settings field"]


def test_a_default_that_drifts_from_the_settings_is_found() -> None:
    source = parameters_cell(NOTEBOOKS / "20_reconcile.ipynb").replace("threshold = 85", "threshold = 85.0")
    assert problems(source, SyncSettings) == ["threshold: the notebook's default 85.0 is not the settings' 85"]


def test_connection_and_run_level_names_are_documented() -> None:
    for settings in (cls for classes in JOBS.values() for cls in classes):
        assert set(CONNECTION_FIELDS) <= set(defaults(settings))
    assert {f.name for f in dataclasses.fields(ConnectionSettings)} >= set(CONNECTION_FIELDS)
    assert RUN_FIELDS == ("interactive", "steps")


def test_settings_are_frozen() -> None:
    settings = sync_settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.full_resync = True  # type: ignore[misc]


def test_a_bad_grouping_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match=r"grouping must be one of per_expense, per_export, not 'weekly'"):
        booking_settings(grouping="weekly")


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "invoices"}, "kind"), ({"four_eyes": "yes"}, "four_eyes"), ({"apply": 1}, "apply"),
    ({"journal_id": 7}, "journal_id"),
])
def test_a_bad_booking_value_names_its_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"booking parameter {field} "):
        booking_settings(values)


@pytest.mark.parametrize(("values", "field"), [
    ({"threshold": 101}, "threshold"), ({"threshold": True}, "threshold"), ({"master": "middle"}, "master"),
    ({"register": "invoices"}, "register"), ({"full_resync": "no"}, "full_resync"),
])
def test_a_bad_sync_value_names_its_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"parameter {field} "):
        sync_settings(values)


def test_an_unknown_parameter_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match=r"Unknown sync parameter\(s\): treshold;"):
        sync_settings(treshold=90)


def test_a_bad_day_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"mappings parameter day must be a day as YYYY-MM-DD"):
        mapping_settings(day="31/12/2026")


def test_an_unknown_system_option_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match=r"Unknown eAccounting system_options parameter\(s\): dimension;"):
        sync_settings(system_options={"dimension": 4})


def test_a_bad_system_option_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match=r"project_target must be one of cost_center_items, projects"):
        reconcile_settings(project_target="dimensions")
    with pytest.raises(ConfigurationError, match=r"cost_center is empty"):
        reconcile_settings(system_options={"cost_center": " "})


def test_flat_system_options_land_in_the_systems_block() -> None:
    settings = sync_settings(project_target="projects", cost_center="Uppdrag", full_resync=True)
    assert settings.reconcile.system_options == EAccountingOptions("projects", "Uppdrag")
    assert settings.reconcile.system_options.as_kwargs() == {"project_target": "projects", "cost_center": "Uppdrag"}
    assert sync_settings(system_options={"project_target": "projects"}).reconcile.system_options.project_target \
        == "projects"


def test_a_system_option_given_flat_and_in_the_block_must_agree() -> None:
    assert reconcile_settings(project_target="projects", system_options={"project_target": "projects"})
    with pytest.raises(ConfigurationError, match=r"project_target given twice"):
        reconcile_settings(project_target="projects", system_options={"project_target": "cost_center_items"})


def test_an_unknown_system_has_no_options_type() -> None:
    assert options_type("eaccounting") is EAccountingOptions
    with pytest.raises(ConfigurationError, match=r"Unknown system 'fortnox'"):
        system_options({}, "fortnox")


def test_none_means_not_given_and_paths_become_text() -> None:
    settings = booking_settings(columns=None, out_dir=Path("build") / "x")
    assert settings.columns == "" and settings.out_dir == str(Path("build") / "x")


def test_accepted_names_include_the_nested_ones_flat() -> None:
    names = accepted_names(SyncSettings)
    assert {"reconcile", "register", "system_options", "project_target", "cost_center", "four_eyes"} <= names
    assert accepted_names(ReconcileSettings) < names


def test_ops_sync_hands_one_settings_object_to_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    from ops_lib.cli.main import main
    from ops_lib.sync import session

    seen: list[SyncSettings] = []
    monkeypatch.setattr(session, "run_sync", lambda settings: seen.append(settings) or 0)
    assert main(["sync", "projects", "--left", "a.csv", "--right", "sandbox", "--project-target", "projects",
                 "--cost-center", "Uppdrag", "--approved-hash", "abc", "--four-eyes"]) == 0
    (settings,) = seen
    assert settings.reconcile.system_options == EAccountingOptions("projects", "Uppdrag")
    assert (settings.approved_sync_hash, settings.approved_reconciliation_hash, settings.four_eyes) == ("abc", "", True)
    assert (settings.reconcile.mapping, settings.reconcile.out_dir) == ("", "build/sync")


def test_ops_reconcile_refuses_a_bad_value_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    from ops_lib.cli.main import main

    assert main(["reconcile", "customers", "--left", "a.csv", "--right", "b.csv", "--threshold", "150"]) == 2
    assert "threshold must be from 0 to 100, not 150" in capsys.readouterr().err


def test_settings_of_one_notebook_that_disagree_on_a_shared_default_are_found() -> None:
    found = problems(parameters_cell(NOTEBOOKS / "40_invoices.ipynb"), DraftSettings, BookingSettings)
    assert "out_dir: BookingSettings's default 'build/booking' is not 'build/invoices'" in found
