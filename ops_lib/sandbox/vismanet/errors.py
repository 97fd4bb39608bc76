"""Visma.net's two error envelopes, raised by handlers and rendered alike.

Business errors are HTTP 400 (or 404, 412) with ``{"message": "VismaId:
<uuid>. <action>. Error: <text>\\r\\n"}``: the ``VismaId`` is a fresh GUID
per failure that support can look up, and the text is the Acumatica-style
sentence users paste into forums. Platform errors (licence, company
context, token) use the ``Exception*`` envelope of the older IPP layer.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse


class VismaError(Exception):
    """A business error: the ``message`` envelope with a VismaId."""

    def __init__(self, status: int, action: str | None, *errors: str, headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(errors))
        self.status = status
        self.action = action
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        head = f"VismaId: {uuid.uuid4()}."
        if self.action:
            head += f" {self.action}."
        text = "".join(f"\r\nError: {e}" if i else f" Error: {e}" for i, e in enumerate(self.errors))
        return {"message": f"{head}{text}\r\n"}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


class PlatformError(Exception):
    """A platform error: the ``ExceptionType/ExceptionMessage/ExceptionFaultCode`` envelope."""

    def __init__(self, status: int, message: str, fault_code: str, kind: str = "IPPException",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fault_code = fault_code
        self.kind = kind
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"ExceptionType": self.kind, "ExceptionMessage": self.message,
                "ExceptionFaultCode": self.fault_code, "ExceptionMessageID": f"{self.fault_code}_{uuid.uuid4()}",
                "ExceptionDetails": ""}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def record_error(action: str, record: str, *errors: str) -> VismaError:
    """The insert/update failure with the "raised at least one error" preamble the service writes."""
    return VismaError(400, action, f"Inserting '{record}' record raised at least one error. Please review the errors.",
                      *errors)


def not_found(what: str) -> VismaError:
    return VismaError(404, None, f"{what} not found.")
