"""Money from text: the plain numbers a person types are read exactly; anything else is refused; one rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ops_lib.core.money import money_text, round_money, to_decimal


@pytest.mark.parametrize("text, value", [
    ("2580,50", "2580.50"), ("2580.50", "2580.50"), ("2 580,50", "2580.50"), ("1\u00a0234\u00a0567.5", "1234567.5"),
    ("-12,5", "-12.5"), ("+5", "5"), ("0,5", "0.5"), (" 12 ", "12"), ("100.004", "100.004"),
])
def test_plain_numbers_with_a_decimal_comma_or_point_are_read_exactly(text: str, value: str) -> None:
    assert to_decimal(text) == Decimal(value) and str(to_decimal(text)) == value


@pytest.mark.parametrize("text", [
    "3e1", "1E2", "1e-2", "1_0", "1_000,00",  # Python's Decimal() reads these; nobody types them as amounts
    "\u0663\u0660", "\uff13\uff10",  # Arabic-Indic and full-width digits
    "NaN", "Infinity", "1,234.50", "1.234,50",  # not finite; both separators (no grouping by , or .)
    "12 50", "1 2 3", "1234 567",  # spaces only between groups of three
    "", "-", "--5", "5-", "0x10", "1.2.3",
])
def test_anything_but_a_plain_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a number"):
        to_decimal(text)


def test_decimals_and_integers_pass_through_but_floats_and_booleans_do_not() -> None:
    assert to_decimal(Decimal("1E+1")) == 10 and to_decimal(30) == Decimal(30)
    with pytest.raises(TypeError):
        to_decimal(0.1)
    with pytest.raises(TypeError):
        to_decimal(True)


@pytest.mark.parametrize("amount, rounded", [
    ("0.005", "0.01"), ("-0.005", "-0.01"), ("0.125", "0.13"), ("2.675", "2.68"), ("0.0049", "0.00"),
    ("100.004", "100.00"), ("200.008", "200.01"), ("424.528", "424.53"), ("12", "12.00"), ("-3.335", "-3.34"),
])
def test_money_rounds_half_away_from_zero_to_two_places(amount: str, rounded: str) -> None:
    """Half up, as a person rounds öre or cents by hand; symmetric, so a credit rounds as its debit."""
    assert str(round_money(Decimal(amount))) == rounded
    assert round_money(-Decimal(amount)) == -round_money(Decimal(amount))


def test_other_places_round_the_same_way_and_display_never_rounds() -> None:
    assert str(round_money(Decimal("1.0005"), places=3)) == "1.001"
    assert str(round_money(Decimal("12.5"), places=0)) == "13"
    assert money_text(Decimal("4795.5")) == "4795.50" and money_text(Decimal("0.125")) == "0.125"
