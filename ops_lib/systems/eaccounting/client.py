"""Typed operations on eAccounting API v2, over an :class:`~ops_lib.connectors.session.ApiSession`.

Registers the suite writes to (customers, articles, cost centre items,
projects, customer invoice drafts) get ``list``, ``get``, ``create`` and
``update`` (customer and supplier invoices too, though the suite only
lists and reads them); the registers
it only reads (accounts, VAT codes, fiscal years, terms of payment, units,
article account codings, cost centres, company settings) get readers;
vouchers are created, attachments uploaded and linked. Lists page through
``{Meta, Data}`` (:data:`PAGER`) with the largest page size the service accepts, lazily,
and turn into DataFrames for notebooks.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, Mapping, TypeVar

import pandas as pd

from ops_lib.connectors.json_api import send_json, server_time
from ops_lib.connectors.paging import MetaDataPager
from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import loads
from ops_lib.systems.eaccounting.environments import SYSTEM
from ops_lib.systems.eaccounting.records import (
    Account,
    Article,
    ArticleAccountCoding,
    Attachment,
    BookedSupplierInvoice,
    CompanySettings,
    CostCenter,
    CostCenterItem,
    Customer,
    CustomerInvoice,
    CustomerInvoiceDraft,
    FiscalYear,
    Project,
    Record,
    TermsOfPayment,
    Unit,
    VatCode,
    Voucher,
)

R = TypeVar("R", bound=Record)

# The service documents no maximum page size; the sandbox caps at 1000.
MAX_PAGE_SIZE = 1000
# Lists come as {Meta, Data} pages numbered from 1 ($page, $pagesize).
PAGER = MetaDataPager(MAX_PAGE_SIZE)
DOCUMENT_TYPE_VOUCHER = 3
Progress = Callable[[int, int], None]


class Listing(Generic[R]):
    """A lazily paged list: iterate it, or call :meth:`to_frame`.

    Iterating twice asks the service twice; keep the records (``list()``)
    when you need them again.
    """

    def __init__(self, client: "EAccountingClient", path: str, record: type[R],
                 params: Mapping[str, Any] | None = None, progress: bool | Progress = False) -> None:
        self._client = client
        self._path = path
        self._record = record
        self._params = dict(params or {})
        self._progress = progress
        self.total: int | None = None

    def __iter__(self) -> Iterator[R]:
        for data in self._client.iter_data(self._path, self._params, self._progress, self._set_total):
            yield self._record.from_api(data)

    def _set_total(self, total: int) -> None:
        self.total = total

    def to_frame(self) -> pd.DataFrame:
        """All records as a DataFrame of the raw API fields (one column per field)."""
        return pd.DataFrame(list(self._client.iter_data(self._path, self._params, self._progress, self._set_total)))


@dataclass(frozen=True)
class Register(Generic[R]):
    """list, get, create and update of one writable register."""

    client: "EAccountingClient"
    path: str
    record: type[R]

    def list(self, filter: str | None = None, orderby: str | None = None,
             progress: bool | Progress = False) -> Listing[R]:
        """Every record (optionally an OData ``$filter``/``$orderby``), paged lazily."""
        params = {k: v for k, v in (("$filter", filter), ("$orderby", orderby)) if v}
        return Listing(self.client, self.path, self.record, params, progress)

    def get(self, record_id: str) -> R:
        return self.record.from_api(self.client.get_json(f"{self.path}/{record_id}"))

    def create(self, payload: Mapping[str, Any]) -> R:
        """POST one record (PascalCase API fields); never retried blindly."""
        return self.record.from_api(self.client.send_json("POST", self.path, payload))

    def update(self, record_id: str, payload: Mapping[str, Any]) -> R:
        """PUT the whole record (the service replaces, it does not patch)."""
        return self.record.from_api(self.client.send_json("PUT", f"{self.path}/{record_id}", payload))


class EAccountingClient:
    """One connected eAccounting company.

    Parameters
    ----------
    session:
        The authorised session (see :func:`ops_lib.connection.connect.open_client`).
    page_size:
        Records per page when listing; the largest the service accepts by default.

    Attributes
    ----------
    answered_at:
        The service's time (:func:`server_time`) of the last GET's answer; None before one, or
        when the service sent no date.
    """

    system = SYSTEM

    def __init__(self, session: ApiSession, page_size: int = MAX_PAGE_SIZE) -> None:
        self.session = session
        self.page_size = page_size
        self.pager = PAGER.with_size(page_size)
        self.answered_at: dt.datetime | None = None
        self.customers: Register[Customer] = Register(self, "customers", Customer)
        self.articles: Register[Article] = Register(self, "articles", Article)
        self.projects: Register[Project] = Register(self, "projects", Project)
        self.cost_center_items: Register[CostCenterItem] = Register(self, "costcenteritems", CostCenterItem)
        # Invoicing: drafts are made here, invoices and supplier invoices only read.
        self.invoice_drafts: Register[CustomerInvoiceDraft] = Register(self, "customerinvoicedrafts",
                                                                        CustomerInvoiceDraft)
        self.customer_invoices: Register[CustomerInvoice] = Register(self, "customerinvoices", CustomerInvoice)
        self.supplier_invoices: Register[BookedSupplierInvoice] = Register(self, "supplierinvoices",
                                                                           BookedSupplierInvoice)

    # -- plumbing ------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.session.request("GET", path, params=params)
        self.answered_at = server_time(response)
        return loads(response.content)

    def send_json(self, method: str, path: str, payload: Any, params: Mapping[str, Any] | None = None) -> Any:
        response = send_json(self.session, method, path, payload, params)
        return loads(response.content) if response.content else None

    def iter_data(self, path: str, params: Mapping[str, Any] | None = None, progress: bool | Progress = False,
                  on_total: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, page by page (through :attr:`pager`), with an optional progress bar or callback."""
        seen, bar = 0, None
        try:
            for number, page in enumerate(self.pager.pages(self.get_json, path, params)):
                total = int(page.total or 0)
                if number == 0:
                    if on_total:
                        on_total(total)
                    if progress is True:
                        from tqdm import tqdm

                        bar = tqdm(total=total, desc=path, unit="rec")
                yield from page.items
                seen += len(page.items)
                if bar is not None:
                    bar.update(len(page.items))
                elif callable(progress):
                    progress(seen, total)
        finally:
            if bar is not None:
                bar.close()

    # -- reads ---------------------------------------------------------

    def company_settings(self) -> CompanySettings:
        return CompanySettings.from_api(self.get_json("companysettings"))

    def fiscal_years(self) -> Listing[FiscalYear]:
        return Listing(self, "fiscalyears", FiscalYear)

    def accounts(self, fiscal_year_id: str | None = None) -> Listing[Account]:
        """The chart of accounts of one fiscal year (all years when None)."""
        return Listing(self, f"accounts/{fiscal_year_id}" if fiscal_year_id else "accounts", Account)

    def vat_codes(self) -> Listing[VatCode]:
        return Listing(self, "vatcodes", VatCode)

    def terms_of_payment(self) -> Listing[TermsOfPayment]:
        return Listing(self, "termsofpayments", TermsOfPayment)

    def units(self) -> Listing[Unit]:
        return Listing(self, "units", Unit)

    def article_account_codings(self) -> Listing[ArticleAccountCoding]:
        return Listing(self, "articleaccountcodings", ArticleAccountCoding)

    def cost_centers(self) -> Listing[CostCenter]:
        """Cost centres with their items (the service has no list of items alone)."""
        return Listing(self, "costcenters", CostCenter)

    # -- vouchers and attachments --------------------------------------

    def create_voucher(self, payload: Mapping[str, Any], *, use_default_voucher_series: bool = True) -> Voucher:
        """POST a balanced voucher; set ``NumberSeries`` and pass False to choose the series."""
        params = {"useDefaultVoucherSeries": str(use_default_voucher_series).lower()}
        return Voucher.from_api(self.send_json("POST", "vouchers", payload, params=params))

    def upload_attachment(self, file_name: str, content: bytes, content_type: str) -> Attachment:
        body = {"FileName": file_name, "ContentType": content_type,
                "Data": base64.b64encode(content).decode("ascii")}
        return Attachment.from_api(self.send_json("POST", "attachments", body))

    def link_attachments(self, document_id: str, attachment_ids: list[str],
                         document_type: int = DOCUMENT_TYPE_VOUCHER) -> dict[str, Any]:
        body = {"DocumentId": document_id, "DocumentType": document_type, "AttachmentIds": list(attachment_ids)}
        return dict(self.send_json("POST", "attachmentlinks", body) or {})

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "EAccountingClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
