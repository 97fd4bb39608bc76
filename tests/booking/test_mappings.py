"""Mapping tables: CSV import and export, the check against the sandbox, the editor and `ops mappings check`."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ops_lib.booking.mapping_session import check_command, export_table, import_table, open_mappings
from ops_lib.booking.mappings import (
    CategoryMapping,
    MappingProblem,
    MappingTables,
    TagMapping,
    read_table,
    table_text,
    write_table,
)
from ops_lib.booking.settings import mapping_settings
from ops_lib.core.errors import ConflictError, DataInputError
from ops_lib.forms.mappings import mapping_form

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = ROOT / "params" / "mappings"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the committed default tables, free to change."""
    target = tmp_path / "mappings"
    shutil.copytree(DEFAULTS, target)
    return target


def plant(folder: Path, table: str, line: str, replacing: str = "") -> int:
    """Put ``line`` in the folder's table (in place of the line ``replacing``, else at the end); return its row."""
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    if replacing:
        index = lines.index(replacing)
        lines[index] = line
    else:
        lines.append(line)
        index = len(lines) - 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def problems_in(folder: Path, day: date | None = None) -> list[MappingProblem]:
    with open_mappings(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=day or date.today())) as session:
        return list(session.check().problems)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- read_table: importing a table ----------------------------------------------------------------------------


def test_a_semicolon_windows_1252_file_with_headers_in_another_case_imports(tmp_path: Path) -> None:
    path = tmp_path / "kategorier.csv"
    raw = "Category;ACCOUNT;Vat Code\r\nRäkning för mat;5831;48\r\nÖvrigt;6992;\r\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Windows-1252, not UTF-8
    path.write_bytes(raw)
    rows = read_table(path, "categories")
    assert rows == (CategoryMapping("Räkning för mat", "5831", "48"), CategoryMapping("Övrigt", "6992", ""))
    assert [r.row for r in rows] == [2, 3]
    tags = tmp_path / "taggar.csv"
    tags.write_bytes("TAG GROUP;Tag;TARGET\nAvdelning;Sälj;avdelning\n".encode("cp1252"))
    assert read_table(tags, "tags") == (TagMapping("Avdelning", "Sälj", "avdelning", ""),)


@pytest.mark.parametrize("table, text, where, problem", [
    ("categories", "category;vat_code\nHotel;48\n", "row 1", "missing column 'account'"),
    ("tags", "tag_group,tag,item\nProjekt,*,\n", "row 1", "missing column 'target'"),
    ("categories", "category,account\nHotel,5831\n  ,6110\n", "row 3, field 'category'", "empty"),
    ("tags", "tag_group,tag,target\nProjekt,*,Projekt\nproject,,project\n", "row 3, field 'tag'", "empty"),
    ("categories", "category,account\nHotel,5831\nMeals,5831\nHOTEL,5800\n", "row 4, field 'category'",
     "is mapped twice (also on row 2)"),
    ("tags", "tag_group,tag,target\nProjekt,1001,Projekt\nAvdelning,*,none\nprojekt, 1001 ,Projekt\n",
     "row 4, field 'tag'", "is mapped twice (also on row 2)"),
])
def test_an_unusable_table_names_the_file_and_the_row(tmp_path: Path, table: str, text: str, where: str,
                                                      problem: str) -> None:
    path = tmp_path / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataInputError) as caught:
        read_table(path, table)
    message = str(caught.value)
    assert message.startswith(f"{path}, {where}:") and problem in message


# --- write_table / table_text: exporting -----------------------------------------------------------------------


def test_the_written_table_is_utf8_with_lf_a_header_first_and_rows_sorted_by_key(tmp_path: Path) -> None:
    rows = [CategoryMapping("travel", "5800", "48"), CategoryMapping("Övrigt, diverse", "6992", ""),
            CategoryMapping("Bank fees", "6570", "00"), CategoryMapping("fuel", "5611", "48"),
            CategoryMapping("Hotel", "5831", "48")]
    text = table_text(rows, "categories")
    assert text == ("category,account,vat_code,vat_treatment,vat_rate\nBank fees,6570,00,,\nfuel,5611,48,,\n"
                    "Hotel,5831,48,,\ntravel,5800,48,,\n\"Övrigt, diverse\",6992,,,\n")
    path = write_table(reversed(rows), tmp_path / "out" / "categories.csv", "categories")
    raw = path.read_bytes()
    assert raw == text.encode("utf-8") and b"\r" not in raw and "Ö".encode("utf-8") in raw
    assert path.stat().st_mode & 0o777 == 0o644
    assert read_table(path, "categories") == tuple(sorted(rows, key=lambda r: r.category.casefold()))
    tags = [TagMapping("project", "*", "project"), TagMapping("Projekt", "1001", "Projekt", "1001"),
            TagMapping("Avdelning", "*", "none"), TagMapping("Projekt", "*", "Projekt")]
    assert table_text(tags, "tags").splitlines() == ["tag_group,tag,target,item", "Avdelning,*,none,",
                                                     "project,*,project,", "Projekt,*,Projekt,",
                                                     "Projekt,1001,Projekt,1001"]


