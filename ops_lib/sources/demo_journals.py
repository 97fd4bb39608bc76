"""Demo journals for the sandbox: an expense export with receipts and a payroll journal, dated this month.

The sandbox's fiscal years follow the calendar, so fixed files would fall
out of its books within a year; these are written on demand, dated in
the current month, and fit the default mapping tables under
``params/mappings/`` and the sandbox's chart. One expense carries a
category nobody mapped, so a first run shows what a blocked expense and
its fix look like.
"""

from __future__ import annotations

import csv
import io
import struct
import zlib
from datetime import date
from pathlib import Path

EXPENSE_HEADER = ("expense_id", "date", "type", "amount", "currency", "company_amount", "vat_amount", "vat_code",
                  "category", "tags", "note", "receipt", "employee")
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


def write_demo_journals(folder: Path | str, month: date | None = None) -> dict[str, Path]:
    """Write ``expenses.csv`` (with ``receipts/``) and ``payroll.csv`` for ``month`` (default: this month)."""
    folder = Path(folder)
    month = (month or date.today()).replace(day=1)
    receipts = folder / "receipts"
    receipts.mkdir(parents=True, exist_ok=True)
    (receipts / "e-1002.pdf").write_bytes(_pdf("Invoice Molnbolaget AB 1250.00 SEK"))
    (receipts / "e-1003.png").write_bytes(_png())
    (receipts / "e-1005.pdf").write_bytes(_pdf("Hotel Kustvagen 1245.00 SEK"))

    def day(n: int) -> str:
        return month.replace(day=n).isoformat()

    expenses = [
        ("E-1001", day(2), "card", "450.00", "SEK", "", "25.47", "", "Travel", "Projekt: 1001", "Taxi Arlanda", "", ""),
        ("E-1002", day(2), "card", "1250.00", "SEK", "", "250.00", "", "Software", "Projekt: 1002",
         "Design tool licence", "receipts/e-1002.pdf", ""),
        ("E-1003", day(3), "out-of-pocket", "336.00", "SEK", "", "36.00", "", "Meals", "", "Client lunch",
         "receipts/e-1003.png", "Anna Berg"),
        ("E-1004", day(3), "card", "100.00", "EUR", "1143.50", "20.00", "", "Software", "", "Hosting (EUR)", "", ""),
        ("E-1005", day(4), "card", "1120.00", "SEK", "", "120.00", "", "Hotel", "Projekt: 1003", "Hotel night",
         "receipts/e-1005.pdf", ""),
        ("E-1005", day(4), "card", "125.00", "SEK", "", "25.00", "", "Meals", "Projekt: 1003", "Minibar",
         "receipts/e-1005.pdf", ""),
        ("E-1006", day(4), "card", "35.00", "SEK", "", "0", "00", "Bank fees", "", "Card fee", "", ""),
        ("E-1007", day(5), "reimbursement", "336.00", "SEK", "", "", "", "", "", "Payout", "", "Anna Berg"),
        ("E-1008", day(5), "card", "899.00", "SEK", "", "179.80", "", "Gifts", "", "Client gift", "", ""),
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
