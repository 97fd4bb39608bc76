"""Tags onto dimensions, judged on neutral references: no system, no sandbox, no payload."""

from __future__ import annotations

from datetime import date

import pytest

from ops_lib.booking.builder import Blocked, resolve_tags
from ops_lib.booking.mappings import MappingTables, TagMapping, check_tag_item, check_tag_target
from ops_lib.booking.setup import AccountSetup
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.chart import ChartAccount
from ops_lib.model.references import Dimension, DimensionItem, FiscalYearChart, References

DAY = date(2026, 5, 4)


def item(code: str, active: bool = True) -> DimensionItem:
    return DimensionItem(f"id-{code}", code, f"Name {code}", active)


def references(noun: str = "dimension") -> References:
    """Three dimensions in the system's order (ids as a system might key them), and one project."""
    region = Dimension("D7", "Region", {"N": item("N"), "S": item("S", active=False)})
    team = Dimension("D3", "Team", {"OPS": item("OPS"), "DEV": item("DEV")})
    legacy = Dimension("D9", "Legacy", {"X": item("X")}, active=False)
    year = FiscalYearChart(date(2026, 1, 1), date(2026, 12, 31), False, {"6540": ChartAccount("6540", "IT", True)})
    return References("Toy AB", "EUR", (year,), {}, (region, team, legacy), {"P1": item("P1")}, dimension_noun=noun)


def tables(*tags: TagMapping) -> MappingTables:
    return MappingTables(AccountSetup("A", "1", "2", "3", "4", "5"), (), tags)


def test_a_dimension_is_found_by_id_or_by_name_and_ranked_in_the_systems_order() -> None:
    refs = references()
    assert refs.dimension("D3") is refs.dimensions[1]
    assert refs.dimension("  team ") is refs.dimensions[1]
    assert refs.dimension("Nowhere") is None
    assert [refs.rank(d) for d in refs.dimensions] == [1, 2, 3]
    assert refs.dimensions[0].item("n") == item("N")


def test_tags_resolve_to_dimension_id_and_item_in_the_systems_order_with_the_project() -> None:
    refs = references()
    mapped = tables(TagMapping("team", "*", "Team"), TagMapping("area", "*", "D7"),
                    TagMapping("job", "*", "project"), TagMapping("misc", "*", "none"))
    dimensions, project = resolve_tags([("team", "DEV"), ("misc", "x"), ("area", "N"), ("job", "P1")],
                                       mapped, refs, SetupRules())
    assert dimensions == (("D7", item("N")), ("D3", item("DEV")))
    assert project == item("P1")


def test_two_items_of_one_dimension_block_the_expense_in_the_systems_words() -> None:
    mapped = tables(TagMapping("team", "*", "Team"), TagMapping("squad", "*", "Team"))
    with pytest.raises(Blocked) as caught:
        resolve_tags([("team", "DEV"), ("squad", "OPS")], mapped, references("segment"), SetupRules())
    assert caught.value.problem == "two Team items on one expense (DEV, OPS)"
    assert caught.value.fix == "keep one tag per segment"


@pytest.mark.parametrize(("target", "limit", "problem"), [
    ("Nowhere", None, "no segment 'Nowhere' (segments: D7 Region, D3 Team, D9 Legacy)"),
    ("Team", 1, "only the first 1 segment(s) can be exported; Team is segment 2"),
    ("Legacy", None, "the segment Legacy is inactive"),
])
def test_a_target_the_system_cannot_export_is_named(target: str, limit: int | None, problem: str) -> None:
    found = check_tag_target(references("segment"), SetupRules(dimension_limit=limit), target)
    assert found is not None and found[0] == problem


def test_the_limit_counts_dimensions_in_order_and_says_the_systems_reason() -> None:
    rules = SetupRules(dimension_limit=2, dimension_limit_reason="the bank file has two columns")
    assert check_tag_target(references(), rules, "Team") is None
    found = check_tag_target(references(), rules, "Legacy")
    assert found == ("the bank file has two columns; Legacy is dimension 3",
                     "map this tag group to Region, Team or 'project', or to 'none'")


def test_an_unknown_or_inactive_item_is_named_with_its_dimension() -> None:
    refs = references("segment")
    assert check_tag_item(refs, "Region", "N") is None
    assert check_tag_item(refs, "Region", "W") == ("'W' is not in the segment Region",
                                                   "create it there, or map the tag to an existing one")
    assert check_tag_item(refs, "D7", "S")[0] == "the item is inactive: S Name S"  # type: ignore[index]
    assert check_tag_item(refs, "project", "P2")[0] == "'P2' is not in projects"  # type: ignore[index]
