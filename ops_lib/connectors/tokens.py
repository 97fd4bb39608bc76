"""The token store: one connection per system, environment and company.

What is kept
    A :class:`StoredConnection` per key ``system/environment/company``: who
    it is for (company name and organisation number, client id, scopes)
    and the token (access token, refresh token, expiry). The token part is
    the secret; :meth:`StoredConnection.public` drops it for display.

Where
    ``<config dir>/tokens.json``, mode 0600, always holds the index: the
    public part of every connection, with the access token's expiry,
    whether there is a refresh token, and the ``backend`` that holds the
    secret part, so a listing (``ops status``) needs no secret and a
    process can tell a connection it cannot read from one that is missing.
    The secret part goes to the OS keyring when one is present, and into
    the same file otherwise (headless hosts, schedulers). A connection
    stays in the backend it was made in; a process with a keyring still
    reads (and refreshes) one kept in the file. Every write goes to a
    temporary file in the same directory, is flushed and fsynced, and is
    renamed over the old file, so a crash leaves either the old or the new
    store, never half.

Rotated tokens
    :meth:`TokenStore.save` writes a recovery file first
    (:mod:`ops_lib.connectors.token_recovery`), so a refresh token the identity server
    has just rotated survives a store write that fails or never happens.

Locks
    :meth:`TokenStore.lock` is a cross-process file lock per connection.
    Refreshing a rotating refresh token must happen under it, and the
    holder must re-read the store after taking it: another process may
    have refreshed already, and the refresh token in memory is then dead.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

import filelock

from ops_lib.connectors.token_backends import (
    BACKEND_NAMES,
    KEYRING_SERVICE,
    FileSecrets,
    KeyringSecrets,
    SecretBackend,
    choose_backend,
)
from ops_lib.connectors.token_recovery import PendingTokens, RecoveryFiles
from ops_lib.core.errors import ConfigurationError, ReconnectNeeded
from ops_lib.core.files import write_private_file
from ops_lib.core.private_dirs import private_directory

__all__ = ["BACKEND_NAMES", "KEYRING_SERVICE", "FileSecrets", "KeyringSecrets", "SecretBackend", "StoredConnection",
           "TokenStore", "choose_backend", "connection_key", "open_store"]

STORE_FILE = "tokens.json"
_KEY_PART = re.compile(r"[^A-Za-z0-9._-]+")


def connection_key(system: str, environment: str, company: str) -> str:
    """``system/environment/company`` with each part made safe for file names."""
    return "/".join(_KEY_PART.sub("_", part) for part in (system, environment, company))


@dataclass(frozen=True)
class StoredConnection:
    """One company's connection. ``token`` is secret and never shown.

    ``stored_expires_at``, ``stored_refreshable`` and ``backend`` are the
    index's public copy of what the token says and of where it is kept;
    they answer for a connection listed without its token.
    """

    system: str
    environment: str
    company_key: str
    company_name: str
    client_id: str
    scope: str
    connected_at: float
    token: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    stored_expires_at: float | None = field(default=None, compare=False)
    stored_refreshable: bool = field(default=False, compare=False)
    backend: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        return connection_key(self.system, self.environment, self.company_key)

    @property
    def expires_at(self) -> float | None:
        value = self.token.get("expires_at") if self.token else self.stored_expires_at
        return float(value) if value is not None else None

    @property
    def has_refresh_token(self) -> bool:
        return bool(self.token.get("refresh_token")) if self.token else self.stored_refreshable

    def with_token(self, token: Mapping[str, Any]) -> "StoredConnection":
        return replace(self, token=dict(token))

    def public(self) -> dict[str, Any]:
        """Everything but the tokens: safe to print, log and display."""
        data = asdict(self)
        for name in ("token", "stored_expires_at", "stored_refreshable"):
            data.pop(name)
        data["expires_at"] = self.expires_at
        data["has_refresh_token"] = self.has_refresh_token
        return data

    def index_entry(self, backend: str, revision: int) -> dict[str, Any]:
        """What the index keeps of this connection: the public part, never the token."""
        entry = {k: v for k, v in self.public().items() if k != "backend"}
        return {**entry, "backend": backend, "revision": revision}


_FIELDS = tuple(f.name for f in fields(StoredConnection) if not f.name.startswith("stored_")
                and f.name not in ("token", "backend"))


def _from_entry(entry: Mapping[str, Any], token: Mapping[str, Any] | None = None) -> StoredConnection:
    """A connection from its index entry; entries written before the metadata existed still read."""
    in_file = entry.get("token") or {}
    expires = entry.get("expires_at", in_file.get("expires_at"))
    refreshable = entry.get("has_refresh_token", bool(in_file.get("refresh_token")))
    backend = entry.get("backend") or ("file" if "token" in entry else "keyring")
    try:
        public = {name: entry[name] for name in _FIELDS}
    except KeyError as exc:
        raise ConfigurationError(f"A connection in the token store lacks {exc.args[0]!r}; "
                                 "remove it with `ops disconnect` and connect again") from None
    return StoredConnection(**public, token=dict(token or {}), stored_expires_at=expires,
                            stored_refreshable=bool(refreshable), backend=str(backend))


def _revision(entry: Mapping[str, Any] | None) -> int:
    return int((entry or {}).get("revision") or 0)


def _why(exc: BaseException) -> str:
    """What went wrong, without the exception's text (a keyring error may quote what it was given)."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return type(exc).__name__


