"""The reconciliation rules, in their order, and the actions the master system implies."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import ops_lib
from ops_lib.core.errors import ConflictError
from ops_lib.reconciliation.engine import reconcile
from ops_lib.reconciliation.fuzzy import best_matches, near_duplicates
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sources.files import load_mapping, read_file
from ops_lib.systems.eaccounting.registers import read_register
from tests.conftest import planted_differences

ROOT = Path(__file__).resolve().parents[2]


def frame(*rows: tuple[str, ...], fields: tuple[str, ...] = ("number", "name", "city")) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(fields, r)) for r in rows], columns=list(fields), dtype=object)


def row(result: ops_lib.Reconciliation, **where: str) -> pd.Series:
    pairs = result.pairs
    mask = pd.Series(True, index=pairs.index)
    for column, value in where.items():
        mask &= pairs[column] == value
    assert mask.sum() == 1, f"{mask.sum()} rows match {where}"
    return pairs[mask].iloc[0]


def test_match_and_field_mismatch_by_number() -> None:
    left = frame(("1", "Alfa AB", "Umeå"), ("2", "Beta AB", "Luleå"))
    right = frame(("1", " Alfa AB ", "Umeå"), ("2", "Beta AB", "Piteå"))
    result = reconcile(left, right, "customers", rules_right=None)
    assert row(result, left_number="1")["status"] == "match"
    mismatch = row(result, left_number="2")
    assert (mismatch["status"], mismatch["differences"], mismatch["action"]) == ("field_mismatch", "city", "update_right")
    assert result.compared_fields == ("city",)
    again = reconcile(left, right, "customers", master="right", rules_left=None, rules_right=None)
    assert row(again, left_number="2")["action"] == "update_left"


def test_name_mismatch_reports_cosmetic_differences_and_similarity() -> None:
    left = frame(("1", "odennäs  teknik  ab", "A"), ("2", "Uddbacken Bygg & Partner AB", "B"),
                 ("3", "Cafe\u0301 Nord AB", "C"))
    right = frame(("1", "Odennäs Teknik AB", "A"), ("2", "Uddbacken Bygg AB", "B"), ("3", "Café Nord AB", "C"))
    result = reconcile(left, right, "customers", rules_right=None)
    cosmetic = row(result, left_number="1")
    assert (cosmetic["status"], cosmetic["action"], cosmetic["cosmetic"]) == ("name_mismatch", "manual", True)
    real = row(result, left_number="2")
    assert real["cosmetic"] is False or real["cosmetic"] == False  # noqa: E712 - numpy bool
    assert 60 < real["name_similarity"] < 100
    assert row(result, left_number="3")["cosmetic"] == True  # noqa: E712 - Unicode form only


def test_number_pair_wins_over_the_same_name_elsewhere() -> None:
    left = frame(("1", "Alfa AB", ""), ("2", "Beta AB", ""))
    right = frame(("1", "Beta AB", ""), ("9", "Alfa AB", ""))
    result = reconcile(left, right, "projects", rules_right=None)
    assert row(result, left_number="1")["status"] == "name_mismatch"
    # Left 2 "Beta AB" is unpaired; right "Beta AB" is taken by number 1, so no name pair for it.
    assert row(result, left_number="2")["status"] == "left_only"
    assert row(result, right_number="9")["status"] == "right_only"


def test_number_mismatch_needs_a_name_unique_on_both_sides() -> None:
    left = frame(("01050", "Kvarntorp AB", ""), ("7", "Twin AB", ""), ("8", "Twin AB", ""))
    right = frame(("1050", "Kvarntorp AB", ""), ("17", "Twin AB", ""))
    result = reconcile(left, right, "projects", rules_right=None)
    paired = row(result, left_number="01050")
    assert (paired["status"], paired["right_number"], paired["differences"], paired["action"]) == \
        ("number_mismatch", "1050", "number", "manual")
    assert row(result, left_number="7")["status"] == "left_only"  # ambiguous name: no pairing
    assert row(result, right_number="17")["status"] == "right_only"


def test_duplicate_numbers_take_no_part_in_pairing() -> None:
    left = frame(("1040", "Parkkulla AB", ""), ("1040", "Dubbelgården AB", ""), ("5", "Other AB", ""))
    right = frame(("1040", "Parkkulla AB", ""), ("5", "Other AB", ""))
    result = reconcile(left, right, "projects", rules_right=None)
    dups = result.pairs[result.pairs["status"] == "duplicate"]
    assert sorted(dups["left_name"]) == ["Dubbelgården AB", "Parkkulla AB"] and set(dups["action"]) == {"manual"}
    lonely = row(result, right_number="1040")
    # Not paired by name either, and not created on the left where the number is taken twice.
    assert (lonely["status"], lonely["issues"], lonely["action"]) == ("right_only", "number_in_use", "blocked")


def test_only_on_one_side_with_fuzzy_suggestions() -> None:
    left = frame(("10", "Norrsken Konsult AB", ""), ("11", "Helt Annat AB", ""))
    right = frame(("20", "Norrsken Konsult", ""), ("21", "NORRSKEN  KONSULTER AB", ""))
    result = reconcile(left, right, "projects", rules_right=None, rules_left=None)
    lone = row(result, left_number="10")
    assert (lone["status"], lone["action"]) == ("left_only", "create_right")
    assert lone["suggestion_number"] in ("20", "21") and lone["suggestion_score"] >= 85
    assert row(result, left_number="11")["suggestion_number"] == ""
    assert row(result, right_number="20")["action"] == "create_left"


def test_names_differing_only_cosmetically_score_100() -> None:
    best, scores = best_matches(["  ACME  Bygg ab", "Cafe\u0301"], ["Other", "acme bygg AB", "Café"], 85)
    assert best.tolist() == [1, 2] and scores.tolist() == [100, 100]


def test_inactive_records_on_one_side_are_skipped_but_projects_are_created() -> None:
    fields = ("number", "name", "is_active")
    left = frame(("1", "Sovande AB", "false"), fields=fields)
    right = frame(("2", "Vaken AB", "true"), fields=fields)
    customers = reconcile(left, right, "customers", rules_right=None, rules_left=None)
    assert row(customers, left_number="1")["action"] == "skip_inactive"
    assert row(customers, right_number="2")["action"] == "create_left"
    projects = reconcile(left, right, "projects", rules_right=None, rules_left=None)
    assert row(projects, left_number="1")["action"] == "create_right"


def test_writes_that_break_the_targets_rules_are_blocked() -> None:
    fields = ("number", "name", "address1", "postal_code", "city", "country_code")
    left = frame(("1", "N" * 51, "Gatan 1", "111 22", "Stad", "SE"), ("2", "Utan Adress AB", "", "", "Stad", "SE"),
                 ("3", "Bra AB", "Gatan 3", "111 22", "Stad", "SE"), ("4", "Lång Adress AB", "G" * 51, "1", "S", "SE"),
                 fields=fields)
    right = frame(("3", "Bra AB", "Gatan 3", "111 22", "Annan stad", "SE"), fields=fields)
    result = reconcile(left, right, "customers")
    assert row(result, left_number="1")["issues"] == "name_too_long"
    assert row(result, left_number="2")["issues"] == "missing_address;missing_postal_code"
    assert row(result, left_number="4")["issues"] == "address_too_long"
    assert set(result.pairs.loc[result.pairs["left_number"].isin(["1", "2", "4"]), "action"]) == {"blocked"}
    assert row(result, left_number="3")["action"] == "update_right"


def test_product_and_project_rules() -> None:
    products = frame(("", "Utan kod", "25"), ("P1", "Utan moms", ""), fields=("number", "name", "vat_rate"))
    result = reconcile(products, frame(fields=("number", "name", "vat_rate")), "products")
    assert set(result.pairs["issues"]) == {"missing_code", "missing_vat_rate"}
    projects = reconcile(frame(("1234567890", "Långt nummer", "")), frame(), "projects")
    assert projects.pairs.iloc[0]["issues"] == "number_too_long"


def test_every_status_and_action_in_one_summary() -> None:
    fields = ("number", "name", "city", "is_active")
    left = frame(("1", "A", "x", "true"), ("2", "B", "x", "true"), ("3", "C", "x", "true"), ("04", "D", "x", "true"),
                 ("5", "E", "x", "true"), ("5", "E2", "x", "true"), ("6", "F", "x", "true"), ("7", "G", "x", "false"),
                 fields=fields)
    right = frame(("1", "A", "x", "true"), ("2", "B", "y", "true"), ("3", "C!", "x", "true"), ("4", "D", "x", "true"),
                  ("8", "H", "x", "true"), fields=fields)
    result = reconcile(left, right, "customers", rules_right=None, rules_left=None)
    summary = result.summary()
    got = {(r.status, r.action): r.count for r in summary.itertuples() if r.count}
    assert got == {("match", "none"): 1, ("field_mismatch", "update_right"): 1, ("name_mismatch", "manual"): 1,
                   ("number_mismatch", "manual"): 1, ("duplicate", "manual"): 2, ("left_only", "create_right"): 1,
                   ("left_only", "skip_inactive"): 1, ("right_only", "create_left"): 1}
    assert result.findings == 8
    assert set(result.to_frame().columns) >= {"status", "left_number", "left_name", "right_number", "right_name",
                                              "differences", "issues", "action", "suggestion_number",
                                              "suggestion_name", "suggestion_score"}


def test_results_write_csv_excel_and_json(tmp_path: Path) -> None:
    left = frame(("1", "A", "x"), ("2", "B", "x"), ("3", "C", "x"))
    right = frame(("1", "A", "x"), ("2", "B", "y"))
    result = reconcile(left, right, "customers", rules_right=None)
    written = result.write(tmp_path)
    csv = pd.read_csv(written["csv"], dtype=str, keep_default_na=False)
    assert list(csv.columns)[:3] == ["status", "left_number", "left_name"] and len(csv) == 3
    book = openpyxl.load_workbook(written["xlsx"])
    assert book.sheetnames == ["Summary", "match", "field_mismatch", "left_only"]
    assert book["field_mismatch"]["A1"].font.bold and book["field_mismatch"].freeze_panes == "A2"
    body = json.loads(written["json"].read_text())
    assert body["status_counts"]["left_only"] == 1 and body["plan_hash"] == result.plan_hash
    assert "background" in result._repr_html_()


def test_plan_hash_follows_the_data_and_binds_approval() -> None:
    left = frame(("1", "A", "x"), ("2", "B", "x"))
    right = frame(("1", "A", "y"))
    first = reconcile(left, right, "customers", rules_right=None)
    assert first.plan_hash == reconcile(left, right, "customers", rules_right=None).plan_hash
    changed = reconcile(frame(("1", "A", "z"), ("2", "B", "x")), right, "customers", rules_right=None)
    assert changed.plan_hash != first.plan_hash
    approval = first.approve("anna", expected_hash=first.plan_hash)
    assert approval.plan_hash == first.plan_hash and approval.writes == 2
    with pytest.raises(ConflictError, match="approve again"):
        changed.approve("anna", expected_hash=first.plan_hash)


def test_accepting_a_suggestion_links_instead_of_creating() -> None:
    left = frame(("10", "Norrsken Konsult AB", ""))
    right = frame(("20", "Norrsken Konsult", ""))
    result = reconcile(left, right, "projects", rules_right=None, rules_left=None)
    index = int(result.pairs.index[result.pairs["status"] == "left_only"][0])
    accepted = result.accept_suggestion(index)
    assert len(accepted.pairs) == 1
    linked = accepted.pairs.iloc[0]
    assert (linked["status"], linked["right_number"], linked["action"]) == ("name_mismatch", "20", "manual")
    assert accepted.plan_hash != result.plan_hash
    assert accepted.approve("anna").accepted_suggestions == ("left:10~20",)
    rejected = result.reject_suggestion(index)
    assert rejected.pairs.loc[index, "suggestion_number"] == "" and len(rejected.pairs) == 2


def test_near_duplicates_by_org_number_and_name() -> None:
    register = frame(("1", "Alfa Konsult AB", "556000-0001"), ("2", "ALFA  konsult ab", "556000-0002"),
                     ("3", "Beta Bygg AB", "556000-0001"), ("4", "Gamma Data AB", "556000-0009"),
                     fields=("number", "name", "org_number"))
    found = near_duplicates(register)
    pairs = {(r.number_a, r.number_b, r.reason) for r in found.itertuples()}
    assert pairs == {("1", "2", "similar_name"), ("1", "3", "same_org_number")}


@pytest.mark.parametrize("register", ["customers", "products", "projects"])
def test_demo_export_against_the_sandbox_gives_exactly_the_planted_differences(client: object,
                                                                                 register: str) -> None:
    left = read_file(PM_EXPORT_DIR / f"{register}.csv", register, load_mapping(ROOT / "params/columns/pm.yaml", register))
    result = reconcile(left, read_register(client, register), register)  # type: ignore[arg-type]
    planted = pd.DataFrame(planted_differences(register))
    expected_status = {"renamed": "name_mismatch", "case_and_spacing": "name_mismatch",
                       "changed_address": "field_mismatch", "changed_price": "field_mismatch",
                       "changed_status": "field_mismatch", "leading_zero": "number_mismatch",
                       "only_in_eaccounting": "right_only", "only_in_export": "left_only",
                       "duplicate_number": "duplicate"}
    findings = result.pairs[result.pairs["status"] != "match"]
    seen: set[tuple[str, str]] = set()
    for p in planted.itertuples():
        if p.difference in ("name_too_long", "missing_address"):
            hit = findings[findings["left_number"] == p.number]
            assert hit["action"].tolist() == ["blocked"], p
            continue
        if p.difference == "renumbered":  # unpaired on both sides, each suggesting the other
            hit = findings[(findings["left_number"] == p.number) | (findings["suggestion_number"] == p.number)]
            assert sorted(hit["status"]) == ["left_only", "right_only"], p
            assert hit["suggestion_score"].min() >= 85 and set(hit["suggestion_number"]) - {p.number}, p
            seen.update((s, str(i)) for s, i in zip(hit["status"], hit.index))
            continue
        if p.difference == "head_office_address":  # read as its invoicing address: nothing to block
            hit = findings[findings["left_number"] == p.number]
            assert hit["action"].tolist() == ["create_right"] and hit["issues"].tolist() == [""], p
            continue
        status = expected_status[p.difference]
        number_column = "right_number" if status == "right_only" else "left_number"
        hit = findings[(findings[number_column] == p.number) & (findings["status"] == status)]
        assert len(hit) == (2 if status == "duplicate" else 1), p
        seen.update((status, str(i)) for i in hit.index)
        if p.difference == "case_and_spacing":
            assert bool(hit.iloc[0]["cosmetic"])
    # Every finding is a planted one, except the sandbox record whose number the export duplicates.
    extra = findings[[("%s" % s, str(i)) not in seen for s, i in zip(findings["status"], findings.index)]]
    duplicated = set(planted.loc[planted["difference"] == "duplicate_number", "number"])
    assert all(r.status == "right_only" and r.right_number in duplicated for r in extra.itertuples()), extra


def test_blocked_suggestions_find_the_same_best_as_full_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    import ops_lib.reconciliation.fuzzy as fuzzy

    queries = ["Norrsken Konsult AB", "Vikholm Teknik", "Helt Annat AB", "ACME  bygg"]
    choices = ["Norrsken Konsulter AB", "Vikholms Teknik AB", "Acme Bygg", "Något Annat", "Konsult AB"]
    full = fuzzy.best_matches(queries, choices, 80)
    monkeypatch.setattr(fuzzy, "FULL_COMPARISON_LIMIT", 0)
    blocked = fuzzy.best_matches(queries, choices, 80)
    assert full[0].tolist() == blocked[0].tolist() == [0, 1, -1, 2]
    assert full[1].tolist() == blocked[1].tolist()
