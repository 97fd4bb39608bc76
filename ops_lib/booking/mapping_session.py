"""The mapping tables against the live chart, for ``10_mappings.ipynb`` and ``ops mappings``.

:func:`open_mappings` reads ``params/mappings/`` and the connected
company's accounts, VAT codes, dimensions and projects. The
:class:`MappingSession` checks every row (:meth:`MappingSession.check`),
offers what the editor's dropdowns hold (:meth:`MappingSession.choices`)
and saves only tables that pass, so a scheduled export never starts from
a mapping that points at an inactive account.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from ops_lib.booking.mappings import (
    NOT_EXPORTED,
    PROJECT_TARGET,
    SETUP_FILE,
    MappingProblem,
    MappingTables,
    check_mappings,
    location,
    problems_frame,
    read_table,
    write_table,
)
from ops_lib.booking.session import open_connected
from ops_lib.booking.settings import MappingSettings
from ops_lib.booking.vat import percent
from ops_lib.core.errors import ConflictError
from ops_lib.core.files import write_private_file
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.country_rules import TREATMENTS
from ops_lib.model.references import References
from ops_lib.model.registers import fold_name


def _where(problem: MappingProblem) -> str:
    """The file, row and column of a problem (a key of ``accounts.yaml``), as the user opens them."""
    if problem.table == SETUP_FILE:
        return f"{SETUP_FILE}, key {problem.field!r}"
    return location(problem.table, problem.row, problem.field)


@dataclass(frozen=True)
class MappingCheck:
    """The problems of one set of tables: one row each, with the fix."""

    problems: tuple[MappingProblem, ...]
    day: date

    def to_frame(self) -> pd.DataFrame:
        return problems_frame(self.problems)

    def describe(self) -> str:
        if not self.problems:
            return f"Every mapping is valid for {self.day}."
        lines = [f"{len(self.problems)} mapping problem(s) for {self.day}:"]
        lines += [f"  {_where(p)}{'' if p.key == p.field else f' ({p.key})'} {p.value}: {p.problem}; fix: {p.fix}"
                  for p in self.problems]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        if not self.problems:
            return f"<p class='ops-mapping-ok'>Every mapping is valid for {self.day}.</p>"
        return (f"<p class='ops-mapping-problems'><b>{len(self.problems)} mapping problem(s)</b> for {self.day}</p>"
                + self.to_frame().to_html(index=False, escape=True, classes="ops-mapping-table"))

    def write(self, out_dir: Path | str) -> Path:
        path = Path(out_dir) / "mapping_check.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"day": self.day.isoformat(), "problems": [asdict(p) for p in self.problems]}
        write_private_file(path, json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"))
        return path


@dataclass
class MappingSession:
    """The tables of one folder, and the company they are checked against."""

    folder: Path
    tables: MappingTables
    references: References
    rules: SetupRules
    day: date
    label: str
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def check(self, tables: MappingTables | None = None) -> MappingCheck:
        return MappingCheck(tuple(check_mappings(tables or self.tables, self.references, self.rules, self.day)),
                            self.day)

    def save(self, tables: MappingTables) -> list[Path]:
        """Write the tables when every row passes; refuse (and write nothing) when one does not.

        Raises
        ------
        ConflictError
            Naming how many rows need fixing.
        """
        problems = self.check(tables).problems
        if problems:
            raise ConflictError(f"Nothing was saved: {len(problems)} row(s) need fixing first "
                                f"({'; '.join(f'{p.key}: {p.problem}' for p in problems[:3])})")
        paths = tables.write(self.folder)
        self.tables = MappingTables.read(self.folder).with_setup_defaults(self.rules)
        return paths

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """(label, value) options for the editor: accounts of this year's chart, VAT codes, VAT treatments,
        the country's rate classes (each with its rate on the editor's day), tag targets."""
        chart = self.references.chart(self.day)
        accounts = [(f"{a.number} {a.name}" + ("" if a.active else " (inactive)"), a.number)
                    for a in sorted(chart.accounts.values(), key=lambda a: a.number)]
        vat = [("(none)", "")] + [(f"{v.code} {v.description}", v.code)
                                  for v in sorted(self.references.vat_codes.values(), key=lambda v: v.code)]
        targets = ([(f"{d.id} {d.name}", d.name) for d in self.references.dimensions]
                   + [("Projects", PROJECT_TARGET), ("Not exported", NOT_EXPORTED)])
        country = self.rules.country_rules
        treatments = [(name.replace("_", " "), name) for name in TREATMENTS]
        rates = [("(the VAT code's rate)", "")] + ([(f"{name} ({percent(country.rate(name, self.day))})", name)
                                                    for name in sorted(country.rates)] if country else [])
        return {"accounts": accounts, "vat_codes": vat, "treatments": treatments, "rates": rates, "targets": targets}

    def items(self, target: str) -> list[tuple[str, str]]:
        """(label, code) of the items a tag of ``target`` can stand for; ``*`` (any, by its own code) first."""
        if fold_name(target) == PROJECT_TARGET:
            found = self.references.projects.values()
        else:
            dimension = self.references.dimension(target)
            found = dimension.items.values() if dimension else []
        return [("(the tag's own code)", "")] + [
            (f"{i.code} {i.name}" + ("" if i.active else " (inactive)"), i.code)
            for i in sorted(found, key=lambda i: i.code)]

    def record(self, check: MappingCheck) -> dict[str, Any]:
        return {"register": "mappings", "findings": len(check.problems), "company": self.references.company,
                "sources": [str(self.folder), self.label], "day": check.day.isoformat(),
                "categories": len(self.tables.categories), "tags": len(self.tables.tags)}

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "MappingSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_mappings(settings: MappingSettings, *, transport: httpx.BaseTransport | None = None) -> MappingSession:
    """Read the mapping tables and the company's references; ``settings.day`` picks the fiscal year."""
    folder = Path(settings.mapping_dir)
    tables = MappingTables.read(folder)
    when = date.fromisoformat(settings.day) if settings.day else date.today()
    stack = contextlib.ExitStack()
    try:
        _, label, refs, rules = open_connected(stack, settings.target, connection=settings.connection,
                                               transport=transport)
    except BaseException:
        stack.close()
        raise
    return MappingSession(folder, tables.with_setup_defaults(rules), refs, rules, when, label, stack)


def write_check(session: MappingSession, out_dir: str | Path) -> MappingCheck:
    """The headless mapping step: check every row, write ``mapping_check.json`` to ``out_dir``; it only validates."""
    check = session.check()
    check.write(out_dir)
    return check


def import_table(folder: str | Path, table: str, path: str | Path) -> Path:
    """``ops mappings import``: read a CSV/XLSX table from anywhere, write it into the folder as canonical CSV."""
    rows = read_table(path, table)
    return write_table(rows, Path(folder) / f"{table}.csv", table)


def export_table(folder: str | Path, table: str, path: str | Path) -> Path:
    """``ops mappings export``: the folder's table as CSV at ``path`` (for a spreadsheet or another company)."""
    return write_table(read_table(Path(folder) / f"{table}.csv", table), path, table)


def check_command(settings: MappingSettings) -> int:
    """``ops mappings check``: print every problem; exit 0 clean, 1 problems."""
    with open_mappings(settings) as session:
        check = session.check()
    print(check.describe())
    return 1 if check.problems else 0
