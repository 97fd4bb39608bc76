"""How one expense line's VAT is booked: by its category's VAT treatment, at the rate in force on its date.

A category in ``categories.csv`` names one treatment (``vat_treatment``)
and, for a rate, a class of its country's rates (``vat_rate``: standard,
hotel, restaurant, food, passenger_transport, ...). The treatments, with
``G`` the line's gross and ``V`` its VAT, in the company's currency:

domestic
    ``G - V`` on the category's account, ``V`` on the input VAT account.
    ``V`` is the receipt's VAT, or ``G * r / (1 + r)`` at the class's rate.
foreign
    VAT paid abroad is not deductible in this country's VAT return: ``G -
    V`` on the category's account and ``V`` on the foreign VAT account (a
    cost, or a receivable when the company claims it back through the EU
    refund procedure); without a VAT amount, all of ``G`` is cost.
reverse_charge_eu, reverse_charge_non_eu
    A service from abroad carries no VAT; the buyer calculates it:
    ``G`` on the category's purchase account, ``G * r`` both as output VAT
    (the country's account for that rate) and as deductible input VAT.
representation
    A meal: the input VAT is deductible only on at most the country's cap
    per attendee before VAT (Sweden: 300 SEK; Finland: none), the rest of
    the VAT is cost, and the cost goes on the non-deductible account.

A fact the export may lack (where the seller is, how many attended) is
never guessed: the expense is blocked with what to add.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ops_lib.booking.setup import AccountSetup
from ops_lib.core.money import round_money
from ops_lib.model.booking_rules import SetupRules
from ops_lib.model.country_rules import (
    DOMESTIC,
    FOREIGN,
    REPRESENTATION,
    REVERSE_CHARGE_EU,
    REVERSE_CHARGE_NON_EU,
    TREATMENTS,
    CountryRules,
)
from ops_lib.model.references import References, VatCodeRef
from ops_lib.model.vouchers import ZERO, VoucherLine

if TYPE_CHECKING:
    from ops_lib.booking.mappings import CategoryMapping

REVERSE_CHARGE = (REVERSE_CHARGE_EU, REVERSE_CHARGE_NON_EU)


class Blocked(Exception):
    """One expense or journal cannot be booked: why (at which stage), and how to fix it."""

    def __init__(self, stage: str, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.stage, self.problem, self.fix = stage, problem, fix


@dataclass(frozen=True)
class LineVat:
    """What one line books besides its contra: the cost, the deductible input VAT and any further rows."""

    cost: Decimal
    input_vat: Decimal
    rows: tuple[VoucherLine, ...] = ()
    note: str = ""


def percent(rate: Decimal) -> str:
    """``0.255`` -> ``25.5 %``."""
    return f"{format((rate * 100).normalize(), 'f')} %"


def treatment_of(mapping: CategoryMapping) -> str:
    return mapping.vat_treatment.strip().casefold() or DOMESTIC


def _rate(mapping: CategoryMapping, vat_code: VatCodeRef | None, country: CountryRules | None, day: date) -> Decimal:
    """The line's rate: its class's on ``day``, else the treatment's default class, else the VAT code's rate."""
    rate_class = mapping.vat_rate.strip().casefold()
    if not rate_class and country is not None:
        rate_class = country.default_rates.get(treatment_of(mapping), "")
    if not rate_class:
        return vat_code.rate if vat_code else ZERO
    assert country is not None  # treatment_problem refused a class without a country
    return country.rate(rate_class, day)


def treatment_problem(mapping: CategoryMapping, vat_code: VatCodeRef | None, rules: SetupRules,
                      setup: AccountSetup, day: date) -> tuple[str, str, str] | None:
    """(column, problem, fix) when a category's treatment, rate class or VAT code cannot be booked on ``day``."""
    treatment, rate_class = treatment_of(mapping), mapping.vat_rate.strip().casefold()
    country = rules.country_rules
    if treatment not in TREATMENTS:
        return ("vat_treatment", f"{treatment!r} is not a VAT treatment", f"use one of {', '.join(TREATMENTS)}")
    if country is None and (treatment != DOMESTIC or rate_class):
        return ("vat_treatment", "the system names no country, so it has no VAT rules beyond its VAT codes",
                "use the domestic treatment with a VAT code")
    if country is not None and rate_class:
        if rate_class not in country.rates:
            return ("vat_rate", f"{rate_class!r} is not one of {country.name}'s rate classes",
                    f"use one of {', '.join(sorted(country.rates))}")
        try:
            country.rate(rate_class, day)
        except KeyError as exc:
            return ("vat_rate", f"{exc.args[0]}: {day} is before it", "book the expense in a year the rules cover")
    rate = _rate(mapping, vat_code, country, day)
    if treatment == FOREIGN and vat_code is not None and vat_code.rate:
        return ("vat_code", f"the VAT code {vat_code.code} deducts {percent(vat_code.rate)} input VAT, but foreign VAT is not deductible",
                "clear the category's VAT code (or choose one without VAT)")
    if treatment == DOMESTIC and rate_class and vat_code is not None and vat_code.rate and vat_code.rate != rate:
        return ("vat_code", f"the VAT code {vat_code.code} is {percent(vat_code.rate)} but {rate_class} is {percent(rate)} on {day}",
                f"choose the VAT code for {percent(rate)}, or another rate class")
    if treatment == REPRESENTATION and setup.representation_account and mapping.account != setup.representation_account:
        return ("account", f"a representation meal is not deductible for income tax, so it books on "
                f"{setup.representation_account}, not on {mapping.account}",
                f"map the category to {setup.representation_account} (representation_account in accounts.yaml)")
    if treatment in REVERSE_CHARGE and country is not None and rate not in country.reverse_charge_output_vat:
        return ("vat_rate", f"{country.name} has no output VAT account for reverse charge at {percent(rate)}",
                "use a rate class with a reverse-charge account")
    return None


