"""Typed operations on the Visma.net ERP API, over an :class:`~ops_lib.connectors.session.ApiSession`.

Lists come in two kinds. Paged endpoints (suppliers, customers,
inventory, subaccounts, projects, supplier invoices) answer a bare array
paged by ``pageNumber``/``pageSize`` with ``metadata.totalCount`` on each
element (:data:`PAGER`); the service silently clamps a page size above its
maximum. The reference lists (accounts, VAT codes, dimensions, financial
periods, branches, ledgers, payment methods, cash accounts) are not paged
at all. Journal transactions page by *lines*, so one batch may be split
across pages: :meth:`VismaNetClient.journal_transactions` merges them.

Writes send ``{"value": x}`` DTOs (:mod:`.payloads`). A POST answers 201
with an empty body and a ``Location`` naming the new record, so
:meth:`VismaNetClient.create` returns the key taken from it. A PUT answers
204. Attachments are a multipart upload to the document's own
``.../attachment`` path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, Mapping
from urllib.parse import quote, unquote, urlsplit

import httpx
import pandas as pd

from ops_lib.connectors.json_api import send_json, server_time
from ops_lib.connectors.paging import PageNumberPager
from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.vismanet.environments import SYSTEM
from ops_lib.systems.vismanet.records import (
    Branch,
    FinancialPeriod,
    GlAccount,
    JournalTransaction,
    Segment,
    Supplier,
    VatInformation,
    VismanetSupplierInvoice,
)

# The service's documented largest page; a larger ask is clamped to metadata.maxPageSize anyway.
MAX_PAGE_SIZE = 1000
PAGER = PageNumberPager(MAX_PAGE_SIZE)
# The dimension whose segments tag a journal line (a line's ``subaccount`` is a list of segment values).
SUBACCOUNT = "SUBACCOUNT"
# The multipart part a file travels in (ONIT's name; the service takes the one file part whatever its name).
ATTACHMENT_PART = "v"


def key_from_location(location: str) -> str:
    """The key of a created record: the last segment of the ``Location`` a 201 carries."""
    path = urlsplit(location).path.rstrip("/")
    return unquote(path.rsplit("/", 1)[-1]) if path else ""


def segment(key: str) -> str:
    """A record key as one path segment (numbers may hold characters a URL reserves)."""
    return quote(str(key), safe="")


class VismaNetClient:
    """One connected Visma.net company.

    Parameters
    ----------
    session:
        The authorised session (see :func:`ops_lib.connection.connect.open_client`).
    page_size:
        Records per page on paged lists; the service clamps it to each endpoint's maximum.
    """

    system = SYSTEM

    def __init__(self, session: ApiSession, page_size: int = MAX_PAGE_SIZE) -> None:
        self.session = session
        self.page_size = page_size
        self.pager = PAGER.with_size(page_size)
        self.answered_at: dt.datetime | None = None

    # -- plumbing ------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.session.request("GET", path, params=params)
        self.answered_at = server_time(response)
        return loads(response.content) if response.content else None

    def send_json(self, method: str, path: str, payload: Any,
                  params: Mapping[str, Any] | None = None) -> httpx.Response:
        """Send a write DTO; the response is returned as is (201 with Location, 204, or a result DTO)."""
        return send_json(self.session, method, path, payload, params)

    def create(self, path: str, payload: Mapping[str, Any]) -> str:
        """POST one record; return its key from the ``Location`` header (never retried blindly)."""
        response = self.send_json("POST", path, payload)
        return key_from_location(response.headers.get("location", ""))

    def update(self, path: str, payload: Mapping[str, Any]) -> None:
        """PUT the fields given (a Visma.net update DTO sets only the fields it carries)."""
        self.send_json("PUT", path, payload)

    def iter_data(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every element of a paged list, page by page (through :attr:`pager`)."""
        for page in self.pager.pages(self.get_json, path, params):
            yield from page.items

    def total(self, path: str) -> int:
        """How many records a paged list holds (one record asked for; ``metadata.totalCount``)."""
        items = list(self.get_json(path, {"pageNumber": 1, "pageSize": 1}) or [])
        return int((items[0].get("metadata") or {}).get("totalCount") or len(items)) if items else 0

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """An unpaged list (the reference lists answer everything at once)."""
        return list(self.get_json(path, params) or [])

    def frame(self, path: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """A paged list as a DataFrame of the raw DTO fields, for notebooks."""
        return pd.DataFrame(list(self.iter_data(path, params)))

    # -- reference lists -----------------------------------------------

    def accounts(self) -> list[GlAccount]:
        return [GlAccount.from_api(a) for a in self.list_all("v1/account")]

    def vat_codes(self) -> list[VatInformation]:
        return [VatInformation.from_api(v) for v in self.list_all("v1/vat")]

    def dimensions(self) -> list[str]:
        """The dimension ids (``GET /v1/dimension`` answers a bare array of strings)."""
        return [str(d) for d in self.list_all("v1/dimension")]

    def segments(self, dimension: str = SUBACCOUNT) -> list[Segment]:
        """The segments of one dimension, each with its values."""
        body = self.get_json(f"v1/dimension/{segment(dimension)}") or {}
        return [Segment.from_api(s) for s in body.get("segments") or []]

    def financial_periods(self) -> list[FinancialPeriod]:
        return [FinancialPeriod.from_api(p) for p in self.list_all("v1/financialPeriod")]

    def branches(self) -> list[Branch]:
        return [Branch.from_api(b) for b in self.list_all("v1/branch")]

    def ledgers(self) -> list[dict[str, Any]]:
        return self.list_all("v1/ledger")

    def payment_methods(self) -> list[dict[str, Any]]:
        return self.list_all("v1/paymentmethod")

    def cash_accounts(self) -> list[dict[str, Any]]:
        return self.list_all("v1/cashaccount")

    # -- registers -----------------------------------------------------

    def suppliers(self, **params: Any) -> list[Supplier]:
        return [Supplier.from_api(s) for s in self.iter_data("v1/supplier", params)]

    def customers(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.iter_data("v1/customer", params))

    def inventory(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.iter_data("v1/inventory", params))

    # -- journal transactions and supplier invoices --------------------

    def journal_transactions(self, period: str, **params: Any) -> list[JournalTransaction]:
        """The batches of one financial period (``YYYYPP``), their lines merged across pages.

        The list pages by lines, so a page holds fewer batches than its size
        and a batch may continue on the next page; it is read to the end.
        """
        batches: dict[tuple[str, str], dict[str, Any]] = {}
        number, seen = 1, 0
        while True:
            query = {**params, "periodId": period, "pageNumber": number, "pageSize": self.page_size}
            items = list(self.get_json("v2/journaltransaction", query) or [])
            lines = 0
            for item in items:
                key = (str(item.get("module") or ""), str(item.get("batchNumber") or ""))
                found = batches.setdefault(key, {**item, "journalTransactionLines": []})
                found["journalTransactionLines"].extend(item.get("journalTransactionLines") or [])
                lines += len(item.get("journalTransactionLines") or []) or 1
            meta = (items[0].get("metadata") or {}) if items else {}
            total = meta.get("totalCount")
            size = min(self.page_size, int(meta.get("maxPageSize") or self.page_size))
            seen += lines
            if not items or lines < size or (total is not None and seen >= int(total)):
                return [JournalTransaction.from_api(b) for b in batches.values()]
            number += 1

    def journal_transaction(self, number: str) -> JournalTransaction:
        return JournalTransaction.from_api(self.get_json(f"v2/journaltransaction/{segment(number)}"))

    def release_journal_transaction(self, number: str) -> dict[str, Any]:
        """Release a balanced batch; the answer is the action result (``actionResult``)."""
        response = self.send_json("POST", f"v2/journaltransaction/{segment(number)}/action/release", {})
        return dict(loads(response.content) or {}) if response.content else {}

    def supplier_invoices(self, **params: Any) -> list[VismanetSupplierInvoice]:
        return [VismanetSupplierInvoice.from_api(i) for i in self.iter_data("v1/supplierInvoice", params)]

    def supplier_invoice(self, number: str, document_type: str = "Invoice") -> VismanetSupplierInvoice:
        """One supplier invoice; the document type is always named (a DebitAdj is not found without it)."""
        return VismanetSupplierInvoice.from_api(
            self.get_json(f"v1/supplierInvoice/{segment(document_type)}/{segment(number)}"))

    def release_supplier_invoice(self, number: str, document_type: str = "Invoice") -> None:
        self.send_json("POST", f"v1/supplierInvoice/{segment(document_type)}/{segment(number)}/action/release", {})

    # -- attachments ---------------------------------------------------

    def upload_attachment(self, path: str, file_name: str, content: bytes, content_type: str) -> str:
        """Upload one file as multipart/form-data to a document's attachment path; returns its Location key.

        The body is encoded by httpx's own multipart encoder (a hand-built
        stream once corrupted PDFs for another client).
        """
        files = {ATTACHMENT_PART: (file_name, content, content_type)}
        encoded = httpx.Request("POST", "http://multipart.invalid/", files=files)
        body = encoded.read()
        response = self.session.request("POST", path, content=body,
                                        headers={"Content-Type": encoded.headers["Content-Type"]})
        return key_from_location(response.headers.get("location", ""))

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "VismaNetClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
