"""The project-cost import file: supplier costs going back to the project tool, one line per invoice and project.

The project tool cannot be written to over an API; it imports a file
shaped like its own exports: semicolon-separated, Windows-1252, decimal
comma, CRLF. The columns are :data:`COST_HEADER`; ``Extern referens`` is
the supplier invoice's id in the accounting system, so a person (and the
tool) can see a repeat, and so :func:`file_has_line` can tell after a
crash whether a line reached the file.

Each run writes a new file, named by the moment it was written
(:func:`cost_file_path`), never over an earlier one: a file not imported
yet must not lose its lines to a later run. The file is written in two
steps, so the ledger can record it in between: its content goes to a
hidden temp file beside it (:func:`write_temp_file`, 0600, fsynced), and
only once the ledger holds its lines ``written`` is the temp file renamed
to the final name (:func:`publish`, atomic). A final file therefore only
ever exists for lines the ledger holds ``written``.
Like :mod:`ops_lib.sources.import_file`, cells get no leading-quote
formula guard: the tool's importer would keep the quote in the text.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from ops_lib.core.files import fsync_dir, new_file_path, write_synced
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
    """A new file name in ``out_dir``: ``project_costs_<UTC time>.csv`` (an earlier, unimported one is kept)."""
    return new_file_path(out_dir, FILE_PREFIX, now)


def cost_file_bytes(lines: Sequence[CostFileLine]) -> bytes:
    """The whole import file: the header and ``lines``, CRLF, in the tool's encoding."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(COST_HEADER)
    writer.writerows(cost_cells(line) for line in lines)
    return buffer.getvalue().encode(ENCODING)


def temp_path(final: Path | str) -> Path:
    """The hidden file beside ``final`` its content waits in until the ledger holds its lines ``written``.

    Hidden and not ending ``.csv``, so neither a person nor the tool's importer takes it for an import file.
    """
    final = Path(final)
    return final.with_name(f".{final.name}.tmp")


def write_temp_file(path: Path | str, lines: Sequence[CostFileLine]) -> Path:
    """Write the file's content to :func:`temp_path` of ``path`` (new, 0600, fsynced); return the temp file."""
    temp = temp_path(path)
    temp.parent.mkdir(parents=True, exist_ok=True)
    write_synced(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temp, cost_file_bytes(lines), 0o600)
    return temp


def publish(path: Path | str) -> Path:
    """Rename the temp file of ``path`` to ``path`` (atomic: the tool sees all of it or none), fsync the folder."""
    final = Path(path)
    os.replace(temp_path(final), final)
    fsync_dir(final.parent)
    return final


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


__all__ = ["COST_HEADER", "CostFileLine", "ENCODING", "cost_cells", "cost_file_bytes", "cost_file_path",
           "decimal_comma", "file_has_line", "percent_text", "publish", "temp_path", "unwritable", "write_temp_file"]
