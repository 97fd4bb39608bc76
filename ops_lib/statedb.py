"""The local state database: one SQLite file for what a sync must remember.

It holds the operations journal (:mod:`ops_lib.journal`), the plans that
were prepared and approved, the expenses and payroll journals booked as
vouchers (:mod:`ops_lib.bookings`), and the cached registers with the time of
their last successful pull (:mod:`ops_lib.register_cache`). SQLite is the
default because it needs no server, survives a crash mid-write (every
change is committed before the next request goes out), and one file is
easy to back up beside the run archive.

The file lives in the configuration directory unless ``state_db`` names
another one; ``:memory:`` is allowed for throwaway runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (
    plan_hash TEXT PRIMARY KEY,
    register TEXT NOT NULL,
    targets TEXT NOT NULL,
    prepared_by TEXT NOT NULL,
    prepared_at TEXT NOT NULL,
    actions TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    plan_hash TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    prepared_by TEXT NOT NULL,
    four_eyes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_hash TEXT NOT NULL,
    target TEXT NOT NULL,
    call_digest TEXT NOT NULL,
    action_digest TEXT NOT NULL,
    register TEXT NOT NULL,
    action TEXT NOT NULL,
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'done', 'failed', 'unknown')),
    record_id TEXT NOT NULL DEFAULT '',
    error_code TEXT NOT NULL DEFAULT '',
    error_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_hash, target, call_digest)
);
CREATE INDEX IF NOT EXISTS operations_by_call ON operations (target, call_digest);
CREATE TABLE IF NOT EXISTS sync_marks (
    system TEXT NOT NULL,
    connection TEXT NOT NULL,
    register TEXT NOT NULL,
    watermark TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    last_sync_at TEXT NOT NULL,
    PRIMARY KEY (system, connection, register)
);
CREATE TABLE IF NOT EXISTS cached_records (
    system TEXT NOT NULL,
    connection TEXT NOT NULL,
    register TEXT NOT NULL,
    record_id TEXT NOT NULL,
    changed TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (system, connection, register, record_id)
);
CREATE TABLE IF NOT EXISTS bookings (
    target TEXT NOT NULL,
    source_key TEXT NOT NULL,
    voucher_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'booked', 'failed', 'unknown')),
    plan_hash TEXT NOT NULL,
    voucher_date TEXT NOT NULL,
    voucher_id TEXT NOT NULL DEFAULT '',
    voucher_number TEXT NOT NULL DEFAULT '',
    attachment_ids TEXT NOT NULL DEFAULT '[]',
    message TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    source_digest TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (target, source_key)
);
"""
# Columns added since a table was first created: (table, column, declaration), added to older files on open.
ADDED_COLUMNS = (("bookings", "source_digest", "TEXT NOT NULL DEFAULT ''"),)


def open_state(path: Path | str) -> sqlite3.Connection:
    """Open (and create) the state database; each statement commits unless in ``with db:``."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).touch(mode=0o600, exist_ok=True)  # business data: readable by its owner only
    db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL" if str(path) != ":memory:" else "PRAGMA journal_mode=MEMORY")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    _add_columns(db)
    return db


def _add_columns(db: sqlite3.Connection) -> None:
    """Bring a state file written by an older version up to :data:`SCHEMA` (another process may race us)."""
    for table, column, declaration in ADDED_COLUMNS:
        if column in {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}:
            continue
        try:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):
                raise


def default_state_path(config_dir: Path) -> Path:
    return Path(config_dir) / "state.sqlite"
