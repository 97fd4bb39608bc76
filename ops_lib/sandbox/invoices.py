"""Customer invoice drafts, their conversion to customer invoices, and payments on those.

A draft is what an integration creates (``POST /customerinvoicedrafts``);
converting it (``POST /customerinvoicedrafts/{id}/convert``) books it as a
customer invoice with the company's next invoice number
(``NextCustomerInvoiceNumber`` in the company settings), and payments
(``POST /customerinvoices/{id}/payments``) bring its ``RemainingAmount``
down to 0, which is "paid".

Rules the sandbox applies, in the service's order: the model binder's
2000 errors (required fields, maximum lengths, types) for the draft and
each row, then the references (an unknown customer, article, cost centre
item or project is 3000), then the business rules.

Where the real service's behaviour is not published, the sandbox chooses,
and says so here:

* **Missing invoice address.** A draft whose ``InvoiceAddress1`` and
  ``InvoiceAddress2`` are both empty is refused with ErrorCode 2000 and
  "The invoice address is missing." The project-tool guide only shows its
  own wrapper ("... because invoice address is missing"); the service's
  own words are not published.
* **Inactive article.** A non-text row on an inactive article is refused
  with HTTP 409, ErrorCode 4000 (Conflict); the guide shows only the
  status ("The remote server returned an error: (409) Conflict").
* **Totals.** Row amount = round(Quantity x UnitPrice x (1 - DiscountPercentage));
  VAT = round(row amount x the VAT rate of the article's account coding),
  rounded per row with :func:`ops_lib.core.money.round_money`.
  ``TotalAmount`` includes VAT (what the customer pays), ``TotalVatAmount``
  is the VAT; prices are taken as excluding VAT (``IncludesVat`` false), as
  the seeded company shows prices excluding VAT. Base-currency totals equal
  the invoice-currency ones (the sandbox has no exchange rates).
* **Sent.** The sandbox has no e-mail or print step: a converted draft *is*
  the sent invoice. The draft is deleted by the conversion, as in the real
  service, so a client finds the invoice under ``/customerinvoices`` only.
* **Booking.** The invoice gets ``VoucherNumber`` "B<n>" (the sandbox's
  series for customer invoices, numbered per fiscal year) and a
  ``VoucherId``, but no voucher document under ``/vouchers``: that list
  keeps the vouchers clients post, so what a client booked stays what it
  finds there. The invoice date must lie in an open fiscal year (3001,
  4038, 4026, as for vouchers).
* **Payments.** ``PaymentType`` 1 (partial) may pay up to the remaining
  amount, 2 (complete) must pay exactly the remaining amount, 3 (rounding)
  at most 1.00; more than the remaining amount is refused (2000), a payment
  date after today is 4023, another currency than the invoice's is 2000.
  ``CompanyBankAccountId`` is not checked: the sandbox has no bank accounts.
* Convert and payments answer 200 (they act on an existing document);
  creating a draft answers 201, as the sandbox's other creates do.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ops_lib.core.money import round_money
from ops_lib.sandbox.api import AuthorisedCall, RegisterHandlers, endpoint, must_get, ok, paged
from ops_lib.sandbox.clock import format_date, parse_date, parse_datetime
from ops_lib.sandbox.dimensions import check_row_dimensions
from ops_lib.sandbox.errors import FieldViolation, ServiceError, validation_error
from ops_lib.sandbox.invoice_schemas import (
    CUSTOMER_INVOICE,
    CUSTOMER_INVOICE_DRAFT,
    CUSTOMER_INVOICE_DRAFT_ROW,
    CUSTOMER_INVOICE_ROW,
    INVOICE_PAYMENT,
)
from ops_lib.sandbox.ledger import bookable_year
from ops_lib.sandbox.seed import luhn_digit, make_id
from ops_lib.sandbox.validation import check_fields, require, validate

ADDRESS_MISSING = "The invoice address is missing."
CUSTOMER_INVOICE_SERIES = "B"
_DRAFT_COPIED_TO_INVOICE = (
    "EuThirdParty", "IsCreditInvoice", "CustomerId", "InvoiceDate", "DeliveryDate", "RotReducedInvoicingType",
    "RotReducedInvoicingAmount", "RotReducedInvoicingPropertyName", "RotReducedInvoicingOrgNumber", "Persons",
    "OurReference", "YourReference", "InvoiceCustomerName", "InvoiceAddress1", "InvoiceAddress2",
    "InvoicePostalCode", "InvoiceCity", "InvoiceCountryCode", "DeliveryCustomerName", "DeliveryAddress1",
    "DeliveryAddress2", "DeliveryPostalCode", "DeliveryCity", "DeliveryCountryCode", "DeliveryMethodName",
    "DeliveryTermName", "DeliveryMethodCode", "DeliveryTermCode", "CustomerIsPrivatePerson", "CustomerNumber",
    "RotPropertyType", "ReverseChargeOnConstructionServices", "IncludesVat", "TotalAmount", "TotalVatAmount",
    "TotalRoundings",
)


def _money(value: Any) -> Decimal:
    """A JSON number as an exact Decimal (``str`` first, so 0.1 stays 0.1)."""
    return Decimal(str(value)) if value is not None else Decimal(0)


def _at_most_decimals(value: Any, places: int, path: str, errors: list[FieldViolation]) -> None:
    if value is not None and _money(value).as_tuple().exponent < -places:  # type: ignore[operator]
        errors.append(FieldViolation(path, f"The field {path.rsplit('.', 1)[-1]} may have at most {places} decimals."))


def _bound_rows(rows: Any) -> list[dict[str, Any]]:
    """Bind each row as the model binder does; every broken rule of every row in one 2000."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise validation_error([FieldViolation("Rows", "The field Rows must be a list of rows.")])
    errors: list[FieldViolation] = []
    clean_rows = []
    for i, row in enumerate(rows):
        clean, row_errors = check_fields(CUSTOMER_INVOICE_DRAFT_ROW, row, f"Rows[{i}].")
        errors.extend(row_errors)
        _at_most_decimals(clean.get("UnitPrice"), 2, f"Rows[{i}].UnitPrice", errors)
        _at_most_decimals(clean.get("Quantity"), 2, f"Rows[{i}].Quantity", errors)
        _at_most_decimals(clean.get("DiscountPercentage"), 4, f"Rows[{i}].DiscountPercentage", errors)
        discount = clean.get("DiscountPercentage")
        if discount is not None and not 0 <= discount <= 1:
            errors.append(FieldViolation(f"Rows[{i}].DiscountPercentage",
                                         "The field DiscountPercentage must be between 0 and 1."))
        line = clean.get("LineNumber")
        if isinstance(line, int) and not 0 <= line <= 1000:
            errors.append(FieldViolation(f"Rows[{i}].LineNumber", "The field LineNumber must be between 0 and 1000."))
        if not row_errors and not clean["IsTextRow"] and not clean.get("ArticleId"):
            errors.append(FieldViolation(f"Rows[{i}].ArticleId",
                                         "The ArticleId field is required when IsTextRow is false."))
        clean_rows.append(clean)
    if errors:
        raise validation_error(errors)
    return clean_rows


