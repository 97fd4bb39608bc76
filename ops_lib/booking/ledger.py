"""The bookings ledger: each expense and payroll journal booked at most once, ever, per company.

One row per source key (``expense:<id>``, ``payroll:<period>``, or
``payroll:<period>:<journal id>``) and company, whatever plan, grouping
or mapping it was booked under. A payroll key also keeps the digest of
the rows it was booked from, so a second, different payroll run of the
period is refused (or booked under its own journal id), never taken for
the one already booked.

The row is written ``sending`` *before* the voucher leaves (committed, so
a crash cannot lose it) and ``booked`` with the voucher's id and number
when the service answers. A rerun never sends a booked key again. A key left
``sending`` or ``unknown`` (a crash, a timeout) is first looked up in the
accounting system by the voucher key in its text; only when it is not
there is it sent again. A ``failed`` key (the service refused it) may be
sent again once the cause is fixed.

Receipt uploads are remembered under the voucher key, so a rerun links
the receipts it already uploaded instead of uploading them twice.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from ops_lib.core.locks import company_lock
from ops_lib.core.times import utc_now
from ops_lib.state.oplog import transaction

OPEN = ("sending", "unknown")


@contextlib.contextmanager
def booking_lock(state_path: str, target: str) -> Iterator[None]:
    """One booking run per company and state database at a time (a schedule and a person may overlap).

    Raises
    ------
    ConflictError
        Another run is booking for the same company now.
    """
    with company_lock(state_path, "booking", target,
                      f"Another run is booking vouchers for {target} right now; try again when it has finished"):
        yield


@dataclass(frozen=True)
class Booking:
    source_key: str
    voucher_key: str
    status: str
    voucher_id: str
    voucher_number: str
    voucher_date: str
    attachment_ids: tuple[str, ...]
    message: str
    updated_at: str
    source_digest: str = ""  # what was sent for this key (payroll: its rows); empty when not known


class Bookings:
    """The ledger of one company (``target``) in the state database."""

    def __init__(self, db: sqlite3.Connection, target: str) -> None:
        self.db = db
        self.target = target

    def of(self, source_keys: Iterable[str]) -> dict[str, Booking]:
        keys = list(source_keys)
        if not keys:
            return {}
        rows = self.db.execute(
            f"SELECT * FROM bookings WHERE target = ? AND source_key IN ({', '.join('?' * len(keys))})",
            (self.target, *keys)).fetchall()
        return {r["source_key"]: Booking(r["source_key"], r["voucher_key"], r["status"], r["voucher_id"],
                                         r["voucher_number"], r["voucher_date"],
                                         tuple(json.loads(r["attachment_ids"])), r["message"], r["updated_at"],
                                         r["source_digest"])
                for r in rows}

    def with_digests(self, digests: Iterable[str]) -> dict[str, Booking]:
        """Digest -> a booked or still open row of the same source content, under whatever key it was booked."""
        wanted = [d for d in dict.fromkeys(digests) if d]
        if not wanted:
            return {}
        rows = self.db.execute(
            f"SELECT source_key FROM bookings WHERE target = ? AND status IN ({', '.join('?' * (1 + len(OPEN)))}) "
            f"AND source_digest IN ({', '.join('?' * len(wanted))})",
            (self.target, "booked", *OPEN, *wanted)).fetchall()
        return {b.source_digest: b for b in self.of(r["source_key"] for r in rows).values()}

    def uploads(self, voucher_key: str) -> tuple[str, ...]:
        """Receipts already uploaded for this voucher key (by an earlier, interrupted run)."""
        row = self.db.execute("SELECT attachment_ids FROM bookings WHERE target = ? AND voucher_key = ? "
                              "AND attachment_ids != '[]' LIMIT 1", (self.target, voucher_key)).fetchone()
        return tuple(json.loads(row["attachment_ids"])) if row else ()

    def _set(self, source_keys: Sequence[str], voucher_key: str, status: str, plan_hash: str, voucher_date: str,
             *, attempt: bool = False, digests: Mapping[str, str] | None = None, **fields: str) -> None:
        """Insert or update each source key's row with these columns in one statement; ``attempt`` counts a send.

        ``digests`` (source key -> digest of its content) is written only when given, so a later
        ``booked`` or ``failed`` keeps the digest of what was sent.
        """
        columns = {"voucher_key": voucher_key, "status": status, "plan_hash": plan_hash,
                   "voucher_date": voucher_date, "updated_at": utc_now(), **fields}
        names = [*columns, *(["source_digest"] if digests is not None else [])]
        updates = ", ".join(f"{name} = excluded.{name}" for name in names)
        count = ", attempts = bookings.attempts + 1" if attempt else ""
        with transaction(self.db):
            self.db.executemany(
                f"INSERT INTO bookings (target, source_key, {', '.join(names)}, attempts) "
                f"VALUES (?, ?, {', '.join('?' * len(names))}, ?) "
                f"ON CONFLICT (target, source_key) DO UPDATE SET {updates}{count}",
                [(self.target, key, *columns.values(), *([digests.get(key, "")] if digests is not None else []),
                  int(attempt)) for key in source_keys])

    def sending(self, source_keys: Sequence[str], voucher_key: str, plan_hash: str, voucher_date: str,
                attachment_ids: Sequence[str], digests: Mapping[str, str] | None = None) -> None:
        """Written before the voucher leaves, with the digest of the content each source key is booked from."""
        self._set(source_keys, voucher_key, "sending", plan_hash, voucher_date, attempt=True, digests=digests or {},
                  attachment_ids=json.dumps(list(attachment_ids)), message="")

    def booked(self, source_keys: Sequence[str], voucher_key: str, plan_hash: str, voucher_date: str,
               voucher_id: str, voucher_number: str, attachment_ids: Sequence[str], message: str = "") -> None:
        self._set(source_keys, voucher_key, "booked", plan_hash, voucher_date, voucher_id=voucher_id,
                  voucher_number=voucher_number, attachment_ids=json.dumps(list(attachment_ids)), message=message)

    def ended(self, source_keys: Sequence[str], voucher_key: str, status: str, plan_hash: str, voucher_date: str,
              message: str) -> None:
        """``failed`` (refused: may be sent again once fixed) or ``unknown`` (must be looked up first)."""
        self._set(source_keys, voucher_key, status, plan_hash, voucher_date, message=message)
