"""Procountor's own options block: which dimension holds the tags, and how expenses are booked.

Expenses are booked as JOURNAL ledger receipts, which Procountor creates
UNFINISHED. Approving them is a step of its own that the suite takes only
when the user asks (``approve_receipts``, off by default): otherwise
someone approves them in Procountor. Neutral code only passes the block
on: :meth:`ProcountorOptions.as_kwargs` to the register reader and
writer, :meth:`ProcountorOptions.poster_kwargs` to the voucher poster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ops_lib.core.options import flag, option, settings_from, text


@dataclass(frozen=True)
class ProcountorOptions:
    """The options of Procountor registers and bookings (the ``system_options`` of a job's settings)."""

    dimension: str = option("Projekti", text, "the dimension (id or name) whose items are the tags")
    approve_receipts: bool = option(False, flag, "approve each ledger receipt in Procountor once booked "
                                                 "(off: it stays UNFINISHED for approval in Procountor)")
    transfer_receipts: bool = option(True, flag, "attach the receipts to what is booked")
    create_reconciliation: bool = option(False, flag, "let Procountor add a balancing reconciliation row "
                                                      "(createReconciliation)")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "ProcountorOptions":
        """Validate ``values``; raises ConfigurationError naming an unknown or bad option."""
        return settings_from(cls, values, "Procountor system_options")

    def as_kwargs(self) -> dict[str, Any]:
        """The keywords of this system's register reader and writer."""
        return {"dimension": self.dimension}

    def poster_kwargs(self) -> dict[str, Any]:
        """The keywords of this system's voucher poster."""
        return {"approve_receipts": self.approve_receipts, "transfer_receipts": self.transfer_receipts,
                "create_reconciliation": self.create_reconciliation}
