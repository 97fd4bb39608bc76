"""Typed operations on the Procountor API, over an :class:`~ops_lib.connectors.session.ApiSession`.

Searches (ledger receipts, business partners, attachments) answer
``{results, meta}`` paged from 0 with ``size`` at most 200
(:data:`PAGER`); the reference lists (``/coa``, ``/dimensions``,
``/fiscalyears``, ``/vats/*``, ``/company``, ``/sessioninfo``) are not
paged. A create answers **200** with the saved object (not 201), so
:meth:`ProcountorClient.create` returns the body. A PUT replaces the whole
resource and must carry the current ``version``. Attachments go up as
multipart/form-data with a JSON ``meta`` part and a ``file`` part.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterator, Mapping

import httpx

from ops_lib.connectors.json_api import send_json, server_time
from ops_lib.connectors.paging import ResultsMetaPager
from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.procountor.environments import SYSTEM
from ops_lib.systems.procountor.records import (
    BusinessPartner,
    DimensionRecord,
    FiscalYearRecord,
    LedgerAccount,
    LedgerReceipt,
)

MAX_PAGE_SIZE = 200  # the service's largest page
PAGER = ResultsMetaPager(MAX_PAGE_SIZE, MAX_PAGE_SIZE)


class ProcountorClient:
    """One connected Procountor company.

    Parameters
    ----------
    session:
        The authorised session (see :func:`ops_lib.connection.connect.open_client`).
    page_size:
        Records per page on searches (at most 200).
    """

    system = SYSTEM

    def __init__(self, session: ApiSession, page_size: int = MAX_PAGE_SIZE) -> None:
        self.session = session
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self.pager = PAGER.with_size(self.page_size)
        self.answered_at: dt.datetime | None = None

    # -- plumbing ------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.session.request("GET", path, params=params)
        self.answered_at = server_time(response)
        return loads(response.content) if response.content else None

    def send(self, method: str, path: str, payload: Any = None,
             params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send a JSON body (or none); the saved object or ``InfoMessage`` it answers, as a dict."""
        if payload is None:
            response = self.session.request(method, path, params=params)
        else:
            response = send_json(self.session, method, path, payload, params)
        body = loads(response.content) if response.content else None
        return dict(body) if isinstance(body, dict) else {}

    def create(self, path: str, payload: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """POST one record; the service answers 200 with it saved (its ``id`` and ``version``)."""
        return self.send("POST", path, dict(payload), params)

    def iter_results(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every result of a search, page by page (through :attr:`pager`)."""
        for page in self.pager.pages(self.get_json, path, params):
            yield from page.items

    # -- reference lists -----------------------------------------------

    def accounts(self) -> list[LedgerAccount]:
        return [LedgerAccount.from_api(a) for a in (self.get_json("coa") or {}).get("ledgerAccounts") or []]

    def fiscal_years(self) -> list[FiscalYearRecord]:
        return [FiscalYearRecord.from_api(y) for y in (self.get_json("fiscalyears") or {}).get("fiscalYears") or []]

    def dimensions(self) -> list[DimensionRecord]:
        """Every dimension with its items (``GET /dimensions`` answers a bare array)."""
        return [DimensionRecord.from_api(d) for d in self.get_json("dimensions") or []]

    def dimension(self, dimension_id: int) -> DimensionRecord:
        return DimensionRecord.from_api(self.get_json(f"dimensions/{int(dimension_id)}") or {})

    def vat_defaults(self) -> dict[str, Any]:
        """``{vatInformation: [{country, percentages}], vatStatuses: [...]}``."""
        return dict(self.get_json("vats/default") or {})

    def vat_percentages(self, country: str = "FI") -> list[Any]:
        """The VAT percentages in use for the company in ``country``."""
        return list((self.get_json("vats/country", {"countryCode": country}) or {}).get("vatPercentages") or [])

    def company(self) -> dict[str, Any]:
        return dict(self.get_json("company") or {})

    def session_info(self) -> dict[str, Any]:
        return dict(self.get_json("sessioninfo") or {})

    # -- registers -----------------------------------------------------

    def partners(self, **params: Any) -> list[BusinessPartner]:
        return [BusinessPartner.from_api(p) for p in self.iter_results("businesspartners", params)]

    def partner(self, partner_id: int) -> dict[str, Any]:
        return dict(self.get_json(f"businesspartners/{int(partner_id)}") or {})

    # -- ledger receipts -----------------------------------------------

    def ledger_receipts(self, **params: Any) -> list[dict[str, Any]]:
        """Ledger receipts' basic info (search; ``startDate``/``endDate`` narrow it by receipt date)."""
        return list(self.iter_results("ledgerreceipts", params))

    def ledger_receipt(self, receipt_id: int) -> LedgerReceipt:
        return LedgerReceipt.from_api(self.get_json(f"ledgerreceipts/{int(receipt_id)}") or {})

    def approve_ledger_receipt(self, receipt_id: int) -> str:
        """Approve an UNFINISHED journal (``PUT .../approve``); the service's ``InfoMessage``."""
        return str(self.send("PUT", f"ledgerreceipts/{int(receipt_id)}/approve").get("message") or "")

    # -- attachments ---------------------------------------------------

    def attachments(self, reference_id: int) -> list[dict[str, Any]]:
        return list(self.iter_results("attachments", {"referenceId": int(reference_id)}))

    def upload_attachment(self, meta: Mapping[str, Any], file_name: str, content: bytes,
                          content_type: str) -> dict[str, Any]:
        """POST ``/attachments`` as multipart/form-data: the ``meta`` JSON part and the ``file`` part."""
        files = {"meta": (None, json.dumps(dict(meta)).encode("utf-8"), "application/json"),
                 "file": (file_name, content, content_type)}
        encoded = httpx.Request("POST", "http://multipart.invalid/", files=files)
        response = self.session.request("POST", "attachments", content=encoded.read(),
                                        headers={"Content-Type": encoded.headers["Content-Type"]})
        body = loads(response.content) if response.content else None
        return dict(body) if isinstance(body, dict) else {}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "ProcountorClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
