"""Runs that must not overlap: take the lock now, or refuse at once with why.

Waiting for the other run would only move the overlap (a second booking,
a second notebook run); refusing tells the person or the schedule to try
again once the first has finished.
"""

from __future__ import annotations

import contextlib
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