def test_the_tables_round_trip_through_read_and_write(folder: Path, tmp_path: Path) -> None:
    tables = MappingTables.read(folder)
    assert len(tables.categories) == 16 and len(tables.tags) == 4 and tables.setup.card_contra_account == "1941"
    paths = tables.write(tmp_path / "copy")
    assert [p.name for p in paths] == ["accounts.yaml", "categories.csv", "tags.csv"]
    copy = MappingTables.read(tmp_path / "copy")
    assert copy.setup == tables.setup and copy.categories == tables.categories
    assert sorted(copy.tags, key=repr) == sorted(tables.tags, key=repr)
    assert [t.tag_group for t in copy.tags] == ["Avdelning", "cost_centre", "project", "Projekt"]
    assert (tmp_path / "copy" / "categories.csv").read_bytes() == (DEFAULTS / "categories.csv").read_bytes()
    copy.write(tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "copy")


def test_import_and_export_round_trip(folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "from-a-spreadsheet.csv"
    source.write_bytes("Category;Account;VAT_code\nTaxi;5800;48\nBöcker;6110;48\nAbonnemang;6540;\n"
                       .encode("cp1252"))
    written = import_table(folder, "categories", source)
    assert written == folder / "categories.csv"
    assert written.read_text(encoding="utf-8") == ("category,account,vat_code,vat_treatment,vat_rate\n"
                                                   "Abonnemang,6540,,,\nBöcker,6110,48,,\nTaxi,5800,48,,\n")
    exported = export_table(folder, "categories", tmp_path / "exported.csv")
    assert exported.read_bytes() == written.read_bytes()
    assert set(read_table(exported, "categories")) == set(read_table(source, "categories"))
    other = tmp_path / "other"
    other.mkdir()
    tags = export_table(folder, "tags", tmp_path / "tags.csv")
    assert import_table(other, "tags", tags).read_bytes() == tags.read_bytes()
    assert set(read_table(other / "tags.csv", "tags")) == set(MappingTables.read(folder).tags)


# --- check_mappings against the sandbox ------------------------------------------------------------------------


def test_the_committed_defaults_have_no_problems(folder: Path) -> None:
    today = date.today()
    with open_mappings(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=today)) as session:
        check = session.check()
        assert session.references.currency == "SEK"
    assert check.problems == () and check.describe() == f"Every mapping is valid for {today}."


def _this_year() -> str:
    year = date.today().year
    return f"{date(year, 1, 1)}...{date(year, 12, 31)}"


@pytest.mark.parametrize("table, line, replacing, key, field, value, problem, fix", [
    ("categories", "Other costs,6991,48", "", "Other costs", "account", "6991",
     "account 6991 (Övriga externa kostnader, avdragsgilla) is inactive", "activate it, or map to an active"),
    ("categories", "Old card,1942,00", "", "Old card", "account", "1942",
     "account 1942 is not in the chart of the fiscal year {year} (it exists in another fiscal year)",
     "add it to that year's chart"),
    ("categories", "Hotel Oslo,5831,25", "", "Hotel Oslo", "vat_code", "25",
     "no VAT code '25' (codes: 00, 10, 11, 12, 21, 22, 48, 48-12, 48-6)", "choose one of the system's VAT codes"),
    ("categories", "Lodging,5831,,domestic,lodging", "", "Lodging", "vat_rate", "lodging",
     "'lodging' is not one of Sweden's rate classes", "use one of books, exempt, food, hotel"),
    ("categories", "Gadgets,5410,,reverse charge,", "", "Gadgets", "vat_treatment", "reverse charge",
     "'reverse charge' is not a VAT treatment", "use one of domestic, foreign, reverse_charge_eu"),
    ("categories", "Client lunch,6071,,representation,restaurant", "", "Client lunch", "account", "6071",
     "a representation meal is not deductible for income tax, so it books on 6072, not on 6071",
     "map the category to 6072"),
    ("categories", "Hotel Oslo,5832,48,foreign,", "", "Hotel Oslo", "vat_code", "48",
     "the VAT code 48 deducts 25 % input VAT, but foreign VAT is not deductible", "clear the category's VAT code"),
    ("categories", "Hostel,5831,48,domestic,hotel", "", "Hostel", "vat_code", "48",
     "the VAT code 48 is 25 % but hotel is 12 % on", "choose the VAT code for 12 %"),
    ("tags", "Avdelning,*,Avdelning,", "Avdelning,*,none,", "Avdelning: *", "target", "Avdelning",
     "only the first cost centre", "map this tag group to Projekt or 'project'"),
    ("tags", "Projekt,Utbyggnad,Projekt,1005", "", "Projekt: Utbyggnad", "item", "1005",
     "the item is inactive: 1005 ", "reactivate it"),
    ("tags", "Region,*,Region,", "", "Region: *", "target", "Region",
     "no cost centre 'Region' (cost centres: 1 Projekt, 2 Avdelning)", "use a cost centre's name or number"),
    ("tags", "project,9999,project,", "", "project: 9999", "item", "9999",
     "'9999' is not in projects", "create it there"),
])
def test_each_planted_problem_is_reported_on_its_row_with_a_fix(folder: Path, table: str, line: str,
                                                                replacing: str, key: str, field: str, value: str,
                                                                problem: str, fix: str) -> None:
    row = plant(folder, table, line, replacing)
    found = problems_in(folder)
    assert len(found) == 1, found
    p = found[0]
    assert (p.table, p.row, p.key, p.field, p.value) == (table, row, key, field, value)
    assert problem.format(year=_this_year()) in p.problem and fix in p.fix


