"""The local state database: one SQLite file for what a sync must remember.

It holds the operations log (:mod:`ops_lib.state.oplog`), the plans that
were prepared and approved, the expenses and payroll journals booked as
vouchers (:mod:`ops_lib.booking.ledger`), the invoice bases sent as drafts
and the supplier costs sent back to projects (:mod:`ops_lib.invoicing`), and the cached registers with the time of
their last successful pull (:mod:`ops_lib.state.cache`). SQLite is the
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
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'done', 'failed', 'unknown', 'superseded')),
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
    server_time TEXT NOT NULL DEFAULT '',
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
CREATE TABLE IF NOT EXISTS invoice_transfers (
    target TEXT NOT NULL,
    source_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'created', 'failed', 'unknown')),
    plan_hash TEXT NOT NULL,
    source_digest TEXT NOT NULL DEFAULT '',
    draft_id TEXT NOT NULL DEFAULT '',
    invoice_state TEXT NOT NULL DEFAULT '',
    invoice_number TEXT NOT NULL DEFAULT '',
    reported_state TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target, source_key)
);
CREATE TABLE IF NOT EXISTS cost_transfers (
    target TEXT NOT NULL,
    source_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('writing', 'written')),
    plan_hash TEXT NOT NULL,
    supplier_invoice_id TEXT NOT NULL,
    project TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    amount TEXT NOT NULL,
    file TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target, source_key)
);
"""
# Columns added to a table after its first release, as (table, column, declaration): a state file
# written by an older version gets them when it is opened, and keeps its rows.
ADDED_COLUMNS = (
    ("sync_marks", "server_time", "TEXT NOT NULL DEFAULT ''"),
    ("bookings", "source_digest", "TEXT NOT NULL DEFAULT ''"),
)


def _missing_columns(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [(table, column, declaration) for table, column, declaration in ADDED_COLUMNS
            if column not in {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}]


def _add_columns(db: sqlite3.Connection) -> None:
    """Bring an older state file's tables up to :data:`SCHEMA`, looking again under the write lock.

    Two processes may open the same old file at once; the second finds the columns already there.
    """
    if not _missing_columns(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for table, column, declaration in _missing_columns(db):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


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
    _allow_superseded(db)
    return db


def _allow_superseded(db: sqlite3.Connection) -> None:
    """Let a database made before ``superseded`` existed hold that status.

    SQLite cannot change a CHECK constraint in place, so the operations
    table is rebuilt under the widened one, rows and ids unchanged, in one
    transaction (a second process waiting on the lock finds it done).
    """
    def current() -> str:
        row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'operations'").fetchone()
        return str(row["sql"]) if row else ""

    if "'superseded'" in current():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        old = current()
        if "'superseded'" not in old:
            db.execute("ALTER TABLE operations RENAME TO operations_before_superseded")
            db.execute(old.replace("'unknown')", "'unknown', 'superseded')", 1))
            db.execute("INSERT INTO operations SELECT * FROM operations_before_superseded")
            db.execute("DROP TABLE operations_before_superseded")
            db.execute("CREATE INDEX IF NOT EXISTS operations_by_call ON operations (target, call_digest)")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def default_state_path(config_dir: Path) -> Path:
    return Path(config_dir) / "state.sqlite"
