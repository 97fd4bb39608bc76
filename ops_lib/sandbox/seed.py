"""Build the deterministic demo world into a :class:`~.store.Store`.

Two companies with a BAS chart of accounts for the previous and the
current fiscal year, VAT codes, terms of payment, units, article account
codings, a few hundred customers and articles, a cost centre "Projekt"
whose items mirror the projects, a cost centre "Avdelning", and projects.

Identifiers are name-based UUIDs (uuid5) and every random choice comes
from a generator seeded per company, so every machine builds the same
world. Only the fiscal years follow the calendar: they are the year of
``today`` and the one before, so the demo can always book today.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ops_lib.sandbox import seed_data as data
from ops_lib.sandbox.clock import UTC, format_date, format_utc
from ops_lib.sandbox.seed_purchases import seed_purchases
from ops_lib.sandbox.store import Store

NAMESPACE = uuid.UUID("6f1c2a7e-3b0d-4c8e-9a51-2d7f0e4b9c13")
SIZES = {"fjallbris": (300, 150, 40, 10, 25), "kustvag": (60, 30, 10, 5, 8)}
_SEEDED_FROM = datetime(2025, 1, 6, 7, 30, tzinfo=UTC)


def make_id(*parts: object) -> str:
    """A stable GUID for a seeded record, from its company and its natural key."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def luhn_digit(digits: str) -> str:
    """The check digit Swedish organisation numbers end with."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def org_number(first_nine: str) -> str:
    full = first_nine + luhn_digit(first_nine)
    return f"{full[:6]}-{full[6:]}"


def pay_to_account_id(company_id: str) -> str:
    """The company's one account that customer payments are registered on (``PayToAccountId``).

    The service fills it on every customer, so a client may read it as a
    GUID that is never null.
    """
    return make_id(company_id, "pay-to-account")


@dataclass(frozen=True)
class Company:
    """A company the sandbox user can pick on the consent page."""

    key: str
    id: str
    name: str
    org_number: str
    city: str


def companies() -> tuple[Company, ...]:
    return tuple(
        Company(key, make_id("company", key), name, org_number(nine), city)
        for key, name, nine, city in data.COMPANIES
    )


def _money(value: Decimal) -> float:
    """JSON numbers for prices: two decimals, as the service stores them."""
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class _Stamps:
    """Seeded change times: spread over 2025, one per record, increasing."""

    def __init__(self) -> None:
        self.moment = _SEEDED_FROM

    def next(self) -> str:
        self.moment += timedelta(minutes=53)
        return format_utc(self.moment)


def seed_world(store: Store, today: date) -> tuple[Company, ...]:
    """Write both companies' data into ``store`` and return the companies."""
    built = companies()
    with store.transaction():
        for company in built:
            _seed_company(store, company, today)
        store.set_meta("seeded_for", today.isoformat())
    return built


class _Seeding:
    """One company's seeding in progress: its generator, change times and the ids later records refer to.

    The steps below run in a fixed order, because they draw from one
    generator and one clock: reordering them would build another world.
    """

    def __init__(self, store: Store, company: Company, today: date) -> None:
        self.store, self.company, self.today = store, company, today
        self.rng = random.Random(f"ops-sandbox/{company.key}")
        self.stamps = _Stamps()
        self.tenant = company.id
        self.n_customers, self.n_products, self.n_work, self.n_travel, self.n_projects = SIZES[company.key]
        self.first_number = 1001 if company.key == "fjallbris" else 2001
        self.vat_ids: dict[str, str] = {}
        self.unit_ids: dict[str, str] = {}
        self.terms_ids: dict[int, str] = {}
        self.coding_ids: dict[str, str] = {}

    def put(self, kind: str, record: dict[str, Any], key: str | None = None) -> None:
        self.store.put(self.tenant, kind, key or record["Id"], record)

    def id(self, *parts: object) -> str:
        return make_id(self.company.key, *parts)


def _seed_company(store: Store, company: Company, today: date) -> None:
    seeding = _Seeding(store, company, today)
    for step in (_seed_codes, _seed_account_codings, _seed_fiscal_years, _seed_settings, _seed_customers,
                 _seed_articles, _seed_projects):
        step(seeding)
    seed_purchases(store, company.id, company.key, today, seeding.id)