def default_vat_code(mapping: CategoryMapping, refs: References, rules: SetupRules, setup: AccountSetup,
                     day: date) -> VatCodeRef | None:
    """The system's input VAT code for a domestic category's rate on ``day``, when the category names none.

    A category names a rate class rather than a code, so that when a rate
    changes (Swedish food, April 2026) its expenses move to the code of the
    new rate without anyone editing the table.
    """
    if treatment_of(mapping) not in (DOMESTIC, REPRESENTATION) or not mapping.vat_rate.strip():
        return None
    return refs.vat_code_for(setup.input_vat_account, _rate(mapping, None, rules.country_rules, day))


def _check_seller(treatment: str, seller: str, currency: str, rules: SetupRules, company_currency: str) -> None:
    """Refuse a seller country (or a currency) that contradicts the treatment, or a domestic one abroad."""
    country = rules.country_rules
    home = country.country if country else ""
    if treatment in (DOMESTIC, REPRESENTATION):
        if seller and home and seller != home:
            raise Blocked("mapping", f"the seller is in {seller}, but the category books {home} VAT",
                             "map expenses from abroad to a category with the foreign or reverse-charge treatment")
        if not seller and currency and currency != company_currency:
            raise Blocked("mapping", f"the expense is in {currency} and its category books {home or 'domestic'} "
                                        f"VAT: a seller abroad does not charge it, and where this seller is is not "
                                        f"known", "map it to a category with the foreign or reverse-charge "
                                                  "treatment, or export the seller_country column")
        return
    assert country is not None
    if seller == home:
        raise Blocked("mapping", f"the seller is in {home}, but the category's treatment is {treatment}",
                         "map the expense to a domestic category")
    if seller and treatment in REVERSE_CHARGE and country.is_eu(seller) != (treatment == REVERSE_CHARGE_EU):
        where = "inside" if country.is_eu(seller) else "outside"
        raise Blocked("mapping", f"the seller is in {seller}, {where} the EU, but the category's treatment is "
                                    f"{treatment}", "map the expense to the category for its seller's region")


