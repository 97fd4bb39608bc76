"""Accounting endpoints: fiscal years, the chart of accounts and VAT codes.

Accounts exist per fiscal year, keyed by (fiscal year, number): an account
added to this year is missing from last year and the other way round,
which is exactly the trap the integration guides warn about. A new fiscal
year starts with a copy of the chart of the latest earlier year, as the
real service does.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ops_lib.sandbox.api import AuthorisedCall, RegisterHandlers, endpoint, ok, paged
from ops_lib.sandbox.clock import format_date, parse_date
from ops_lib.sandbox.errors import FieldViolation, ServiceError, validation_error
from ops_lib.sandbox.schemas import ACCOUNT, FISCAL_YEAR, VAT_CODE
from ops_lib.sandbox.validation import require, validate


def fiscal_year_or_error(call: AuthorisedCall, fiscal_year_id: str) -> dict[str, Any]:
    """The fiscal year, or 400/3001 as the service answers for a missing one."""
    record = call.store.get(call.tenant, "fiscalyears", fiscal_year_id.lower())
    if record is None:
        raise ServiceError(3001, f"Resource not found: fiscalYearId {fiscal_year_id}", 400)
    return record


def fiscal_year_for(call: AuthorisedCall, day: date) -> dict[str, Any] | None:
    for record in call.store.all(call.tenant, "fiscalyears"):
        if parse_date(record["StartDate"]) <= day <= parse_date(record["EndDate"]):
            return record
    return None


def bookable_year(call: AuthorisedCall, day: date, what: str) -> dict[str, Any]:
    """The open fiscal year ``day`` can be booked in, or the error the service gives.

    No year covers it: 3001; the year is locked: 4038; the day is on or before
    the company's accounting lock: 4026. ``what`` names the date in the
    message ("voucher date", "invoice date").
    """
    year = fiscal_year_for(call, day)
    if year is None:
        raise ServiceError(3001, f"Resource not found: fiscalYearId. No fiscal year covers {day.isoformat()}.", 400)
    if year["IsLockedForAccounting"]:
        raise ServiceError(4038, f"The {what} {day.isoformat()} is in a locked fiscal year.", 400)
    settings = call.store.get(call.tenant, "companysettings", "settings") or {}
    locked_to = settings.get("AccountingLockedTo")
    if locked_to and day <= parse_date(locked_to):
        raise ServiceError(4026, f"The {what} {day.isoformat()} is in a locked period "
                             f"(locked up to {locked_to[:10]}).", 400)
    return year


# Fiscal years ----------------------------------------------------------------

def list_fiscal_years(call: AuthorisedCall) -> Response:
    return paged(call, FISCAL_YEAR, kind="fiscalyears")


def get_fiscal_year(call: AuthorisedCall) -> Response:
    return ok(FISCAL_YEAR.shape(fiscal_year_or_error(call, call.param("id"))))


async def create_fiscal_year(call: AuthorisedCall) -> Response:
    fields = validate(FISCAL_YEAR, await call.body())
    start, end = parse_date(fields["StartDate"]), parse_date(fields["EndDate"])
    require(start <= end, "EndDate", "The EndDate must be after the StartDate.")
    if end.day != calendar.monthrange(end.year, end.month)[1]:
        raise ServiceError(4022, "The end date of a fiscal year must be the last day of a month.", 400)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > 18:
        raise ServiceError(4021, "A fiscal year can be at most 18 months long.", 400)
    years = call.store.all(call.tenant, "fiscalyears")
    for other in years:
        if start <= parse_date(other["EndDate"]) and parse_date(other["StartDate"]) <= end:
            raise ServiceError(4020, "The fiscal year overlaps another fiscal year.", 400)
    earlier = [y for y in years if parse_date(y["EndDate"]) < start]
    source = max(earlier, key=lambda y: y["EndDate"]) if earlier else None
    record = {
        "Id": str(uuid.uuid4()), "StartDate": format_date(start), "EndDate": format_date(end),
        "IsLockedForAccounting": False,
        "BookkeepingMethod": fields.get("BookkeepingMethod", source["BookkeepingMethod"] if source else 0),
    }
    with call.store.transaction():
        call.store.put(call.tenant, "fiscalyears", record["Id"], record)
        if source:
            for account in call.store.all(call.tenant, "accounts"):
                if account["FiscalYearId"] == source["Id"]:
                    copy = dict(account, FiscalYearId=record["Id"], ModifiedUtc=call.sandbox.clock.stamp())
                    call.store.put(call.tenant, "accounts", f"{record['Id']}:{copy['Number']}", copy)
    return ok(FISCAL_YEAR.shape(record), 201)


# Accounts --------------------------------------------------------------------

def _account_number(raw: Any, field: str = "Number") -> str:
    text = str(raw).strip()
    if not text.isdigit() or not 1000 <= int(text) <= 9999:
        raise validation_error([FieldViolation(
            field, f"The account number {raw!r} must be a whole number from 1000 to 9999.")])
    return text


def _save_account(call: AuthorisedCall, fields: dict[str, Any], fiscal_year_id: str, number: str,
                  existing: dict[str, Any] | None) -> dict[str, Any]:
    vat_description = None
    if fields.get("VatCodeId"):
        vat = call.store.get(call.tenant, "vatcodes", str(fields["VatCodeId"]).lower())
        if vat is None:
            raise ServiceError(3000, f"Resource not found: VatCodeId {fields['VatCodeId']}", 400)
        vat_description = f"{vat['Code']} {vat['Description']}"
    record = dict(existing or {"IsProjectAllowed": True, "IsCostCenterAllowed": True,
                               "IsBlockedForManualBooking": False})
    record.update(fields)
    record.update({
        "Number": number, "FiscalYearId": fiscal_year_id, "VatCodeDescription": vat_description,
        "ModifiedUtc": call.sandbox.clock.stamp(),
    })
    call.store.put(call.tenant, "accounts", f"{fiscal_year_id}:{number}", record)
    return record


def list_accounts(call: AuthorisedCall) -> Response:
    return paged(call, ACCOUNT, kind="accounts")


def list_accounts_of_year(call: AuthorisedCall) -> Response:
    year = fiscal_year_or_error(call, call.param("fiscalyearId"))
    records = [a for a in call.store.all(call.tenant, "accounts") if a["FiscalYearId"] == year["Id"]]
    return paged(call, ACCOUNT, records)


def _account_or_404(call: AuthorisedCall, year: dict[str, Any], number: str) -> dict[str, Any]:
    record = call.store.get(call.tenant, "accounts", f"{year['Id']}:{number}")
    if record is None:
        raise ServiceError(3002, f"Account {number} does not exist in fiscal year {year['StartDate'][:10]}.", 404)
    return record


def get_account(call: AuthorisedCall) -> Response:
    year = fiscal_year_or_error(call, call.param("fiscalyearId"))
    return ok(ACCOUNT.shape(_account_or_404(call, year, call.param("accountNumber"))))


async def create_account(call: AuthorisedCall) -> Response:
    fields = validate(ACCOUNT, await call.body())
    number = _account_number(fields["Number"])
    year = fiscal_year_or_error(call, fields["FiscalYearId"])
    with call.store.transaction():
        if call.store.get(call.tenant, "accounts", f"{year['Id']}:{number}") is not None:
            raise ServiceError(4000, f"Account {number} already exists in this fiscal year.", 400)
        record = _save_account(call, fields, year["Id"], number, None)
    return ok(ACCOUNT.shape(record), 201)


async def update_account(call: AuthorisedCall) -> Response:
    year = fiscal_year_or_error(call, call.param("fiscalyearId"))
    existing = _account_or_404(call, year, call.param("accountNumber"))
    body = await call.body()
    if isinstance(body, dict):
        body = {**body, "Number": existing["Number"], "FiscalYearId": year["Id"]}
    fields = validate(ACCOUNT, body)
    with call.store.transaction():
        record = _save_account(call, fields, year["Id"], existing["Number"], existing)
    return ok(ACCOUNT.shape(record))


# VAT codes -------------------------------------------------------------------

VAT_CODES = RegisterHandlers("vatcodes", VAT_CODE, "id", "VAT code")


ROUTES: list[Route] = [
    endpoint("GET", "/v2/fiscalyears", list_fiscal_years),
    endpoint("POST", "/v2/fiscalyears", create_fiscal_year),
    endpoint("GET", "/v2/fiscalyears/{id}", get_fiscal_year),
    endpoint("GET", "/v2/accounts", list_accounts),
    endpoint("POST", "/v2/accounts", create_account),
    endpoint("GET", "/v2/accounts/{fiscalyearId}", list_accounts_of_year),
    endpoint("GET", "/v2/accounts/{fiscalyearId}/{accountNumber}", get_account),
    endpoint("PUT", "/v2/accounts/{fiscalyearId}/{accountNumber}", update_account),
    endpoint("GET", "/v2/vatcodes", VAT_CODES.list),
    endpoint("GET", "/v2/vatcodes/{id}", VAT_CODES.get),
]
