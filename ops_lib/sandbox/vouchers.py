"""Vouchers, attachments and attachment links.

Vouchers are append-only, as in the real API: there is no update and no
delete, so a client that posts twice books twice. A voucher is accepted
only when its rows balance to the öre, every account exists and is active
in the fiscal year of ``VoucherDate``, the year exists and is open, and
the date is after the company's accounting lock. Receipts are uploaded as
attachments and linked to a voucher, either inside the voucher POST or
through ``/attachmentlinks``.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ops_lib.sandbox.api import AuthorisedCall, endpoint, must_get, ok, paged
from ops_lib.sandbox.clock import format_date, format_utc, parse_date
from ops_lib.sandbox.dimensions import check_row_dimensions
from ops_lib.sandbox.errors import FieldViolation, ServiceError, validation_error
from ops_lib.sandbox.ledger import bookable_year, fiscal_year_or_error
from ops_lib.sandbox.schemas import ATTACHMENT, ATTACHMENT_LINK, ATTACHMENT_UPLOAD, VOUCHER, VOUCHER_ROW
from ops_lib.sandbox.validation import check_fields, require, validate

CONTENT_TYPES = ("image/jpeg", "image/png", "image/tiff", "application/pdf")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_FILE_NAME = re.compile(r"^[\w\-() .]{1,200}$")
DOCUMENT_TYPE_VOUCHER = 3


def _amount(value: Any, path: str, errors: list[FieldViolation]) -> Decimal:
    if value is None:
        return Decimal(0)
    amount = Decimal(str(value))
    if amount < 0 or amount > Decimal("10000000000") or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(FieldViolation(
            path, f"The field {path.rsplit('.', 1)[-1]} must be from 0 to 10000000000 with at most two decimals."))
    return amount


def _check_rows(call: AuthorisedCall, rows: list[Any], year: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[FieldViolation] = []
    clean_rows: list[dict[str, Any]] = []
    debit = credit = Decimal(0)
    for i, row in enumerate(rows):
        clean, row_errors = check_fields(VOUCHER_ROW, row, f"Rows[{i}].")
        errors.extend(row_errors)
        if row_errors:
            continue
        debit += _amount(clean.get("DebitAmount"), f"Rows[{i}].DebitAmount", errors)
        credit += _amount(clean.get("CreditAmount"), f"Rows[{i}].CreditAmount", errors)
        clean_rows.append(clean)
    if errors:
        raise validation_error(errors)
    if not clean_rows:
        raise validation_error([FieldViolation("Rows", "A voucher needs at least one row.")])
    if debit != credit:
        raise validation_error([FieldViolation(
            "Rows", f"The voucher is not balanced: debit {debit:.2f}, credit {credit:.2f}.")])
    for i, row in enumerate(clean_rows):
        number = str(row["AccountNumber"])
        account = call.store.get(call.tenant, "accounts", f"{year['Id']}:{number}")
        if account is None:
            raise ServiceError(3002, f"Account {number} does not exist in the fiscal year "
                                 f"{year['StartDate'][:10]} - {year['EndDate'][:10]}.", 400)
        if not account["IsActive"]:
            raise validation_error([FieldViolation(f"Rows[{i}].AccountNumber", f"Account {number} is inactive.")])
        row["AccountDescription"] = account["Name"]
        check_row_dimensions(call, row)
        if row.get("VatCodeId") and call.store.get(call.tenant, "vatcodes", row["VatCodeId"].lower()) is None:
            raise ServiceError(3000, f"Resource not found: VatCodeId {row['VatCodeId']}", 400)
    return [VOUCHER_ROW.shape(r) for r in clean_rows]


def _next_number(call: AuthorisedCall, year_id: str, series: str) -> int:
    used = [v for v in call.store.all(call.tenant, "vouchers")
            if v["FiscalYearId"] == year_id and v["NumberSeries"] == series]
    return len(used) + 1


async def create_voucher(call: AuthorisedCall) -> Response:
    fields = validate(VOUCHER, await call.body())
    day = parse_date(fields["VoucherDate"])
    year = bookable_year(call, day, "voucher date")
    rows = _check_rows(call, fields["Rows"], year)
    if call.query_flag("useDefaultVoucherSeries", True):
        series = "A"
    else:
        series = str(fields.get("NumberSeries") or "").strip()
        require(bool(series), "NumberSeries", "NumberSeries is required when useDefaultVoucherSeries is false.")
    link = fields.get("Attachments")
    attachment_ids = _linkable(call, link.get("AttachmentIds") or []) if isinstance(link, dict) else []
    with call.store.transaction():
        voucher_id = str(uuid.uuid4())
        record = {
            "Id": voucher_id, "VoucherDate": format_date(day), "VoucherText": fields["VoucherText"],
            "Rows": rows, "NumberSeries": series,
            "NumberAndNumberSeries": f"{series}{_next_number(call, year['Id'], series)}",
            "Attachments": None, "ModifiedUtc": call.sandbox.clock.stamp(), "VoucherType": 2,
            "SourceId": None, "FiscalYearId": year["Id"],
        }
        if attachment_ids:
            _link(call, voucher_id, attachment_ids)
            record["Attachments"] = {"DocumentId": voucher_id, "DocumentType": DOCUMENT_TYPE_VOUCHER,
                                     "AttachmentIds": attachment_ids}
        call.store.put(call.tenant, "vouchers", voucher_id, record)
    return ok(VOUCHER.shape(record), 201)


def list_vouchers(call: AuthorisedCall) -> Response:
    return paged(call, VOUCHER, kind="vouchers")


def list_vouchers_of_year(call: AuthorisedCall) -> Response:
    year = fiscal_year_or_error(call, call.param("fiscalyearId"))
    records = [v for v in call.store.all(call.tenant, "vouchers") if v["FiscalYearId"] == year["Id"]]
    return paged(call, VOUCHER, records)


def get_voucher(call: AuthorisedCall) -> Response:
    year = fiscal_year_or_error(call, call.param("fiscalyearId"))
    record = must_get(call, "vouchers", call.param("voucherId"), "voucher")
    if record["FiscalYearId"] != year["Id"]:
        raise ServiceError(3000, f"Resource not found: voucher {call.param('voucherId')}", 404)
    return ok(VOUCHER.shape(record))


# Attachments -------------------------------------------------------------------

def _attachment_json(call: AuthorisedCall, record: dict[str, Any]) -> dict[str, Any]:
    base = str(call.request.base_url).rstrip("/")
    shown = dict(record, TemporaryUrl=f"{base}/_sandbox/attachments/{call.tenant}/{record['Id']}")
    return ATTACHMENT.shape(shown)


async def upload_attachment(call: AuthorisedCall) -> Response:
    body = await call.body()
    fields = validate(ATTACHMENT_UPLOAD, body)
    errors: list[FieldViolation] = []
    if fields["ContentType"] not in CONTENT_TYPES:
        errors.append(FieldViolation("ContentType", f"ContentType must be one of {', '.join(CONTENT_TYPES)}."))
    if not _FILE_NAME.match(fields["FileName"]):
        errors.append(FieldViolation("FileName", "FileName may hold letters, digits, spaces, '.', '-', '_' and "
                                             "parentheses, at most 200 characters."))
    data = fields.get("Data")
    size = 0
    if data:
        try:
            size = len(base64.b64decode(data, validate=True))
        except (binascii.Error, ValueError):
            errors.append(FieldViolation("Data", "Data must be base64-encoded file content."))
        if size > MAX_ATTACHMENT_BYTES:
            errors.append(FieldViolation("Data", "The file is larger than 20 MB."))
    elif not fields.get("Url"):
        errors.append(FieldViolation("Data", "Either Data or Url is required."))
    if errors:
        raise validation_error(errors)
    comment = body.get("Comment") if isinstance(body, dict) else None
    record = {
        "Id": str(uuid.uuid4()), "ContentType": fields["ContentType"], "DocumentId": None,
        "AttachedDocumentType": 0, "FileName": fields["FileName"],
        "Comment": comment if isinstance(comment, str) else None, "SupplierName": None,
        "AmountInvoiceCurrency": None, "Type": 1, "AttachmentStatus": 1, "UploadedBy": "Demo User (sandbox)",
        "ImageDate": format_utc(call.sandbox.clock.now()), "Data": data, "Url": fields.get("Url"),
        "Size": size,
    }
    call.store.put(call.tenant, "attachments", record["Id"], record)
    return ok(_attachment_json(call, record), 201)


def list_attachments(call: AuthorisedCall) -> Response:
    records = call.store.all(call.tenant, "attachments")
    if not call.query_flag("includeMatched", True):
        records = [r for r in records if r["AttachmentStatus"] == 1]
    return paged(call, ATTACHMENT, records, shape=lambda r: _attachment_json(call, r))


def get_attachment(call: AuthorisedCall) -> Response:
    return ok(_attachment_json(call, must_get(call, "attachments", call.param("attachmentId"), "attachment")))


def delete_attachment(call: AuthorisedCall) -> Response:
    record = must_get(call, "attachments", call.param("attachmentId"), "attachment")
    if record["AttachmentStatus"] == 0:
        raise ServiceError(4001, "The attachment is linked to a document and cannot be deleted.", 400)
    call.store.delete(call.tenant, "attachments", record["Id"])
    return Response(status_code=200)


def _linkable(call: AuthorisedCall, attachment_ids: list[Any]) -> list[str]:
    clean = []
    for raw in attachment_ids:
        record = call.store.get(call.tenant, "attachments", str(raw).lower())
        if record is None:
            raise ServiceError(5007, f"The attachment {raw} to link was not found.", 400)
        clean.append(record["Id"])
    return clean


def _link(call: AuthorisedCall, document_id: str, attachment_ids: list[str]) -> None:
    for attachment_id in attachment_ids:
        record = call.store.get(call.tenant, "attachments", attachment_id)
        assert record is not None
        if record["AttachmentStatus"] == 0 and record["DocumentId"] != document_id:
            raise ServiceError(4000, f"The attachment {attachment_id} is already linked to another document.", 400)
        record.update(DocumentId=document_id, AttachedDocumentType=DOCUMENT_TYPE_VOUCHER, AttachmentStatus=0)
        call.store.put(call.tenant, "attachments", attachment_id, record)


async def create_link(call: AuthorisedCall) -> Response:
    fields = validate(ATTACHMENT_LINK, await call.body())
    require(fields["DocumentType"] == DOCUMENT_TYPE_VOUCHER, "DocumentType",
            "The sandbox links attachments to vouchers only (DocumentType 3).")
    document_id = str(fields.get("DocumentId") or "").lower()
    if call.store.get(call.tenant, "vouchers", document_id) is None:
        raise ServiceError(3000, f"Resource not found: DocumentId {fields.get('DocumentId')}", 400)
    attachment_ids = _linkable(call, fields["AttachmentIds"])
    require(bool(attachment_ids), "AttachmentIds", "The AttachmentIds field is required.")
    with call.store.transaction():
        _link(call, document_id, attachment_ids)
        voucher = call.store.get(call.tenant, "vouchers", document_id)
        assert voucher is not None
        linked = set((voucher.get("Attachments") or {}).get("AttachmentIds") or []) | set(attachment_ids)
        voucher["Attachments"] = {"DocumentId": document_id, "DocumentType": DOCUMENT_TYPE_VOUCHER,
                                  "AttachmentIds": sorted(linked)}
        call.store.put(call.tenant, "vouchers", document_id, voucher)
    return ok({"DocumentId": document_id, "DocumentType": DOCUMENT_TYPE_VOUCHER, "AttachmentIds": attachment_ids})


def delete_link(call: AuthorisedCall) -> Response:
    record = must_get(call, "attachments", call.param("attachmentId"), "attachment")
    with call.store.transaction():
        voucher = call.store.get(call.tenant, "vouchers", record["DocumentId"] or "")
        if voucher and voucher.get("Attachments"):
            remaining = [a for a in voucher["Attachments"]["AttachmentIds"] if a != record["Id"]]
            voucher["Attachments"] = dict(voucher["Attachments"], AttachmentIds=remaining) if remaining else None
            call.store.put(call.tenant, "vouchers", voucher["Id"], voucher)
        record.update(DocumentId=None, AttachedDocumentType=0, AttachmentStatus=1)
        call.store.put(call.tenant, "attachments", record["Id"], record)
    return Response(status_code=200)


async def attachment_content(request: Request) -> Response:
    """The ``TemporaryUrl`` target: the uploaded bytes, no token needed."""
    sandbox = request.app.state.sandbox
    record = sandbox.store.get(request.path_params["tenant"], "attachments", request.path_params["id"])
    if record is None or not record.get("Data"):
        return Response(status_code=404)
    return Response(base64.b64decode(record["Data"]), media_type=record["ContentType"])


ROUTES: list[Route] = [
    endpoint("GET", "/v2/vouchers", list_vouchers),
    endpoint("POST", "/v2/vouchers", create_voucher),
    endpoint("GET", "/v2/vouchers/{fiscalyearId}", list_vouchers_of_year),
    endpoint("GET", "/v2/vouchers/{fiscalyearId}/{voucherId}", get_voucher),
    endpoint("GET", "/v2/attachments", list_attachments),
    endpoint("POST", "/v2/attachments", upload_attachment),
    endpoint("GET", "/v2/attachments/{attachmentId}", get_attachment),
    endpoint("DELETE", "/v2/attachments/{attachmentId}", delete_attachment),
    endpoint("POST", "/v2/attachmentlinks", create_link),
    endpoint("DELETE", "/v2/attachmentlinks/{attachmentId}", delete_link),
    Route("/_sandbox/attachments/{tenant}/{id}", attachment_content, methods=["GET"]),
]