def test_active_items_pass_and_every_bad_row_of_many_is_found(folder: Path) -> None:
    for line in ("Projekt,1001,Projekt,1001", "Projekt,Införande,Projekt,1001", "project,1002,project,",
                 "project,1003,project,1003", "Avdelning,SALJ,none,"):
        plant(folder, "tags", line)
    assert problems_in(folder) == []
    inactive = plant(folder, "categories", "Other costs,6991,48")
    unknown_vat = plant(folder, "categories", "Hotel Oslo,5831,25")
    ended = plant(folder, "tags", "project,1005,project,")
    found = problems_in(folder)
    assert [(p.table, p.row, p.field) for p in found] == [("categories", inactive, "account"),
                                                          ("categories", unknown_vat, "vat_code"),
                                                          ("tags", ended, "item")]
    assert "the project has ended: 1005 " in found[2].problem


def test_last_year_knows_1942_but_not_the_setup_account_1941(folder: Path) -> None:
    plant(folder, "categories", "Old card,1942,00")
    found = problems_in(folder, date(date.today().year - 1, 6, 15))
    assert [(p.table, p.row, p.key, p.value) for p in found] == [("accounts.yaml", 0, "card_contra_account", "1941")]
    assert "is not in this fiscal year's chart" in found[0].problem


# --- the editor ------------------------------------------------------------------------------------------------


def category_widgets(form: Any, name: str) -> dict[str, Any]:
    return next(r for r in form.state["categories"] if r["name"].value == name)


def test_the_editor_flags_an_inactive_account_and_saves_only_a_valid_table(folder: Path) -> None:
    csv_before = (folder / "categories.csv").read_bytes()
    with open_mappings(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=date.today())) as session:
        form = mapping_form(session)
        rows = form.state["categories"]
        assert isinstance(rows, list) and len(rows) == 16
        assert all({"name", "account", "vat", "status"} <= set(r) for r in rows)
        fuel = category_widgets(form, "Fuel")
        assert "ops-row-ok" in fuel["status"]._dom_classes and "ops-row-problem" not in fuel["status"]._dom_classes
        fuel["account"].value = "6991"
        assert "ops-row-problem" in fuel["status"]._dom_classes and "ops-row-ok" not in fuel["status"]._dom_classes
        assert "inactive" in fuel["status"].value
        form.state["save"](None)
        assert (folder / "categories.csv").read_bytes() == csv_before
        assert "Nothing was saved" in form.children[-1].value
        fuel["account"].value = "5890"
        assert "ops-row-ok" in fuel["status"]._dom_classes and "ops-row-problem" not in fuel["status"]._dom_classes
        form.state["save"](None)
        assert "Saved" in form.children[-1].value
        moved = CategoryMapping("Fuel", "5890", "", "domestic", "standard")
        assert session.tables.category("fuel") == moved
    saved = read_table(folder / "categories.csv", "categories")
    before = CategoryMapping("Fuel", "5611", "", "domestic", "standard")
    assert moved in saved and before not in saved
    assert set(saved) - {moved} == set(read_table(DEFAULTS / "categories.csv", "categories")) - {before}


def test_the_editor_flags_a_tag_moved_to_the_second_cost_centre(folder: Path) -> None:
    tags_before = (folder / "tags.csv").read_bytes()
    with open_mappings(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=date.today())) as session:
        form = mapping_form(session)
        row = next(r for r in form.state["tags"] if r["group"].value == "Projekt")
        assert "ops-row-ok" in row["status"]._dom_classes
        row["target"].value = "Avdelning"
        assert "ops-row-problem" in row["status"]._dom_classes
        assert "only the first cost centre" in row["status"].value
        assert {code for _, code in row["item"].options} == {"", "SALJ", "KONS", "ADM"}
        form.state["save"](None)
        assert "Nothing was saved" in form.children[-1].value
    assert (folder / "tags.csv").read_bytes() == tags_before


