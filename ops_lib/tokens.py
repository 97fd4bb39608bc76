"""The token store: one connection per system, environment and company.

What is kept
    A :class:`StoredConnection` per key ``system/environment/company``: who
    it is for (company name and organisation number, client id, scopes)
    and the token (access token, refresh token, expiry). The token part is
    the secret; :meth:`StoredConnection.public` drops it for display.

Where
    ``<config dir>/tokens.json``, mode 0600, always holds the index (the
    public part of every connection). The secret part goes to the OS
    keyring when one is present, and into the same file otherwise
    (headless hosts, schedulers). Every write goes to a temporary file in
    the same directory, is flushed and fsynced, and is renamed over the
    old file, so a crash leaves either the old or the new store, never half.

Locks
    :meth:`TokenStore.lock` is a cross-process file lock per connection.
    Refreshing a rotating refresh token must happen under it, and the
    holder must re-read the store after taking it: another process may
    have refreshed already, and the refresh token in memory is then dead.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol

import filelock

from .errors import ConfigurationError

KEYRING_SERVICE = "ops-suite"
STORE_FILE = "tokens.json"
_KEY_PART = re.compile(r"[^A-Za-z0-9._-]+")


def connection_key(system: str, environment: str, company: str) -> str:
    """``system/environment/company`` with each part made safe for file names."""
    return "/".join(_KEY_PART.sub("_", part) for part in (system, environment, company))


@dataclass(frozen=True)
class StoredConnection:
    """One company's connection. ``token`` is secret and never shown."""

    system: str
    environment: str
    company_key: str
    company_name: str
    client_id: str
    scope: str
    connected_at: float
    token: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        return connection_key(self.system, self.environment, self.company_key)

    @property
    def expires_at(self) -> float | None:
        value = self.token.get("expires_at")
        return float(value) if value is not None else None

    @property
    def has_refresh_token(self) -> bool:
        return bool(self.token.get("refresh_token"))

    def with_token(self, token: Mapping[str, Any]) -> "StoredConnection":
        return replace(self, token=dict(token))

    def public(self) -> dict[str, Any]:
        """Everything but the tokens: safe to print, log and display."""
        data = asdict(self)
        data.pop("token")
        data["expires_at"] = self.expires_at
        data["has_refresh_token"] = self.has_refresh_token
        return data


class SecretBackend(Protocol):
    """Where the secret half of a connection lives."""

    name: str

    def read(self, key: str, index_entry: Mapping[str, Any]) -> Mapping[str, Any] | None: ...
    def write(self, key: str, token: Mapping[str, Any]) -> Mapping[str, Any] | None: ...
    def delete(self, key: str) -> None: ...


