"""Mapping tables: which account and VAT code each expense category books to, what each tag means.

They live under ``params/mappings/`` beside the account setup, as
diffable CSV (sorted, UTF-8, one row per mapping) so a reviewer sees in
a pull request exactly which category moved to which account:

``categories.csv``
    ``category, account, vat_code, vat_treatment, vat_rate``: the account
    number a category books to, its default VAT code (an expense line may
    name another), how its VAT is booked (domestic, foreign,
    reverse_charge_eu, reverse_charge_non_eu or representation; see
    :mod:`ops_lib.booking.vat`) and the class of the country's rates it
    pays (standard, hotel, restaurant, food, passenger_transport, ...; the
    rate is the one in force on each expense's date).
``tags.csv``
    ``tag_group, tag, target, item``: what a tag means. ``target`` is a
    dimension (its name or id; in eAccounting a cost centre's name or
    number), ``project``, or ``none`` (the tag is not exported). ``tag`` is
    one value, with ``item`` the dimension item's code or project number it
    stands for, or ``*`` for every value of the group, each meaning the item
    or project whose code (or name) it is.
``accounts.yaml``
    The account setup (:class:`ops_lib.booking.setup.AccountSetup`).

:func:`check_mappings` lists every row that points at a missing or
inactive account, VAT code, dimension or item, or at a dimension the
system cannot export, each with how to fix it. The tables hold no
secrets: numbers, codes and names only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from ops_lib.booking.setup import AccountSetup, check_setup
from ops_lib.booking.vat import treatment_of, treatment_problem
from ops_lib.core.errors import DataInputError
from ops_lib.core.files import write_private_file
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.references import References
from ops_lib.model.registers import fold_name
from ops_lib.sources.files import read_numbered_rows

ANY_TAG = "*"
PROJECT_TARGET = "project"
NOT_EXPORTED = "none"
SETUP_FILE = "accounts.yaml"


def location(table: str, row: int, column: str) -> str:
    """Where a value of a mapping table lives, for messages: ``categories.csv, row 4, column 'account'``."""
    return f"{table}.csv" + (f", row {row}" if row else "") + f", column {column!r}"


@dataclass(frozen=True)
class CategoryMapping:
    category: str
    account: str
    vat_code: str = ""
    vat_treatment: str = ""  # domestic (when empty), foreign, reverse_charge_eu, reverse_charge_non_eu, representation
    vat_rate: str = ""  # a rate class of the country (standard, hotel, food, ...); empty: the VAT code's rate
    row: int = field(default=0, compare=False)

    def where(self, column: str) -> str:
        return location("categories", self.row, column)


@dataclass(frozen=True)
class TagMapping:
    tag_group: str
    tag: str
    target: str
    item: str = ""
    row: int = field(default=0, compare=False)

    def where(self, column: str) -> str:
        return location("tags", self.row, column)


TABLES: dict[str, tuple[type, tuple[str, ...]]] = {
    "categories": (CategoryMapping, ("category",)),
    "tags": (TagMapping, ("tag_group", "tag")),
}


def _columns(table: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(TABLES[table][0]) if f.name != "row")


def read_table(path: Path | str, table: str) -> tuple[Any, ...]:
    """Import one mapping table from CSV or XLSX (any encoding and delimiter the readers know).

    Headers are the table's column names (case and spacing ignored).

    Raises
    ------
    DataInputError
        A missing column, an empty key, or a key that appears twice (naming both rows).
    """
    path = Path(path)
    record, key = TABLES[table]
    columns = _columns(table)
    numbered, _ = read_numbered_rows(path)
    header = [fold_name(h).replace(" ", "_") for h in numbered[0][1]]
    missing = [c for c in columns if c not in header and c in key + ("account", "target")]
    if missing:
        raise DataInputError(f"{path}, row 1: missing column {missing[0]!r}; a {table} table has "
                             f"{', '.join(columns)}")
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for number, cells in numbered[1:]:
        values = {c: (cells[header.index(c)].strip() if c in header and header.index(c) < len(cells) else "")
                  for c in columns}
        if fold_name(values.get("target", "")) in (PROJECT_TARGET, NOT_EXPORTED):
            values["target"] = fold_name(values["target"])
        ident = tuple(fold_name(values[k]) for k in key)
        empty = next((k for k in key if not fold_name(values[k])), None)
        if empty:
            raise DataInputError(f"{path}, row {number}, field {empty!r}: empty; every row needs its "
                                 f"{' and '.join(key)}")
        if ident in seen:
            raise DataInputError(f"{path}, row {number}, field {key[-1]!r}: {' / '.join(values[k] for k in key)} "
                                 f"is mapped twice (also on row {seen[ident]}); keep one row")
        seen[ident] = number
        out.append(record(**values, row=number))
    return tuple(out)


def table_text(rows: Iterable[Any], table: str) -> str:
    """The table as CSV text: a header, rows sorted by key, LF line ends (what a diff reads best)."""
    columns = _columns(table)
    key = TABLES[table][1]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in sorted(rows, key=lambda r: tuple(fold_name(getattr(r, k)) for k in key)):
        writer.writerow([getattr(row, c) for c in columns])
    return buffer.getvalue()


def write_table(rows: Iterable[Any], path: Path | str, table: str) -> Path:
    """Export one table as CSV, atomically (readable by all: it holds no secrets)."""
    path = Path(path)
    write_private_file(path, table_text(rows, table).encode("utf-8"), mode=0o644)
    return path


@dataclass(frozen=True)
class MappingTables:
    """The account setup, the category table and the tag table of one company."""

    setup: AccountSetup
    categories: tuple[CategoryMapping, ...]
    tags: tuple[TagMapping, ...]
    folder: Path | None = None

    @classmethod
    def read(cls, folder: Path | str) -> "MappingTables":
        folder = Path(folder)
        if not folder.is_dir():
            raise DataInputError(f"{folder}: no such mappings folder (it holds {SETUP_FILE}, categories.csv "
                                 f"and tags.csv)")
        return cls(AccountSetup.read(folder / SETUP_FILE), read_table(folder / "categories.csv", "categories"),
                   read_table(folder / "tags.csv", "tags"), folder)

    def write(self, folder: Path | str | None = None) -> list[Path]:
        """Write all three files (the setup YAML and both tables); return their paths."""
        target = Path(folder or self.folder or ".")
        target.mkdir(parents=True, exist_ok=True)
        return [self.setup.write(target / SETUP_FILE), write_table(self.categories, target / "categories.csv",
                                                                   "categories"),
                write_table(self.tags, target / "tags.csv", "tags")]

    def with_setup_defaults(self, rules: SetupRules) -> "MappingTables":
        """These tables with the accounts the setup leaves empty taken from the system's rules."""
        return replace(self, setup=self.setup.with_defaults(rules.booking_defaults))

    def category(self, name: str) -> CategoryMapping | None:
        folded = fold_name(name)
        return next((c for c in self.categories if fold_name(c.category) == folded), None)

    def tag(self, group: str, value: str) -> TagMapping | None:
        """The row for this tag: its own, else its group's ``*`` row."""
        g, v = fold_name(group), fold_name(value)
        rows = [t for t in self.tags if fold_name(t.tag_group) == g]
        return next((t for t in rows if fold_name(t.tag) == v), None) or next(
            (t for t in rows if t.tag == ANY_TAG), None)

    def with_rows(self, categories: Sequence[CategoryMapping] | None = None,
                  tags: Sequence[TagMapping] | None = None) -> "MappingTables":
        return replace(self, categories=tuple(self.categories if categories is None else categories),
                       tags=tuple(self.tags if tags is None else tags))