class TokenStore:
    """The connections of one user, in one config directory.

    Parameters
    ----------
    directory:
        The config directory; created (or tightened) to mode 0700 on write.
    backend:
        Where the secret half of new connections goes (:func:`choose_backend`).
    lock_timeout:
        Seconds to wait for another process's refresh before giving up.
    """

    def __init__(self, directory: Path, backend: SecretBackend | None = None, lock_timeout: float = 60.0) -> None:
        self.directory = Path(directory)
        self.backend = backend or FileSecrets()
        self.lock_timeout = lock_timeout
        self.recovery = RecoveryFiles(self.directory, lambda path, payload: write_private_file(path, payload))

    @property
    def path(self) -> Path:
        return self.directory / STORE_FILE

    def reaches(self, backend: str) -> bool:
        """Whether this process can read and write secrets kept in ``backend`` (the file always)."""
        return backend in ("file", self.backend.name)

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

    def _newer_pending(self, key: str, entry: Mapping[str, Any] | None) -> PendingTokens | None:
        pending = self.recovery.read(key)
        return pending if pending is not None and pending.revision > _revision(entry) else None

    def load(self, key: str) -> StoredConnection | None:
        """The connection under ``key`` with its token, or None.

        A recovery file newer than the store wins: it holds tokens the
        store never got (see :mod:`ops_lib.connectors.token_recovery`).

        Raises
        ------
        ReconnectNeeded
            When the tokens are kept in a backend this process cannot reach
            (made with a keyring, looked up where there is none).
        """
        entry = self._index().get(key)
        pending = self._newer_pending(key, entry)
        if pending is not None:
            return _from_entry(pending.entry, pending.token)
        if entry is None:
            return None
        connection = _from_entry(entry)
        backend = self._backend(connection.backend, connection)
        try:
            token = backend.read(key, entry) or {}
        except Exception as exc:  # a keyring raises its own errors (locked, no session bus, denied)
            raise ConfigurationError(f"The tokens of {key} could not be read from the "
                                     f"{BACKEND_NAMES.get(backend.name, backend.name)} ({_why(exc)})") from None
        return connection.with_token(token)

    def connections(self, system: str | None = None, environment: str | None = None) -> list[StoredConnection]:
        """Every stored connection (tokens not loaded, expiry and backend known), optionally filtered."""
        index = self._index()
        entries = dict(index)
        for pending in self.recovery.pending():
            if pending.revision > _revision(index.get(pending.key)):
                entries[pending.key] = pending.entry
        found = [_from_entry(entry) for entry in entries.values()]
        return sorted((c for c in found if (system is None or c.system == system)
                       and (environment is None or c.environment == environment)), key=lambda c: c.key)

    def _backend(self, name: str, connection: StoredConnection) -> SecretBackend:
        if name == self.backend.name:
            return self.backend
        if name == "file":
            return FileSecrets()
        where = BACKEND_NAMES.get(name, name)
        here = BACKEND_NAMES.get(self.backend.name, self.backend.name)
        raise ReconnectNeeded(
            f"The connection {connection.key} ({connection.company_name}) keeps its tokens in the {where}, but this "
            f"process uses the {here} backend: it has no usable {where}, or OPS_TOKEN_BACKEND chose the {here} "
            f"(usual under cron or systemd, where the desktop's keyring is absent or locked). Run this where the "
            f"{where} is unlocked, or connect once with "
            f"OPS_TOKEN_BACKEND=file (`OPS_TOKEN_BACKEND=file ops connect`) so that desktop and scheduled runs "
            f"share the tokens in {self.path} (mode 0600).")

    # -- writing -------------------------------------------------------

    def save(self, connection: StoredConnection) -> None:
        """Write (or replace) one connection atomically, keeping its tokens safe if that fails.

        The tokens go first to the recovery file, then to the backend the
        connection is kept in (a new one: this store's backend), then the
        recovery file is removed. Call it under :meth:`lock`.

        Raises
        ------
        ConfigurationError
            When the store could not be written; it names the recovery file
            that holds the tokens (the next run takes them from there).
        """
        key = connection.key
        with self._index_lock():
            index = self._index()
            pending = self.recovery.read(key)
            revision = max(_revision(index.get(key)), pending.revision if pending else 0) + 1
            name = connection.backend or self.backend.name
            entry = connection.index_entry(name, revision)
            try:
                kept: Path | None = self.recovery.write(key, revision, entry, connection.token)
            except (OSError, ConfigurationError) as exc:
                kept, unkept = None, exc
            try:
                backend = self._backend(name, connection)
            except ReconnectNeeded as exc:
                raise ReconnectNeeded(f"{exc} The new tokens are kept in {kept} meanwhile." if kept else str(exc)) \
                    from None
            try:
                self._commit(index, key, entry, backend, connection.token)
            except Exception as exc:  # any failure of the store or the keyring; the recovery file decides
                if kept is None:
                    raise ConfigurationError(
                        f"The new tokens of {key} could be written neither to {self.recovery.path(key)} "
                        f"({_why(unkept)}) nor to the token store ({_why(exc)}); they are lost, and the "
                        "connection must be made again once there is room") from None
                raise ConfigurationError(
                    f"The new tokens of {key} could not be written to the token store ({_why(exc)}); they are "
                    f"kept in {kept} (mode 0600), and the next run takes them from there") from None
            self.recovery.drop(key)

    def recover(self, key: str) -> bool:
        """Move a recovery file newer than the store into the store; drop an older one.

        Call it under :meth:`lock` of ``key``. Returns True when the store
        took the tokens from the recovery file.
        """
        with self._index_lock():
            index = self._index()
            pending = self.recovery.read(key)
            if pending is None:
                return False
            if pending.revision <= _revision(index.get(key)):
                self.recovery.drop(key)
                return False
            connection = _from_entry(pending.entry, pending.token)
            try:
                self._commit(index, key, dict(pending.entry), self._backend(connection.backend, connection),
                             pending.token)
            except ReconnectNeeded:
                raise
            except Exception as exc:
                raise ConfigurationError(f"The tokens of {key} kept in {pending.path} could not be moved into the "
                                         f"token store ({_why(exc)}); they stay there") from None
            self.recovery.drop(key)
            return True

    def _commit(self, index: dict[str, Any], key: str, entry: dict[str, Any], backend: SecretBackend,
                token: Mapping[str, Any]) -> None:
        """The store write proper: the secret to its backend, then the index."""
        in_file = backend.write(key, token)
        if in_file is not None:
            entry = {**entry, "token": in_file}
        index[key] = entry
        self._write(index)

    def delete(self, key: str) -> bool:
        """Remove one connection (and any recovery file of it); True when there was one."""
        with self._index_lock():
            index = self._index()
            existed = index.pop(key, None) is not None
            pending = self.recovery.read(key)
            self.backend.delete(key)
            if existed:
                self._write(index)
            if pending is not None:
                self.recovery.drop(key)
            return existed or pending is not None

    def _write(self, index: Mapping[str, Any]) -> None:
        private_directory(self.directory, allow_symlink=True)
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
        private_directory(self.directory, allow_symlink=True)
        locks = private_directory(self.directory / "locks")
        lock = filelock.FileLock(str(locks / name), timeout=self.lock_timeout, mode=0o600)
        started = time.monotonic()
        try:
            with lock:
                yield
        except filelock.Timeout:
            waited = time.monotonic() - started
            raise ConfigurationError(f"Another process has held {locks / name} for {waited:.0f} s; "
                                     "if none is running, remove the lock file") from None


def open_store(config_dir: Path, token_backend: str = "auto") -> TokenStore:
    """The token store of a config directory (created or tightened to 0700) with the chosen secret backend."""
    private_directory(config_dir, allow_symlink=True)
    return TokenStore(config_dir, choose_backend(token_backend))
