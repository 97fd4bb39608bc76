"""Runs that must not overlap: take the lock now, or refuse at once with why.

Waiting for the other run would only move the overlap (a second booking,
a second notebook run); refusing tells the person or the schedule to try
again once the first has finished.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Iterator

from filelock import FileLock, Timeout

from ops_lib.core.errors import ConflictError


@contextlib.contextmanager
def exclusive(lock_path: str, refusal: str) -> Iterator[None]:
    """Hold the file lock at ``lock_path`` for the block, or raise ConflictError(``refusal``) when it is taken."""
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ConflictError(refusal) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def company_lock(state_path: str, kind: str, target: str, refusal: str) -> Iterator[None]:
    """One run of ``kind`` (``booking``, ``invoices``) per company and state database at a time.

    The lock file sits beside the state database, named by a hash of the
    company's key; an in-memory state database has no other process to
    exclude, so it takes no lock.

    Raises
    ------
    ConflictError
        Another run holds the lock (``refusal`` says what it is doing).
    """
    if state_path == ":memory:":
        yield
        return
    name = hashlib.sha256(target.encode("utf-8")).hexdigest()[:16]
    with exclusive(f"{state_path}.{kind}-{name}.lock", refusal):
        yield