def line_vat(mapping: CategoryMapping, vat_code: VatCodeRef | None, gross: Decimal, vat_given: Decimal | None,
             attendees: int | None, day: date, seller: str, currency: str, refs: References, rules: SetupRules,
             setup: AccountSetup) -> LineVat:
    """How one line of ``gross`` (rounded, company currency) books its VAT. Raises Blocked."""
    treatment = treatment_of(mapping)
    found = treatment_problem(mapping, vat_code, rules, setup, day)
    if found:
        raise Blocked("mapping", f"{mapping.where(found[0])} ({mapping.category}): {found[1]}", found[2])
    _check_seller(treatment, seller, currency, rules, refs.currency)
    rate = _rate(mapping, vat_code, rules.country_rules, day)
    if treatment == FOREIGN:
        vat = vat_given or ZERO
        account = role_account(setup, "foreign_vat_account") if vat else ""
        return LineVat(gross - vat, ZERO, tuple(_pair(account, vat, "Foreign VAT (not deductible)")))
    if treatment in REVERSE_CHARGE:
        if vat_given:
            raise Blocked("data", f"the seller charged {vat_given} VAT, so this is not a reverse-charge purchase",
                             "map the expense to a category with the foreign treatment, or correct the VAT amount")
        return LineVat(gross, ZERO, _reverse_charge(gross, rate, rules.country_rules, setup))
    vat = vat_given if vat_given is not None else round_money(gross * rate / (1 + rate))
    if vat and not rate:
        code = vat_code.code if vat_code else "no VAT code"
        raise Blocked("data", f"a VAT amount of {vat} on a line without VAT ({code})",
                      "correct the VAT amount or the VAT code")
    if treatment != REPRESENTATION:
        return LineVat(gross - vat, vat)
    if attendees is None:
        raise Blocked("data", "a representation meal needs its number of attendees, and the export has none",
                         "export the attendees column (the number of people at the meal)")
    deductible = _representation_deductible(gross - vat, vat, rate, attendees, rules.country_rules)
    return LineVat(gross - deductible, deductible, note=f"({attendees} attendee{'s' if attendees > 1 else ''})")


def _representation_deductible(net: Decimal, vat: Decimal, rate: Decimal, attendees: int,
                               country: CountryRules | None) -> Decimal:
    """The deductible part of a meal's VAT: all of it up to the cap per attendee, else the VAT on the cap."""
    assert country is not None
    cap = country.representation_vat_base_per_attendee * attendees
    if abs(net) <= cap:
        return vat
    capped = round_money(cap * rate)
    return capped if net > 0 else -capped


def _reverse_charge(gross: Decimal, rate: Decimal, country: CountryRules | None,
                    setup: AccountSetup) -> tuple[VoucherLine, ...]:
    assert country is not None
    vat = round_money(gross * rate)
    label = percent(rate)
    return (*_pair(role_account(setup, "reverse_charge_input_vat_account"), vat, f"Reverse charge input VAT {label}"),
            *_pair(country.reverse_charge_output_vat[rate], -vat, f"Reverse charge output VAT {label}"))


def role_account(setup: AccountSetup, role: str) -> str:
    """The account ``accounts.yaml`` (or the country) sets for ``role``; Blocked when neither does."""
    account = str(getattr(setup, role))
    if not account:
        raise Blocked("mapping", f"no account is set for {role}, and the system's country has no default",
                      f"set {role} in accounts.yaml")
    return account


def _pair(account: str, amount: Decimal, text: str) -> list[VoucherLine]:
    if amount == 0:
        return []
    return [VoucherLine(account, amount, ZERO, text) if amount > 0 else VoucherLine(account, ZERO, -amount, text)]
