"""``--system`` reaches every job's settings from the command line, and eAccounting's flags stay its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ops_lib.cli.main import main
from ops_lib.systems import registry
from ops_lib.systems.options import NoOptions
from tests.toy_system import TOY


@pytest.fixture(autouse=True)
def toy() -> Iterator[None]:
    registry.register(TOY)
    yield
    registry.unregister(TOY.name)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What each job's library function was handed, instead of running it."""
    from ops_lib.booking import mapping_session, session
    from ops_lib.reconciliation import job
    from ops_lib.sync import session as sync_session

    found: list[Any] = []
    for owner, name in ((job, "run_reconcile"), (sync_session, "run_sync"), (session, "run_booking"),
                        (mapping_session, "check_command")):
        monkeypatch.setattr(owner, name, lambda settings: found.append(settings) or 0)
    return found


def test_reconcile_and_sync_take_the_system(seen: list[Any]) -> None:
    assert main(["reconcile", "projects", "--system", "toy", "--left", "a.csv", "--right", "sandbox"]) == 0
    assert main(["sync", "projects", "--system", "toy", "--left", "a.csv", "--right", "sandbox"]) == 0
    reconcile, sync = seen
    assert reconcile.system == sync.reconcile.system == "toy"
    assert sync.reconcile.system_options == NoOptions()  # eAccounting's flags, left unset, are not sent
    assert sync.reconcile.connection == {"system": "toy"}


def test_booking_and_the_mapping_check_take_the_system(seen: list[Any]) -> None:
    assert main(["book-vouchers", "--expenses", "x.csv", "--system", "toy"]) == 0
    assert main(["mappings", "check", "--system", "toy", "--company", "1"]) == 0
    booking, mappings = seen
    assert booking.connection == {"system": "toy"}
    assert mappings.connection == {"system": "toy", "company": "1"}


def test_without_the_flag_every_job_is_the_default_systems(seen: list[Any]) -> None:
    assert main(["sync", "projects", "--left", "a.csv", "--right", "sandbox", "--project-target", "projects"]) == 0
    (sync,) = seen
    assert sync.reconcile.system == registry.DEFAULT_SYSTEM
    assert sync.reconcile.system_options.as_kwargs() == {"project_target": "projects", "cost_center": "Projekt"}


def test_an_eaccounting_flag_with_another_system_is_refused(seen: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "projects", "--system", "toy", "--left", "a", "--right", "b", "--cost-center", "X"]) == 2
    assert "cost_center" in capsys.readouterr().err and seen == []


def test_an_unknown_system_is_an_error_naming_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", "customers", "--system", "fortnox", "--left", "a", "--right", "b"]) == 2
    assert "Unknown system 'fortnox'; known: eaccounting, vismanet, procountor, toy" in capsys.readouterr().err
