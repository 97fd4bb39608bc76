"""Payload building: a number of days is a whole number of 0 or more, whatever text reaches it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ops_lib.systems.base import PlanBlocked
from ops_lib.systems.eaccounting.payloads import Lookups

LOOKUPS = Lookups({10: "terms-10", 30: "terms-30"}, "terms-30", {Decimal(25): "coding-25"}, {}, {})


def test_terms_of_payment_are_found_by_their_days() -> None:
    assert LOOKUPS.terms("30") == "terms-30" and LOOKUPS.terms(" 10 ") == "terms-10" and LOOKUPS.terms("") == "terms-30"


@pytest.mark.parametrize("days, problem", [("1_0", "is not a number"), ("3e1", "is not a number"),
                                           ("-30", "is negative"), ("30,5", "is not a whole number")])
def test_days_that_are_not_a_plain_whole_number_block_the_record(days: str, problem: str) -> None:
    with pytest.raises(PlanBlocked, match=f"terms of payment: '{days}' {problem}"):
        LOOKUPS.terms(days)
