"""eAccounting's voucher body: a row's dimension items land in the cost centre slot their dimension names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ops_lib.core.errors import ConfigurationError
from ops_lib.model.references import DimensionItem
from ops_lib.model.vouchers import VoucherDraft, VoucherLine
from ops_lib.systems.eaccounting.vouchers import cost_centre_field, voucher_payload

ITEM = DimensionItem("item-guid", "SALJ", "Sälj", True)


def draft(*dimensions: tuple[str, DimensionItem]) -> VoucherDraft:
    lines = (VoucherLine("5800", Decimal("10.00"), Decimal(0), "Taxi", dimensions=dimensions),
             VoucherLine("1941", Decimal(0), Decimal("10.00")))
    return VoucherDraft("expenses", ("E-1",), date(2026, 5, 4), "Card E-1", "E", lines)


def test_each_dimension_item_goes_in_its_cost_centre_slot_and_other_rows_carry_none() -> None:
    rows = voucher_payload(draft(("2", ITEM), ("1", ITEM)))["Rows"]
    assert rows[0]["CostCenterItemId1"] == rows[0]["CostCenterItemId2"] == "item-guid"
    assert "CostCenterItemId3" not in rows[0]
    assert not any(k.startswith("CostCenterItemId") for k in rows[1])


@pytest.mark.parametrize("dimension_id", ["0", "4", "D7", ""])
def test_a_dimension_that_is_not_a_cost_centre_is_refused(dimension_id: str) -> None:
    with pytest.raises(ConfigurationError, match="eAccounting has cost centres 1, 2, 3"):
        cost_centre_field(dimension_id)
