"""The project-cost import file: supplier costs going back to the project tool, one line per invoice and project.

The project tool cannot be written to over an API; it imports a file
shaped like its own exports: semicolon-separated, Windows-1252, decimal
comma, CRLF. The columns are :data:`COST_HEADER`; ``Extern referens`` is
the supplier invoice's id in the accounting system, so a person (and the
tool) can see a repeat, and so :func:`file_has_line` can tell after a
crash whether a line reached the file.

Each run writes a new file, named by the moment it was written
(:func:`cost_file_path`), never over an earlier one: a file not imported
yet must not lose its lines to a later run. The file is written whole or
not at all (:func:`ops_lib.core.files.write_private_file`), mode 0600.
Like :mod:`ops_lib.sources.import_file`, cells get no leading-quote
formula guard: the tool's importer would keep the quote in the text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from ops_lib.core.files import write_private_file
from ops_lib.core.money import round_money

ENCODING = "cp1252"
DELIMITER = ";"
COST_HEADER = ("Projekt", "Datum", "Beskrivning", "Antal", "Kostnad per enhet", "Pris per enhet", "Moms %",
               "Fakturerbar", "Extern referens")
PROJECT_AT, REFERENCE_AT = COST_HEADER.index("Projekt"), COST_HEADER.index("Extern referens")
YES, NO = "Ja", "Nej"
FILE_PREFIX = "project_costs_"


@dataclass(frozen=True)
class CostFileLine:
    """One line of the import file, in the neutral terms the plan holds (formatted by :func:`cost_cells`)."""

    project: str
    day: date
    description: str
    quantity: Decimal
    unit_cost: Decimal
    unit_price: Decimal
    vat_percent: Decimal
    billable: bool
    reference: str


def decimal_comma(amount: Decimal) -> str:
    """``1234.5`` -> ``1234,50``: two decimals (rounded half away from zero), a comma, no thousands separator."""
    return format(round_money(amount), "f").replace(".", ",")


def percent_text(rate: Decimal) -> str:
    """``25`` -> ``25``, ``12.5`` -> ``12,5``: a VAT percentage as the tool shows it, without trailing zeros."""
    return format(rate.normalize(), "f").replace(".", ",")


def cost_cells(line: CostFileLine) -> list[str]:
    """The line's cells in :data:`COST_HEADER` order."""
    return [line.project, line.day.isoformat(), line.description, format(line.quantity.normalize(), "f"),
            decimal_comma(line.unit_cost), decimal_comma(line.unit_price), percent_text(line.vat_percent),
            YES if line.billable else NO, line.reference]


def unwritable(line: CostFileLine) -> str:
    """Why ``line`` cannot be written in the file's encoding (naming the column), or ``""``."""
    for header, cell in zip(COST_HEADER, cost_cells(line)):
        try:
            cell.encode(ENCODING)
        except UnicodeEncodeError:
            return f"{header} {cell!r} cannot be written in {ENCODING}, the project tool's import encoding"
    return ""


def cost_file_path(out_dir: Path | str, now: datetime | None = None) -> Path:
    """A new file name in ``out_dir``: ``project_costs_<UTC time>.csv``, with a counter if that one exists."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    stem = f"{FILE_PREFIX}{moment.strftime('%Y%m%dT%H%M%S%fZ')}"
    path, count = Path(out_dir) / f"{stem}.csv", 1
    while path.exists():
        count += 1
        path = Path(out_dir) / f"{stem}-{count}.csv"
    return path


def write_cost_file(path: Path | str, lines: Sequence[CostFileLine]) -> Path:
    """Write the header and ``lines`` to ``path``, atomically, 0600; return the path."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(COST_HEADER)
    writer.writerows(cost_cells(line) for line in lines)
    write_private_file(Path(path), buffer.getvalue().encode(ENCODING))
    return Path(path)


def file_has_line(path: Path | str, reference: str, project: str) -> bool:
    """Whether the import file at ``path`` exists and holds the line of ``reference`` on ``project``.

    A file that cannot be read counts as not holding it: the line is then written again, in a new file,
    which is what the tool can import.
    """
    try:
        text = Path(path).read_bytes().decode(ENCODING)
    except (OSError, UnicodeDecodeError):
        return False
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER):
        if len(cells) > REFERENCE_AT and cells[REFERENCE_AT] == reference and cells[PROJECT_AT] == project:
            return True
    return False


__all__ = ["COST_HEADER", "CostFileLine", "ENCODING", "cost_cells", "cost_file_path", "decimal_comma",
           "file_has_line", "percent_text", "unwritable", "write_cost_file"]
