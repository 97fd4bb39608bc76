"""``ops invoices drafts | status | supplier-costs``: flags into one settings object, then end to end on the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from ops_lib.cli.main import main
from ops_lib.systems.eaccounting.options import EAccountingOptions


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The settings each invoice command hands its library function, instead of running it."""
    from ops_lib.invoicing import cost_session, draft_session, status_session

    found: list[Any] = []
    for owner, name in ((draft_session, "run_drafts"), (status_session, "run_status"), (cost_session, "run_costs")):
        monkeypatch.setattr(owner, name, lambda settings: found.append(settings) or 0)
    return found


def test_the_drafts_flags_land_in_the_draft_settings(seen: list[Any]) -> None:
    assert main(["invoices", "drafts", "--source", "exports/basis.csv", "--default-article", "100",
                 "--target", "production", "--company", "5566778899", "--state-db", "s.sqlite", "--out", "o",
                 "--apply", "--approved-hash", "abc", "--approved-by", "Bertil", "--four-eyes",
                 "--project-target", "projects"]) == 0
    (settings,) = seen
    assert (settings.source, settings.default_article, settings.target, settings.company) == (
        "exports/basis.csv", "100", "production", "5566778899")
    assert (settings.state_db, settings.out_dir) == ("s.sqlite", "o")
    assert (settings.apply, settings.approved_hash, settings.approved_by, settings.four_eyes) == (
        True, "abc", "Bertil", True)
    assert settings.system_options == EAccountingOptions("projects", EAccountingOptions().cost_center)


def test_unset_flags_leave_the_settings_defaults(seen: list[Any]) -> None:
    assert main(["invoices", "drafts"]) == 0
    assert main(["invoices", "status"]) == 0
    assert main(["invoices", "supplier-costs"]) == 0
    drafts, status, costs = seen
    assert (drafts.source, drafts.default_article, drafts.apply, drafts.approved_hash) == ("demo", "", False, "")
    assert (drafts.target, status.target, costs.target) == ("sandbox",) * 3
    assert (status.all_states, costs.period, costs.billable, costs.apply) == (False, "this_month", False, False)
    assert drafts.out_dir == status.out_dir == costs.out_dir == "build/invoices"


def test_status_all_and_the_supplier_cost_period_and_billable(seen: list[Any]) -> None:
    assert main(["invoices", "status", "--all", "--target", "sandbox"]) == 0
    assert main(["invoices", "supplier-costs", "--period", "2026-11-01..2026-11-30", "--billable"]) == 0
    assert main(["invoices", "supplier-costs", "--period", "last_month", "--not-billable"]) == 0
    status, billable, not_billable = seen
    assert status.all_states is True
    assert (billable.period, billable.billable) == ("2026-11-01..2026-11-30", True)
    assert (not_billable.period, not_billable.billable) == ("last_month", False)


def test_billable_and_not_billable_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["invoices", "supplier-costs", "--billable", "--not-billable"])
    assert exited.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_bad_period_is_refused_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoices", "supplier-costs", "--period", "last_week", "--target", "demo-sandbox"]) == 2
    assert "last_week" in capsys.readouterr().err