def _priced_row(call: AuthorisedCall, row: dict[str, Any]) -> tuple[dict[str, Any], Decimal, Decimal]:
    """The stored row with what the service fills in, its amount without VAT, and its VAT."""
    stored = {**row, "ArticleNumber": None, "VatRateId": None}
    if row["IsTextRow"]:
        stored.update(ArticleId=None, UnitPrice=None, Quantity=None, DiscountPercentage=None)
        return stored, Decimal(0), Decimal(0)
    article = call.store.get(call.tenant, "articles", str(row["ArticleId"]).lower())
    if article is None:
        raise ServiceError(3000, f"Resource not found: ArticleId {row['ArticleId']}", 400)
    if not article["IsActive"]:
        raise ServiceError(4000, f"Conflict. The article {article['Number']} ({article['Name']}) is inactive.", 409)
    coding = call.store.get(call.tenant, "articleaccountcodings", article["CodingId"]) or {}
    price = _money(row["UnitPrice"] if row.get("UnitPrice") is not None else article.get("NetPrice"))
    quantity = _money(row.get("Quantity"))
    discount = _money(row.get("DiscountPercentage"))
    amount = round_money(quantity * price * (1 - discount))
    rate = _money(coding.get("VatRatePercent"))
    stored.update({
        "ArticleId": article["Id"], "ArticleNumber": article["Number"], "UnitPrice": float(price),
        "Quantity": float(quantity), "DiscountPercentage": float(discount), "VatRateId": coding.get("Id"),
        "UnitName": row.get("UnitName") or article["UnitName"],
        "UnitAbbreviation": row.get("UnitAbbreviation") or article["UnitAbbreviation"],
        "_UnitId": article["UnitId"], "_PercentVat": float(rate),
    })
    return stored, amount, round_money(amount * rate)