def _seed_codes(s: _Seeding) -> None:
    """VAT codes, units and terms of payment: what later records point to."""
    for key, code, description, rate, related in data.VAT_CODES:
        s.vat_ids[key] = s.id("vat", key)
        s.put("vatcodes", {
            "Id": s.vat_ids[key], "Code": code, "Description": description, "VatRate": float(rate),
            "RelatedAccounts": {"AccountNumber1": related[0], "AccountNumber2": related[1],
                                "AccountNumber3": related[2]},
        })
    for key, name, code, abbreviation in data.UNITS:
        s.unit_ids[key] = s.id("unit", key)
        s.put("units", {"Id": s.unit_ids[key], "Name": name, "Code": code, "Abbreviation": abbreviation})
    for key, name, english, days, type_id, type_text in data.TERMS_OF_PAYMENT:
        s.terms_ids[days] = s.id("terms", key)
        s.put("termsofpayments", {
            "Id": s.terms_ids[days], "Name": name, "NameEnglish": english, "NumberOfDays": days,
            "TermsOfPaymentTypeId": type_id, "TermsOfPaymentTypeText": type_text,
            "AvailableForSales": True, "AvailableForPurchase": True,
        })


def _seed_account_codings(s: _Seeding) -> None:
    for key, name, english, ctype, percent, account in data.ACCOUNT_CODINGS:
        s.coding_ids[key] = s.id("coding", key)
        s.put("articleaccountcodings", {
            "Id": s.coding_ids[key], "Name": name, "NameEnglish": english, "Type": ctype,
            "VatRate": f"{percent}%", "IsActive": True,
            "VatRatePercent": float(Decimal(percent) / 100),
            "DomesticSalesSubjectToReversedConstructionVatAccountNumber": 3231,
            "DomesticSalesSubjectToVatAccountNumber": account,
            "DomesticSalesVatExemptAccountNumber": 3004 if ctype == "Goods" else 3044,
            "ForeignSalesSubjectToMossAccountNumber": None,
            "ForeignSalesSubjectToThirdPartySalesAccountNumber": 3108,
            "ForeignSalesSubjectToVatWithinEuAccountNumber": 3108,
            "ForeignSalesVatExemptOutsideEuAccountNumber": 3105,
            "ForeignSalesVatExemptWithinEuAccountNumber": 3108,
            "DomesticSalesVatCodeExemptAccountNumber": 3004 if ctype == "Goods" else 3044,
            "ChangedUtc": s.stamps.next(),
        })


