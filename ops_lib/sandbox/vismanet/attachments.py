"""Attachments: a multipart upload to a document's ``/attachment`` path, and the file read back.

The upload carries one file part (ONIT names it ``v``; any name is taken)
with a filename. The same filename on the same document makes a new
**revision** of that attachment rather than a second one. ``GET
/v1/attachment/{id}`` answers the latest revision's bytes with the type
they were uploaded with (the spec says ``application/json``; the
service's documentation and clients say the bytes).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any, Callable

from starlette.datastructures import UploadFile
from starlette.responses import Response

from ops_lib.sandbox.vismanet import invoices, journals
from ops_lib.sandbox.vismanet.errors import VismaError, not_found
from ops_lib.sandbox.vismanet.wire import ApiCall, created, endpoint, etag

MAX_BYTES = 10 * 1024 * 1024


def _journal(call: ApiCall) -> tuple[str, dict[str, Any]]:
    if call.param("module").upper() not in ("GL", "MODULEGL"):
        raise VismaError(400, None, f"Module '{call.param('module')}' is not supported for attachments.")
    number = call.param("journalTransactionNumber")
    record = call.world.store.get(call.tenant, journals.KIND, number)
    if record is None:
        raise not_found(f"Journal transaction '{number}'")
    return number, record


def _invoice(call: ApiCall) -> tuple[str, dict[str, Any]]:
    record = invoices.stored_invoice(call)
    return f"{record['documentType']}:{record['referenceNumber']}", record


async def _upload(call: ApiCall, kind: str, find: Callable[[ApiCall], tuple[str, dict[str, Any]]]) -> Response:
    async with call.request.form() as form:  # closes the spooled upload files however this ends
        files = [v for v in form.values() if isinstance(v, UploadFile)]
        if len(files) != 1 or not files[0].filename:
            raise VismaError(400, None, "The request must carry exactly one file with a file name "
                                        "(multipart/form-data).")
        upload = files[0]
        content = await upload.read()
    if not content or len(content) > MAX_BYTES:
        raise VismaError(400, None, "The file is empty or larger than 10 MB.")
    with call.world.store.transaction():
        key, record = find(call)
        entry = next((a for a in record["attachments"] if a["name"] == upload.filename), None)
        if entry is None:
            entry = {"name": upload.filename, "id": str(uuid.uuid4()), "revision": 0}
            record["attachments"].append(entry)
        entry["revision"] += 1
        record["lastModifiedDateTime"] = call.stamp()
        call.world.store.put(call.tenant, kind, key, record)
        stored = {"id": entry["id"], "name": entry["name"], "revision": entry["revision"],
                  "contentType": upload.content_type or "application/octet-stream",
                  "content": base64.b64encode(content).decode()}
        call.world.store.put(call.tenant, "attachment", entry["id"], stored)
    return created(call, f"/v1/attachment/{entry['id']}", stored)


@endpoint
async def attach_to_journal(call: ApiCall) -> Response:
    return await _upload(call, journals.KIND, _journal)


@endpoint
async def attach_to_invoice(call: ApiCall) -> Response:
    return await _upload(call, invoices.KIND, _invoice)


@endpoint
async def get_attachment(call: ApiCall) -> Response:
    stored = call.world.store.get(call.tenant, "attachment", call.param("attachmentId"))
    if stored is None:
        raise not_found(f"Attachment '{call.param('attachmentId')}'")
    return Response(base64.b64decode(stored["content"]), media_type=stored["contentType"],
                    headers={"ETag": etag(stored),
                             "Content-Disposition": f'attachment; filename="{stored["name"]}"'})
