"""Typed, immutable views of Procountor read DTOs.

Procountor answers camelCase JSON; searches come as ``{results, meta}``,
the reference lists in their own wrappers (``{ledgerAccounts}``,
``{fiscalYears}``) or bare (``/dimensions``). A record keeps the fields
the suite reasons about as typed attributes, named by a dotted path into
the DTO, and the whole answer in ``data`` (read-only). Amounts arrive as
``Decimal``: the client parses JSON numbers with ``parse_float=Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from ops_lib.connectors.dto import DtoRecord, dig

INACTIVE_ITEM = "P"  # a dimension item's status when it is passive; absent means active


ProcountorDto = DtoRecord  # the typed-record base, shared with the other systems that read nested DTOs


@dataclass(frozen=True)
class LedgerAccount(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"number": "ledgerAccountCode", "name": "name"}
    number: str = ""
    name: str = ""

    @property
    def is_active(self) -> bool:
        return self.data.get("active") is not False


@dataclass(frozen=True)
class FiscalYearRecord(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"id": "id", "start_date": "startDate", "end_date": "endDate",
                                     "is_open": "isOpen"}
    id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    is_open: bool = False


@dataclass(frozen=True)
class DimensionItemRecord(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"id": "id", "code": "codeName", "description": "description",
                                     "status": "status"}
    id: int | None = None
    code: str = ""
    description: str = ""
    status: str = ""

    @property
    def is_active(self) -> bool:
        return self.status != INACTIVE_ITEM


@dataclass(frozen=True)
class DimensionRecord(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"id": "id", "name": "name"}
    id: int | None = None
    name: str = ""

    @property
    def items(self) -> tuple[DimensionItemRecord, ...]:
        return tuple(DimensionItemRecord.from_api(i) for i in self.data.get("items") or [])


@dataclass(frozen=True)
class BusinessPartner(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"id": "id", "name": "name", "type": "type", "version": "version",
                                     "number": "invoicingInfo.customerNumber",
                                     "vat_number": "invoicingInfo.identifier",
                                     "country_code": "billingAddress.country"}
    id: int | None = None
    name: str = ""
    type: str = ""
    version: str = ""
    number: str = ""
    vat_number: str = ""
    country_code: str = ""

    @property
    def is_active(self) -> bool:
        return dig(self.data, "registryInfo.active") is not False


@dataclass(frozen=True)
class LedgerReceipt(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"id": "id", "name": "name", "type": "type", "status": "status",
                                     "receipt_date": "receiptDate", "invoice_id": "invoiceId",
                                     "version": "version", "description": "transactionDescription"}
    id: int | None = None
    name: str = ""
    type: str = ""
    status: str = ""
    receipt_date: date | None = None
    invoice_id: int | None = None
    version: str = ""
    description: str = ""

    @property
    def attachment_names(self) -> tuple[str, ...]:
        return tuple(str(a.get("name") or "") for a in self.data.get("attachments") or [])


@dataclass(frozen=True)
class VatStatusRecord(ProcountorDto):
    API: ClassVar[dict[str, str]] = {"status": "vatStatus", "description": "description", "purchase": "purchase"}
    status: int | None = None
    description: str = ""
    purchase: bool = False