def _seed_fiscal_years(s: _Seeding) -> None:
    """The previous and the current calendar year, each with its chart of accounts."""
    today = s.today
    previous = (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    current = (date(today.year, 1, 1), date(today.year, 12, 31))
    for label, (start, end) in (("previous", previous), ("current", current)):
        fy_id = s.id("fiscalyear", start.year)
        s.put("fiscalyears", {
            "Id": fy_id, "StartDate": format_date(start), "EndDate": format_date(end),
            "IsLockedForAccounting": False, "BookkeepingMethod": 0,
        })
        for number, name, vat_key, active_prev, active_cur, in_prev, in_cur in data.ACCOUNTS:
            exists = in_prev if label == "previous" else in_cur
            if not exists:
                continue
            active = active_prev if label == "previous" else active_cur
            s.put("accounts", {
                "Name": name, "Number": number, "VatCodeId": s.vat_ids.get(vat_key),
                "VatCodeDescription": _vat_description(vat_key), "FiscalYearId": fy_id,
                "ReferenceCode": None, "Type": None, "TypeDescription": None,
                "ModifiedUtc": s.stamps.next(), "IsActive": active,
                "IsProjectAllowed": number[0] in "345678", "IsCostCenterAllowed": number[0] in "345678",
                "IsBlockedForManualBooking": False,
            }, key=f"{fy_id}:{number}")


def _seed_settings(s: _Seeding) -> None:
    company, today = s.company, s.today
    s.put("companysettings", {
        "Name": company.name, "Email": f"ekonomi@{company.key}.example", "Phone": "08-123 456 00",
        "MobilePhone": None, "Address1": "Storgatan 1", "Address2": None, "CountryCode": "SE",
        "PostalCode": "111 22" if company.city == "Stockholm" else "411 06", "City": company.city,
        "Website": f"https://www.{company.key}.example", "CurrencyCode": "SEK",
        "TermsOfPaymentId": s.terms_ids[30], "CorporateIdentityNumber": company.org_number,
        "VatCode": "SE" + company.org_number.replace("-", "") + "01", "BankGiro": "5050-1055",
        "PlusGiro": None, "BankAccount": None, "Iban": None,
        "AccountingLockedTo": format_date(date(today.year - 1, 6, 30)), "Gln": None,
        "ProductVariant": 1, "TypeOfBusiness": 1, "VatPeriod": 3,
        "ActivatedModules": ["Api", "CostCenters", "Projects"], "CompanyText": None,
        "NextCustomerNumber": 1001 + s.n_customers + 100 if company.key == "fjallbris" else 2001 + s.n_customers,
        "NextSupplierNumber": 1, "NextCustomerInvoiceNumber": 1, "NextQuoteNumber": 1,
        "ShowPricesExclVatPC": True,
    }, key="settings")


def _seed_customers(s: _Seeding) -> None:
    rng = s.rng
    used_names: set[str] = set()
    terms_days = [10, 15, 20, 30, 30, 30, 45]
    for i in range(s.n_customers):
        number = str(s.first_number + i)
        name = _company_name(rng, used_names)
        street = f"{rng.choice(data.STREETS)} {rng.randint(1, 120)}"
        postal, city = rng.choice(data.CITIES)
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        days = rng.choice(terms_days)
        org = org_number(f"55{rng.randint(1000000, 9999999)}")
        slug = name.lower().replace(" ", "").replace("å", "a").replace("ä", "a").replace("ö", "o")
        terms = s.store.get(s.tenant, "termsofpayments", s.terms_ids[days])
        s.put("customers", {
            "Id": s.id("customer", number), "CustomerNumber": number,
            "CorporateIdentityNumber": org, "ContactPersonEmail": f"{first.lower()}@{slug}.example",
            "ContactPersonMobile": None, "ContactPersonName": f"{first} {last}",
            "ContactPersonPhone": f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "CurrencyCode": "EUR" if i % 25 == 24 else "SEK", "EmailAddress": f"faktura@{slug}.example",
            "InvoiceAddress1": street, "InvoiceAddress2": None, "InvoiceCity": city,
            "InvoiceCountryCode": "SE", "InvoicePostalCode": postal, "Name": name,
            "Telephone": f"0{rng.randint(8, 99)}-{rng.randint(100000, 999999)}",
            "TermsOfPaymentId": s.terms_ids[days], "TermsOfPayment": terms,
            "PayToAccountId": pay_to_account_id(s.tenant),
            "VatNumber": "SE" + org.replace("-", "") + "01", "WwwAddress": f"https://www.{slug}.example",
            "IsPrivatePerson": False, "IsActive": i % 17 != 5, "EmailAddresses": [],
            "CustomerLabels": [], "ReverseChargeOnConstructionServices": False,
            "ChangedUtc": s.stamps.next(),
        })


def _articles(s: _Seeding) -> list[tuple[str, str, str, str, Decimal]]:
    """Products, work types and travel-expense types: (number, name, coding, unit, net price)."""
    rng = s.rng
    articles: list[tuple[str, str, str, str, Decimal]] = []
    for i in range(s.n_products):
        base = data.PRODUCT_NAMES[i % len(data.PRODUCT_NAMES)]
        variant = data.PRODUCT_VARIANTS[(i // len(data.PRODUCT_NAMES)) % len(data.PRODUCT_VARIANTS)]
        name = f"{base} {variant} {i // 50 + 1}" if i >= 50 else f"{base} {variant}"
        price = Decimal(rng.randrange(5000, 500000, 500)) / 100
        coding = "goods25" if i % 3 else "svc25"
        articles.append((f"{s.first_number + i}", name, coding, "piece", price))
    for i in range(s.n_work):
        base = data.WORK_TYPES[i % len(data.WORK_TYPES)]
        level = data.WORK_LEVELS[(i // len(data.WORK_TYPES)) % len(data.WORK_LEVELS)]
        price = Decimal(rng.randrange(65000, 180000, 2500)) / 100
        articles.append((f"A{i + 1:02d}", f"{base} {level}", "svc25", "hour", price))
    for i in range(s.n_travel):
        name, unit_code, percent = data.TRAVEL_TYPES[i % len(data.TRAVEL_TYPES)]
        unit = {"km": "kilometre", "d": "day", "h": "hour", "st": "piece"}[unit_code]
        price = Decimal(rng.randrange(250, 120000, 50)) / 100
        articles.append((f"R{i + 1:02d}", name, f"svc{percent}", unit, price))
    return articles


def _seed_articles(s: _Seeding) -> None:
    for number, name, coding, unit, price in _articles(s):
        coding_record = s.store.get(s.tenant, "articleaccountcodings", s.coding_ids[coding])
        unit_record = s.store.get(s.tenant, "units", s.unit_ids[unit])
        assert coding_record and unit_record
        rate = Decimal(str(coding_record["VatRatePercent"]))
        s.put("articles", {
            "Id": s.id("article", number), "IsActive": not number.endswith("7"),
            "Number": number, "Name": name, "NameEnglish": None, "NetPrice": _money(price),
            "GrossPrice": _money(price * (1 + rate)), "CodingId": s.coding_ids[coding],
            "CodingName": coding_record["Name"], "UnitId": s.unit_ids[unit], "UnitName": unit_record["Name"],
            "UnitAbbreviation": unit_record["Abbreviation"], "StockBalance": 0.0,
            "StockBalanceReserved": 0.0, "StockBalanceAvailable": 0.0, "ChangedUtc": s.stamps.next(),
            "HouseWorkType": None, "PurchasePrice": None, "SendToWebshop": False, "ArticleLabels": [],
        })


def _seed_projects(s: _Seeding) -> None:
    """The cost centres "Projekt" and "Avdelning", and projects mirrored as items of "Projekt"."""
    projekt_id = s.id("costcenter", 1)
    avdelning_id = s.id("costcenter", 2)
    s.put("costcenters", {"Id": projekt_id, "Name": "Projekt", "Number": 1, "IsActive": True})
    s.put("costcenters", {"Id": avdelning_id, "Name": "Avdelning", "Number": 2, "IsActive": True})
    for short, name in data.DEPARTMENTS:
        s.put("costcenteritems", {
            "CostCenterId": avdelning_id, "Id": s.id("costcenteritem", 2, short),
            "Name": name, "ShortName": short, "IsActive": True,
        })
    customer_numbers = [str(s.first_number + i) for i in range(s.n_customers)]
    for i in range(s.n_projects):
        number = str(s.first_number + i)
        customer_number = s.rng.choice(customer_numbers)
        customer = s.store.get(s.tenant, "customers", s.id("customer", customer_number))
        assert customer
        word = data.PROJECT_WORDS[i % len(data.PROJECT_WORDS)]
        name = f"{word} {customer['Name']}"[:50]
        finished = i % 6 == 4
        start = date(s.today.year - 1, 1 + i % 12, 1)
        s.put("projects", {
            "Id": s.id("project", number), "Number": number, "Name": name,
            "StartDate": format_date(start),
            "EndDate": format_date(date(s.today.year - 1, 12, 31)) if finished else None,
            "CustomerId": customer["Id"], "CustomerName": customer["Name"], "Notes": None,
            "Status": 2 if finished else 1, "ModifiedUtc": s.stamps.next(),
        })
        s.put("costcenteritems", {
            "CostCenterId": projekt_id, "Id": s.id("costcenteritem", 1, number),
            "Name": name, "ShortName": number, "IsActive": not finished,
        })


def _vat_description(key: str) -> str | None:
    for vat_key, code, description, _rate, _related in data.VAT_CODES:
        if vat_key == key:
            return f"{code} {description}"
    return None


def _company_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = (
            f"{rng.choice(data.NAME_FIRST)}{rng.choice(data.NAME_SECOND)} "
            f"{rng.choice(data.NAME_TRADE)} AB"
        )
        if name not in used:
            used.add(name)
            return name
