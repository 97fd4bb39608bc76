"""Demo journals for the sandbox: an expense export with receipts and a payroll journal, dated this month.

The sandbox's fiscal years follow the calendar, so fixed files would fall
out of its books within a year; these are written on demand, dated in
the current month, and fit the default mapping tables under
``params/mappings/`` and the sandbox's chart. There is one expense for
each of the booking rules (domestic VAT at 25, 12 and 6 %, foreign VAT,
reverse charge from the EU and from outside it, representation under and
over the cap, an exchange difference), and one with a category nobody
mapped, so a first run shows what a blocked expense and its fix look like.
"""

from __future__ import annotations

import csv
import io
import struct
import zlib
from datetime import date
from pathlib import Path

EXPENSE_HEADER = ("expense_id", "date", "type", "amount", "currency", "company_amount", "vat_amount", "vat_code",
                  "category", "tags", "note", "receipt", "employee", "exchange_rate", "attendees", "seller_country")
PAYROLL_HEADER = ("account", "debit", "credit", "cost_centre", "project", "text", "period", "employee")


def _png() -> bytes:
    """A 1x1 white PNG: a receipt scan as small as a valid one gets."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 20 40 Td ({text}) Tj ET".encode("latin-1")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]/Contents 4 0 R>>endobj\n"
            + f"4 0 obj<</Length {len(stream)}>>stream\n".encode() + stream
            + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _expense(expense_id: str, day: str, kind: str, amount: str, category: str, note: str, currency: str = "SEK",
             **fields: str) -> tuple[str, ...]:
    """One line of the export, in :data:`EXPENSE_HEADER`'s order (a field not given is empty)."""
    given = {"expense_id": expense_id, "date": day, "type": kind, "amount": amount, "currency": currency,
             "category": category, "note": note, **fields}
    unknown = set(given) - set(EXPENSE_HEADER)
    assert not unknown, unknown
    return tuple(given.get(column, "") for column in EXPENSE_HEADER)


def write_demo_journals(folder: Path | str, month: date | None = None) -> dict[str, Path]:
    """Write ``expenses.csv`` (with ``receipts/``) and ``payroll.csv`` for ``month`` (default: this month).

    No expense is dated after today (early in a month they share today's date): a future date is refused.
    """
    folder = Path(folder)
    today = date.today()
    month = (month or today).replace(day=1)
    receipts = folder / "receipts"
    receipts.mkdir(parents=True, exist_ok=True)
    (receipts / "e-1002.pdf").write_bytes(_pdf("Invoice Molnbolaget AB 1250.00 SEK"))
    (receipts / "e-1003.png").write_bytes(_png())
    (receipts / "e-1005.pdf").write_bytes(_pdf("Hotel Kustvagen 1245.00 SEK"))

    def day(n: int) -> str:
        return min(month.replace(day=n), today).isoformat()

    # One expense of each kind the booking rules know (see the README's booking table), and one nobody mapped.
    expenses = [
        _expense("E-1001", day(2), "card", "450.00", "Taxi", "Taxi Arlanda", tags="Projekt: 1001"),
        _expense("E-1002", day(2), "card", "1250.00", "Software", "Design tool licence", vat_amount="250.00",
                 tags="Projekt: 1002", receipt="receipts/e-1002.pdf"),
        _expense("E-1003", day(3), "out-of-pocket", "336.00", "Representation", "Client lunch", vat_amount="36.00",
                 receipt="receipts/e-1003.png", employee="Anna Berg", attendees="1"),
        _expense("E-1004", day(3), "card", "100.00", "Cloud hosting (EU)", "Hosting (EUR)", currency="EUR",
                 exchange_rate="11.4350", company_amount="1150.20", seller_country="IE"),
        _expense("E-1005", day(4), "card", "1120.00", "Hotel", "Hotel night", tags="Projekt: 1003",
                 receipt="receipts/e-1005.pdf"),
        _expense("E-1005", day(4), "card", "112.00", "Meals", "Hotel dinner", vat_amount="12.00", tags="Projekt: 1003",
                 receipt="receipts/e-1005.pdf"),
        _expense("E-1006", day(4), "card", "35.00", "Bank fees", "Card fee", vat_amount="0", vat_code="00"),
        _expense("E-1007", day(5), "reimbursement", "336.00", "", "Payout", employee="Anna Berg"),
        _expense("E-1008", day(5), "card", "899.00", "Gifts", "Client gift", vat_amount="179.80"),
        _expense("E-1009", day(6), "card", "180.00", "Hotel abroad", "Hotel Berlin", currency="EUR", vat_amount="11.78",
                 exchange_rate="11.4350", company_amount="2058.30", seller_country="DE"),
        _expense("E-1010", day(6), "card", "49.00", "Software (non-EU)", "Design assets (USD)", currency="USD",
                 exchange_rate="10.2000", company_amount="499.80", seller_country="US"),
        _expense("E-1011", day(7), "card", "2240.00", "Representation", "Client dinner", vat_amount="240.00",
                 attendees="4"),
        _expense("E-1012", day(7), "card", "212.00", "Food", "Fruit for the office"),
    ]
    period = month.strftime("%Y-%m")
    payroll = [
        ("7210", "45000.00", "", "1001", "", "Salaries", period, ""),
        ("7510", "14139.00", "", "1001", "", "Employer contributions", period, ""),
        ("2710", "", "13500.00", "", "", "Withheld tax", period, ""),
        ("2731", "", "14139.00", "", "", "Employer contributions due", period, ""),
        ("2820", "", "31500.00", "", "", "Net pay", period, ""),
    ]
    paths = {"expenses": folder / "expenses.csv", "payroll": folder / "payroll.csv"}
    paths["expenses"].write_bytes(_csv(EXPENSE_HEADER, expenses))
    paths["payroll"].write_bytes(_csv(PAYROLL_HEADER, payroll))
    return paths
