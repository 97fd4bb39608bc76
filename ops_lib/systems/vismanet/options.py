"""Visma.net's own options block: where tags live, and how expenses are booked.

The export options the Pleo guide lists are Visma.net's, so they are
declared here and carried by a job's settings as their ``system_options``
block: whether receipts are transferred, card expenses as purchase
(supplier) invoices, auto-release, and the payment method and cash
account of those invoices (so an invoice already paid by card is never
paid again in a payment run). Whether one journal transaction carries the
whole export or one expense is the neutral booking's grouping, not an
option here. Neutral code only passes the block on:
:meth:`VismaNetOptions.as_kwargs` to the register reader and writer,
:meth:`VismaNetOptions.poster_kwargs` to the voucher poster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ops_lib.core.options import choice, flag, option, settings_from, text

EXPORT_AS = ("journal", "supplier_invoice")


@dataclass(frozen=True)
class VismaNetOptions:
    """The options of Visma.net registers and bookings (the ``system_options`` of a job's settings)."""

    segment: str = option("Projekt", text, "the SUBACCOUNT segment (id or description) whose values are the tags")
    export_as: str = option("journal", choice(*EXPORT_AS),
                            "book expenses as journal transactions, or card expenses as supplier invoices")
    transfer_receipts: bool = option(True, flag, "attach the receipts to what is booked")
    auto_release: bool = option(False, flag, "release each journal transaction or supplier invoice once booked")
    payment_method: str = option("", text, "the payment method of card-expense supplier invoices "
                                           "(one no payment run picks up, so they are not paid twice)")
    cash_account: str = option("", text, "the cash account of card-expense supplier invoices (the card wallet)")
    supplier: str = option("", text, "the default supplier (vendor) number of card-expense supplier invoices")
    ledger: str = option("", text, "the ledger of journal transactions (empty: the branch's posting ledger)")
    branch: str = option("", text, "the branch of journal transactions (empty: the company's default)")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "VismaNetOptions":
        """Validate ``values``; raises ConfigurationError naming an unknown or bad option."""
        return settings_from(cls, values, "Visma.net system_options")

    def as_kwargs(self) -> dict[str, Any]:
        """The keywords of this system's register reader and writer."""
        return {"segment": self.segment}

    def poster_kwargs(self) -> dict[str, Any]:
        """The keywords of this system's voucher poster."""
        return {"export_as": self.export_as, "transfer_receipts": self.transfer_receipts,
                "auto_release": self.auto_release, "payment_method": self.payment_method,
                "cash_account": self.cash_account, "supplier": self.supplier, "ledger": self.ledger,
                "branch": self.branch}