def _save_draft(call: AuthorisedCall, body: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    fields = validate(CUSTOMER_INVOICE_DRAFT, body)
    rows = _bound_rows(fields.get("Rows"))
    customer = call.store.get(call.tenant, "customers", str(fields["CustomerId"]).lower())
    if customer is None:
        raise ServiceError(3000, f"Resource not found: CustomerId {fields['CustomerId']}", 400)
    if not any(str(fields.get(f) or "").strip() for f in ("InvoiceAddress1", "InvoiceAddress2")):
        raise validation_error([FieldViolation("InvoiceAddress1", ADDRESS_MISSING)])
    stored_rows, net, vat = [], Decimal(0), Decimal(0)
    for row in rows:
        stored, amount, row_vat = _priced_row(call, row)
        check_row_dimensions(call, row)
        stored_rows.append(stored)
        net, vat = net + amount, vat + row_vat
    total = net + vat
    record = {
        **(existing or {}), **fields, "Rows": stored_rows,
        "Id": existing["Id"] if existing else str(uuid.uuid4()),
        "CreatedUtc": existing["CreatedUtc"] if existing else call.sandbox.clock.stamp(),
        "InvoiceDate": format_date(parse_date(fields["InvoiceDate"])) if fields.get("InvoiceDate")
        else format_date(call.sandbox.clock.today()),
        "DeliveryDate": format_date(parse_date(fields["DeliveryDate"])) if fields.get("DeliveryDate") else None,
        "CustomerId": customer["Id"], "CustomerNumber": customer["CustomerNumber"],
        "InvoiceCurrencyCode": customer.get("CurrencyCode") or "SEK",
        "ReverseChargeOnConstructionServices": bool(customer.get("ReverseChargeOnConstructionServices")),
        "IncludesVat": False, "TotalAmount": float(total), "TotalVatAmount": float(vat), "TotalRoundings": 0.0,
        "TotalAmountBaseCurrency": float(total), "TotalVatAmountBaseCurrency": float(vat),
    }
    call.store.put(call.tenant, "customerinvoicedrafts", record["Id"], record)
    return record


def _draft_json(record: dict[str, Any]) -> dict[str, Any]:
    return CUSTOMER_INVOICE_DRAFT.shape(dict(record, Rows=[CUSTOMER_INVOICE_DRAFT_ROW.shape(r) for r in record["Rows"]]))


class _Drafts(RegisterHandlers):
    """The register handlers, answering drafts with their rows shaped too."""

    def list(self, call: AuthorisedCall) -> Response:
        return paged(call, self.model, kind=self.kind, shape=_draft_json)

    def get(self, call: AuthorisedCall) -> Response:
        return ok(_draft_json(must_get(call, self.kind, call.param(self.id_param), self.what)))

    async def create(self, call: AuthorisedCall) -> Response:
        return ok(_draft_json(_save_draft(call, await call.body(), None)), 201)

    async def update(self, call: AuthorisedCall) -> Response:
        existing = must_get(call, self.kind, call.param(self.id_param), self.what)
        return ok(_draft_json(_save_draft(call, await call.body(), existing)))


DRAFTS = _Drafts("customerinvoicedrafts", CUSTOMER_INVOICE_DRAFT, "invoiceDraftId", "customer invoice draft")
DRAFT_CHANGES = _Drafts("customerinvoicedrafts", CUSTOMER_INVOICE_DRAFT, "customerInvoiceDraftId",
                        "customer invoice draft")


def delete_draft(call: AuthorisedCall) -> Response:
    record = must_get(call, "customerinvoicedrafts", call.param("customerInvoiceDraftId"), "customer invoice draft")
    call.store.delete(call.tenant, "customerinvoicedrafts", record["Id"])
    return Response(status_code=200)


# Conversion ------------------------------------------------------------------

def _next_invoice_number(call: AuthorisedCall) -> int:
    settings = call.store.get(call.tenant, "companysettings", "settings") or {}
    taken = {i["InvoiceNumber"] for i in call.store.all(call.tenant, "customerinvoices")}
    number = int(settings.get("NextCustomerInvoiceNumber") or 1)
    while number in taken:
        number += 1
    settings["NextCustomerInvoiceNumber"] = number + 1
    call.store.put(call.tenant, "companysettings", "settings", settings)
    return number


def _voucher_number(call: AuthorisedCall, kind: str, year_id: str, series: str) -> str:
    """``<series><n>``: the next number of ``series`` among the ``kind`` documents booked in the fiscal year."""
    used = sum(1 for r in call.store.all(call.tenant, kind) if r.get("_FiscalYearId") == year_id)
    return f"{series}{used + 1}"


def _invoice_row(row: dict[str, Any]) -> dict[str, Any]:
    amount = round_money(_money(row.get("Quantity")) * _money(row.get("UnitPrice"))
                         * (1 - _money(row.get("DiscountPercentage"))))
    return {
        **row, "Id": str(uuid.uuid4()), "AmountNoVat": float(amount), "PercentVat": row.get("_PercentVat", 0.0),
        "UnitId": row.get("_UnitId"), "UnitAbbreviationEnglish": row.get("UnitAbbreviation"),
        "IsWorkCost": bool(row.get("IsWorkCost")), "IsVatFree": bool(row.get("ReversedConstructionServicesVatFree")),
    }


def _checked_totals(body: Any, draft: dict[str, Any]) -> None:
    """The optional ``CustomerInvoiceDraftValidationApi`` body: totals the caller expects must be the draft's."""
    if not isinstance(body, dict):
        return
    for field, ours in (("TotalAmountInvoiceCurrency", "TotalAmount"), ("TotalVatAmountInvoiceCurrency",
                                                                      "TotalVatAmount")):
        expected = body.get(field)
        if expected is not None and _money(expected) != _money(draft[ours]):
            raise validation_error([FieldViolation(field, f"The {field} {expected} does not match the draft's "
                                                          f"{draft[ours]:.2f}.")])


async def convert_draft(call: AuthorisedCall) -> Response:
    draft = must_get(call, "customerinvoicedrafts", call.param("customerInvoiceDraftId"), "customer invoice draft")
    _checked_totals(await call.body(), draft)
    customer = call.store.get(call.tenant, "customers", draft["CustomerId"])
    if customer is None:
        raise ServiceError(3000, f"Resource not found: CustomerId {draft['CustomerId']}", 400)
    day = parse_date(draft["InvoiceDate"])
    year = bookable_year(call, day, "invoice date")
    terms = customer.get("TermsOfPayment") or {}
    with call.store.transaction():
        number = _next_invoice_number(call)
        invoice = {field: draft.get(field) for field in _DRAFT_COPIED_TO_INVOICE}
        invoice.update({
            "Id": str(uuid.uuid4()), "InvoiceNumber": number, "CurrencyCode": draft["InvoiceCurrencyCode"],
            "CurrencyRate": 1.0, "CreatedByUserId": make_id(call.tenant, "user"),
            "TotalAmountInvoiceCurrency": draft["TotalAmount"], "TotalVatAmountInvoiceCurrency": draft["TotalVatAmount"],
            "Rows": [_invoice_row(r) for r in draft["Rows"]],
            "DueDate": format_date(day + timedelta(days=int(terms.get("NumberOfDays") or 0))),
            "TermsOfPaymentId": customer["TermsOfPaymentId"], "CustomerEmail": customer.get("EmailAddress"),
            "PaymentReferenceNumber": f"{number}{luhn_digit(str(number))}",
            "RemainingAmount": draft["TotalAmount"], "RemainingAmountInvoiceCurrency": draft["TotalAmount"],
            "VoucherNumber": _voucher_number(call, "customerinvoices", year["Id"], CUSTOMER_INVOICE_SERIES),
            "VoucherId": str(uuid.uuid4()), "_FiscalYearId": year["Id"],
            "CreatedUtc": call.sandbox.clock.stamp(), "ModifiedUtc": call.sandbox.clock.stamp(),
        })
        call.store.put(call.tenant, "customerinvoices", invoice["Id"], invoice)
        call.store.delete(call.tenant, "customerinvoicedrafts", draft["Id"])
    return ok(invoice_json(invoice))


# Customer invoices -------------------------------------------------------------

def invoice_json(record: dict[str, Any]) -> dict[str, Any]:
    return CUSTOMER_INVOICE.shape(dict(record, Rows=[CUSTOMER_INVOICE_ROW.shape(r) for r in record["Rows"]]))


def list_invoices(call: AuthorisedCall) -> Response:
    since = call.request.query_params.get("modifiedSinceUtc")
    if not since:
        return paged(call, CUSTOMER_INVOICE, kind="customerinvoices", shape=invoice_json)
    try:
        moment = parse_datetime(since)
    except ValueError as exc:
        raise ServiceError(6001, f"Invalid date format in modifiedSinceUtc: {since!r}", 400) from exc
    records = [r for r in call.store.all(call.tenant, "customerinvoices") if parse_datetime(r["ModifiedUtc"]) > moment]
    return paged(call, CUSTOMER_INVOICE, records, shape=invoice_json)


def get_invoice(call: AuthorisedCall) -> Response:
    return ok(invoice_json(must_get(call, "customerinvoices", call.param("invoiceId"), "customer invoice")))


def _check_payment(fields: dict[str, Any], invoice: dict[str, Any], today: date) -> Decimal:
    """The payment's amount, after the rules of the module docstring; raises 2000 or 4023."""
    amount, remaining = _money(fields["PaymentAmount"]), _money(invoice["RemainingAmount"])
    kind = fields["PaymentType"]
    errors: list[FieldViolation] = []
    _at_most_decimals(fields["PaymentAmount"], 2, "PaymentAmount", errors)
    if errors:
        raise validation_error(errors)
    require(kind in (1, 2, 3), "PaymentType", "The field PaymentType must be 1 (partial), 2 (complete) or 3 (rounding).")
    require(str(fields["PaymentCurrency"]).upper() == str(invoice["CurrencyCode"]).upper(), "PaymentCurrency",
            f"The payment currency {fields['PaymentCurrency']} is not the invoice currency {invoice['CurrencyCode']}.")
    require(remaining > 0, "PaymentAmount", f"The invoice {invoice['InvoiceNumber']} is already paid.")
    require(amount > 0, "PaymentAmount", "The field PaymentAmount must be more than 0.")
    require(amount <= remaining, "PaymentAmount",
            f"The payment amount {amount:.2f} is more than the remaining amount {remaining:.2f}.")
    require(kind != 2 or amount == remaining, "PaymentAmount",
            f"A complete payment (PaymentType 2) must pay the remaining amount {remaining:.2f}.")
    require(kind != 3 or amount <= 1, "PaymentAmount", "A rounding (PaymentType 3) can be at most 1.00.")
    if parse_date(fields["PaymentDate"]) > today:
        raise ServiceError(4023, "The payment date cannot be in the future.", 400)
    return amount


async def pay_invoice(call: AuthorisedCall) -> Response:
    invoice = must_get(call, "customerinvoices", call.param("invoiceId"), "customer invoice")
    fields = validate(INVOICE_PAYMENT, await call.body())
    amount = _check_payment(fields, invoice, call.sandbox.clock.today())
    remaining = float(_money(invoice["RemainingAmount"]) - amount)
    payment = {**fields, "PaymentDate": format_date(parse_date(fields["PaymentDate"]))}
    with call.store.transaction():
        invoice.update(RemainingAmount=remaining, RemainingAmountInvoiceCurrency=remaining,
                       ModifiedUtc=call.sandbox.clock.stamp())
        call.store.put(call.tenant, "customerinvoices", invoice["Id"], invoice)
        call.store.put(call.tenant, "customerinvoicepayments", str(uuid.uuid4()), {**payment, "InvoiceId": invoice["Id"]})
    return ok(INVOICE_PAYMENT.shape(payment))


ROUTES: list[Route] = [
    endpoint("GET", "/v2/customerinvoicedrafts", DRAFTS.list),
    endpoint("POST", "/v2/customerinvoicedrafts", DRAFTS.create),
    endpoint("GET", "/v2/customerinvoicedrafts/{invoiceDraftId}", DRAFTS.get),
    endpoint("PUT", "/v2/customerinvoicedrafts/{customerInvoiceDraftId}", DRAFT_CHANGES.update),
    endpoint("DELETE", "/v2/customerinvoicedrafts/{customerInvoiceDraftId}", delete_draft),
    endpoint("POST", "/v2/customerinvoicedrafts/{customerInvoiceDraftId}/convert", convert_draft),
    endpoint("GET", "/v2/customerinvoices", list_invoices),
    endpoint("GET", "/v2/customerinvoices/{invoiceId}", get_invoice),
    endpoint("POST", "/v2/customerinvoices/{invoiceId}/payments", pay_invoice),
]
