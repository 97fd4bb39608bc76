"""The token store: private, atomic, per connection, keyring when present."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import keyring.backend
import pytest

from ops_lib.errors import ConfigurationError
from ops_lib.tokens import (
    FileSecrets,
    KeyringSecrets,
    StoredConnection,
    TokenStore,
    choose_backend,
    connection_key,
    write_private_file,
)

TOKEN = {"access_token": "acc-123", "refresh_token": "ref-456", "expires_at": 2_000_000_000, "token_type": "Bearer"}


def connection(company: str = "556812-3458", token: dict[str, Any] = TOKEN) -> StoredConnection:
    return StoredConnection("eaccounting", "sandbox", company, "Fjällbris Konsult AB", "ops-demo",
                            "ea:api offline_access", 1_700_000_000.0, token)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend kept in memory, standing in for the OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_file_is_private_and_round_trips(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "cfg")
    store.save(connection())
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700
    loaded = store.load(connection_key("eaccounting", "sandbox", "556812-3458"))
    assert loaded is not None and dict(loaded.token) == TOKEN
    assert loaded.company_name == "Fjällbris Konsult AB"


def test_one_entry_per_environment_and_company(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save(connection("556812-3458"))
    store.save(connection("556934-2107"))
    store.save(connection("556812-3458", {**TOKEN, "access_token": "newer"}))
    assert [c.company_key for c in store.connections("eaccounting", "sandbox")] == ["556812-3458", "556934-2107"]
    assert store.connections("eaccounting", "production") == []
    assert store.load(connection().key).token["access_token"] == "newer"  # type: ignore[union-attr]
    assert store.delete(connection().key) and not store.delete(connection().key)
    assert [c.company_key for c in store.connections()] == ["556934-2107"]


def test_repr_and_public_view_hide_the_tokens(tmp_path: Path) -> None:
    item = connection()
    for text in (repr(item), str(item.public())):
        assert "acc-123" not in text and "ref-456" not in text
    assert item.public()["has_refresh_token"] is True


def test_a_failed_write_leaves_the_old_store_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore(tmp_path)
    store.save(connection())
    before = store.path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        store.save(connection("556934-2107"))
    assert store.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_write_private_file_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")
    target.chmod(0o644)
    write_private_file(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_keyring_keeps_the_tokens_and_the_file_only_the_public_part(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = TokenStore(tmp_path, KeyringSecrets(ring))
    store.save(connection())
    on_disk = store.path.read_text()
    assert "acc-123" not in on_disk and "ref-456" not in on_disk
    assert "Fjällbris" in json.loads(on_disk)["connections"][connection().key]["company_name"]
    assert json.loads(ring.items[("ops-suite", connection().key)])["refresh_token"] == "ref-456"
    assert dict(store.load(connection().key).token) == TOKEN  # type: ignore[union-attr]
    store.delete(connection().key)
    assert ring.items == {}


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert isinstance(choose_backend("auto"), FileSecrets)
    with pytest.raises(ConfigurationError, match="no OS keyring"):
        choose_backend("keyring")
    ring = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: ring)
    assert isinstance(choose_backend("auto"), KeyringSecrets)
    assert isinstance(choose_backend("file"), FileSecrets)


def test_damaged_store_is_a_clear_error(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    tmp_path.joinpath("tokens.json").write_text("{not json")
    with pytest.raises(ConfigurationError, match="damaged"):
        store.load("x")


def test_lock_excludes_other_holders(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    order: list[str] = []
    inside = threading.Event()

    def holder() -> None:
        with store.lock("k"):
            inside.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=holder)
    thread.start()
    inside.wait()
    with TokenStore(tmp_path).lock("k"):  # a second store object, as another process would have
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_lock_timeout_is_reported(tmp_path: Path) -> None:
    store = TokenStore(tmp_path, lock_timeout=0.2)
    with store.lock("k"):
        other = TokenStore(tmp_path, lock_timeout=0.2)
        with pytest.raises(ConfigurationError, match="remove the lock file"):
            with other.lock("k"):
                pass
