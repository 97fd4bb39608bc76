"""Files of company data written whole or not at all: a reader never sees half of one.

Every output that holds company data, and the token store, goes through
:func:`write_private_file`, so each gets the same mode and the same
temp-file-and-rename discipline.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path


def write_private_file(path: Path, payload: bytes, mode: int = 0o600) -> None:
    """Write ``payload`` to ``path`` with mode 0600: temp file, fsync, rename, fsync dir.

    Files that hold no secrets and are meant to be read by others (mapping tables, the account setup)
    pass ``mode=0o644``; they get it before the rename, so the file is never seen with another mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    write_synced(fd, temp, payload, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(path.parent)


def write_synced(fd: int, temp: Path | str, payload: bytes, mode: int) -> None:
    """Write ``payload`` through ``fd`` (open on ``temp``) with ``mode``, on disk when this returns.

    ``fd`` is owned from here, so a failing chmod closes it too; on any failure ``temp`` is removed.
    """
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (best effort: some file systems cannot fsync a folder)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def new_file_path(out_dir: Path | str, prefix: str, now: datetime | None = None, suffix: str = ".csv") -> Path:
    """A file name in ``out_dir`` that no earlier run used: ``<prefix><UTC time, microseconds>.csv``.

    Files handed to another system's importer (the project tool's) are never
    overwritten, because the earlier one may not have been imported yet. A
    second file in the same microsecond gets ``_2``, which still sorts after
    the first, so the folder lists them in the order they were written.
    """
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    stem = f"{prefix}{moment.strftime('%Y%m%dT%H%M%S%fZ')}"
    path, count = Path(out_dir) / f"{stem}{suffix}", 1
    while path.exists():
        count += 1
        path = Path(out_dir) / f"{stem}_{count}{suffix}"
    return path
