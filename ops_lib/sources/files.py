"""Readers: a CSV or XLSX export, or a connected system, into a canonical register frame.

Exports come as finance systems write them: UTF-8 with or without a BOM,
UTF-16 with its BOM (Excel's "Unicode text"), or Windows-1252; comma,
semicolon or tab between fields; a decimal comma or point.
:func:`read_file` detects all of that (:mod:`ops_lib.core.input_files` opens
and decodes; a file of two encodings, a control character or a broken
quote is refused naming its row and column), renames the system's
headers to canonical fields through a column mapping (none is needed when
the headers already are the canonical names), keeps numbers as text
exactly as written, and normalises yes/no, kinds and amounts (see
:mod:`ops_lib.model.registers`). Anything it cannot use is a
:class:`~ops_lib.core.errors.DataInputError` naming the file, the row and the
column; nothing is half-read.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from ops_lib.core.errors import DataInputError
from ops_lib.core.input_files import decode as decode_bytes
from ops_lib.core.input_files import describe_bad_character, first_bad_character, read_input_bytes
from ops_lib.core.yaml_files import read_mapping
from ops_lib.model.registers import (
    BOOKKEEPING,
    apply_fallbacks,
    normal_bool,
    normal_date,
    normal_decimal,
    normal_integer,
    normal_kind,
    spec,
)

# canonical field -> the source header, or several headers joined with a space
ColumnMapping = Mapping[str, "str | Sequence[str]"]
DELIMITERS = (";", "\t", ",")
# What an integration writes as first name when a contact name has no space to split at;
# it is dropped when the first and last names are joined again.
PLACEHOLDER_FIRST_NAME = "?"


def load_mapping(path: Path | str, register: str) -> dict[str, Any]:
    """The column mapping of one register from a YAML file ``{register: {field: header or [headers]}}``."""
    path = Path(path)
    data = read_mapping(path, "column mapping", "a column mapping maps register -> field -> source header")
    mapping = data.get(register, {})
    if not isinstance(mapping, dict):
        raise DataInputError(f"{path}: the mapping of {register} must map field -> source header")
    fields = set(spec(register).fields)
    unknown = sorted(set(mapping) - fields)
    if unknown:
        raise DataInputError(f"{path}: {register} has no field(s) {', '.join(unknown)}; "
                             f"fields are {', '.join(spec(register).fields)}")
    return dict(mapping)


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV export was written, so a file for the same system can be written the same way."""

    encoding: str
    delimiter: str


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields (``;`` wins ties)."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


def _csv_rows(path: Path, raw: bytes) -> tuple[list[list[str]], CsvFormat]:
    text, encoding = decode_bytes(path, raw)
    if not text.strip():
        raise DataInputError(f"{path}: the file is empty")
    first = text.splitlines()[0]
    delimiter = sniff_delimiter(first)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows.extend(reader)
    except csv.Error as exc:
        raise DataInputError(f"{path}, row {len(rows) + 1}: {_csv_problem(str(exc), delimiter)}") from None
    _check_characters(path, rows, text, encoding)
    return rows, CsvFormat(encoding, delimiter)


def _csv_problem(message: str, delimiter: str) -> str:
    """The csv module's complaint, said so that a person knows what to look for in that row."""
    if "field larger than field limit" in message:
        return (f"a field is longer than {csv.field_size_limit()} characters, most often because a quote "
                f"(\") opened in this row is never closed")
    if "unexpected end of data" in message:
        return "a quote (\") opened in this row is never closed"
    if "expected after" in message:
        return f"text follows a closing quote (\"); inside a quoted field write a quote as \"\" ({message})"
    return f"not a readable {delimiter!r}-separated row ({message})"