class FileSecrets:
    """Tokens kept inside the 0600 index file itself (the headless fallback)."""

    name = "file"

    def read(self, key: str, index_entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
        token = index_entry.get("token")
        return dict(token) if token else None

    def write(self, key: str, token: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return dict(token)

    def delete(self, key: str) -> None:
        """Nothing to do: the entry leaves the file with its index line."""


class KeyringSecrets:
    """Tokens kept in the OS keyring; the file keeps only the public half."""

    name = "keyring"

    def __init__(self, keyring_module: Any) -> None:
        self._keyring = keyring_module

    def read(self, key: str, index_entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
        raw = self._keyring.get_password(KEYRING_SERVICE, key)
        return json.loads(raw) if raw else None

    def write(self, key: str, token: Mapping[str, Any]) -> Mapping[str, Any] | None:
        self._keyring.set_password(KEYRING_SERVICE, key, json.dumps(dict(token)))
        return None

    def delete(self, key: str) -> None:
        with contextlib.suppress(Exception):
            self._keyring.delete_password(KEYRING_SERVICE, key)


def choose_backend(preference: str) -> SecretBackend:
    """``keyring`` when asked for or present (``auto``), else the file.

    A keyring is "present" when its backend has a positive priority; on a
    headless host keyring falls back to a failing backend of priority 0.
    """
    if preference == "file":
        return FileSecrets()
    import keyring

    usable = getattr(keyring.get_keyring(), "priority", 0) > 0
    if usable:
        return KeyringSecrets(keyring)
    if preference == "keyring":
        raise ConfigurationError("token_backend is 'keyring' but no OS keyring is available on this host; "
                                 "use 'auto' or 'file'")
    return FileSecrets()


class TokenStore:
    """The connections of one user, in one config directory.

    Parameters
    ----------
    directory:
        The config directory; created with mode 0700 when missing.
    backend:
        Where the secret half goes (:func:`choose_backend`).
    lock_timeout:
        Seconds to wait for another process's refresh before giving up.
    """

    def __init__(self, directory: Path, backend: SecretBackend | None = None, lock_timeout: float = 60.0) -> None:
        self.directory = Path(directory)
        self.backend = backend or FileSecrets()
        self.lock_timeout = lock_timeout

    @property
    def path(self) -> Path:
        return self.directory / STORE_FILE

    # -- reading -------------------------------------------------------

    def _index(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"The token store {self.path} is damaged ({exc.msg}); "
                                     "remove it and connect again") from None
        return data.get("connections", {}) if isinstance(data, dict) else {}

    def load(self, key: str) -> StoredConnection | None:
        """The connection under ``key`` with its token, or None."""
        entry = self._index().get(key)
        if entry is None:
            return None
        token = self.backend.read(key, entry) or {}
        public = {k: v for k, v in entry.items() if k != "token"}
        return StoredConnection(**public, token=token)

    def connections(self, system: str | None = None, environment: str | None = None) -> list[StoredConnection]:
        """Every stored connection (tokens not loaded), optionally filtered."""
        found = []
        for entry in self._index().values():
            public = {k: v for k, v in entry.items() if k != "token"}
            conn = StoredConnection(**public)
            if (system is None or conn.system == system) and (environment is None or conn.environment == environment):
                found.append(conn)
        return sorted(found, key=lambda c: c.key)

    # -- writing -------------------------------------------------------

    def save(self, connection: StoredConnection) -> None:
        """Write (or replace) one connection atomically."""
        with self._index_lock():
            index = self._index()
            entry = {k: v for k, v in asdict(connection).items() if k != "token"}
            in_file = self.backend.write(connection.key, connection.token)
            if in_file is not None:
                entry["token"] = in_file
            index[connection.key] = entry
            self._write(index)

    def delete(self, key: str) -> bool:
        """Remove one connection; True when there was one."""
        with self._index_lock():
            index = self._index()
            existed = index.pop(key, None) is not None
            self.backend.delete(key)
            if existed:
                self._write(index)
            return existed

    def _write(self, index: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = json.dumps({"version": 1, "connections": index}, indent=2, sort_keys=True).encode()
        write_private_file(self.path, payload)

    # -- locking -------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold the cross-process lock of one connection (for refreshing)."""
        with self._file_lock(f"{key.replace('/', '__')}.lock"):
            yield

    def _index_lock(self) -> contextlib.AbstractContextManager[Any]:
        return self._file_lock("tokens.json.lock")

    @contextlib.contextmanager
    def _file_lock(self, name: str) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        locks = self.directory / "locks"
        locks.mkdir(exist_ok=True, mode=0o700)
        lock = filelock.FileLock(str(locks / name), timeout=self.lock_timeout, mode=0o600)
        started = time.monotonic()
        try:
            with lock:
                yield
        except filelock.Timeout:
            waited = time.monotonic() - started
            raise ConfigurationError(f"Another process has held {locks / name} for {waited:.0f} s; "
                                     "if none is running, remove the lock file") from None


def write_private_file(path: Path, payload: bytes, mode: int = 0o600) -> None:
    """Write ``payload`` to ``path`` with mode 0600: temp file, fsync, rename, fsync dir.

    Files that hold no secrets and are meant to be read by others (mapping tables, the account setup)
    pass ``mode=0o644``; they get it before the rename, so the file is never seen with another mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def open_store(config_dir: Path, token_backend: str = "auto") -> TokenStore:
    """The token store of a config directory with the chosen secret backend."""
    return TokenStore(config_dir, choose_backend(token_backend))
