"""Excel workbooks for finance users: one frame per sheet, bold coloured headers, filters, sane widths.

The workbook is built in memory and written like every other output of
company data (:func:`~ops_lib.connectors.tokens.write_private_file`): mode 0600, a
uniquely named temporary file beside the target, fsync, rename. A reader
never opens half a workbook, and a failed write leaves the previous one
in place and no temporary file behind.

What the data says is written as data, never as something Excel runs:

- A text that starts with ``=`` (a name like ``=HYPERLINK(...)``) would
  become a live formula, since openpyxl takes any such string for one.
  The suite writes no formulas, so every such cell is made a text cell;
  the text itself is not changed. Texts starting with ``+``, ``-`` or ``@`` are already
  plain text cells in an ``.xlsx``.
- The control characters XML cannot hold (all below U+0020 except tab,
  line feed and carriage return) are written as a visible ``\\xNN``
  escape, so a record that carries one from an API does not stop the
  workbook from being written. The JSON and CSV outputs keep them as
  they are.

:func:`excel_csv_cell` neutralises a value for a CSV meant to be opened
in Excel, where no cell type exists to say "text".
"""

from __future__ import annotations

import functools
import io
import operator
import re
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ops_lib.core.files import write_private_file

#: What a spreadsheet may read as the start of a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A signed number as the exports write it (``-100,00``, ``-1 250.50``): no formula can hide in it.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .,\u00a0]*\Z")
#: Characters an XML 1.0 document (and so a workbook) cannot hold; openpyxl refuses them.
ILLEGAL_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
OUTPUT_MODE = 0o600


def excel_csv_cell(value: Any) -> Any:
    """``value`` made safe for a CSV that a person opens in a spreadsheet.

    A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'``, so the spreadsheet shows it instead of
    evaluating it. A text that is only a signed number (``-100,00``) is
    left alone: it is a value, not a formula, and a prefix would turn an
    amount into text. Anything that is not a ``str`` is returned as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def excel_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`excel_csv_cell` (numbers untouched)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(excel_csv_cell)
    return out


def _escaped(value: Any) -> Any:
    if isinstance(value, str) and ILLEGAL_IN_XML.search(value):
        return ILLEGAL_IN_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def _writable(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``frame`` with what a workbook cannot hold escaped, and whether any text in it looks like a formula.

    One pass over the text cells decides both, so a frame without either
    costs no copy and its sheet no second pass through openpyxl's cells.
    """
    def flags(value: Any) -> int:
        if not isinstance(value, str):  # pandas writes other objects as their str(); no number starts with "="
            return 2 if str(value).startswith("=") else 0
        return (1 if ILLEGAL_IN_XML.search(value) else 0) | (2 if value.startswith("=") else 0)

    formula = any(str(c).startswith("=") for c in frame.columns)
    dirty = []
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        seen = functools.reduce(operator.or_, frame[column].map(flags), 0)
        formula = formula or bool(seen & 2)
        if seen & 1:
            dirty.append(column)
    if not dirty:
        return frame, formula
    out = frame.copy()
    for column in dirty:
        out[column] = out[column].map(_escaped)
    return out, formula


def write_workbook(path: Path | str, sheets: Mapping[str, pd.DataFrame], colours: Mapping[str, str]) -> Path:
    """Write ``sheets`` (name -> frame, in order); a sheet's header takes its colour (``#rrggbb``) or grey.

    Parameters
    ----------
    path:
        The workbook to write (or replace); its folder is made if needed.
    sheets:
        Sheet name (cut to Excel's 31 characters) -> frame, written without its index.
    colours:
        Sheet name -> header colour.

    Returns
    -------
    Path
        ``path``, now mode 0600 like every output that holds company data.

    Raises
    ------
    OSError
        The file could not be written; the previous one is left as it was, with no temporary file.
    """
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        formulas: set[str] = set()
        for name, frame in sheets.items():
            writable, formula = _writable(frame)
            writable.to_excel(writer, sheet_name=name[:31], index=False)
            if formula:
                formulas.add(name[:31])
        for name, sheet in writer.sheets.items():
            colour = colours.get(name, "#eeeeee").lstrip("#")
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor=colour)
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for row in sheet.iter_rows() if name in formulas else ():
                for cell in row:
                    if cell.data_type == "f":  # the suite writes no formulas: this is a text from the data
                        cell.data_type = "s"
            for idx, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)), start=1):
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 10), 60)
    write_private_file(path, buffer.getvalue(), mode=OUTPUT_MODE)
    return path