def _check_characters(path: Path, rows: list[list[str]], text: str, encoding: str) -> None:
    """Refuse the first cell holding a control character or a byte its encoding cannot read.

    ``text`` is everything the rows were read from: one search over it
    finds whether anything is wrong, so only a bad file pays for the walk
    that names the row and column.
    """
    if first_bad_character(text) is None:
        return
    header = next((r for r in rows if any(c.strip() for c in r)), [])
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            at = first_bad_character(cell)
            if at is None:
                continue
            name = header[index].strip() if row is not header and index < len(header) else ""
            column = f"column {name!r}" if name and first_bad_character(name) is None else f"column {index + 1}"
            raise DataInputError(f"{path}, row {number}, {column}: {describe_bad_character(cell[at], encoding)}")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # a number cell: its shortest exact text, never an exponent ("1e-05")
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path, raw: bytes) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DataInputError(f"{path}: not a readable Excel workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_rows(path: Path | str) -> list[list[str]]:
    """All rows of a CSV or XLSX file as text, the header first."""
    return read_rows_and_format(path)[0]


def read_rows_and_format(path: Path | str) -> tuple[list[list[str]], CsvFormat | None]:
    """:func:`read_rows` and, for a CSV file, its encoding and delimiter (None for XLSX)."""
    numbered, fmt = read_numbered_rows(path)
    return [row for _, row in numbered], fmt


def read_numbered_rows(path: Path | str) -> tuple[list[tuple[int, list[str]]], CsvFormat | None]:
    """Every row that is not blank, with its line (or sheet row) number, so errors point at the right line."""
    path = Path(path)
    raw = read_input_bytes(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows, fmt = _xlsx_rows(path, raw), None
        _check_characters(path, rows, "\t".join("\t".join(row) for row in rows), "utf-8")
    else:
        rows, fmt = _csv_rows(path, raw)
    numbered = [(number, r) for number, r in enumerate(rows, start=1) if any(cell.strip() for cell in r)]
    if not numbered:
        raise DataInputError(f"{path}: the file is empty")
    return numbered, fmt


def _normaliser(register: str, field: str) -> Callable[[str], str] | None:
    s = spec(register)
    if field in s.booleans:
        return normal_bool
    if field in s.decimals:
        return functools.partial(normal_decimal, signed=field not in s.non_negative)
    if field in s.integers:
        return functools.partial(normal_integer, signed=field not in s.non_negative)
    if field in s.kinds:
        return normal_kind
    if field in s.dates:
        return normal_date
    return None


def read_file(path: Path | str, register: str, mapping: ColumnMapping | None = None) -> pd.DataFrame:
    """Read one export into a canonical register frame.

    Parameters
    ----------
    path:
        A ``.csv``/``.txt`` (any of the supported encodings and delimiters) or ``.xlsx`` file.
    register:
        One of :data:`~ops_lib.model.registers.SPECS` (``customers``, ``products``, ``projects``,
        ``suppliers``, or a journal).
    mapping:
        Canonical field -> source header (or a list of headers, joined with a
        space, e.g. first and last name into ``contact_name``). Without one,
        the headers must be canonical field names.

    Raises
    ------
    DataInputError
        Naming the file, and the row and column where there is one.
    """
    path = Path(path)
    s = spec(register)
    numbered, _ = read_numbered_rows(path)
    header = [h.strip() for h in numbered[0][1]]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DataInputError(f"{path}, row 1: the column {name!r} appears twice")
        seen.add(name)
    if mapping is None:
        mapping = {f: f for f in s.fields if f in header}
    sources: dict[str, list[int]] = {}
    for field, source in mapping.items():
        if field not in s.fields:
            raise DataInputError(f"{path}: the mapping names {field!r}, which is not a {register} field")
        headers = [source] if isinstance(source, str) else list(source)
        missing = [h for h in headers if h not in header]
        if missing:
            raise DataInputError(f"{path}, row 1: missing column {missing[0]!r} (mapped to field {field!r}); "
                                 f"the file has: {', '.join(h for h in header if h)}")
        sources[field] = [header.index(h) for h in headers]
    absent = [f for f in s.required if f not in sources]
    if absent:
        raise DataInputError(f"{path}, row 1: missing required column for {', '.join(absent)}; "
                             f"the file has: {', '.join(h for h in header if h)}")
    data: dict[str, list[str]] = {f: [] for f in sources}
    plan = [(field, indexes, _normaliser(register, field)) for field, indexes in sources.items()]
    line_numbers: list[int] = []
    for offset, row in numbered[1:]:
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise DataInputError(f"{path}, row {offset}: {len(row)} fields but the header has {len(header)}")
        for field, indexes, normalise in plan:
            if len(indexes) > 1:
                parts = [row[i].strip() if i < len(row) else "" for i in indexes]
                value = " ".join(p for p in parts if p and p != PLACEHOLDER_FIRST_NAME)
            else:
                value = row[indexes[0]] if indexes[0] < len(row) else ""
            if normalise is not None and value.strip():
                try:
                    value = normalise(value)
                except ValueError as exc:
                    column = " + ".join(header[i] for i in indexes)
                    raise DataInputError(f"{path}, row {offset}, column {column!r} ({field}): {exc}") from None
            data[field].append(value)
        line_numbers.append(offset)
    if not line_numbers:
        raise DataInputError(f"{path}: the file has a header but no records")
    frame = pd.DataFrame(data, dtype=object)
    frame["_source"] = str(path)
    frame["_row"] = line_numbers
    frame = apply_fallbacks(frame, register)
    return frame[[f for f in s.fields if f in frame.columns] + list(BOOKKEEPING)]