@dataclass(frozen=True)
class MappingProblem:
    """One mapping that would make an export fail, with how to fix it."""

    table: str
    row: int
    key: str
    field: str
    value: str
    problem: str
    fix: str


def check_account(refs: References, number: str, day: date) -> tuple[str, str] | None:
    """(problem, fix) when ``number`` cannot be booked on ``day``; None when it can.

    Called for every account of every expense line, so it looks in the one
    year that counts and only looks at the others when the account is missing.
    """
    year = refs.year(day)
    if year is None:
        return f"no fiscal year covers {day}", "create the fiscal year in the accounting system"
    account = year.accounts.get(number)
    if account is None:
        elsewhere = any(number in y.accounts for y in refs.years if y is not year)
        return (f"account {number} is not in the chart of the fiscal year {year.start}...{year.end}"
                + (" (it exists in another fiscal year)" if elsewhere else ""),
                "add it to that year's chart, or map to another account")
    if not account.active:
        return f"account {number} ({account.name}) is inactive", "activate it, or map to an active account"
    return None


def check_tag_target(refs: References, rules: SetupRules, target: str) -> tuple[str, str] | None:
    """(problem, fix) when a tag cannot be exported to ``target``; None when it can."""
    if fold_name(target) in (PROJECT_TARGET, NOT_EXPORTED):
        return None
    noun, limit = refs.dimension_noun, rules.dimension_limit
    dimension = refs.dimension(target)
    if dimension is None:
        names = ", ".join(f"{d.id} {d.name}" for d in refs.dimensions) or "none"
        return (f"no {noun} {target!r} ({noun}s: {names})",
                f"use a {noun}'s name or number, {PROJECT_TARGET!r} or {NOT_EXPORTED!r}")
    rank = refs.rank(dimension)
    if limit is not None and rank > limit:
        allowed = ", ".join(d.name for d in refs.dimensions[:limit])
        why = rules.dimension_limit_reason or f"only the first {limit} {noun}(s) can be exported"
        return (f"{why}; {dimension.name} is {noun} {rank}",
                f"map this tag group to {allowed} or {PROJECT_TARGET!r}, or to {NOT_EXPORTED!r}")
    if not dimension.active:
        return f"the {noun} {dimension.name} is inactive", "activate it in the accounting system"
    return None


