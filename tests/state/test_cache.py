"""The register cache's marks: the window of the next pull, and state files written before server times."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from ops_lib.state.cache import DEFAULT_OVERLAP, RegisterCache, SyncMark
from ops_lib.state.db import open_state

PULLED_AT = dt.datetime(2026, 6, 15, 7, 0, tzinfo=dt.timezone.utc)

# The two cache tables as the first release created them: no server time beside the mark.
OLD_CACHE_SCHEMA = """
CREATE TABLE sync_marks (
    system TEXT NOT NULL, connection TEXT NOT NULL, register TEXT NOT NULL, watermark TEXT NOT NULL,
    record_count INTEGER NOT NULL, last_sync_at TEXT NOT NULL, PRIMARY KEY (system, connection, register)
);
CREATE TABLE cached_records (
    system TEXT NOT NULL, connection TEXT NOT NULL, register TEXT NOT NULL, record_id TEXT NOT NULL,
    changed TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (system, connection, register, record_id)
);
INSERT INTO sync_marks VALUES ('eaccounting', 'sandbox:c1', 'customers', '2026-06-01T10:00:00.000Z', 1,
                               '2026-06-01T10:05:00+00:00');
INSERT INTO cached_records VALUES ('eaccounting', 'sandbox:c1', 'customers', 'a1', '2026-06-01T10:00:00.000Z',
                                   '{"Id": "a1", "ChangedUtc": "2026-06-01T10:00:00.000Z"}');
"""


def mark_of(cache: RegisterCache, register: str) -> SyncMark:
    mark = cache.mark(register)
    assert mark is not None, f"no mark for {register}"
    return mark


def old_state(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.executescript(OLD_CACHE_SCHEMA)
    db.close()
    return path


def test_a_state_file_from_before_server_times_opens_and_keeps_its_cache(tmp_path: Path) -> None:
    path = old_state(tmp_path / "state.sqlite")
    cache = RegisterCache(open_state(path), "eaccounting", "sandbox:c1")
    mark = mark_of(cache, "customers")
    assert mark.server_time == "" and mark.record_count == 1
    assert mark.since() == dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone.utc) - DEFAULT_OVERLAP
    assert cache.records("customers") == [{"Id": "a1", "ChangedUtc": "2026-06-01T10:00:00.000Z"}]

    cache.store("customers", [], "ChangedUtc", replace=False, server_time=PULLED_AT)
    cache.db.close()
    reopened = RegisterCache(open_state(path), "eaccounting", "sandbox:c1")  # migrating twice is a no-op
    assert mark_of(reopened, "customers").since() == PULLED_AT - DEFAULT_OVERLAP
    reopened.db.close()


def test_the_window_starts_at_the_server_time_of_the_last_pull_not_the_newest_change(tmp_path: Path) -> None:
    cache = RegisterCache(open_state(tmp_path / "state.sqlite"), "eaccounting", "sandbox:c1")
    bulk = [{"Id": str(i), "ChangedUtc": "2026-01-02T03:04:05.000Z"} for i in range(3)]
    cache.store("customers", bulk, "ChangedUtc", replace=True, server_time=PULLED_AT)
    assert mark_of(cache, "customers").since() == PULLED_AT - DEFAULT_OVERLAP
    later = PULLED_AT + dt.timedelta(hours=1)
    cache.store("customers", [], "ChangedUtc", replace=False, server_time=later)
    assert mark_of(cache, "customers").since(dt.timedelta(minutes=1)) == later - dt.timedelta(minutes=1)
    cache.db.close()


def test_an_empty_register_without_a_server_time_has_no_window(tmp_path: Path) -> None:
    cache = RegisterCache(open_state(tmp_path / "state.sqlite"), "eaccounting", "sandbox:c1")
    cache.store("projects", [], "ModifiedUtc", replace=True)
    mark = mark_of(cache, "projects")
    assert mark.record_count == 0
    assert mark.since() is None  # nothing to count from: the next pull is a full one (of nothing)
    cache.db.close()
