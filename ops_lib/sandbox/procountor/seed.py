"""The demo company every fresh Procountor sandbox starts with: deterministic, Finnish.

*Demo Suomi Oy* keeps its books in euros on a Finnish chart of accounts
(the numbering of the common Finnish *Liikekirjuri* layout Procountor's
default chart follows): a card-settlement contra account for Pleo card
spend, an out-of-pocket payable to employees, input and output VAT,
reverse-charge output VAT, exchange differences and representation. Its
fiscal years are calendar years: the one two years back is closed, last
year and this year are open, each with twelve monthly tracking periods.
Two dimensions (cost centres, projects) carry items, one of them
inactive (``status: "P"``), and the business-partner register holds
suppliers and a customer. Ids are fixed, so a demo's params stay valid
across restarts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ops_lib.sandbox.procountor.config import BUSINESS_ID, COMPANY_ID, COMPANY_NAME
from ops_lib.sandbox.store import Store

# (code, Finnish name, English translation, VAT rule: "zero" balance-sheet rows take 0 % only, "any" a rate in force)
CHART: tuple[tuple[str, str, str, str], ...] = (
    ("1700", "Myyntisaamiset", "Trade receivables", "zero"),
    ("1763", "Arvonlisäverosaamiset", "Input VAT receivable", "zero"),
    ("1910", "Pankkitili", "Bank account", "zero"),
    ("1940", "Pleo-korttien selvittelytili", "Pleo card settlement (card contra)", "zero"),
    ("2871", "Kulukorvausvelat henkilöstölle", "Out-of-pocket expenses payable to employees", "zero"),
    ("2880", "Ostovelat", "Trade payables", "zero"),
    ("2939", "Arvonlisäverovelka", "Output VAT payable", "zero"),
    ("2941", "Arvonlisäverovelka, käännetty verovelvollisuus", "Reverse-charge output VAT payable", "zero"),
    ("3000", "Myynti", "Sales", "any"),
    ("4000", "Ostot", "Purchases", "any"),
    ("4460", "Palveluostot EU", "Services purchased from the EU", "any"),
    ("7140", "Puhelin- ja tietoliikennekulut", "Telephone and data communication", "any"),
    ("7310", "Matkaliput", "Travel tickets", "any"),
    ("7330", "Majoituskulut", "Accommodation", "any"),
    ("7600", "Edustuskulut", "Representation (entertainment)", "any"),
    ("7680", "Ohjelmistot ja lisenssit", "Software and licences", "any"),
    ("7700", "Toimistotarvikkeet", "Office supplies", "any"),
    ("7790", "Pankkikulut", "Bank charges", "zero"),
    ("7890", "Muut liikekulut", "Other operating expenses", "any"),
    ("7891", "Pyöristyserot", "Rounding differences", "zero"),
    ("9460", "Kurssierot", "Exchange rate differences", "zero"),
)
ROUNDING_ACCOUNT = "7891"
INACTIVE_ACCOUNTS: tuple[tuple[str, str, str], ...] = (("7999", "Vanha kulutili (ei käytössä)", "Old expense account"),)

COST_CENTRES = 101
PROJECTS = 102
DIMENSIONS: tuple[tuple[int, str, tuple[tuple[int, str, str, str | None], ...]], ...] = (
    (COST_CENTRES, "Kustannuspaikka", ((1001, "HALLINTO", "Hallinto", None), (1002, "MYYNTI", "Myynti", None),
                                      (1003, "KEHITYS", "Tuotekehitys", None), (1004, "VANHA", "Lakkautettu", "P"))),
    (PROJECTS, "Projekti", ((2001, "P100", "Verkkokauppa", None), (2002, "P200", "Asiakasprojekti", None))),
)

# (id, type, name, country, business id or VAT number)
PARTNERS: tuple[tuple[int, str, str, str, str], ...] = (
    (5001, "SUPPLIER", "Finnair Oyj", "FINLAND", "0109862-8"),
    (5002, "SUPPLIER", "VR-Yhtymä Oyj", "FINLAND", "1003521-5"),
    (5003, "SUPPLIER", "Elisa Oyj", "FINLAND", "0116510-6"),
    (5004, "SUPPLIER", "Amazon Web Services EMEA SARL", "LUXEMBOURG", "LU26888617"),
    (6001, "CUSTOMER", "Asiakas Oy", "FINLAND", "2345678-9"),
)


def tenant() -> str:
    return str(COMPANY_ID)


def _accounts() -> list[dict[str, Any]]:
    rows = [{"ledgerAccountCode": code, "name": name, "active": True,
             "translations": [{"languageCode": "en", "translation": english}], "_vat": vat}
            for code, name, english, vat in CHART]
    rows += [{"ledgerAccountCode": code, "name": name, "active": False,
              "translations": [{"languageCode": "en", "translation": english}], "_vat": "any"}
             for code, name, english in INACTIVE_ACCOUNTS]
    return sorted(rows, key=lambda row: row["ledgerAccountCode"])


def _month_ends(year: int) -> list[tuple[date, date]]:
    ends = []
    for month in range(1, 13):
        last = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
        ends.append((date(year, month, 1), date.fromordinal(last)))
    return ends


def fiscal_years(today: date) -> list[dict[str, Any]]:
    """Calendar years: two back closed, last year and this year open, monthly tracking periods."""
    years = []
    for offset, year in enumerate(range(today.year - 2, today.year + 1)):
        is_open = offset > 0
        periods = [{"id": year * 100 + n, "startDate": first.isoformat(), "endDate": last.isoformat(),
                    "status": "OPEN" if is_open else "CLOSED", "modified": f"{year}-01-01T00:00:00"}
                   for n, (first, last) in enumerate(_month_ends(year), start=1)]
        years.append({"id": year, "startDate": f"{year}-01-01", "endDate": f"{year}-12-31", "isOpen": is_open,
                      "modified": f"{year}-01-01T00:00:00", "trackingPeriods": periods})
    return years


def _partner(pid: int, kind: str, name: str, country: str, identifier: str) -> dict[str, Any]:
    finnish = country == "FINLAND"
    return {"id": pid, "type": kind, "name": name, "version": "2024-01-01T00:00:00.000",
            "address": {"name": name, "country": country},
            "billingAddress": {"name": name, "country": country},
            "paymentInfo": {"paymentMethod": "BANK_TRANSFER", "currency": "EUR", "paymentTermDays": "14"},
            "invoicingInfo": {"identifier": identifier, "identifierType": "BUSINESS_ID" if finnish else "VAT_NUMBER",
                              "customerNumber": str(pid)},
            "registryInfo": {"active": True}}


def company() -> dict[str, Any]:
    return {"id": COMPANY_ID, "name": COMPANY_NAME, "companyCurrency": "EUR", "country": "FINLAND",
            "businessIdentifier": {"brnType": "FI", "code": BUSINESS_ID},
            "companyAddress": {"street": "Esimerkkikatu 1", "zip": "00100", "city": "Helsinki", "country": "FINLAND"},
            "operationType": "DEMONSTRATION", "productVersion": "FINANCIALS_PLUS", "inTradeRegister": True,
            "accountingCoaLanguages": ["fi", "en"], "currencyRateSearchDensity": "DAILY_EXCHANGE_RATE",
            "mva": False}


def seed_world(store: Store, today: date) -> None:
    """Seed the demo company unless the store holds it already (a resumed state file)."""
    if store.get_meta("procountor.seeded"):
        return
    key = tenant()
    with store.transaction():
        store.put(key, "company", "company", company())
        for account in _accounts():
            store.put(key, "account", account["ledgerAccountCode"], account)
        for dim_id, name, items in DIMENSIONS:
            store.put(key, "dimension", str(dim_id), {
                "id": dim_id, "name": name,
                "items": [{"id": iid, "codeName": code, "description": text, **({"status": status} if status else {})}
                          for iid, code, text, status in items]})
        for year in fiscal_years(today):
            store.put(key, "fiscalyear", str(year["id"]), year)
        for row in PARTNERS:
            store.put(key, "partner", str(row[0]), _partner(*row))
        store.put(key, "settings", "vat", {"unitPricesIncludeVatPurchase": True, "unitPricesIncludeVatSales": False})
        for name, start in (("receipt", 70000), ("invoice", 80000), ("attachment", 90000), ("partner", 7000),
                            ("item", 3000), ("transaction", 500000), ("receiptNumber", 0)):
            store.set_meta(f"procountor.seq.{name}", str(start))
        store.set_meta("procountor.seeded", today.isoformat())
