"""VAT in the sandbox: the Finnish rates by date, other countries' rates, and the VAT statuses.

Finland's rates as they were in force (Arvonlisäverolaki 1501/1993 and
its amendments): the standard rate 24 % until 2024-08-31 and 25.5 % from
2024-09-01; the 14 % rate (food, restaurants; from 2025 also books,
passenger transport, accommodation and medicines) becomes 13.5 % on
2026-01-01; 10 % stays for newspapers, periodicals and public
broadcasting; 0 % for exempt supplies. The sandbox copies these rather
than read ``ops_lib.model`` because it stands on the kernel alone.

The vendor's sources give ``vatStatus`` only by example (1 on a domestic
purchase), no table; the sandbox's statuses below are its own choice,
documented in the package docstring. Each says for which side (sales,
purchase) it may be used and whether it needs a zero or a non-zero
percent, which is what ``ERROR_VATSTATUS_VATPERC`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# (rate, first day, last day or None)
FINNISH_RATES: tuple[tuple[Decimal, date, date | None], ...] = (
    (Decimal("24"), date(2013, 1, 1), date(2024, 8, 31)),
    (Decimal("25.5"), date(2024, 9, 1), None),
    (Decimal("14"), date(2013, 1, 1), date(2025, 12, 31)),
    (Decimal("13.5"), date(2026, 1, 1), None),
    (Decimal("10"), date(2013, 1, 1), None),
    (Decimal("0"), date(2013, 1, 1), None),
)

# Other countries' rates the demo company may meet (foreign VAT on receipts); in force late 2026.
FOREIGN_RATES: dict[str, tuple[Decimal, ...]] = {
    "SE": (Decimal("25"), Decimal("12"), Decimal("6"), Decimal("0")),
    "DE": (Decimal("19"), Decimal("7"), Decimal("0")),
    "EE": (Decimal("24"), Decimal("22"), Decimal("13"), Decimal("9"), Decimal("0")),
}


def finnish_rates_on(day: date) -> list[Decimal]:
    """The Finnish percentages in force on ``day``, highest first."""
    return sorted({rate for rate, first, last in FINNISH_RATES if first <= day and (last is None or day <= last)},
                  reverse=True)


def all_finnish_rates() -> list[Decimal]:
    """Every Finnish percentage the company has used, highest first (what ``/vats/country?countryCode=FI`` lists)."""
    return sorted({rate for rate, _, _ in FINNISH_RATES}, reverse=True)


def rates_of(country: str) -> list[Decimal] | None:
    if country == "FI":
        return all_finnish_rates()
    rates = FOREIGN_RATES.get(country)
    return list(rates) if rates is not None else None


@dataclass(frozen=True)
class VatStatus:
    """One VAT status: its number, text, the sides it is for, and the percent it needs."""

    code: int
    description: str
    sales: bool
    purchase: bool
    # "any": a rate in force; "zero": 0 only; "nonzero": a rate in force above 0
    percent: str


VAT_STATUSES: tuple[VatStatus, ...] = (
    VatStatus(1, "Kotimaan myynti tai osto (domestic sales or purchase)", True, True, "any"),
    VatStatus(2, "Tavaramyynti muihin EU-maihin (goods to other EU countries, 0 %)", True, False, "zero"),
    VatStatus(3, "Palvelumyynti muihin EU-maihin (services to other EU countries, 0 %)", True, False, "zero"),
    VatStatus(4, "Tavaraostot muista EU-maista (goods from other EU countries, reverse charge)", False, True,
              "nonzero"),
    VatStatus(5, "Palveluostot muista EU-maista (services from other EU countries, reverse charge)", False, True,
              "nonzero"),
    VatStatus(6, "Rakentamispalvelut, käännetty verovelvollisuus (construction services, reverse charge)", True,
              True, "any"),
    VatStatus(7, "Tavaroiden maahantuonti EU:n ulkopuolelta (imports of goods from outside the EU)", False, True,
              "nonzero"),
    VatStatus(8, "Palveluostot EU:n ulkopuolelta (services from outside the EU, reverse charge)", False, True,
              "nonzero"),
    VatStatus(9, "Vienti EU:n ulkopuolelle (exports outside the EU, 0 %)", True, False, "zero"),
    VatStatus(12, "Veroton myynti tai osto (VAT-exempt sales or purchase, 0 %)", True, True, "zero"),
)


def vat_status(code: int) -> VatStatus | None:
    return next((s for s in VAT_STATUSES if s.code == code), None)
