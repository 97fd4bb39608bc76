"""Recovery files: a rotated token set, kept beside the store until the store holds it.

Why
    The identity server rotates a refresh token when it answers a refresh:
    from that moment the old one is dead and the new one exists only in
    this process's memory. If writing it to the store then fails (the disk
    is full, the keyring is locked, the process is killed), the connection
    would be lost and a person would have to connect again. So
    :meth:`~ops_lib.connectors.tokens.TokenStore.save` first writes the whole new set
    to ``<config dir>/recovery/<connection>.json`` (mode 0600, fsynced,
    renamed into place), then writes the store, then removes the file.

    Each write of a connection carries a revision, one above the last. A
    recovery file whose revision is above the store's holds tokens the
    store never got, and wins; one at or below it is left over from a
    process that stopped after the store write, and is removed.

What stays impossible
    A process killed after the identity server issued the new token but
    before its answer reached the process (or before the recovery file was
    on disk) loses that token: nothing on this side ever held it. Likewise
    when neither the recovery file nor the store can be written. Then the
    next run fails with "reconnect needed".
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from ops_lib.core.errors import ConfigurationError
from ops_lib.core.files import fsync_dir
from ops_lib.core.private_dirs import private_directory

RECOVERY_DIR = "recovery"


@dataclass(frozen=True)
class PendingTokens:
    """A token set in a recovery file: its connection's public entry, the tokens and the revision."""

    path: Path
    key: str
    revision: int
    entry: Mapping[str, Any]
    token: Mapping[str, Any]


class RecoveryFiles:
    """The recovery files of one config directory, one per connection.

    ``write`` is the atomic private-file writer the store uses
    (:func:`ops_lib.core.files.write_private_file`).
    """

    def __init__(self, directory: Path, write: Callable[[Path, bytes], None]) -> None:
        self.directory = Path(directory) / RECOVERY_DIR
        self._write = write

    def path(self, key: str) -> Path:
        return self.directory / f"{key.replace('/', '__')}.json"

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def write(self, key: str, revision: int, entry: Mapping[str, Any], token: Mapping[str, Any]) -> Path:
        """Keep ``token`` for ``key`` on disk (0600, fsynced, atomic); return the file's path."""
        private_directory(self.directory)
        path = self.path(key)
        body = {"version": 1, "key": key, "revision": revision, "entry": dict(entry), "token": dict(token)}
        self._write(path, json.dumps(body, indent=2, sort_keys=True).encode())
        return path

    def read(self, key: str) -> PendingTokens | None:
        """The pending set of ``key``, or None when there is no recovery file."""
        return self._read(self.path(key))

    def pending(self) -> list[PendingTokens]:
        """Every pending set in the directory."""
        if not self.directory.is_dir():
            return []
        found = (self._read(path) for path in sorted(self.directory.glob("*.json")))
        return [item for item in found if item is not None]

    def drop(self, key: str) -> None:
        """Remove the recovery file of ``key`` (the store holds its tokens now)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(key))
        fsync_dir(self.directory)

    def _read(self, path: Path) -> PendingTokens | None:
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigurationError(f"The token recovery file {path} cannot be read ({exc.strerror})") from None
        try:
            data = json.loads(raw)
            return PendingTokens(path, str(data["key"]), int(data["revision"]), dict(data["entry"]),
                                 dict(data["token"]))
        except (ValueError, KeyError, TypeError):
            raise ConfigurationError(f"The token recovery file {path} is damaged; if the connection fails, "
                                     "remove it and connect again") from None
