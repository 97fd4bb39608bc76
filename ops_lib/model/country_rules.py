"""A country's booking rules as data: dated VAT rates, the accounts each rule books to, and its limits.

VAT law belongs to the country, not to the accounting system: a Swedish
company books reverse charge on 2614/2645 whether its books are in
eAccounting or in Visma.net. So each country has one file,
``ops_lib/model/countries/<cc>.yaml``, and each system names the country
its companies keep books in (:attr:`SetupRules.country`). Booking code
asks this module for the rate on a day and the account of a role and
knows no country's numbers itself.

Rates are dated because they change: an expense is booked with the rate
in force on its own date, so a receipt from March and one from April can
carry different food VAT in the same export.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Mapping

import yaml

from ops_lib.core.errors import ConfigurationError

DOMESTIC = "domestic"
FOREIGN = "foreign"
REVERSE_CHARGE_EU = "reverse_charge_eu"
REVERSE_CHARGE_NON_EU = "reverse_charge_non_eu"
REPRESENTATION = "representation"
TREATMENTS = {
    DOMESTIC: "domestic VAT at the category's rate, deducted as input VAT",
    FOREIGN: "foreign VAT: not deductible here, booked in the cost (or on the foreign VAT account)",
    REVERSE_CHARGE_EU: "a service from a seller in another EU country: the buyer books output and input VAT",
    REVERSE_CHARGE_NON_EU: "a service from a seller outside the EU: the buyer books output and input VAT",
    REPRESENTATION: "a representation meal: input VAT deductible up to the cap per attendee, the cost not deductible",
}


@dataclass(frozen=True)
class CountryRules:
    """One country's rules (see ``countries/se.yaml`` for what each part means)."""

    country: str
    name: str
    currency: str
    eu_countries: frozenset[str]
    rates: Mapping[str, tuple[tuple[date, Decimal], ...]]
    default_rates: Mapping[str, str]
    accounts: Mapping[str, str]
    reverse_charge_output_vat: Mapping[Decimal, str]
    representation_vat_base_per_attendee: Decimal

    def rate(self, rate_class: str, day: date) -> Decimal:
        """The rate of ``rate_class`` in force on ``day``.

        Raises
        ------
        KeyError
            For a class this country does not have, or a day before its first rate.
        """
        found = [rate for start, rate in self.rates[rate_class] if start <= day]
        if not found:
            raise KeyError(f"{rate_class} has no rate before {self.rates[rate_class][0][0]}")
        return found[-1]

    def is_eu(self, country: str) -> bool:
        return country.upper() in self.eu_countries


def _decimal(text: object, where: str) -> Decimal:
    if not isinstance(text, str):
        raise ConfigurationError(f"{where}: write {text!r} as text, so that it is not read as a float")
    return Decimal(text)


def _parse(data: dict[str, object], source: str) -> CountryRules:
    rates: dict[str, tuple[tuple[date, Decimal], ...]] = {}
    for name, entries in dict(data["rates"]).items():  # type: ignore[call-overload]
        dated = sorted((date.fromisoformat(str(e["from"])), _decimal(e["rate"], f"{source}: rates.{name}"))
                       for e in entries)
        rates[name] = tuple(dated)
    output = {_decimal(rate, f"{source}: reverse_charge_output_vat"): str(account)
              for rate, account in dict(data.get("reverse_charge_output_vat") or {}).items()}  # type: ignore[call-overload]
    return CountryRules(
        str(data["country"]), str(data["name"]), str(data["currency"]),
        frozenset(str(c) for c in data["eu_countries"]), rates,  # type: ignore[attr-defined]
        {str(k): str(v) for k, v in dict(data.get("default_rates") or {}).items()},  # type: ignore[call-overload]
        {str(k): str(v) for k, v in dict(data.get("accounts") or {}).items()},  # type: ignore[call-overload]
        output, _decimal(data["representation_vat_base_per_attendee"], f"{source}: representation"))


@functools.cache
def country_rules(country: str) -> CountryRules:
    """The rules of ``country`` (ISO code, e.g. ``SE``).

    Raises
    ------
    ConfigurationError
        For a country the suite has no rules for: booking without them would guess.
    """
    name = f"{country.lower()}.yaml"
    path = resources.files("ops_lib.model").joinpath("countries", name)
    if not path.is_file():
        known = sorted(p.name[:-5].upper() for p in resources.files("ops_lib.model").joinpath("countries").iterdir()
                       if p.name.endswith(".yaml"))
        raise ConfigurationError(f"no booking rules for the country {country!r} (the suite has {', '.join(known)})")
    return _parse(yaml.safe_load(path.read_text(encoding="utf-8")), f"countries/{name}")
