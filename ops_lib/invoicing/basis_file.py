"""The project tool's invoice-basis export, read into :class:`~ops_lib.model.invoices.InvoiceBasis` records.

The export has one line per invoice row, the invoice's header (customer,
address, dates, terms, references) repeated on each line, and the
invoice-basis number (``Fakturaunderlag``) tying the lines together. It is
read with the suite's robust readers (:func:`ops_lib.sources.files.read_numbered_rows`:
any of the usual encodings, delimiters and a decimal comma; a file of two
encodings or a broken quote refused naming its row and column), then:

- lines are grouped by invoice basis, in file order; the header columns
  must agree on every line of one invoice (else the error names both rows
  and the column), because which line's address is meant cannot be guessed;
- ``Radtyp`` ``Text före`` / ``Rad`` / ``Text efter`` become text rows and
  invoice rows, each keeping its place, so the text rows before and after
  stay where the project tool put them;
- an invoice row without an article gets the settings' default article
  (``defaulted``); with no default article it keeps an empty one, and the
  preflight blocks that invoice (a person can fix the settings) instead of
  the whole file failing;
- only invoices in the status chosen for transfer (``Skicka till eEkonomi``)
  are picked; the others are counted by status, so the plan can say how
  many were left;
- a credit note (``Kreditfaktura``) is read like any invoice and marked
  ``is_credit``: the plan says, each time, that it is not transferred.

Anything unusable (an empty file, a missing column, a CSV line with more or
fewer fields than the header, an invoice-basis number with white space in
it, a line repeated, a bad date or number) is a :class:`~ops_lib.core.errors.DataInputError` naming
the file, the row and the column; nothing is half-read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ops_lib.core.errors import DataInputError
from ops_lib.core.money import to_decimal
from ops_lib.model.invoices import ARTICLE_ROW, TEXT_ROW, InvoiceBasis, InvoiceParty, InvoiceRow
from ops_lib.model.registers import normal_date
from ops_lib.sources.files import read_numbered_rows

NUMBER, STATUS, KIND = "Fakturaunderlag", "Status", "Fakturatyp"
ROW_KIND, ARTICLE, TEXT, QUANTITY, UNIT, PRICE, PROJECT = (
    "Radtyp", "Artikel", "Beskrivning", "Antal", "Enhet", "À-pris", "Projekt")
# The header of one invoice, repeated on each of its lines: these must agree across them.
HEADER_COLUMNS = (STATUS, KIND, "Kundnummer", "Kundnamn", "Fakturaadress", "Fakturaadress 2", "Postnummer", "Ort",
                  "Land", "Fakturadatum", "Förfallodatum", "Betalningsvillkor (dagar)", "Er referens",
                  "Vår referens", "Valuta")
ROW_COLUMNS = (ROW_KIND, ARTICLE, TEXT, QUANTITY, UNIT, PRICE, PROJECT)
COLUMNS = (NUMBER, *HEADER_COLUMNS, *ROW_COLUMNS)
OPTIONAL = frozenset({"Fakturaadress 2", "Förfallodatum", "Betalningsvillkor (dagar)", "Er referens",
                      "Vår referens", "Valuta", "Land"})

TO_TRANSFER = "Skicka till eEkonomi"  # the status the project tool gives an invoice basis to send
INVOICE, CREDIT_NOTE = "faktura", "kreditfaktura"
TEXT_BEFORE, ROW, TEXT_AFTER = "text före", "rad", "text efter"
ROW_KINDS = {TEXT_BEFORE: TEXT_ROW, ROW: ARTICLE_ROW, TEXT_AFTER: TEXT_ROW}


@dataclass(frozen=True)
class InvoiceBasisFile:
    """What one export holds: the invoice bases picked for transfer, and what was left in other states.

    ``left`` counts invoice bases per status they were left in (``Utkast``: 3).
    """

    source: Path
    bases: tuple[InvoiceBasis, ...]
    left: dict[str, int] = field(default_factory=dict)

    @property
    def left_count(self) -> int:
        return sum(self.left.values())

    def describe_left(self) -> str:
        """``2 invoice basis(es) left in other states (Utkast: 2)``, or ``""`` when none were."""
        if not self.left:
            return ""
        states = ", ".join(f"{status or '(no status)'}: {count}" for status, count in sorted(self.left.items()))
        return (f"{self.left_count} invoice basis(es) left in other states ({states}); only "
                f"{TO_TRANSFER!r} is picked")


class _Lines:
    """Where each value comes from, so every error names the file, the row and the export's column."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.index = {name: i for i, name in enumerate(header)}

    def error(self, row: int, column: str, problem: str) -> DataInputError:
        return DataInputError(f"{self.path}, row {row}, column {column!r}: {problem}")

    def cell(self, line: list[str], column: str) -> str:
        at = self.index.get(column)
        return line[at].strip() if at is not None and at < len(line) else ""

    def parse(self, row: int, column: str, text: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise self.error(row, column, str(exc)) from None


def _day(text: str) -> date:
    return date.fromisoformat(normal_date(text))


def _days(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{text!r} is not a number of days (a whole number, 0 or more)")
    return int(text)


def _number(lines: _Lines, row: int, number: str) -> str:
    """The invoice basis's number: one token of visible characters, because its marker must match as one.

    The draft's marker (``#ops-invoice-<number>``) is found again as a whole
    token of a row's text, split at white space: ``FU 12`` could never be found,
    and ``10 A`` would be taken for invoice basis 10's.
    """
    if not number:
        raise lines.error(row, NUMBER, "empty; every line needs its invoice basis's number")
    if not number.isprintable() or any(ch.isspace() for ch in number):
        raise lines.error(row, NUMBER, f"{number!r} holds white space or an invisible character; an invoice "
                                       f"basis number must be one word (letters, digits, dashes), because its "
                                       f"draft is found again by it")
    return number


def _miscounted(line: list[str], header: list[str], is_csv: bool) -> bool:
    """Whether a line's fields cannot be trusted to sit under their columns.

    In a CSV line a field missing or added moves every field after it, so
    any other count than the header's is refused. In a workbook a cell's
    column is its place, and a sheet saved without its size gives rows
    without their empty trailing cells: only cells beyond the header count.
    """
    if is_csv:
        return len(line) != len(header)
    return len(line) > len(header) and any(cell.strip() for cell in line[len(header):])


def _header(path: Path, numbered: list[tuple[int, list[str]]]) -> list[str]:
    header = [h.strip() for h in numbered[0][1]]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DataInputError(f"{path}, row {numbered[0][0]}: the column {name!r} appears twice")
        seen.add(name)
    required = [c for c in COLUMNS if c not in OPTIONAL]
    missing = [c for c in required if c not in seen]
    if missing:
        raise DataInputError(f"{path}, row {numbered[0][0]}: missing column {missing[0]!r}"
                             f"{' (and ' + ', '.join(repr(m) for m in missing[1:]) + ')' if missing[1:] else ''}; "
                             f"the file has: {', '.join(h for h in header if h)}")
    return header


def _row(lines: _Lines, row: int, line: list[str], default_article: str) -> InvoiceRow:
    """One line's invoice row: a text row, or an article row with its quantity, price and project."""
    kind_text = lines.cell(line, ROW_KIND)
    kind = ROW_KINDS.get(" ".join(kind_text.casefold().split()))
    if kind is None:
        raise lines.error(row, ROW_KIND, f"{kind_text or '(empty)'} is not a row type; write Text före, Rad or "
                                         f"Text efter")
    text = lines.cell(line, TEXT)
    if kind == TEXT_ROW:
        return InvoiceRow(row, TEXT_ROW, text)
    quantity_text, price_text = lines.cell(line, QUANTITY), lines.cell(line, PRICE)
    if not quantity_text:
        raise lines.error(row, QUANTITY, "empty; an invoice row needs a quantity")
    if not price_text:
        raise lines.error(row, PRICE, "empty; an invoice row needs a unit price")
    quantity: Decimal = lines.parse(row, QUANTITY, quantity_text, to_decimal)
    price: Decimal = lines.parse(row, PRICE, price_text, to_decimal)
    article = lines.cell(line, ARTICLE)
    return InvoiceRow(row, ARTICLE_ROW, text, article or default_article, quantity, lines.cell(line, UNIT), price,
                      lines.cell(line, PROJECT), defaulted=not article)


def _basis(lines: _Lines, number: str, first: int, head: dict[str, str], rows: list[InvoiceRow]) -> InvoiceBasis:
    kind = head[KIND].casefold()
    if kind not in (INVOICE, CREDIT_NOTE):
        raise lines.error(first, KIND, f"{head[KIND] or '(empty)'} is not an invoice type; write Faktura or "
                                       f"Kreditfaktura")
    for column in ("Kundnummer", "Kundnamn", "Fakturadatum"):
        if not head[column]:
            raise lines.error(first, column, f"empty; invoice basis {number} needs it")
    customer = InvoiceParty(head["Kundnummer"], head["Kundnamn"], head["Fakturaadress"], head["Fakturaadress 2"],
                            head["Postnummer"], head["Ort"], head["Land"].upper())
    due = head["Förfallodatum"]
    terms = head["Betalningsvillkor (dagar)"]
    return InvoiceBasis(
        number, customer, lines.parse(first, "Fakturadatum", head["Fakturadatum"], _day), tuple(rows),
        str(lines.path), first, due_date=lines.parse(first, "Förfallodatum", due, _day) if due else None,
        terms_days=lines.parse(first, "Betalningsvillkor (dagar)", terms, _days) if terms else None,
        your_reference=head["Er referens"], our_reference=head["Vår referens"], currency=head["Valuta"].upper(),
        is_credit=kind == CREDIT_NOTE)


def read_invoice_basis(path: Path | str, *, default_article: str = "") -> InvoiceBasisFile:
    """Every invoice basis of an export in the status chosen for transfer, its lines grouped in file order.

    Parameters
    ----------
    path:
        The export (CSV in any of the usual encodings and delimiters, or XLSX).
    default_article:
        The article an invoice row without one gets (empty: none; the preflight blocks those invoices).

    Raises
    ------
    DataInputError
        An empty file, a missing or doubled column, a line whose field count is not the header's, a
        line without its invoice-basis number or with white space in it, lines
        of one invoice basis that disagree on a header column (naming both rows), a line repeated,
        an unknown row or invoice type, or an unreadable date or number.
    """
    path = Path(path)
    numbered, csv_format = read_numbered_rows(path)
    header = _header(path, numbered)
    lines = _Lines(path, header)
    if len(numbered) < 2:
        raise DataInputError(f"{path}: the file has a header but no invoice rows")
    groups: dict[str, dict[str, Any]] = {}
    for row, line in numbered[1:]:
        if _miscounted(line, header, csv_format is not None):
            raise DataInputError(f"{path}, row {row}: {len(line)} fields but the header has {len(header)}; a "
                                 f"field missing or added shifts the columns after it, so the line is not read")
        number = _number(lines, row, lines.cell(line, NUMBER))
        head = {column: lines.cell(line, column) for column in HEADER_COLUMNS}
        signature = tuple(lines.cell(line, column) for column in ROW_COLUMNS)
        group = groups.setdefault(number, {"first": row, "head": head, "lines": [], "signatures": {}})
        for column, value in head.items():
            if value != group["head"][column]:
                raise lines.error(row, column, f"invoice basis {number} has {value or '(empty)'} here but "
                                               f"{group['head'][column] or '(empty)'} on row {group['first']}; the "
                                               f"lines of one invoice basis must agree on its header")
        if signature in group["signatures"] and any(signature[1:]):
            raise DataInputError(f"{path}, row {row}: the same line as row {group['signatures'][signature]} "
                                 f"(invoice basis {number}: row type, article, description, quantity, unit, price "
                                 f"and project are all equal); remove the repeated line, or if both are real, tell "
                                 f"them apart in the description")
        group["signatures"][signature] = row
        group["lines"].append((row, line))
    picked: list[InvoiceBasis] = []
    left: Counter[str] = Counter()
    for number, group in groups.items():
        if group["head"][STATUS].casefold() != TO_TRANSFER.casefold():
            left[group["head"][STATUS]] += 1
            continue
        rows = [_row(lines, row, line, default_article) for row, line in group["lines"]]
        picked.append(_basis(lines, number, group["first"], group["head"], rows))
    return InvoiceBasisFile(path, tuple(picked), dict(left))


__all__ = ["COLUMNS", "InvoiceBasisFile", "TO_TRANSFER", "read_invoice_basis"]
