"""Booking rules an accountant signs off, one worked example each, with the amounts checked by hand.

The company is the sandbox's Swedish demo company (its BAS chart and VAT
codes, read from the seed data), booking with the committed mapping
tables; each example books one expense and compares every row of its
voucher to the öre.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ops_lib.booking.builder import build_expense_vouchers
from ops_lib.booking.mappings import CategoryMapping, MappingTables
from ops_lib.booking.payroll import build_payroll_vouchers
from ops_lib.model.chart import ChartAccount
from ops_lib.model.country_rules import country_rules
from ops_lib.model.references import FiscalYearChart, References, VatCodeRef
from ops_lib.model.vouchers import VoucherDraft
from ops_lib.sandbox import seed_data
from ops_lib.sources.journals import CARD, OUT_OF_POCKET, Expense, ExpenseLine, PayrollRow
from ops_lib.systems.eaccounting.chart import SETUP_RULES

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
DAY = date(2026, 6, 15)
TODAY = date(2026, 6, 30)


def _references() -> References:
    accounts = {n: ChartAccount(n, name, True) for n, name, *_ in seed_data.ACCOUNTS}
    codes = {code: VatCodeRef(key, code, description, D(rate), tuple(str(a) for a in related if a))
             for key, code, description, rate, related in seed_data.VAT_CODES}
    year = FiscalYearChart(date(2026, 1, 1), date(2026, 12, 31), False, accounts)
    return References("Fjällbris Konsult AB", "SEK", (year,), codes, (), {})


REFS = _references()
TABLES = MappingTables.read(ROOT / "params" / "mappings")


def expense(category: str, amount: str, vat: str | None = None, *, currency: str = "SEK", rate: str | None = None,
            charged: str | None = None, seller: str = "", attendees: int | None = None, day: date = DAY,
            kind: str = CARD) -> Expense:
    line = ExpenseLine(2, D(amount), None if vat is None else D(vat), "", category, (),
                       None if charged is None else D(charged), "", attendees)
    return Expense("X-1", day, kind, currency, None if rate is None else D(rate), "", None, "", (line,),
                   Path("expenses.csv"), seller)


def book(item: Expense, tables: MappingTables = TABLES) -> VoucherDraft:
    (draft,) = build_expense_vouchers([item], tables, REFS, SETUP_RULES, today=TODAY)
    return draft


def rows(draft: VoucherDraft) -> list[tuple[str, Decimal, Decimal]]:
    assert not draft.blocked, draft.blocked
    assert draft.balanced
    return [(line.account, line.debit, line.credit) for line in draft.lines]


# -- foreign VAT ---------------------------------------------------------------------------------------------


def test_foreign_vat_is_booked_in_the_cost_not_as_swedish_input_vat() -> None:
    """A German hotel: 107.00 EUR with 7.00 EUR German VAT (7 %), at 11.5000 SEK/EUR.

    Gross 107.00 * 11.50 = 1230.50 SEK; the VAT 7.00 * 11.50 = 80.50 on 6998
    (Utländsk moms, a cost); the rest, 1150.00, on 5832 (Kost och logi i
    utlandet). Nothing on 2641: foreign VAT is not in the Swedish return.
    """
    draft = book(expense("Hotel abroad", "107.00", "7.00", currency="EUR", rate="11.5000", seller="DE"))
    assert rows(draft) == [("5832", D("1150.00"), 0), ("6998", D("80.50"), 0), ("1941", 0, D("1230.50"))]
    assert all(line.vat_code is None for line in draft.lines)


def test_foreign_vat_without_an_amount_stays_in_the_cost_and_a_refund_claim_books_it_as_a_receivable() -> None:
    """A restaurant in Munich, 59.50 EUR at 11.0000 = 654.50 SEK, its 19 % VAT not exported: all of it is cost.

    With the VAT known (9.50 EUR = 104.50 SEK) and foreign_vat_account set to
    1680 (Andra kortfristiga fordringar), because the company claims the VAT
    back through the EU refund procedure, the 104.50 is a receivable instead.
    """
    assert rows(book(expense("Meals abroad", "59.50", currency="EUR", rate="11.0000", seller="DE"))) == [
        ("5832", D("654.50"), 0), ("1941", 0, D("654.50"))]
    refund = replace(TABLES, setup=replace(TABLES.setup, foreign_vat_account="1680"))
    assert rows(book(expense("Meals abroad", "59.50", "9.50", currency="EUR", rate="11.0000", seller="DE"),
                     refund)) == [("5832", D("550.00"), 0), ("1680", D("104.50"), 0), ("1941", 0, D("654.50"))]


# -- reverse charge --------------------------------------------------------------------------------------------


def test_reverse_charge_on_a_service_from_another_eu_country() -> None:
    """Cloud hosting from Ireland, 120.00 EUR without VAT, at 11.0000 = 1320.00 SEK on 4535.

    The buyer calculates 25 %: 1320.00 * 0.25 = 330.00, as deductible input
    VAT on 2645 and as output VAT on 2614 (return boxes 48 and 30); the
    purchase is reported in box 21 through the row's VAT code.
    """
    draft = book(expense("Cloud hosting (EU)", "120.00", currency="EUR", rate="11.0000", seller="IE"))
    assert rows(draft) == [("4535", D("1320.00"), 0), ("2645", D("330.00"), 0), ("2614", 0, D("330.00")),
                           ("1941", 0, D("1320.00"))]
    assert draft.lines[0].vat_code is not None and draft.lines[0].vat_code.code == "21"


def test_reverse_charge_on_a_service_from_outside_the_eu() -> None:
    """A US design service, 99.00 USD at 10.5000 = 1039.50 SEK on 4531 (box 22).

    25 % of 1039.50 is 259.875, rounded half up to 259.88, on 2645 and 2614.
    """
    draft = book(expense("Software (non-EU)", "99.00", currency="USD", rate="10.5000", seller="US"))
    assert rows(draft) == [("4531", D("1039.50"), 0), ("2645", D("259.88"), 0), ("2614", 0, D("259.88")),
                           ("1941", 0, D("1039.50"))]
    assert draft.lines[0].vat_code is not None and draft.lines[0].vat_code.code == "22"


@pytest.mark.parametrize("item, problem", [
    (expense("Cloud hosting (EU)", "120.00", "20.00", currency="EUR", rate="11.0000", seller="IE"),
     "the seller charged 220.00 VAT, so this is not a reverse-charge purchase"),
    (expense("Software (non-EU)", "99.00", currency="EUR", rate="11.0000", seller="DE"),
     "the seller is in DE, inside the EU, but the category's treatment is reverse_charge_non_eu"),
    (expense("Cloud hosting (EU)", "1000.00", seller="SE"), "the seller is in SE, but the category's treatment"),
    (expense("Software", "100.00", currency="EUR", rate="11.0000"),
     "the expense is in EUR and its category books SE VAT"),
    (expense("Hotel", "1120.00", seller="NO"), "the seller is in NO, but the category books SE VAT"),
])
def test_a_seller_that_contradicts_the_category_is_blocked_not_guessed(item: Expense, problem: str) -> None:
    draft = book(item)
    assert draft.blocked and problem in draft.blocked and draft.stage in ("data", "mapping"), draft.blocked
    assert draft.lines == ()


# -- reduced rates ---------------------------------------------------------------------------------------------


def test_input_vat_at_12_and_6_percent_when_the_export_has_no_vat_amount() -> None:
    """Without a VAT amount the category's rate on the date applies, not 25 %.

    Hotel (12 %): 1344.00 * 0.12 / 1.12 = 144.00, net 1200.00, VAT code 48-12.
    Taxi (6 %): 318.00 * 0.06 / 1.06 = 18.00, net 300.00, VAT code 48-6.
    """
    hotel = book(expense("Hotel", "1344.00"))
    assert rows(hotel) == [("5831", D("1200.00"), 0), ("2641", D("144.00"), 0), ("1941", 0, D("1344.00"))]
    taxi = book(expense("Taxi", "318.00"))
    assert rows(taxi) == [("5800", D("300.00"), 0), ("2641", D("18.00"), 0), ("1941", 0, D("318.00"))]
    assert [d.lines[0].vat_code.code for d in (hotel, taxi) if d.lines[0].vat_code] == ["48-12", "48-6"]


def test_food_vat_follows_its_dates_12_then_6_then_12_percent() -> None:
    """Food: 112.00 on 31 March 2026 is 12 % (12.00); 106.00 on 1 April 2026 is 6 % (6.00); 2028 is 12 % again."""
    march = book(expense("Food", "112.00", day=date(2026, 3, 31)))
    april = book(expense("Food", "106.00", day=date(2026, 4, 1)))
    assert rows(march) == [("7690", D("100.00"), 0), ("2641", D("12.00"), 0), ("1941", 0, D("112.00"))]
    assert rows(april) == [("7690", D("100.00"), 0), ("2641", D("6.00"), 0), ("1941", 0, D("106.00"))]
    sweden = country_rules("SE")
    assert [sweden.rate("food", d) for d in (date(2027, 12, 31), date(2028, 1, 1))] == [D("0.06"), D("0.12")]
    assert sweden.rate("restaurant", date(2026, 4, 1)) == D("0.12")


def test_finnish_rates_change_on_their_dates() -> None:
    """Finland: 24 % -> 25.5 % on 2024-09-01; hotels 10 % -> 14 % on 2025-01-01; 14 % -> 13.5 % on 2026-01-01."""
    finland = country_rules("FI")
    assert [finland.rate("standard", d) for d in (date(2024, 8, 31), date(2024, 9, 1))] == [D("0.24"), D("0.255")]
    assert [finland.rate("hotel", d) for d in (date(2024, 12, 31), date(2025, 1, 1), date(2026, 1, 1))] == [
        D("0.10"), D("0.14"), D("0.135")]
    assert [finland.rate("food", d) for d in (date(2025, 12, 31), date(2026, 1, 1))] == [D("0.14"), D("0.135")]
    assert finland.representation_vat_base_per_attendee == 0


# -- representation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount, vat, attendees, expected", [
    # 1 attendee, under the cap: 300.00 before VAT <= 1 * 300, all 36.00 deducted; 300.00 on 6072.
    ("336.00", "36.00", 1, [("6072", D("300.00"), 0), ("2641", D("36.00"), 0), ("1941", 0, D("336.00"))]),
    # 1 attendee, over: 500.00 before VAT > 300; deductible 300 * 12 % = 36.00; 24.00 VAT stays in the cost: 524.00.
    ("560.00", "60.00", 1, [("6072", D("524.00"), 0), ("2641", D("36.00"), 0), ("1941", 0, D("560.00"))]),
    # 4 attendees, under: 1000.00 <= 4 * 300 = 1200, all 120.00 deducted; 1000.00 on 6072.
    ("1120.00", "120.00", 4, [("6072", D("1000.00"), 0), ("2641", D("120.00"), 0), ("1941", 0, D("1120.00"))]),
    # 4 attendees, over: 2000.00 > 1200; deductible 1200 * 12 % = 144.00; cost 2000.00 + 96.00 = 2096.00.
    ("2240.00", "240.00", 4, [("6072", D("2096.00"), 0), ("2641", D("144.00"), 0), ("1941", 0, D("2240.00"))]),
])
def test_representation_deducts_vat_only_up_to_300_sek_per_attendee(amount: str, vat: str, attendees: int,
                                                                    expected: list[tuple[str, Decimal, Decimal]]
                                                                    ) -> None:
    draft = book(expense("Representation", amount, vat, attendees=attendees))
    assert rows(draft) == expected
    assert f"({attendees} attendee" in draft.lines[0].text


def test_representation_without_attendees_is_blocked_and_without_a_vat_amount_uses_the_restaurant_rate() -> None:
    """No attendee count: blocked. No VAT amount: 12 % of 672.00 is 72.00, 600.00 before VAT = 2 * 300: all deducted."""
    draft = book(expense("Representation", "336.00", "36.00"))
    assert draft.blocked and "needs its number of attendees" in draft.blocked and "attendees column" in draft.fix
    assert rows(book(expense("Representation", "672.00", attendees=2, kind=OUT_OF_POCKET))) == [
        ("6072", D("600.00"), 0), ("2641", D("72.00"), 0), ("2829", 0, D("672.00"))]


# -- exchange differences, dates ----------------------------------------------------------------------------------


def test_a_card_charge_that_differs_from_amount_times_rate_books_the_difference() -> None:
    """Loss: 100.00 EUR * 11.4350 = 1143.50 booked; the card was charged 1150.20; 6.70 debit on 7960.

    Gain: 49.00 USD * 10.2000 = 499.80 booked, 124.95 reverse-charge VAT; the
    card was charged 496.30; 3.50 credit on 3960.
    """
    loss = book(expense("Cloud hosting (EU)", "100.00", currency="EUR", rate="11.4350", charged="1150.20",
                        seller="IE"))
    assert rows(loss) == [("4535", D("1143.50"), 0), ("2645", D("285.88"), 0), ("2614", 0, D("285.88")),
                          ("7960", D("6.70"), 0), ("1941", 0, D("1150.20"))]
    assert loss.source_total == loss.booked_total == D("1150.20")
    gain = book(expense("Software (non-EU)", "49.00", currency="USD", rate="10.2000", charged="496.30", seller="US"))
    assert rows(gain) == [("4531", D("499.80"), 0), ("2645", D("124.95"), 0), ("2614", 0, D("124.95")),
                          ("3960", 0, D("3.50")), ("1941", 0, D("496.30"))]


def test_an_expense_dated_after_today_is_refused() -> None:
    draft = book(expense("Taxi", "318.00", day=date(2026, 7, 1)))
    assert draft.blocked == "dated 2026-07-01, after today (2026-06-30)" and draft.stage == "data"
    assert "correct the expense's date" in draft.fix
    assert not book(expense("Taxi", "318.00", day=TODAY)).blocked


# -- payroll texts ------------------------------------------------------------------------------------------------


def test_payroll_row_texts_carry_no_name_unless_the_setup_asks_for_it() -> None:
    journal = [PayrollRow(2, "7210", D("30000"), D(0), "", "", "Salary", "2026-06", None, "Anna Berg"),
               PayrollRow(3, "2820", D(0), D("30000"), "", "", "Net pay", "2026-06", None, "Anna Berg")]
    (plain,) = build_payroll_vouchers(journal, TABLES, REFS, SETUP_RULES)
    assert [line.text for line in plain.lines] == ["Salary", "Net pay"]
    named = replace(TABLES, setup=replace(TABLES.setup, payroll_names_in_text=True))
    (with_names,) = build_payroll_vouchers(journal, named, REFS, SETUP_RULES)
    assert [line.text for line in with_names.lines] == ["Salary Anna Berg", "Net pay Anna Berg"]


def test_a_system_without_a_country_books_domestic_codes_only_and_asks_for_a_missing_rule_account() -> None:
    """No country: no rate classes or treatments beyond domestic VAT codes, and no default exchange accounts."""
    bare = replace(SETUP_RULES, country="")
    tables = TABLES.with_rows(categories=[CategoryMapping("Software", "6540", "48"),
                                          CategoryMapping("Hotel abroad", "5832", "", "foreign")])
    (loss,) = build_expense_vouchers([expense("Software", "100.00", currency="EUR", rate="11.0000",
                                              charged="1105.00", seller="DE")], tables, REFS, bare, today=TODAY)
    assert "no account is set for exchange_loss_account" in loss.blocked and "accounts.yaml" in loss.fix
    (abroad,) = build_expense_vouchers([expense("Hotel abroad", "100.00")], tables, REFS, bare, today=TODAY)
    assert "the system names no country" in abroad.blocked
    (plain,) = build_expense_vouchers([expense("Software", "125.00")], tables, REFS, bare, today=TODAY)
    assert rows(plain) == [("6540", D("100.00"), 0), ("2641", D("25.00"), 0), ("1941", 0, D("125.00"))]


def test_a_bookings_system_options_reach_its_voucher_poster_and_eaccountings_takes_none() -> None:
    from ops_lib.booking.settings import booking_settings

    assert booking_settings().poster_options() == {}
    options = booking_settings(system="vismanet", system_options={"export_as": "supplier_invoice",
                                                                  "auto_release": True}).poster_options()
    assert options["export_as"] == "supplier_invoice" and options["auto_release"] is True
