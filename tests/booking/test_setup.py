"""Account setup for journal export, checked against the sandbox's chart (issue 7, first part)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from ops_lib.booking.setup import AccountSetup, check_setup
from ops_lib.connection.demo_sandbox import demo_client
from ops_lib.core.errors import DataInputError
from ops_lib.systems.eaccounting.chart import SETUP_RULES, read_chart

GOOD = AccountSetup(voucher_series="E", card_contra_account="1941", out_of_pocket_account="2893",
                    reimbursement_contra_account="1930", input_vat_account="2641")


def problems_with(setup: AccountSetup, day: date | None = None) -> dict[str, str]:
    with demo_client() as client:
        years = sorted(client.fiscal_years(), key=lambda y: y.start_date)
        chart = read_chart(client, day or years[-1].start_date)
    return {p.field: p.problem for p in check_setup(setup, chart, SETUP_RULES)}


def test_a_sound_setup_has_no_problems() -> None:
    assert problems_with(GOOD) == {}


@pytest.mark.parametrize("change, field, problem", [
    ({"card_contra_account": "1942"}, "card_contra_account",
     "is not in this fiscal year's chart (it exists in another"),
    ({"card_contra_account": "1930"}, "card_contra_account", "should be in the 1940 series"),
    ({"input_vat_account": "2649"}, "input_vat_account", "2649 is not in this fiscal year's chart"),
    ({"out_of_pocket_account": "6991"}, "out_of_pocket_account",
     "6991 (Övriga externa kostnader, avdragsgilla) is inactive"),
    ({"voucher_series": "expenses"}, "voucher_series", "not a voucher series name"),
])
def test_each_wrong_setting_is_named_with_its_problem(change: dict[str, str], field: str, problem: str) -> None:
    found = problems_with(replace(GOOD, **change))
    assert list(found) == [field] and problem in found[field]


def test_an_account_only_in_this_year_is_refused_for_last_year_and_a_missing_year_is_named() -> None:
    with demo_client() as client:
        years = sorted(client.fiscal_years(), key=lambda y: y.start_date)
    last_year = problems_with(GOOD, years[0].start_date)
    assert list(last_year) == ["card_contra_account"] and "1941" in last_year["card_contra_account"]
    before = problems_with(GOOD, date(years[0].start_date.year - 5, 1, 1))
    assert "no fiscal year covers" in before["fiscal_year"]


def test_the_setup_file_round_trips_and_bad_files_name_the_field(tmp_path: Path) -> None:
    path = GOOD.write(tmp_path / "accounts.yaml")
    assert AccountSetup.read(path) == GOOD
    path.write_text("voucher_series: E\ncard_contra_account: '1941'\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"accounts.yaml: the field\(s\) out_of_pocket_account, "
                                             r"reimbursement_contra_account are missing"):
        AccountSetup.read(path)
    path.write_text("voucher_series: E\ncontra: '1941'\n", encoding="utf-8")
    with pytest.raises(DataInputError, match="unknown field"):
        AccountSetup.read(path)


@pytest.mark.parametrize("typed", ["1_941", "0x795", "03625"])
def test_an_account_yaml_would_read_as_another_number_is_kept_as_typed_and_refused(tmp_path: Path,
                                                                                   typed: str) -> None:
    """YAML 1.1 reads 1_941 and 0x795 as 1941 and 03625 as octal 1941: a typed account must not become one."""
    path = GOOD.write(tmp_path / "accounts.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("'1941'", typed), encoding="utf-8")
    setup = AccountSetup.read(path)
    assert setup.card_contra_account == typed
    assert "card_contra_account" in problems_with(setup)
