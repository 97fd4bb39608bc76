"""Seed the purchase side of the demo world: suppliers, and the first company's booked supplier invoices.

Runs after the registers are seeded and draws nothing from their random
generator, so the rest of the world is the same with or without it. The
supplier invoices are dated relative to the sandbox's today (some last
month, some this month), so "this month" and "last month" always find
some: one spans both demo projects, one has no project, one is a credit
invoice, and the project is set on the rows the ways the service allows
(as the "Projekt" cost centre item, as the project, or both). Each is
built as ``POST /supplierinvoices`` would book it (see
:mod:`.supplier_invoices`); ``tests/sandbox/test_invoices.py`` checks that.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Callable

from ops_lib.sandbox import seed_data as data
from ops_lib.sandbox.clock import UTC, format_date, format_utc
from ops_lib.sandbox.store import Store

IdMaker = Callable[..., str]
# The voucher series supplier invoices are booked in (the sandbox's choice; see supplier_invoices.py).
SUPPLIER_INVOICE_SERIES = "D"


def seed_purchases(store: Store, tenant: str, key: str, today: date, make: IdMaker) -> None:
    """Write the suppliers of company ``key`` and, for the first company, its supplier invoices.

    ``make(*parts)`` is the company's stable id maker (``seed.make_id`` with the company key bound).
    """
    terms = {t["NumberOfDays"]: t for t in store.all(tenant, "termsofpayments")}
    seeded_at = format_utc(datetime.combine(today.replace(day=1) - timedelta(days=60), time(8), UTC))
    for number, name, address, postal, city, bankgiro, days in data.SUPPLIERS:
        store.put(tenant, "suppliers", make("supplier", number), {
            "Id": make("supplier", number), "SupplierNumber": number, "Name": name, "Address1": address,
            "PostalCode": postal, "City": city, "CountryCode": "SE", "CurrencyCode": "SEK",
            "BankgiroNumber": bankgiro, "TermsOfPaymentId": terms[days]["Id"], "UsesPaymentReferenceNumbers": True,
            "EmailAddress": f"faktura@supplier{number}.example", "IsActive": True,
            "CreatedUtc": seeded_at, "ModifiedUtc": seeded_at,
        })
    settings = store.get(tenant, "companysettings", "settings") or {}
    settings["NextSupplierNumber"] = len(data.SUPPLIERS) + 1
    store.put(tenant, "companysettings", "settings", settings)
    if key == data.COMPANIES[0][0]:
        _seed_supplier_invoices(store, tenant, today, make)


def _invoice_day(today: date, month: str, day: int) -> date:
    first = today.replace(day=1)
    if month == "this":
        return first.replace(day=min(day, today.day))
    return (first - timedelta(days=1)).replace(day=day)


def _row(store: Store, tenant: str, year_id: str, make: IdMaker, i: int, spec: tuple[str, ...]) -> dict[str, Any]:
    account, debet, credit, project, how, department, text = spec
    name = (store.get(tenant, "accounts", f"{year_id}:{account}") or {})["Name"]
    return {
        "Id": make("supplierinvoicerow", year_id, account, i, text), "AccountNumber": int(account),
        "AccountName": name, "DebetAmount": float(Decimal(debet)), "CreditAmount": float(Decimal(credit)),
        "CostCenterItemId1": make("costcenteritem", 1, project) if how in ("both", "item") else None,
        "CostCenterItemId2": make("costcenteritem", 2, department) if department else None,
        "ProjectId": make("project", project) if how in ("both", "project") else None,
        "LineNumber": i + 1, "TransactionText": text,
    }


def _seed_supplier_invoices(store: Store, tenant: str, today: date, make: IdMaker) -> None:
    years = store.all(tenant, "fiscalyears")
    numbers: dict[str, int] = {}
    for n, (key, supplier_number, month, day, invoice_number, vat, rows) in enumerate(data.SUPPLIER_INVOICES):
        invoice_day = _invoice_day(today, month, day)
        year = next(y for y in years if y["StartDate"][:10] <= invoice_day.isoformat() <= y["EndDate"][:10])
        numbers[year["Id"]] = numbers.get(year["Id"], 0) + 1
        supplier = store.get(tenant, "suppliers", make("supplier", supplier_number))
        assert supplier is not None
        terms = store.get(tenant, "termsofpayments", supplier["TermsOfPaymentId"]) or {}
        booked = [_row(store, tenant, year["Id"], make, i, spec) for i, spec in enumerate(rows)]
        total = sum((Decimal(r[1]) - Decimal(r[2]) for r in rows), Decimal(0)) + Decimal(vat)
        stamp = format_utc(datetime.combine(invoice_day, time(9, n), UTC))
        store.put(tenant, "supplierinvoices", make("supplierinvoice", key), {
            "Id": make("supplierinvoice", key), "SupplierId": supplier["Id"], "InvoiceDate": format_date(invoice_day),
            "DueDate": format_date(invoice_day + timedelta(days=int(terms.get("NumberOfDays") or 0))),
            "InvoiceNumber": invoice_number, "TotalAmount": float(total), "Vat": float(Decimal(vat)),
            "IsCreditInvoice": total < 0, "CurrencyCode": "SEK", "CurrencyRate": 1.0,
            "CreatedUtc": stamp, "ModifiedUtc": stamp, "BankGiroNumber": supplier["BankgiroNumber"],
            "Rows": booked, "SupplierName": supplier["Name"], "SupplierNumber": supplier["SupplierNumber"],
            "IsDomestic": True, "RemainingAmount": float(total), "RemainingAmountInvoiceCurrency": float(total),
            "VoucherNumber": f"{SUPPLIER_INVOICE_SERIES}{numbers[year['Id']]}",
            "VoucherId": make("supplierinvoice-voucher", key), "_FiscalYearId": year["Id"],
        })
