"""The Finnish demo company's expense export: this month's demo expenses, in euros, for the Procountor part.

The shared demo export (:mod:`ops_lib.sources.demo_journals`) is a Swedish
company's, in kronor: booked into a euro company every one of its lines
would be blocked for want of a company amount, which shows nothing about
Procountor. So the Procountor part of ``make demo`` writes the same kind of
export as a Finnish company's expense service would: dated this month (the
sandbox's fiscal years follow the calendar), in EUR, one expense for each
Finnish booking rule (the general, reduced and zero rates, reverse charge
from the EU and from outside it, foreign VAT, representation, which Finland
never lets deduct), expenses tagged with dimension items, an out-of-pocket
expense and its payout, and one category nobody mapped, so the plan shows a
blocked expense. The receipts are the shared demo's files.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from ops_lib.sources.demo_journals import EXPENSE_HEADER, write_demo_journals

# (expense_id, day of month, type, amount, category, note, other columns): amounts in EUR unless a currency is given.
FINNISH_EXPENSES: tuple[tuple[str, int, str, str, str, str, dict[str, str]], ...] = (
    ("E-2001", 2, "card", "38.60", "Taxi", "Taksi Helsinki-Vantaa", {"tags": "Projekti: 1001"}),
    ("E-2002", 2, "card", "125.50", "Software", "Design tool licence",
     {"vat_amount": "25.50", "tags": "Projekti: 1002", "receipt": "receipts/e-1002.pdf"}),
    ("E-2003", 3, "out-of-pocket", "56.75", "Representation", "Client lunch",
     {"receipt": "receipts/e-1003.png", "employee": "Aino Virtanen", "attendees": "1"}),
    ("E-2004", 3, "card", "100.00", "Cloud hosting (EU)", "Hosting", {"seller_country": "IE"}),
    ("E-2005", 4, "card", "113.50", "Hotel", "Hotel night", {"tags": "Kustannuspaikka: MYYNTI; Projekti: P200",
                                                             "receipt": "receipts/e-1005.pdf"}),
    ("E-2005", 4, "card", "22.70", "Meals", "Hotel dinner", {"tags": "Kustannuspaikka: MYYNTI; Projekti: P200",
                                                             "receipt": "receipts/e-1005.pdf"}),
    ("E-2006", 4, "card", "3.50", "Bank fees", "Card fee", {"vat_amount": "0"}),
    ("E-2007", 5, "reimbursement", "56.75", "", "Payout", {"employee": "Aino Virtanen"}),
    ("E-2008", 5, "card", "79.90", "Gifts", "Client gift", {}),
    ("E-2009", 6, "card", "1450.00", "Hotel abroad", "Hotel Stockholm",
     {"currency": "SEK", "vat_amount": "155.36", "exchange_rate": "0.0870", "company_amount": "126.15",
      "seller_country": "SE"}),
    ("E-2010", 6, "card", "49.00", "Software (non-EU)", "Design assets (USD)",
     {"currency": "USD", "exchange_rate": "0.9200", "company_amount": "45.08", "seller_country": "US"}),
    ("E-2011", 7, "card", "24.30", "Food", "Fruit for the office", {"tags": "Kustannuspaikka: HALLINTO"}),
)


def write_finnish_demo_export(folder: Path | str, month: date | None = None) -> Path:
    """Write ``expenses.csv`` (with the shared demo's ``receipts/``) for ``month`` (default: this month).

    No expense is dated after today, as in the shared demo: a future date is refused.
    """
    folder = Path(folder)
    write_demo_journals(folder, month)  # the receipt files; its Swedish expenses.csv is replaced below
    today = date.today()
    first = (month or today).replace(day=1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPENSE_HEADER)
    for expense_id, day, kind, amount, category, note, other in FINNISH_EXPENSES:
        given = {"expense_id": expense_id, "date": min(first.replace(day=day), today).isoformat(), "type": kind,
                 "amount": amount, "currency": "EUR", "category": category, "note": note, **other}
        writer.writerow([given.get(column, "") for column in EXPENSE_HEADER])
    path = folder / "expenses.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    (folder / "payroll.csv").unlink(missing_ok=True)  # the Swedish payroll journal is no part of this export
    return path


__all__ = ["FINNISH_EXPENSES", "write_finnish_demo_export"]
