"""What each accounting system declares about booking: its defaults, limits and accepted receipts.

Neutral booking code reads these and names no system's accounts; each
system fills one :class:`SetupRules` (eAccounting: ``systems/eaccounting/chart.py``).
VAT rules and the accounts they book to belong to the country the
system's companies keep books in (:mod:`ops_lib.model.country_rules`),
so a system names its ``country`` and only says where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ops_lib.model.country_rules import CountryRules, country_rules


@dataclass(frozen=True)
class SetupRules:
    """A system's conventions for journal export.

    The country whose booking rules apply, the accounts a setup leaves to
    the system beyond the country's (``account_defaults``, role -> account) and the text of a rounding row,
    the card contra account's series, the voucher series' shape, how many
    dimensions an export may carry (the first ``dimension_limit`` in the
    system's order, and why fewer than the system has; None: all), text
    limits, and the receipt files the system accepts as attachments.
    """

    country: str = ""  # ISO code of the country whose booking rules apply ("": none, domestic VAT codes only)
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

    @property
    def country_rules(self) -> CountryRules | None:
        return country_rules(self.country) if self.country else None

    @property
    def booking_defaults(self) -> Mapping[str, str]:
        """Role -> account an ``accounts.yaml`` may leave out: the country's, then the system's own."""
        country = self.country_rules
        return {**(country.accounts if country else {}), **self.account_defaults}
