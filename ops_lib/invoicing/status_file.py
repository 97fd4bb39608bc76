"""The status import file: where each transferred invoice basis stands, back to the project tool.

The project tool imports a file shaped like its own exports
(semicolon-separated, Windows-1252, CRLF): one line per invoice basis
with its new status, ``Överförd eEkonomi`` once the draft exists, then
``Skickad`` with the invoice number once the draft became an invoice,
and ``Betald`` once nothing remains to pay. Each run writes its own file
(named by the time it was written), so a file not imported yet is never
overwritten by the next run's. Cells get no leading-quote formula guard,
as with every import file for the project tool
(:mod:`ops_lib.sources.import_file`): its importer would keep the quote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ops_lib.core.files import write_private_file
from ops_lib.model.invoices import PAID, SENT, TRANSFERRED

STATUS_HEADERS = ("Fakturaunderlag", "Status", "Fakturanummer", "Fakturadatum", "Datum")
# What the project tool calls each state (a missing draft has no status to go back: it is shown, not written).
STATUS_WORDS = {TRANSFERRED: "Överförd eEkonomi", SENT: "Skickad", PAID: "Betald"}
ENCODING = "cp1252"


@dataclass(frozen=True)
class StatusLine:
    """One invoice basis's new status: its number, the state, the invoice's number, the day it was seen.

    ``invoice_date`` is the invoice's date in the accounting system, once it is an invoice.
    """

    number: str
    state: str
    invoice_number: str
    day: dt.date
    invoice_date: dt.date | None = None

    @property
    def status(self) -> str:
        """The project tool's word for :attr:`state`."""
        try:
            return STATUS_WORDS[self.state]
        except KeyError:
            raise ValueError(f"{self.state!r} has no project-tool status (one of {', '.join(STATUS_WORDS)})") from None


def status_text(lines: Sequence[StatusLine]) -> str:
    """The file's text: the header, then one line per status, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(STATUS_HEADERS)
    for line in lines:
        writer.writerow([line.number, line.status, line.invoice_number,
                         line.invoice_date.isoformat() if line.invoice_date else "", line.day.isoformat()])
    return buffer.getvalue()


def write_status_file(out_dir: Path | str, lines: Sequence[StatusLine], *, now: dt.datetime | None = None) -> Path:
    """Write ``invoice_status_<UTC time>.csv`` in ``out_dir`` (atomically, 0600) and return its path.

    Raises
    ------
    ValueError
        A line whose state has no project-tool status (``missing``), or no lines at all.
    UnicodeEncodeError
        A number that Windows-1252 cannot hold (the project tool could not read it).
    """
    if not lines:
        raise ValueError("a status file needs at least one line")
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%d-%H%M%S")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"invoice_status_{stamp}.csv"
    count = 1
    while path.exists():  # two runs within one second: the second gets its own file
        count += 1
        path = out / f"invoice_status_{stamp}-{count}.csv"
    write_private_file(path, status_text(lines).encode(ENCODING))
    return path


__all__ = ["STATUS_HEADERS", "STATUS_WORDS", "StatusLine", "status_text", "write_status_file"]
