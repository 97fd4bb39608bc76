"""The invoice-transfers ledger: each invoice basis becomes at most one draft, ever, per company.

One row per invoice basis (``invoice:<number>``) and company (``target``),
in the ``invoice_transfers`` table of the state database. It is written
``sending`` *before* the draft's request leaves (committed, so a crash
cannot lose it) and ``created`` with the draft's id when the system
answers. A rerun never sends a created key again. A key left ``sending``
or ``unknown`` (a crash, a lost answer) is first looked up in the system
by the marker in the draft's last text row; only when it is not there is
it sent again. A ``failed`` key (the system refused the draft) may be sent
again once the cause is fixed.

After the draft exists, the ledger keeps where it stands in the system
(``invoice_state``: transferred, sent, paid, missing, with the invoice
number) and what was last reported back to the project tool
(``reported_state``), so the status import file says each change once.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Iterator

from ops_lib.core.locks import company_lock
from ops_lib.core.times import utc_now
from ops_lib.state.oplog import transaction

SENDING, CREATED, FAILED, UNKNOWN = "sending", "created", "failed", "unknown"
OPEN = (SENDING, UNKNOWN)


@contextlib.contextmanager
def invoice_lock(state_path: str, target: str, what: str = "invoice drafts") -> Iterator[None]:
    """One invoice run per company and state database at a time (a schedule and a person may overlap).

    Raises
    ------
    ConflictError
        Another run is transferring ``what`` for the same company now.
    """
    with company_lock(state_path, "invoices", target,
                      f"Another run is transferring {what} for {target} right now; try again when it has finished"):
        yield


@dataclass(frozen=True)
class InvoiceTransfer:
    """What the ledger holds for one invoice basis in one company."""

    source_key: str
    status: str
    plan_hash: str
    source_digest: str
    draft_id: str
    invoice_state: str
    invoice_number: str
    reported_state: str
    message: str
    attempts: int
    updated_at: str

    @property
    def number(self) -> str:
        """The invoice basis's own number (the key without its ``invoice:`` prefix)."""
        return self.source_key.split(":", 1)[1]


def _transfer(row: sqlite3.Row) -> InvoiceTransfer:
    return InvoiceTransfer(row["source_key"], row["status"], row["plan_hash"], row["source_digest"], row["draft_id"],
                           row["invoice_state"], row["invoice_number"], row["reported_state"], row["message"],
                           int(row["attempts"]), row["updated_at"])


class InvoiceTransfers:
    """The ledger of one company (``target``) in the state database."""

    def __init__(self, db: sqlite3.Connection, target: str) -> None:
        self.db = db
        self.target = target

    def of(self, source_keys: Iterable[str]) -> dict[str, InvoiceTransfer]:
        """Source key -> its ledger row, for the keys that have one."""
        keys = list(dict.fromkeys(source_keys))
        if not keys:
            return {}
        rows = self.db.execute(
            f"SELECT * FROM invoice_transfers WHERE target = ? AND source_key IN ({', '.join('?' * len(keys))})",
            (self.target, *keys)).fetchall()
        return {r["source_key"]: _transfer(r) for r in rows}

    def with_status(self, *statuses: str) -> list[InvoiceTransfer]:
        """Every row in one of ``statuses``, oldest key first."""
        rows = self.db.execute(
            f"SELECT * FROM invoice_transfers WHERE target = ? AND status IN ({', '.join('?' * len(statuses))}) "
            f"ORDER BY source_key", (self.target, *statuses)).fetchall()
        return [_transfer(r) for r in rows]

    def open_rows(self) -> list[InvoiceTransfer]:
        """Keys an interrupted run left ``sending`` or ``unknown``: looked up before anything is sent."""
        return self.with_status(*OPEN)

    def created_rows(self) -> list[InvoiceTransfer]:
        """Every invoice basis a draft was made of: the status run reads where each stands now."""
        return self.with_status(CREATED)

    def _set(self, key: str, status: str, plan_hash: str, *, attempt: bool = False, **fields: str) -> None:
        columns = {"status": status, "plan_hash": plan_hash, "updated_at": utc_now(), **fields}
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
        count = ", attempts = invoice_transfers.attempts + 1" if attempt else ""
        with transaction(self.db):
            self.db.execute(
                f"INSERT INTO invoice_transfers (target, source_key, {', '.join(columns)}, attempts) "
                f"VALUES (?, ?, {', '.join('?' * len(columns))}, ?) "
                f"ON CONFLICT (target, source_key) DO UPDATE SET {updates}{count}",
                (self.target, key, *columns.values(), int(attempt)))

    def sending(self, key: str, plan_hash: str, source_digest: str) -> None:
        """Written (and committed) before the draft leaves, with the digest of the basis it is made of."""
        self._set(key, SENDING, plan_hash, attempt=True, source_digest=source_digest, message="")

    def created(self, key: str, plan_hash: str, draft_id: str, message: str = "") -> None:
        """The draft exists (made now, or found after an interrupted run): never sent again."""
        self._set(key, CREATED, plan_hash, draft_id=draft_id, invoice_state="transferred", message=message)

    def found(self, key: str, draft_id: str, message: str) -> bool:
        """An open (``sending``/``unknown``) key's draft or invoice was found by its marker: now ``created``.

        Only an open row is promoted (a drafts run may have settled it meanwhile); returns whether it was.
        The plan hash is kept: no plan made this draft now, the earlier one did.
        """
        with transaction(self.db):
            cursor = self.db.execute(
                f"UPDATE invoice_transfers SET status = ?, draft_id = ?, invoice_state = 'transferred', message = ?, "
                f"updated_at = ? WHERE target = ? AND source_key = ? AND status IN ({', '.join('?' * len(OPEN))})",
                (CREATED, draft_id, message, utc_now(), self.target, key, *OPEN))
        return cursor.rowcount == 1

    def ended(self, key: str, status: str, plan_hash: str, message: str) -> None:
        """``failed`` (refused: may be sent again once fixed) or ``unknown`` (must be looked up first)."""
        if status not in (FAILED, UNKNOWN):
            raise ValueError(f"a transfer ends failed or unknown, not {status!r}")
        self._set(key, status, plan_hash, message=message)

    def set_state(self, key: str, state: str, invoice_number: str = "") -> None:
        """Where the created draft stands in the system now (and the invoice's number once it has one)."""
        with transaction(self.db):
            self.db.execute(
                "UPDATE invoice_transfers SET invoice_state = ?, invoice_number = CASE WHEN ? != '' THEN ? ELSE "
                "invoice_number END, updated_at = ? WHERE target = ? AND source_key = ?",
                (state, invoice_number, invoice_number, utc_now(), self.target, key))

    def reported(self, key: str, state: str) -> None:
        """``state`` was written to a status import file for the project tool: not reported again."""
        with transaction(self.db):
            self.db.execute("UPDATE invoice_transfers SET reported_state = ?, updated_at = ? WHERE target = ? AND "
                            "source_key = ?", (state, utc_now(), self.target, key))


__all__ = ["CREATED", "FAILED", "InvoiceTransfer", "InvoiceTransfers", "OPEN", "SENDING", "UNKNOWN",
           "invoice_lock"]
