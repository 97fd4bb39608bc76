"""The demo world of the Visma.net sandbox: one Swedish company, the same on every start.

A BAS chart with the accounts Swedish booking rules name (wallet 1941,
input VAT 2641, reverse-charge 2614/2645, 4531/4535, representation
6072, foreign VAT 6998, exchange 3960/7960, rounding 3740, out of pocket
2829), Swedish VAT codes in categories and zones, one ``SUBACCOUNT``
dimension with a validated department segment and a free project
segment, vendors, customers, inventory items, two branches (one without a
default posting ledger, for the "'Ledger' cannot be empty" case), and the
financial periods of last year (closed) and this year (open).

Everything is derived from ``today`` alone, so two sandboxes started on
the same day hold the same world.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ops_lib.sandbox.store import Store
from ops_lib.sandbox.vismanet.config import COMPANY_ORG_NUMBER

SEEDED = "vismanet_seeded_for"

# (number, description, type, tax category or "")
ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("1510", "Kundfordringar", "Asset", ""),
    ("1910", "Kassa", "Asset", ""),
    ("1930", "Företagskonto", "Asset", ""),
    ("1941", "Pleo-konto (wallet)", "Asset", ""),
    ("2440", "Leverantörsskulder", "Liability", ""),
    ("2611", "Utgående moms 25 %", "Liability", ""),
    ("2614", "Utgående moms omvänd skattskyld", "Liability", ""),
    ("2621", "Utgående moms 12 %", "Liability", ""),
    ("2631", "Utgående moms 6 %", "Liability", ""),
    ("2641", "Debiterad ingående moms", "Liability", ""),
    ("2645", "Beräknad ingående moms förvärv", "Liability", ""),
    ("2829", "Övr kortfr skulder anställda", "Liability", ""),
    ("3001", "Försäljning 25 %", "Income", "SALES"),
    ("3740", "Öres- och kronutjämning", "Income", ""),
    ("3960", "Valutakursvinster", "Income", ""),
    ("4010", "Inköp material och varor", "Expense", "PURCH"),
    ("4531", "Import tjänster utanför EU", "Expense", "REVERSE"),
    ("4535", "Inköp tjänster annat EU-land", "Expense", "REVERSE"),
    ("5410", "Förbrukningsinventarier", "Expense", "PURCH"),
    ("5611", "Drivmedel för personbilar", "Expense", "PURCH"),
    ("5800", "Resekostnader", "Expense", "PURCH"),
    ("5810", "Biljetter", "Expense", "PURCH"),
    ("5831", "Kost och logi i Sverige", "Expense", "PURCH"),
    ("5832", "Kost och logi i utlandet", "Expense", "EXEMPT"),
    ("6071", "Representation avdragsgill", "Expense", "PURCH"),
    ("6072", "Representation ej avdragsgill", "Expense", "PURCH"),
    ("6110", "Kontorsmateriel", "Expense", "PURCH"),
    ("6212", "Mobiltelefon", "Expense", "PURCH"),
    ("6540", "IT-tjänster", "Expense", "PURCH"),
    ("6570", "Bankkostnader", "Expense", "EXEMPT"),
    ("6998", "Utländsk moms", "Expense", "EXEMPT"),
    ("7690", "Övriga personalkostnader", "Expense", "PURCH"),
    ("7960", "Valutakursförluster", "Expense", ""),
    ("8999", "Inaktivt konto", "Expense", ""),
)
INACTIVE_ACCOUNTS = frozenset({"8999"})
CASH_ACCOUNTS = frozenset({"1910", "1930", "1941"})

# vatId -> (description, type, rate, deductible, reverse, account)
VAT_CODES: dict[str, tuple[str, str, str, bool, bool, str]] = {
    "01": ("Utgående moms 25 %", "Sales", "25", False, False, "2611"),
    "02": ("Utgående moms 12 %", "Sales", "12", False, False, "2621"),
    "03": ("Utgående moms 6 %", "Sales", "6", False, False, "2631"),
    "10": ("Ingående moms 25 %", "Vat", "25", True, False, "2641"),
    "11": ("Ingående moms 12 %", "Vat", "12", True, False, "2641"),
    "12": ("Ingående moms 6 %", "Vat", "6", True, False, "2641"),
    "20": ("Omvänd skattskyldighet tjänster EU 25 %", "ReverseVat", "25", True, True, "2645"),
    "21": ("Omvänd skattskyldighet tjänster utanför EU 25 %", "ReverseVat", "25", True, True, "2645"),
    "00": ("Momsfritt", "ExemptVat", "0", False, False, ""),
}
# vatCategoryId -> (description, vatIds)
VAT_CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "SALES": ("Försäljning", ("01", "02", "03", "00")),
    "PURCH": ("Inköp, avdragsgill moms", ("10", "11", "12", "00")),
    "REVERSE": ("Inköp, omvänd skattskyldighet", ("20", "21")),
    "EXEMPT": ("Momsfritt", ("00",)),
}
# vatZoneId -> (description, default category, vatIds the zone applies)
VAT_ZONES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "SE": ("Sverige", "PURCH", ("01", "02", "03", "10", "11", "12", "00")),
    "EU": ("EU-land", "REVERSE", ("20", "00")),
    "NONEU": ("Utanför EU", "REVERSE", ("21", "00")),
}

# segmentId -> (description, length, validate, values {valueId: description})
SUBACCOUNT_SEGMENTS: dict[int, tuple[str, int, bool, dict[str, str]]] = {
    1: ("Avdelning", 2, True, {"00": "Ingen avdelning", "10": "Sälj", "20": "Utveckling", "30": "Administration"}),
    2: ("Projekt", 4, False, {"0000": "Inget projekt", "P100": "Lansering", "P200": "Mässa"}),
}
SUBACCOUNTS: tuple[tuple[str, str], ...] = (("00-0000", "Standard"), ("10-0000", "Sälj"),
                                            ("20-0000", "Utveckling"), ("10-P100", "Sälj, Lansering"))

# number -> (name, vat zone, payment method, cash account)
SUPPLIERS: dict[str, tuple[str, str, str, str]] = {
    "10001": ("Kontorsvaruhuset AB", "SE", "MANUAL", "1930"),
    "10002": ("Telia Sverige AB", "SE", "BG", "1930"),
    "10003": ("Adobe Systems Software Ireland Ltd", "EU", "PLEO", "1941"),
    "10004": ("Amazon Web Services Inc", "NONEU", "PLEO", "1941"),
    "10005": ("Pleo standardleverantör", "SE", "PLEO", "1941"),
}
CUSTOMERS: dict[str, str] = {"20001": "Nordkund AB", "20002": "Sydkund Handel AB", "20003": "Fjällbolaget AB"}
# inventoryNumber -> (description, type, vat category)
INVENTORY: dict[str, tuple[str, str, str]] = {
    "KONSULT": ("Konsulttimme", "ServiceItem", "SALES"),
    "LICENS": ("Programlicens", "NonStockItem", "SALES"),
    "RESA": ("Vidarefakturerad resa", "ExpenseItem", "PURCH"),
}
# paymentMethodID -> (description, means)
PAYMENT_METHODS: dict[str, tuple[str, str]] = {
    "MANUAL": ("Manuell betalning", "CashOrCheck"),
    "BG": ("Bankgiro", "DirectDeposit"),
    "PLEO": ("Betalt med Pleo-kort", "CreditCard"),
}
BRANCHES: dict[str, tuple[str, str | None]] = {"1": ("Demo Sverige AB", "1"), "2": ("Demo Sverige AB Göteborg", None)}
LEDGERS: dict[str, tuple[str, str]] = {"1": ("Huvudbok", "Actual"), "BUDGET": ("Budget", "Budget")}
NUMBERING = {"customer": "manual", "supplier": "auto", "inventory": "manual"}


def _stamp(today: date) -> str:
    return f"{today.year - 1}-12-01T08:00:00.000Z"


def _periods(today: date, stamp: str) -> list[dict[str, Any]]:
    periods = []
    for year in (today.year - 1, today.year):
        for month in range(1, 13):
            end = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
            closed = year < today.year
            periods.append({
                "year": year, "period": f"{year}{month:02d}", "startDate": f"{year}-{month:02d}-01T00:00:00Z",
                "endDate": f"{date.fromordinal(end).isoformat()}T00:00:00Z", "description": f"{year}-{month:02d}",
                "active": True, "closedInSupplierLedger": closed, "closedInCustomerLedger": closed,
                "closedInInventoryManagement": closed, "closedInGeneralLedger": closed,
                "closedInCashManagement": closed, "closedInFixedAssets": closed, "lastModifiedDateTime": stamp,
            })
    return periods


def _put_all(store: Store, tenant: str, kind: str, records: list[dict[str, Any]], key: str) -> None:
    for record in records:
        store.put(tenant, kind, str(record[key]), record)


def seed_world(store: Store, tenant: str, today: date) -> None:
    """Write the demo company into ``store`` under ``tenant``; a seeded store is left as it is."""
    if store.get_meta(SEEDED) is not None:
        return
    stamp = _stamp(today)
    with store.transaction():
        _put_all(store, tenant, "account", [{
            "accountID": i + 1, "accountCD": number, "accountClass": type_.upper(), "type": type_,
            "active": number not in INACTIVE_ACCOUNTS, "description": text, "useDefaultSub": False,
            "postOption": "Summary", "currency": "SEK", "taxCategory": category,
            "cashAccount": number in CASH_ACCOUNTS, "allowManualEntry": True, "lastModifiedDateTime": stamp,
        } for i, (number, text, type_, category) in enumerate(ACCOUNTS)], "accountCD")
        _put_all(store, tenant, "vat", [{
            "vatId": vat_id, "description": text, "type": type_, "rate": rate, "deductibleVat": deductible,
            "reverseVat": reverse, "account": account, "lastModifiedDateTime": stamp,
        } for vat_id, (text, type_, rate, deductible, reverse, account) in VAT_CODES.items()], "vatId")
        _put_all(store, tenant, "vatCategory", [
            {"vatCategoryId": cid, "description": text, "vatIds": list(ids), "lastModifiedDateTime": stamp}
            for cid, (text, ids) in VAT_CATEGORIES.items()], "vatCategoryId")
        _put_all(store, tenant, "vatZone", [
            {"id": zid, "description": text, "defaultVatCategory": cat, "vatIds": list(ids)}
            for zid, (text, cat, ids) in VAT_ZONES.items()], "id")
        _seed_dimension(store, tenant, stamp)
        _seed_partners(store, tenant, stamp)
        _put_all(store, tenant, "financialPeriod", _periods(today, stamp), "period")
        _put_all(store, tenant, "branch", [
            {"branchId": i + 1, "number": n, "name": name, "ledger": ledger, "isMainBranch": i == 0,
             **({"corporateId": COMPANY_ORG_NUMBER} if i == 0 else {}),  # the company's organisation number
             "lastModifiedDateTime": stamp} for i, (n, (name, ledger)) in enumerate(BRANCHES.items())], "number")
        _put_all(store, tenant, "ledger", [
            {"internalId": i + 1, "number": n, "description": text, "balanceType": kind, "currencyId": "SEK",
             "lastModifiedDateTime": stamp} for i, (n, (text, kind)) in enumerate(LEDGERS.items())], "number")
        _put_all(store, tenant, "paymentMethod", [
            {"paymentMethodID": pid, "description": text, "meansOfPayment": means, "active": True, "useInAP": True}
            for pid, (text, means) in PAYMENT_METHODS.items()], "paymentMethodID")
        _put_all(store, tenant, "cashAccount", [
            {"number": n, "description": text, "currency": "SEK", "lastModifiedDateTime": stamp}
            for n, text, _, _ in ACCOUNTS if n in CASH_ACCOUNTS], "number")
        store.put(tenant, "settings", "numbering", dict(NUMBERING))
        store.put(tenant, "settings", "gl", {"holdOnEntry": False, "postOnRelease": True,
                                             "allowPostingToClosedPeriods": False})
        store.set_meta(SEEDED, today.isoformat())


def _seed_dimension(store: Store, tenant: str, stamp: str) -> None:
    segments = [{"segmentId": sid, "description": text, "length": length, "validate": validate,
                 "values": [{"valueId": v, "description": d, "active": True} for v, d in values.items()]}
                for sid, (text, length, validate, values) in SUBACCOUNT_SEGMENTS.items()]
    store.put(tenant, "dimension", "SUBACCOUNT", {"id": "SUBACCOUNT", "description": "Subaccount",
                                                  "segments": segments, "lastModified": stamp})
    _put_all(store, tenant, "subaccount", [
        {"subaccountId": i + 1, "subaccountNumber": number, "description": text, "active": True,
         "lastModifiedDateTime": stamp} for i, (number, text) in enumerate(SUBACCOUNTS)], "subaccountNumber")


def _seed_partners(store: Store, tenant: str, stamp: str) -> None:
    _put_all(store, tenant, "supplier", [
        {"internalId": i + 1, "number": n, "name": name, "status": "Active", "vatZone": zone,
         "paymentMethod": method, "cashAccount": cash, "currencyId": "SEK", "lastModifiedDateTime": stamp}
        for i, (n, (name, zone, method, cash)) in enumerate(SUPPLIERS.items())], "number")
    _put_all(store, tenant, "customer", [
        {"internalId": i + 1, "number": n, "name": name, "status": "Active", "vatZone": "SE", "currencyId": "SEK",
         "lastModifiedDateTime": stamp, "createdDateTime": stamp}
        for i, (n, name) in enumerate(CUSTOMERS.items())], "number")
    _put_all(store, tenant, "inventory", [
        {"inventoryId": i + 1, "inventoryNumber": n, "description": text, "type": type_, "status": "Active",
         "vatCategory": cat, "baseUnit": "ST", "lastModifiedDateTime": stamp}
        for i, (n, (text, type_, cat)) in enumerate(INVENTORY.items())], "inventoryNumber")