def check_tag_item(refs: References, target: str, code: str) -> tuple[str, str] | None:
    """(problem, fix) when ``code`` is not an active item of ``target`` (a dimension, or projects)."""
    if fold_name(target) == PROJECT_TARGET:
        item, where = refs.project(code), "projects"
    else:
        dimension = refs.dimension(target)
        if dimension is None:
            return None  # reported on the target
        item, where = dimension.item(code), f"the {refs.dimension_noun} {dimension.name}"
    if item is None:
        return f"{code!r} is not in {where}", "create it there, or map the tag to an existing one"
    if not item.active:
        kind = "project has ended" if where == "projects" else "item is inactive"
        return f"the {kind}: {item.code} {item.name}", "reactivate it, or map the tag to an active one"
    return None


def category_problems(c: CategoryMapping, refs: References, day: date, rules: SetupRules = SetupRules(),
                      setup: AccountSetup | None = None) -> list[MappingProblem]:
    """What is wrong with one category row (the editor checks each row as it changes).

    ``setup`` is the account setup with the system's defaults filled in
    (it names the representation account a representation meal must use).
    """
    problems = []
    if not c.account.strip():
        problems.append(MappingProblem("categories", c.row, c.category, "account", "", "no account",
                                       "choose the account the category books to"))
    elif found := check_account(refs, c.account, day):
        problems.append(MappingProblem("categories", c.row, c.category, "account", c.account, *found))
    if c.vat_code and c.vat_code not in refs.vat_codes:
        problems.append(MappingProblem("categories", c.row, c.category, "vat_code", c.vat_code,
                                       f"no VAT code {c.vat_code!r} (codes: {', '.join(sorted(refs.vat_codes))})",
                                       "choose one of the system's VAT codes"))
    vat_code = refs.vat_codes.get(c.vat_code) if c.vat_code else None
    setup = setup or AccountSetup("", "", "", "").with_defaults(rules.booking_defaults)
    if (not c.vat_code or vat_code) and (found := treatment_problem(c, vat_code, rules, setup, day)):
        column = found[0]
        problems.append(MappingProblem("categories", c.row, c.category, column,
                                       getattr(c, column) or treatment_of(c), *found[1:]))
    return problems


def tag_problems(t: TagMapping, refs: References, rules: SetupRules) -> list[MappingProblem]:
    """What is wrong with one tag row."""
    key = f"{t.tag_group}: {t.tag}"
    found = check_tag_target(refs, rules, t.target)
    if found:
        return [MappingProblem("tags", t.row, key, "target", t.target, *found)]
    if fold_name(t.target) == NOT_EXPORTED or (t.tag == ANY_TAG and not t.item):
        return []
    item = check_tag_item(refs, t.target, t.item or t.tag)
    return [MappingProblem("tags", t.row, key, "item", t.item or t.tag, *item)] if item else []


def check_mappings(tables: MappingTables, refs: References, rules: SetupRules, day: date) -> list[MappingProblem]:
    """Every mapping (and setting) that points at something missing, inactive or not exportable on ``day``."""
    treatments = sorted({treatment_of(c) for c in tables.categories})
    problems = [MappingProblem(SETUP_FILE, 0, p.field, p.field, p.value, p.problem, p.fix)
                for p in check_setup(tables.setup, refs.chart(day), rules, treatments)]
    setup = tables.setup.with_defaults(rules.booking_defaults)
    for c in tables.categories:
        problems += category_problems(c, refs, day, rules, setup)
    for t in tables.tags:
        problems += tag_problems(t, refs, rules)
    return problems


def problems_frame(problems: Sequence[MappingProblem]) -> pd.DataFrame:
    return pd.DataFrame([p.__dict__ for p in problems],
                        columns=[f.name for f in fields(MappingProblem)])
