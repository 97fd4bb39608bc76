"""Typed, immutable views of eAccounting records.

Each record keeps the fields the suite reasons about as typed attributes
and the whole answer in ``data`` (read-only), so nothing the service sent
is lost and nothing is re-typed by hand. Amounts arrive as ``Decimal``:
the client parses JSON numbers with ``parse_float=Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Mapping, TypeVar

R = TypeVar("R", bound="Record")


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# Annotations are strings here (postponed evaluation), so converters are keyed by them.
_CONVERT = {"str": _text, "bool": bool, "date | None": _date, "datetime | None": _datetime,
            "Decimal | None": _decimal, "int | None": lambda v: None if v is None else int(v)}


@dataclass(frozen=True)
class Record:
    """Base of the typed records: ``API`` maps attribute -> API field."""

    API: ClassVar[dict[str, str]] = {}
    data: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls: type[R], data: Mapping[str, Any]) -> R:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "data":
                continue
            convert = _CONVERT[str(f.type)]
            values[f.name] = convert(data.get(cls.API[f.name]))
        return cls(**values, data=MappingProxyType(dict(data)))


@dataclass(frozen=True)
class Customer(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "number": "CustomerNumber", "name": "Name",
                                     "is_active": "IsActive", "changed_utc": "ChangedUtc"}
    id: str = ""
    number: str = ""
    name: str = ""
    is_active: bool = True
    changed_utc: datetime | None = None


@dataclass(frozen=True)
class Article(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "number": "Number", "name": "Name", "is_active": "IsActive",
                                     "net_price": "NetPrice", "coding_id": "CodingId", "unit_id": "UnitId",
                                     "changed_utc": "ChangedUtc"}
    id: str = ""
    number: str = ""
    name: str = ""
    is_active: bool = True
    net_price: Decimal | None = None
    coding_id: str = ""
    unit_id: str = ""
    changed_utc: datetime | None = None


@dataclass(frozen=True)
class CostCenterItem(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "cost_center_id": "CostCenterId", "short_name": "ShortName",
                                     "name": "Name", "is_active": "IsActive"}
    id: str = ""
    cost_center_id: str = ""
    short_name: str = ""
    name: str = ""
    is_active: bool = True


@dataclass(frozen=True)
class Project(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "number": "Number", "name": "Name", "status": "Status",
                                     "start_date": "StartDate", "end_date": "EndDate", "modified_utc": "ModifiedUtc"}
    id: str = ""
    number: str = ""
    name: str = ""
    status: int | None = None  # 1 ongoing, 2 finished
    start_date: date | None = None
    end_date: date | None = None
    modified_utc: datetime | None = None


@dataclass(frozen=True)
class Account(Record):
    API: ClassVar[dict[str, str]] = {"number": "Number", "name": "Name", "is_active": "IsActive",
                                     "fiscal_year_id": "FiscalYearId", "vat_code_id": "VatCodeId"}
    number: str = ""
    name: str = ""
    is_active: bool = True
    fiscal_year_id: str = ""
    vat_code_id: str = ""


@dataclass(frozen=True)
class VatCode(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "code": "Code", "description": "Description", "rate": "VatRate"}
    id: str = ""
    code: str = ""
    description: str = ""
    rate: Decimal | None = None

    @property
    def related_accounts(self) -> tuple[str, ...]:
        """The accounts the code books to (``RelatedAccounts``), as account numbers."""
        related = self.data.get("RelatedAccounts") or {}
        return tuple(str(related[k]) for k in ("AccountNumber1", "AccountNumber2", "AccountNumber3") if related.get(k))


@dataclass(frozen=True)
class FiscalYear(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "start_date": "StartDate", "end_date": "EndDate",
                                     "is_locked": "IsLockedForAccounting"}
    id: str = ""
    start_date: date | None = None
    end_date: date | None = None
    is_locked: bool = False

    def covers(self, day: date) -> bool:
        return bool(self.start_date and self.end_date and self.start_date <= day <= self.end_date)


@dataclass(frozen=True)
class TermsOfPayment(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "name": "Name", "days": "NumberOfDays"}
    id: str = ""
    name: str = ""
    days: int | None = None


@dataclass(frozen=True)
class Unit(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "code": "Code", "name": "Name"}
    id: str = ""
    code: str = ""
    name: str = ""


@dataclass(frozen=True)
class ArticleAccountCoding(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "name": "Name", "type": "Type", "vat_rate": "VatRatePercent",
                                     "is_active": "IsActive"}
    id: str = ""
    name: str = ""
    type: str = ""
    vat_rate: Decimal | None = None
    is_active: bool = True


@dataclass(frozen=True)
class CostCenter(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "name": "Name", "number": "Number", "is_active": "IsActive"}
    id: str = ""
    name: str = ""
    number: str = ""
    is_active: bool = True

    @property
    def items(self) -> tuple[CostCenterItem, ...]:
        return tuple(CostCenterItem.from_api(i) for i in self.data.get("Items") or [])


@dataclass(frozen=True)
class CompanySettings(Record):
    API: ClassVar[dict[str, str]] = {"name": "Name", "org_number": "CorporateIdentityNumber",
                                     "currency": "CurrencyCode", "accounting_locked_to": "AccountingLockedTo"}
    name: str = ""
    org_number: str = ""
    currency: str = ""
    accounting_locked_to: date | None = None


@dataclass(frozen=True)
class Voucher(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "number": "NumberAndNumberSeries", "voucher_date": "VoucherDate",
                                     "text": "VoucherText", "series": "NumberSeries"}
    id: str = ""
    number: str = ""
    voucher_date: date | None = None
    text: str = ""
    series: str = ""


@dataclass(frozen=True)
class Attachment(Record):
    API: ClassVar[dict[str, str]] = {"id": "Id", "file_name": "FileName", "content_type": "ContentType",
                                     "status": "AttachmentStatus"}
    id: str = ""
    file_name: str = ""
    content_type: str = ""
    status: str = ""


def _row_texts(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(r.get("Text") or "") for r in data.get("Rows") or [] if isinstance(r, Mapping))


@dataclass(frozen=True)
class CustomerInvoiceDraft(Record):
    """A customer invoice draft: editable in eAccounting until it is converted into an invoice."""

    API: ClassVar[dict[str, str]] = {"id": "Id", "customer_id": "CustomerId", "invoice_date": "InvoiceDate",
                                     "total": "TotalAmount"}
    id: str = ""
    customer_id: str = ""
    invoice_date: date | None = None
    total: Decimal | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        """The ``Text`` of every row, in order (where the suite's marker is looked for)."""
        return _row_texts(self.data)


@dataclass(frozen=True)
class CustomerInvoice(Record):
    """A customer invoice: numbered once it is sent, paid when nothing remains."""

    API: ClassVar[dict[str, str]] = {"id": "Id", "customer_id": "CustomerId", "number": "InvoiceNumber",
                                     "invoice_date": "InvoiceDate", "total": "TotalAmount",
                                     "remaining": "RemainingAmount", "voucher_number": "VoucherNumber"}
    id: str = ""
    customer_id: str = ""
    number: str = ""
    invoice_date: date | None = None
    total: Decimal | None = None
    remaining: Decimal | None = None
    voucher_number: str = ""

    @property
    def texts(self) -> tuple[str, ...]:
        return _row_texts(self.data)


@dataclass(frozen=True)
class BookedSupplierInvoice(Record):
    """A supplier invoice as eAccounting holds it; its rows (``DebetAmount`` sic) stay in ``data``."""

    API: ClassVar[dict[str, str]] = {"id": "Id", "invoice_number": "InvoiceNumber", "supplier_number": "SupplierNumber",
                                     "supplier_name": "SupplierName", "invoice_date": "InvoiceDate",
                                     "voucher_number": "VoucherNumber", "total": "TotalAmount", "vat": "Vat",
                                     "currency": "CurrencyCode", "is_credit": "IsCreditInvoice"}
    id: str = ""
    invoice_number: str = ""
    supplier_number: str = ""
    supplier_name: str = ""
    invoice_date: date | None = None
    voucher_number: str = ""
    total: Decimal | None = None
    vat: Decimal | None = None
    currency: str = ""
    is_credit: bool = False

    @property
    def rows(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(r for r in self.data.get("Rows") or [] if isinstance(r, Mapping))
