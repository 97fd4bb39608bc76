"""Typed, immutable views of Visma.net read DTOs.

Visma.net reads are plain camelCase DTOs, some fields nested
(``mainAddress.country.id``), each list element carrying ``metadata``.
A record keeps the fields the suite reasons about as typed attributes,
named by a dotted path into the DTO, and the whole answer in ``data``
(read-only), so nothing the service sent is lost. Amounts arrive as
``Decimal``: the client parses JSON numbers with ``parse_float=Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from ops_lib.connectors.dto import DtoRecord, as_date

ReadDto = DtoRecord  # the typed-record base, shared with the other systems that read nested DTOs


@dataclass(frozen=True)
class GlAccount(ReadDto):
    API: ClassVar[dict[str, str]] = {"number": "accountCD", "name": "description", "is_active": "active",
                                     "type": "type", "vat_category": "taxCategory"}
    number: str = ""
    name: str = ""
    is_active: bool = True
    type: str = ""
    vat_category: str = ""


@dataclass(frozen=True)
class VatInformation(ReadDto):
    API: ClassVar[dict[str, str]] = {"id": "vatId", "description": "description", "type": "type",
                                     "claimable_account": "glAccounts.vatClaimableAccount.number",
                                     "payable_account": "glAccounts.vatPayableAccount.number"}
    id: str = ""
    description: str = ""
    type: str = ""
    claimable_account: str = ""
    payable_account: str = ""

    def rate(self, day: date) -> Decimal:
        """The rate in force on ``day``: the schedule row with the latest start on or before it (0 when none)."""
        rows = []
        for row in self.data.get("schedules") or []:
            for rate in row.get("vatRates") or [row]:
                start = as_date(rate.get("startDate")) or date.min
                if start <= day and rate.get("vatRate") is not None:
                    rows.append((start, Decimal(str(rate["vatRate"]))))
        return max(rows)[1] if rows else Decimal(0)

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(a for a in (self.claimable_account, self.payable_account) if a)


@dataclass(frozen=True)
class SegmentValue(ReadDto):
    API: ClassVar[dict[str, str]] = {"value": "valueId", "description": "description", "is_active": "active"}
    value: str = ""
    description: str = ""
    is_active: bool = True


@dataclass(frozen=True)
class Segment(ReadDto):
    API: ClassVar[dict[str, str]] = {"id": "segmentId", "description": "description", "length": "length",
                                     "validate": "validate"}
    id: int | None = None
    description: str = ""
    length: int | None = None
    validate: bool = False

    @property
    def values(self) -> tuple[SegmentValue, ...]:
        return tuple(SegmentValue.from_api(v) for v in self.data.get("segmentValues") or [])


@dataclass(frozen=True)
class FinancialPeriod(ReadDto):
    API: ClassVar[dict[str, str]] = {"period": "period", "year": "year", "start_date": "startDate",
                                     "end_date": "endDate", "is_active": "active",
                                     "closed_in_gl": "closedInGeneralLedger", "closed_in_ap": "closedInSupplierLedger"}
    period: str = ""  # YYYYPP
    year: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    is_active: bool = True
    closed_in_gl: bool = False
    closed_in_ap: bool = False

    @property
    def is_locked(self) -> bool:
        """Closed in the general ledger, or not active: the service refuses a posting into it."""
        return self.closed_in_gl or not self.is_active


@dataclass(frozen=True)
class Branch(ReadDto):
    API: ClassVar[dict[str, str]] = {"number": "number", "name": "name", "is_main": "isMainBranch",
                                     "corporate_id": "corporateId", "ledger": "ledger.number",
                                     "currency": "currency.id"}
    number: str = ""
    name: str = ""
    is_main: bool = False
    corporate_id: str = ""
    ledger: str = ""
    currency: str = ""


@dataclass(frozen=True)
class Supplier(ReadDto):
    API: ClassVar[dict[str, str]] = {"id": "internalId", "number": "number", "name": "name", "status": "status",
                                     "vat_number": "vatRegistrationId", "country_code": "mainAddress.country.id",
                                     "payment_method": "paymentMethod.id", "cash_account": "cashAccount"}
    id: int | None = None
    number: str = ""
    name: str = ""
    status: str = ""
    vat_number: str = ""
    country_code: str = ""
    payment_method: str = ""
    cash_account: str = ""


@dataclass(frozen=True)
class JournalTransaction(ReadDto):
    API: ClassVar[dict[str, str]] = {"number": "batchNumber", "module": "module", "status": "status",
                                     "description": "description", "transaction_date": "transactionDate"}
    number: str = ""
    module: str = ""
    status: str = ""
    description: str = ""
    transaction_date: date | None = None

    @property
    def attachment_names(self) -> tuple[str, ...]:
        return tuple(str(a.get("name") or "") for a in self.data.get("attachments") or [])


@dataclass(frozen=True)
class VismanetSupplierInvoice(ReadDto):
    API: ClassVar[dict[str, str]] = {"number": "referenceNumber", "document_type": "documentType",
                                     "status": "status", "description": "description", "invoice_date": "date",
                                     "supplier": "supplier.number", "payment_method": "paymentMethod.id",
                                     "cash_account": "cashAccount"}
    number: str = ""
    document_type: str = ""
    status: str = ""
    description: str = ""
    invoice_date: date | None = None
    supplier: str = ""
    payment_method: str = ""
    cash_account: str = ""

    @property
    def attachment_names(self) -> tuple[str, ...]:
        return tuple(str(a.get("name") or "") for a in self.data.get("attachments") or [])
