"""Where the sandbox keeps its state: SQLite, in memory or in a file.

One table of JSON documents keyed by (tenant, kind, key) holds everything:
each company's registers, and the identity server's codes and tokens under
the tenant ``identity``. In memory by default, so every test starts from a
fresh world; with a file (``ops sandbox --state FILE``) a demo can be
stopped and resumed with its data and its tokens intact.

Documents keep their insertion order, which is the order lists return
when a client asks for no ``$orderby``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant, kind, key)
);
-- Inserts take MAX(seq) + 1, and lists read in seq order: both need this index.
CREATE INDEX IF NOT EXISTS documents_order ON documents (tenant, kind, seq);
CREATE INDEX IF NOT EXISTS documents_seq ON documents (seq);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """JSON documents in SQLite, safe to share between the server's threads."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path) if path else ":memory:"
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            self._conn.executescript(_SCHEMA)
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so a failed request leaves nothing half-written."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def get(self, tenant: str, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT body FROM documents WHERE tenant=? AND kind=? AND key=?", (tenant, kind, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, tenant: str, kind: str, key: str, body: dict[str, Any]) -> None:
        """Insert or replace; a replaced document keeps its place in the order."""
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            updated = self._conn.execute(
                "UPDATE documents SET body=? WHERE tenant=? AND kind=? AND key=?", (text, tenant, kind, key)
            ).rowcount
            if not updated:
                self._conn.execute(
                    "INSERT INTO documents (tenant, kind, key, seq, body) VALUES "
                    "(?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents), ?)",
                    (tenant, kind, key, text),
                )

    def delete(self, tenant: str, kind: str, key: str) -> bool:
        with self._lock:
            return bool(
                self._conn.execute(
                    "DELETE FROM documents WHERE tenant=? AND kind=? AND key=?", (tenant, kind, key)
                ).rowcount
            )

    def all(self, tenant: str, kind: str, offset: int = 0, limit: int = -1) -> list[dict[str, Any]]:
        """The documents of ``kind`` in insertion order; ``offset``/``limit`` read one window without the rest."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM documents WHERE tenant=? AND kind=? ORDER BY seq LIMIT ? OFFSET ?",
                (tenant, kind, limit, offset),  # a negative LIMIT is no limit in SQLite
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, tenant: str, kind: str) -> int:
        with self._lock:
            return int(
                self._conn.execute(
                    "SELECT COUNT(*) FROM documents WHERE tenant=? AND kind=?", (tenant, kind)
                ).fetchone()[0]
            )

    def get_meta(self, name: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))
