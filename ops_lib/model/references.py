"""What mappings and vouchers point at, read from the accounting system: the system-neutral picture.

A mapping names an account number, a VAT code, a cost centre item or a
project; a voucher needs the fiscal year of its date, that year's chart,
and the date after which the books are open. :class:`References` holds
all of it for one company, read once per run by the system's own module
(``ops_lib.systems.eaccounting.chart.read_references``), so the mapping check,
the editor's dropdowns, the voucher builder and the preflight all judge
against the same snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping

from ops_lib.booking.setup import Chart, ChartAccount
from ops_lib.model.registers import fold_name


@dataclass(frozen=True)
class FiscalYearChart:
    """One fiscal year and its chart of accounts."""

    start: date
    end: date
    locked: bool
    accounts: Mapping[str, ChartAccount]

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class VatCodeRef:
    id: str
    code: str
    description: str
    rate: Decimal


@dataclass(frozen=True)
class DimensionItem:
    """A cost centre item or a project: what a tag resolves to."""

    id: str
    code: str
    name: str
    active: bool


def _find(items: Mapping[str, DimensionItem], value: str) -> DimensionItem | None:
    """By code as written, then by code or name with case and spacing ignored."""
    if value in items:
        return items[value]
    folded = fold_name(value)
    return next((i for i in items.values() if fold_name(i.code) == folded), None) or next(
        (i for i in items.values() if fold_name(i.name) == folded), None)


@dataclass(frozen=True)
class CostCentre:
    """One cost centre (dimension), numbered from 1 as the system orders them, with its items by code."""

    number: int
    name: str
    active: bool
    items: Mapping[str, DimensionItem]

    def item(self, value: str) -> DimensionItem | None:
        return _find(self.items, value)


@dataclass(frozen=True)
class References:
    """One company's accounts, VAT codes, cost centres, projects and open period."""

    company: str
    currency: str
    years: tuple[FiscalYearChart, ...]
    vat_codes: Mapping[str, VatCodeRef]
    cost_centres: tuple[CostCentre, ...]
    projects: Mapping[str, DimensionItem]
    locked_to: date | None = None

    def year(self, day: date) -> FiscalYearChart | None:
        return next((y for y in self.years if y.covers(day)), None)

    def chart(self, day: date) -> Chart:
        """The chart of the year covering ``day``, with the other years' accounts for better messages."""
        current = self.year(day)
        other: dict[str, ChartAccount] = {}
        for year in self.years:
            if year is not current:
                other.update(year.accounts)
        if current is None:
            return Chart(day, None, False, {}, other)
        return Chart(day, (current.start, current.end), current.locked, current.accounts, other)

    def cost_centre(self, name_or_number: str) -> CostCentre | None:
        text = str(name_or_number).strip()
        if text.isdigit():
            return next((c for c in self.cost_centres if c.number == int(text)), None)
        return next((c for c in self.cost_centres if fold_name(c.name) == fold_name(text)), None)

    def project(self, value: str) -> DimensionItem | None:
        return _find(self.projects, value)
