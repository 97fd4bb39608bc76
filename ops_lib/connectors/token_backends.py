"""Where the secret half of a connection lives: the OS keyring, or the 0600 token file.

:func:`choose_backend` picks one for new connections. An existing
connection stays in the backend it was made in (the token store's index
names it), so a process knows a connection is there even when it cannot
read its secrets.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Mapping, Protocol

from ops_lib.core.errors import ConfigurationError

KEYRING_SERVICE = "ops-suite"
BACKEND_NAMES = {"file": "file", "keyring": "OS keyring"}


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
