"""What mappings and vouchers point at, read from the accounting system: the system-neutral picture.

A mapping names an account number, a VAT code, an item of a dimension or a
project; a voucher needs the fiscal year of its date, that year's chart,
and the date after which the books are open. :class:`References` holds
all of it for one company, read once per run by the system's own module
(``ops_lib.systems.eaccounting.chart.read_references``), so the mapping check,
the editor's dropdowns, the voucher builder and the preflight all judge
against the same snapshot.

A :class:`Dimension` is whatever a system lets a voucher row be tagged
with beside its account: eAccounting's cost centres, Visma.net's subaccount
segments, Procountor's dimensions. Each system reads its own into this
one shape and maps a row's ``(dimension id, item)`` pairs back to its own
fields when it sends a voucher; nothing neutral knows those fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping

from ops_lib.model.chart import Chart, ChartAccount
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
    accounts: tuple[str, ...] = ()  # the VAT accounts the code books to (the input VAT account, say)


@dataclass(frozen=True)
class DimensionItem:
    """An item of a dimension, or a project: what a tag resolves to."""

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
class Dimension:
    """One dimension of a company, with its items by code.

    ``id`` is what the system's voucher rows name the dimension by (its own
    key, as text); the :attr:`References.dimensions` order is the system's.
    """

    id: str
    name: str
    items: Mapping[str, DimensionItem]
    active: bool = True

    def item(self, value: str) -> DimensionItem | None:
        return _find(self.items, value)


@dataclass(frozen=True)
class References:
    """One company's accounts, VAT codes, dimensions, projects and open period.

    ``dimension_noun`` is what the system calls a dimension (``cost centre``),
    so that messages speak the words its users see.
    """

    company: str
    currency: str
    years: tuple[FiscalYearChart, ...]
    vat_codes: Mapping[str, VatCodeRef]
    dimensions: tuple[Dimension, ...]
    projects: Mapping[str, DimensionItem]
    locked_to: date | None = None
    dimension_noun: str = "dimension"

    def vat_code_for(self, account: str, rate: Decimal) -> VatCodeRef | None:
        """The VAT code (lowest code first) that books ``rate`` to ``account``: a dated rate picks its own code."""
        found = sorted((v for v in self.vat_codes.values() if account in v.accounts and v.rate == rate),
                       key=lambda v: v.code)
        return found[0] if found else None

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

    def dimension(self, name_or_id: str) -> Dimension | None:
        """The dimension with this id, else the one with this name (case and spacing ignored)."""
        text = str(name_or_id).strip()
        return next((d for d in self.dimensions if d.id == text), None) or next(
            (d for d in self.dimensions if fold_name(d.name) == fold_name(text)), None)

    def rank(self, dimension: Dimension) -> int:
        """The dimension's place in the system's order, from 1 (what a limit of exported dimensions counts)."""
        return self.dimensions.index(dimension) + 1

    def project(self, value: str) -> DimensionItem | None:
        return _find(self.projects, value)
