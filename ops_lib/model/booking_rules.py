"""What each accounting system declares about booking: its defaults, limits and accepted receipts.

Neutral booking code reads these and names no system's accounts; each
system fills one :class:`SetupRules` (eAccounting: ``systems/eaccounting/chart.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class SetupRules:
    """A system's conventions for journal export.

    The accounts a setup leaves to the system (``account_defaults``, role ->
    account, e.g. the input VAT account) and the text of a rounding row,
    the card contra account's series, the voucher series' shape, how many
    dimensions an export may carry (the first ``dimension_limit`` in the
    system's order, and why fewer than the system has; None: all), text
    limits, and the receipt files the system accepts as attachments.
    """

    account_defaults: Mapping[str, str] = field(default_factory=dict)
    rounding_text: str = "Rounding"
    card_contra_prefix: str = ""
    voucher_series_pattern: str = r"^[A-Z]{1,3}$"
    dimension_limit: int | None = None
    dimension_limit_reason: str = ""
    voucher_text_max: int = 100
    row_text_max: int = 50
    receipt_types: Mapping[str, str] = field(default_factory=lambda: {
        ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"})
    receipt_max_bytes: int = 20 * 1024 * 1024
