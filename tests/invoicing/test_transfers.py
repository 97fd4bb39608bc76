"""The invoice-transfers ledger: sending committed before the request leaves, then created, states and reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_lib.core.errors import ConflictError
from ops_lib.invoicing.transfers import InvoiceTransfers, invoice_lock
from ops_lib.state.db import open_state


def test_sending_is_committed_before_the_request(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    db = open_state(path)
    InvoiceTransfers(db, "company-a").sending("invoice:7001", "h1", "d1")
    other = open_state(path)  # another connection sees it at once: a crash now cannot lose it
    row = InvoiceTransfers(other, "company-a").of(["invoice:7001"])["invoice:7001"]
    assert (row.status, row.plan_hash, row.source_digest, row.attempts) == ("sending", "h1", "d1", 1)
    assert InvoiceTransfers(other, "company-b").of(["invoice:7001"]) == {}
    db.close()
    other.close()


def test_a_transfer_moves_through_its_states(tmp_path: Path) -> None:
    db = open_state(tmp_path / "state.sqlite")
    ledger = InvoiceTransfers(db, "company-a")
    ledger.sending("invoice:7001", "h1", "d1")
    ledger.ended("invoice:7001", "unknown", "h1", "no answer")
    assert [r.number for r in ledger.open_rows()] == ["7001"]
    ledger.sending("invoice:7001", "h2", "d1")
    ledger.created("invoice:7001", "h2", "draft-1")
    row = ledger.of(["invoice:7001"])["invoice:7001"]
    assert (row.status, row.draft_id, row.attempts, row.invoice_state) == ("created", "draft-1", 2, "transferred")
    assert ledger.open_rows() == [] and [r.source_key for r in ledger.created_rows()] == ["invoice:7001"]
    ledger.set_state("invoice:7001", "sent", "10042")
    ledger.set_state("invoice:7001", "paid")
    ledger.reported("invoice:7001", "paid")
    row = ledger.of(["invoice:7001"])["invoice:7001"]
    assert (row.invoice_state, row.invoice_number, row.reported_state) == ("paid", "10042", "paid")
    with pytest.raises(ValueError):
        ledger.ended("invoice:7001", "created", "h2", "")
    db.close()


def test_one_run_per_company_at_a_time(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    with invoice_lock(state, "company-a"):
        with pytest.raises(ConflictError, match="transferring invoice drafts for company-a"):
            with invoice_lock(state, "company-a"):
                pass
        with invoice_lock(state, "company-b"):
            pass
