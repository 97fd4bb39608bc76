"""Writes to a file-based side: an import file in that system's own format.

A project-management tool that we only see through its export cannot be
written to over an API; what it can do is import a file shaped like its
export. :class:`ImportFileWriter` learns that shape from the export the
reconciliation read (encoding, delimiter, headers, decimal comma, and
the words it uses for yes/no and product kinds) and writes one row per
record to create or update, through the same column mapping in reverse.
A contact name going back is split at the first space into first and
last name; a name without a space gets ``?`` as first name, as the
integration does (the readers drop that placeholder when joining).

Rows are collected while the sync runs and written once, atomically, at
the end; the file keeps rows from earlier runs that were not imported
yet, keyed by number, so a rerun replaces rather than repeats them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

from ops_lib.core.files import write_private_file
from ops_lib.core.money import round_money, to_decimal
from ops_lib.model.registers import normal_bool, normal_kind, spec
from ops_lib.sources.files import PLACEHOLDER_FIRST_NAME, ColumnMapping, CsvFormat, read_rows, read_rows_and_format
from ops_lib.systems.base import Call, PlanBlocked

PRICE_FIELDS = ("price",)
XLSX_IMPORT_FORMAT = CsvFormat("utf-8-sig", ";")
UNIT_KINDS = {"tim": "work_type", "h": "work_type", "timme": "work_type", "km": "travel_expense"}


class ImportFileWriter:
    """Rows for the system behind ``source`` (an export file), in its own format.

    Parameters
    ----------
    source:
        The export the reconciliation read; its format is copied.
    register:
        ``customers``, ``products`` or ``projects``.
    mapping:
        The column mapping used to read it (canonical field -> header(s)).
    out_dir:
        Where ``import_<register>_<source>.csv`` is written.
    """

    deferred = True  # rows are written at finish(); the journal marks them done only then

    def __init__(self, source: Path | str, register: str, mapping: ColumnMapping | None, out_dir: Path | str) -> None:
        self.source = Path(source)
        self.register = register
        rows, fmt = read_rows_and_format(self.source)
        if fmt is None:  # an XLSX export has no CSV format to copy: UTF-8 with a BOM and ";" open in Excel as is
            fmt = XLSX_IMPORT_FORMAT
        self.encoding, self.delimiter = fmt.encoding, fmt.delimiter
        self.header = [h.strip() for h in rows[0]]
        fields = spec(register).fields
        self.mapping: dict[str, list[str]] = {
            f: ([m] if isinstance(m, str) else list(m))
            for f, m in (mapping or {f: f for f in fields if f in self.header}).items()}
        self.words = self._vocabulary(rows)
        self.decimal_comma = self._uses_decimal_comma(rows)
        self.path = Path(out_dir) / f"import_{register}_{self.source.stem}.csv"
        self.target = f"file:{self.path.name}"
        self.label = str(self.path)
        self._on_disk: dict[str, list[str]] = self._existing()  # what find() checks; changes only at finish()
        self._rows: dict[str, list[str]] = dict(self._on_disk)

    # -- learning the format ------------------------------------------

    def _column(self, rows: list[list[str]], header: str) -> list[str]:
        i = self.header.index(header)
        return [r[i].strip() for r in rows[1:] if i < len(r) and r[i].strip()]

    def _vocabulary(self, rows: list[list[str]]) -> dict[str, dict[str, str]]:
        """Per field, canonical value -> the word the export most often uses for it."""
        s = spec(self.register)
        words: dict[str, dict[str, str]] = {}
        for f in (*s.booleans, *s.kinds):
            if f not in self.mapping or len(self.mapping[f]) != 1:
                continue
            seen: dict[str, Counter[str]] = {}
            for raw in self._column(rows, self.mapping[f][0]):
                try:
                    canon = normal_bool(raw) if f in s.booleans else normal_kind(raw)
                except ValueError:
                    continue
                seen.setdefault(canon, Counter())[raw] += 1
            words[f] = {canon: counts.most_common(1)[0][0] for canon, counts in seen.items()}
        return words

    def _uses_decimal_comma(self, rows: list[list[str]]) -> bool:
        for f in spec(self.register).decimals:
            if f in self.mapping and len(self.mapping[f]) == 1:
                if any("," in v for v in self._column(rows, self.mapping[f][0])):
                    return True
        return self.delimiter == ";"

    def _existing(self) -> dict[str, list[str]]:
        if not self.path.exists():
            return {}
        rows = read_rows(self.path)
        number_at = self.header.index(self.mapping["number"][0])
        return {r[number_at].strip(): r + [""] * (len(self.header) - len(r)) for r in rows[1:]}

    # -- rows ----------------------------------------------------------

    def _text(self, field: str, value: str) -> str:
        s = spec(self.register)
        if value == "":
            return ""
        if field in s.booleans or field in s.kinds:
            return self.words.get(field, {}).get(value, value)
        if field in s.decimals:
            number: Decimal = to_decimal(value)
            if field in PRICE_FIELDS:
                number = round_money(number)
            text = format(number, "f")
            return text.replace(".", ",") if self.decimal_comma else text
        return value

    def row(self, record: Mapping[str, str]) -> dict[str, str]:
        """Header -> cell for one canonical record."""
        record = dict(record)
        if self.register == "products" and not record.get("kind"):
            record["kind"] = UNIT_KINDS.get(record.get("unit", "").casefold(), "product")
        cells: dict[str, str] = {}
        for f, headers in self.mapping.items():
            value = str(record.get(f, "") or "")
            if len(headers) == 1:
                cells[headers[0]] = self._text(f, value)
                continue
            first, _, rest = value.partition(" ")
            parts = [first, rest] if rest else ([PLACEHOLDER_FIRST_NAME, first] if first else ["", ""])
            for h, part in zip(headers, parts + [""] * (len(headers) - 2)):
                cells[h] = part
        return cells

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        number = record.get("number", "")
        if not number:
            raise PlanBlocked("the record has no number, so it cannot be imported")
        if current is not None:
            # An update keeps what only this side holds (a product's kind, a head-office address)
            # and takes the master's value for the fields that differ.
            record = {**{k: v for k, v in current.items() if not k.startswith("_")},
                      **{f: record.get(f, "") for f in differences}}
        cells = self.row(record)
        for header, cell in cells.items():
            try:
                cell.encode(self.encoding)
            except UnicodeEncodeError:
                raise PlanBlocked(f"{header} {cell!r} cannot be written in {self.encoding}, "
                                  f"the encoding of {self.source.name}") from None
        return [Call(self.target, "ROW", self.path.name, cells, number, record.get("name", ""), kind=action)]

    def send(self, call: Call) -> str:
        self._rows[call.number] = [str(call.body.get(h, "")) for h in self.header]
        return f"{self.path.name}:{call.number}"

    def find(self, call: Call) -> str | None:
        name_at = self.header.index(self.mapping["name"][0])
        existing = self._on_disk.get(call.number)
        return f"{self.path.name}:{call.number}" if existing and existing[name_at].strip() == call.name else None

    def finish(self) -> list[str]:
        """Write the import file (all rows, atomically); nothing when there is nothing to import."""
        if not self._rows:
            return []
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self._rows[n] for n in sorted(self._rows))
        write_private_file(self.path, buffer.getvalue().encode(self.encoding))
        self._on_disk = dict(self._rows)
        return [str(self.path)]