# --- MappingSession.save and the CLI check ---------------------------------------------------------------------


def test_save_refuses_a_table_with_a_problem_and_writes_nothing(folder: Path) -> None:
    before = snapshot(folder)
    with open_mappings(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=date.today())) as session:
        bad = session.tables.with_rows([*session.tables.categories, CategoryMapping("Other costs", "6991", "48")])
        with pytest.raises(ConflictError, match=re.escape("Nothing was saved: 1 row(s) need fixing first "
                                                          "(Other costs: account 6991")):
            session.save(bad)
        assert snapshot(folder) == before and session.tables.category("Other costs") is None
        good = session.tables.with_rows([*session.tables.categories, CategoryMapping("Other costs", "6992", "")])
        session.save(good)
        assert session.tables.category("other costs") == CategoryMapping("Other costs", "6992", "")
    assert CategoryMapping("Other costs", "6992", "") in read_table(folder / "categories.csv", "categories")


def test_check_command_exits_0_for_the_defaults_and_1_for_a_planted_problem(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = date.today().isoformat()
    assert check_command(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=today)) == 0
    assert capsys.readouterr().out == f"Every mapping is valid for {today}.\n"
    row = plant(folder, "categories", "Other costs,6991,48")
    assert check_command(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=today)) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"1 mapping problem(s) for {today}:\n")
    assert f"categories.csv, row {row}, column 'account' (Other costs) 6991: account 6991" in out
    assert "; fix: activate it" in out


def test_ops_mappings_check_names_the_file_row_and_column_of_each_problem(folder: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    row = plant(folder, "categories", "Misc,9999,48")
    tag_row = plant(folder, "tags", "Projekt,1002,Projekt,9998")
    setup = folder / "accounts.yaml"
    setup.write_text(setup.read_text(encoding="utf-8").replace("'2641'", "'2649'"), encoding="utf-8")
    assert check_command(mapping_settings(mapping_dir=folder, target="demo-sandbox")) == 1
    out = capsys.readouterr().out
    assert f"categories.csv, row {row}, column 'account' (Misc) 9999: account 9999 is not in the chart" in out
    assert f"tags.csv, row {tag_row}, column 'item' (Projekt: 1002) 9998: '9998' is not in the cost centre" in out
    assert "accounts.yaml, key 'input_vat_account' 2649: the input VAT account 2649" in out


def test_the_editor_shows_and_checks_each_categorys_vat_treatment_and_rate(folder: Path) -> None:
    with open_mappings(mapping_settings(mapping_dir=folder, target="demo-sandbox", day=date(2026, 6, 15))) as session:
        form = mapping_form(session)
        food, dinner = category_widgets(form, "Food"), category_widgets(form, "Representation")
        assert (food["treatment"].value, food["rate"].value) == ("domestic", "food")
        assert ("food (6 %)", "food") in food["rate"].options and "ops-row-ok" in food["status"]._dom_classes
        assert {value for _, value in dinner["treatment"].options} == {
            "domestic", "foreign", "reverse_charge_eu", "reverse_charge_non_eu", "representation"}
        dinner["account"].value = "6071"
        assert "ops-row-problem" in dinner["status"]._dom_classes and "books on 6072" in dinner["status"].value
        dinner["account"].value = "6072"
        food["treatment"].value = "foreign"
        food["vat"].value = "48"
        assert "foreign VAT is not deductible" in food["status"].value
        form.state["save"](None)
        assert "Nothing was saved" in form.children[-1].value


def test_ops_mappings_check_validates_the_vat_treatment_rate_class_and_rule_accounts(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lunch = plant(folder, "categories", "Client lunch,6071,,representation,restaurant")
    hostel = plant(folder, "categories", "Hostel,5831,,domestic,lodging")
    setup = folder / "accounts.yaml"
    setup.write_text(setup.read_text(encoding="utf-8") + "reverse_charge_input_vat_account: '2647x'\n",
                     encoding="utf-8")
    assert check_command(mapping_settings(mapping_dir=folder, target="demo-sandbox")) == 1
    out = capsys.readouterr().out
    assert f"categories.csv, row {lunch}, column 'account' (Client lunch) 6071: a representation meal" in out
    assert f"categories.csv, row {hostel}, column 'vat_rate' (Hostel) lodging: 'lodging' is not one of Sweden's" in out
    assert ("accounts.yaml, key 'reverse_charge_input_vat_account' 2647x: the input VAT account for reverse charge "
            "2647x is not in this fiscal year's chart") in out
