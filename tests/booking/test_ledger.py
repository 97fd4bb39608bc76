"""The bookings ledger keeps what each payroll key was booked from, in state files old and new."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ops_lib.booking.ledger import Bookings
from ops_lib.state.db import SCHEMA, open_state


def test_a_state_file_from_before_digests_gains_the_column_and_keeps_its_bookings(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA.replace("    source_digest TEXT NOT NULL DEFAULT '',\n", ""))
    old.execute("INSERT INTO bookings (target, source_key, voucher_key, status, plan_hash, voucher_date, "
                "voucher_number, updated_at) VALUES ('t', 'payroll:2026-05', 'k', 'booked', 'h', '2026-05-31', "
                "'E17', 'now')")
    old.commit()
    old.close()
    db = open_state(path)
    assert "source_digest" in {r["name"] for r in db.execute("PRAGMA table_info(bookings)")}
    ledger = Bookings(db, "t")
    assert ledger.of(["payroll:2026-05"])["payroll:2026-05"].source_digest == ""
    ledger.sending(["payroll:2026-06"], "k2", "h", "2026-06-30", (), {"payroll:2026-06": "d6"})
    ledger.booked(["payroll:2026-06"], "k2", "h", "2026-06-30", "id", "E18", ())
    assert ledger.of(["payroll:2026-06"])["payroll:2026-06"].source_digest == "d6"  # booked keeps what was sent
    assert ledger.with_digests(["d6", "nope"])["d6"].voucher_number == "E18"
    db.close()
    open_state(path).close()  # opening again adds nothing twice
