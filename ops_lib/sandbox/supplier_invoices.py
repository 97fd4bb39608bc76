"""Suppliers (read-only) and booked supplier invoices with their rows.

A supplier invoice is booked when it is created: it gets a voucher number
at once, and its rows carry the cost side of the booking, with the
project (``ProjectId``) or the cost centre items (``CostCenterItemId1..3``)
each cost belongs to. The amounts are ``DebetAmount`` (sic, as the service
spells it on these rows) and ``CreditAmount``.

Where the real service's behaviour is not published, the sandbox chooses,
and says so here:

* **Balance (4032).** The rows are the cost side only; the service books
  the supplier debt (2440) and the input VAT itself. So the rows must
  balance against the invoice: the sum of ``DebetAmount`` minus the sum of
  ``CreditAmount`` equals ``TotalAmount - Vat``, to the öre, or the invoice
  is refused with ErrorCode 4032 (SupplierInvoiceDoesntBalance).
* **Credit invoices** carry negative ``TotalAmount`` and ``Vat`` and their
  cost on ``CreditAmount``; ``IsCreditInvoice`` follows the sign of
  ``TotalAmount`` when it is not sent, and must agree with it when it is.
* **Voucher numbers** are "D<n>", the sandbox's series for supplier
  invoices, numbered per fiscal year. Like customer invoices (see
  :mod:`.invoices`) they get a ``VoucherId`` but no document under
  ``/vouchers``.
* Accounts must exist and be active in the fiscal year of ``InvoiceDate``
  (3002, 2000), the year must be open (3001, 4038, 4026), and the rows'
  cost centre items and projects follow the voucher rules (3000, 5006,
  5005). ``InvoiceDate`` defaults to today, ``DueDate`` to the invoice
  date plus the supplier's terms of payment, ``CurrencyCode`` to the
  supplier's currency.
* Creating answers 201, as the sandbox's other creates do. Payments of
  supplier invoices and supplier invoice drafts are not implemented.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ops_lib.sandbox.api import AuthorisedCall, RegisterHandlers, endpoint, must_get, ok, paged
from ops_lib.sandbox.clock import format_date, parse_date
from ops_lib.sandbox.dimensions import check_row_dimensions
from ops_lib.sandbox.errors import FieldViolation, ServiceError, validation_error
from ops_lib.sandbox.invoice_schemas import SUPPLIER, SUPPLIER_INVOICE, SUPPLIER_INVOICE_ROW
from ops_lib.sandbox.ledger import bookable_year
from ops_lib.sandbox.seed_purchases import SUPPLIER_INVOICE_SERIES
from ops_lib.sandbox.validation import check_fields, require, validate


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _amount_errors(clean: dict[str, Any], prefix: str) -> list[FieldViolation]:
    errors = []
    for field in ("DebetAmount", "CreditAmount"):
        value = clean.get(field)
        if value is None:
            continue
        amount = _money(value)
        if amount < 0 or amount > Decimal("10000000000") or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            errors.append(FieldViolation(
                f"{prefix}{field}", f"The field {field} must be from 0 to 10000000000 with at most two decimals."))
    return errors


def _bound_rows(rows: Any) -> list[dict[str, Any]]:
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise validation_error([FieldViolation("Rows", "The field Rows must be a list of rows.")])
    errors: list[FieldViolation] = []
    clean_rows = []
    for i, row in enumerate(rows):
        clean, row_errors = check_fields(SUPPLIER_INVOICE_ROW, row, f"Rows[{i}].")
        errors.extend(row_errors or _amount_errors(clean, f"Rows[{i}]."))
        clean_rows.append(clean)
    if errors:
        raise validation_error(errors)
    return clean_rows


def _check_balance(fields: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """4032 unless the rows' net cost is the invoice's total less its VAT (see the module docstring)."""
    net = sum((_money(r.get("DebetAmount")) - _money(r.get("CreditAmount")) for r in rows), Decimal(0))
    expected = _money(fields["TotalAmount"]) - _money(fields.get("Vat"))
    if net != expected:
        raise ServiceError(4032, f"The supplier invoice does not balance: the rows come to {net:.2f}, "
                                 f"TotalAmount less Vat is {expected:.2f}.", 400)


def _booked_rows(call: AuthorisedCall, rows: list[dict[str, Any]], year: dict[str, Any]) -> list[dict[str, Any]]:
    booked = []
    for i, row in enumerate(rows):
        number = str(row["AccountNumber"])
        account = call.store.get(call.tenant, "accounts", f"{year['Id']}:{number}")
        if account is None:
            raise ServiceError(3002, f"Account {number} does not exist in the fiscal year "
                                     f"{year['StartDate'][:10]} - {year['EndDate'][:10]}.", 400)
        if not account["IsActive"]:
            raise validation_error([FieldViolation(f"Rows[{i}].AccountNumber", f"Account {number} is inactive.")])
        check_row_dimensions(call, row)
        booked.append({**row, "Id": str(uuid.uuid4()), "AccountName": account["Name"], "LineNumber": i + 1,
                       "DebetAmount": float(_money(row.get("DebetAmount"))),
                       "CreditAmount": float(_money(row.get("CreditAmount")))})
    return booked


def voucher_number(call: AuthorisedCall, year_id: str) -> str:
    """The next "D<n>" of the fiscal year: the supplier invoices booked in it, plus one."""
    used = sum(1 for r in call.store.all(call.tenant, "supplierinvoices") if r.get("_FiscalYearId") == year_id)
    return f"{SUPPLIER_INVOICE_SERIES}{used + 1}"


def _credit_flag(fields: dict[str, Any]) -> bool:
    negative = _money(fields["TotalAmount"]) < 0
    if "IsCreditInvoice" in fields:
        require(bool(fields["IsCreditInvoice"]) == negative, "IsCreditInvoice",
                "A credit invoice has a negative TotalAmount, and only a credit invoice has one.")
    return negative


async def create_supplier_invoice(call: AuthorisedCall) -> Response:
    fields = validate(SUPPLIER_INVOICE, await call.body())
    rows = _bound_rows(fields.get("Rows"))
    supplier = call.store.get(call.tenant, "suppliers", str(fields["SupplierId"]).lower())
    if supplier is None:
        raise ServiceError(3000, f"Resource not found: SupplierId {fields['SupplierId']}", 400)
    is_credit = _credit_flag(fields)
    day = parse_date(fields["InvoiceDate"]) if fields.get("InvoiceDate") else call.sandbox.clock.today()
    year = bookable_year(call, day, "invoice date")
    _check_balance(fields, rows)
    booked = _booked_rows(call, rows, year)
    terms = call.store.get(call.tenant, "termsofpayments", str(supplier.get("TermsOfPaymentId")).lower()) or {}
    due = parse_date(fields["DueDate"]) if fields.get("DueDate") else day + timedelta(
        days=int(terms.get("NumberOfDays") or 0))
    with call.store.transaction():
        stamp = call.sandbox.clock.stamp()
        record = {
            **fields, "Id": str(uuid.uuid4()), "SupplierId": supplier["Id"], "InvoiceDate": format_date(day),
            "DueDate": format_date(due), "IsCreditInvoice": is_credit, "Rows": booked,
            "CurrencyCode": fields.get("CurrencyCode") or supplier.get("CurrencyCode") or "SEK",
            "SupplierName": supplier["Name"], "SupplierNumber": supplier["SupplierNumber"],
            "BankGiroNumber": supplier.get("BankgiroNumber"), "PlusGiroNumber": supplier.get("PlusgiroNumber"),
            "IsDomestic": (supplier.get("CountryCode") or "SE") == "SE",
            "RemainingAmount": fields["TotalAmount"], "RemainingAmountInvoiceCurrency": fields["TotalAmount"],
            "VoucherNumber": voucher_number(call, year["Id"]), "VoucherId": str(uuid.uuid4()),
            "_FiscalYearId": year["Id"], "CreatedUtc": stamp, "ModifiedUtc": stamp,
        }
        call.store.put(call.tenant, "supplierinvoices", record["Id"], record)
    return ok(supplier_invoice_json(record), 201)


def supplier_invoice_json(record: dict[str, Any]) -> dict[str, Any]:
    return SUPPLIER_INVOICE.shape(dict(record, Rows=[SUPPLIER_INVOICE_ROW.shape(r) for r in record["Rows"]]))


def list_supplier_invoices(call: AuthorisedCall) -> Response:
    return paged(call, SUPPLIER_INVOICE, kind="supplierinvoices", shape=supplier_invoice_json)


def get_supplier_invoice(call: AuthorisedCall) -> Response:
    return ok(supplier_invoice_json(must_get(call, "supplierinvoices", call.param("supplierInvoiceId"),
                                             "supplier invoice")))


SUPPLIERS = RegisterHandlers("suppliers", SUPPLIER, "supplierId", "supplier")

ROUTES: list[Route] = [
    endpoint("GET", "/v2/suppliers", SUPPLIERS.list),
    endpoint("GET", "/v2/suppliers/{supplierId}", SUPPLIERS.get),
    endpoint("GET", "/v2/supplierinvoices", list_supplier_invoices),
    endpoint("POST", "/v2/supplierinvoices", create_supplier_invoice),
    endpoint("GET", "/v2/supplierinvoices/{supplierInvoiceId}", get_supplier_invoice),
]
