"""Attachments: multipart uploads (``meta`` JSON + ``file``), ``multipart/mixed`` reads, search, delete.

The rule integrators trip over: a JOURNAL's attachment does not name
the ledger receipt. It references the receipt's auto-generated invoice:
``referenceType=INVOICE`` and ``referenceId = ledgerReceipt.invoiceId``.
A ``LEDGERRECEIPT`` reference to a journal is refused with a message
that says so. Files over 10,000,000 bytes are refused. ``meta`` must
name the file with its extension; ``sendWithInvoice``, required by the
spec, defaults to false when absent, because the PyPI client leaves it
out and the real service takes its uploads.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import secrets
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ops_lib.sandbox.procountor.errors import ProcountorError, not_found
from ops_lib.sandbox.procountor.wire import ProcountorCall, endpoint, ok, paged

PARTNER_REFERENCES = ("SUPPLIER_BUSINESS_PARTNER_REGISTER", "CUSTOMER_BUSINESS_PARTNER_REGISTER",
                      "PERSON_BUSINESS_PARTNER_REGISTER")
JOURNAL_RULE = "Attachments of a JOURNAL reference its invoice: use referenceType INVOICE and the receipt's invoiceId"


def _check_reference(call: ProcountorCall, kind: Any, ref: Any) -> None:
    receipts = call.world.store.all(call.tenant, "receipt")
    if not isinstance(ref, int) or isinstance(ref, bool):
        raise ProcountorError.one(400, "referenceId is required", "meta.referenceId")
    if kind == "INVOICE":
        if not any(r["invoiceId"] == ref for r in receipts):
            raise ProcountorError.one(400, "Invoice not found", "meta.referenceId")
    elif kind == "LEDGERRECEIPT":
        if any(r["id"] == ref and r["type"] == "JOURNAL" for r in receipts):
            raise ProcountorError.one(400, JOURNAL_RULE, "meta.referenceType")
        raise ProcountorError.one(400, "Ledger receipt not found", "meta.referenceId")
    elif kind in PARTNER_REFERENCES:
        if call.world.store.get(call.tenant, "partner", str(ref)) is None:
            raise ProcountorError.one(400, "Business partner not found", "meta.referenceId")
    else:
        raise ProcountorError.one(400, "Unsupported referenceType", "meta.referenceType")


async def _parts(call: ProcountorCall) -> tuple[dict[str, Any], bytes, str | None]:
    if not call.request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ProcountorError.one(415, "Attachments are uploaded as multipart/form-data")
    limit = call.world.config.max_attachment_bytes
    try:
        async with call.request.form(max_part_size=limit + 1024 * 1024) as form:
            meta_part, file_part = form.get("meta"), form.get("file")
            if isinstance(meta_part, UploadFile):
                meta_part = (await meta_part.read()).decode("utf-8")
            data = await file_part.read() if isinstance(file_part, UploadFile) else None
            part_type = file_part.content_type if isinstance(file_part, UploadFile) else None
    except HTTPException as exc:  # Starlette's answer to a malformed multipart body
        raise ProcountorError.one(400, "Malformed multipart body") from exc
    try:
        meta = json.loads(meta_part) if isinstance(meta_part, str) else None
    except json.JSONDecodeError as exc:
        raise ProcountorError.one(400, "meta is not valid JSON", "meta") from exc
    if not isinstance(meta, dict):
        raise ProcountorError.one(400, "meta is required", "meta")
    if data is None:
        raise ProcountorError.one(400, "file is required", "file")
    if len(data) > limit:
        raise ProcountorError.one(400, f"File is too large (max {limit} bytes)", "file")
    return meta, data, part_type


@endpoint
async def upload(call: ProcountorCall) -> Response:
    meta, data, part_type = await _parts(call)
    name = meta.get("name")
    if not isinstance(name, str) or "." not in name.strip(".") or len(name) > 255:
        raise ProcountorError.one(400, "name is required and must include the file extension", "meta.name")
    _check_reference(call, meta.get("referenceType"), meta.get("referenceId"))
    mime = meta.get("mimeType") or (part_type if part_type not in (None, "application/octet-stream") else None) \
        or mimetypes.guess_type(name)[0] or "application/octet-stream"
    stored = {"id": call.world.next_id("attachment"), "name": name, "referenceType": meta["referenceType"],
              "referenceId": meta["referenceId"], "mimeType": mime,
              "sendWithInvoice": bool(meta.get("sendWithInvoice", False))}
    call.world.store.put(call.tenant, "attachment", str(stored["id"]), {
        "meta": stored, "size": len(data), "attached": call.stamp(), "data": base64.b64encode(data).decode()})
    return ok(stored)


def _attachment(call: ProcountorCall) -> dict[str, Any]:
    found = call.world.store.get(call.tenant, "attachment", str(call.int_param("attachmentId", "Attachment")))
    if found is None:
        raise not_found("Attachment")
    return found


@endpoint
async def download(call: ProcountorCall) -> Response:
    """The attachment as ``multipart/mixed``: its JSON meta, then the file."""
    found = _attachment(call)
    boundary = secrets.token_hex(12)
    meta = json.dumps(found["meta"]).encode("utf-8")
    body = b"".join([
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), meta, b"\r\n",
        f"--{boundary}\r\nContent-Type: {found['meta']['mimeType']}\r\n"
        f"Content-Disposition: attachment; filename=\"{found['meta']['name']}\"\r\n\r\n".encode(),
        base64.b64decode(found["data"]), f"\r\n--{boundary}--\r\n".encode()])
    return Response(body, media_type=f"multipart/mixed; boundary={boundary}")


@endpoint
async def delete(call: ProcountorCall) -> Response:
    found = _attachment(call)
    call.world.store.delete(call.tenant, "attachment", str(found["meta"]["id"]))
    return Response(status_code=204)


@endpoint
async def list_attachments(call: ProcountorCall) -> Response:
    """Attachments by id as ``Document`` rows; ``referenceId``, ``type`` (reference type) and ``name`` filter."""
    query = call.request.query_params
    rows = sorted(call.world.store.all(call.tenant, "attachment"), key=lambda a: a["meta"]["id"])
    if "referenceId" in query:
        rows = [a for a in rows if str(a["meta"]["referenceId"]) == query["referenceId"]]
    if "type" in query:
        rows = [a for a in rows if a["meta"]["referenceType"] == query["type"]]
    if "name" in query:
        rows = [a for a in rows if query["name"].lower() in a["meta"]["name"].lower()]
    return paged(call, [{"id": a["meta"]["id"], "attachmentId": a["meta"]["id"], "name": a["meta"]["name"],
                         "referenceType": a["meta"]["referenceType"], "referenceId": a["meta"]["referenceId"],
                         "size": a["size"], "attached": a["attached"], "user": "ops-demo-api"} for a in rows])
