"""Excel workbooks for finance users: one frame per sheet, bold coloured headers, filters, sane widths.

Written to a temporary file and renamed, so a reader never opens half a
workbook and a failed write leaves the previous one in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd


def write_workbook(path: Path | str, sheets: Mapping[str, pd.DataFrame], colours: Mapping[str, str]) -> Path:
    """Write ``sheets`` (name -> frame, in order); a sheet's header takes its colour (``#rrggbb``) or grey."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp.xlsx")
    with pd.ExcelWriter(temp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        for name, sheet in writer.sheets.items():
            colour = colours.get(name, "#eeeeee").lstrip("#")
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor=colour)
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for idx, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)), start=1):
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 10), 60)
    temp.replace(path)
    return path
