"""The token store: private, atomic, per connection, keyring when present."""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import keyring.backend
import keyring.errors
import pytest

from ops_lib.connectors.tokens import (
    FileSecrets,
    KeyringSecrets,
    StoredConnection,
    TokenStore,
    choose_backend,
    connection_key,
    open_store,
)
from ops_lib.core.errors import ConfigurationError, ReconnectNeeded
from ops_lib.core.files import write_private_file

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
    with pytest.raises(ConfigurationError, match="disk full"):
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


# -- what the index keeps without the secrets ---------------------------------


def test_the_index_keeps_expiry_refreshability_and_backend_but_no_secret(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    TokenStore(tmp_path, KeyringSecrets(ring)).save(connection())
    on_disk = tmp_path.joinpath("tokens.json").read_text()
    assert "acc-123" not in on_disk and "ref-456" not in on_disk
    for store in (TokenStore(tmp_path, KeyringSecrets(ring)), TokenStore(tmp_path, FileSecrets())):
        (listed,) = store.connections()  # no secret is read for a listing
        assert listed.token == {}
        assert (listed.expires_at, listed.has_refresh_token, listed.backend) == (2_000_000_000, True, "keyring")


def test_an_entry_without_a_refresh_token_says_so(tmp_path: Path) -> None:
    store = TokenStore(tmp_path, KeyringSecrets(MemoryKeyring()))
    store.save(connection(token={"access_token": "acc-123", "expires_at": 1_900_000_000}))
    (listed,) = store.connections()
    assert (listed.expires_at, listed.has_refresh_token) == (1_900_000_000, False)


# -- a connection made in the other backend -----------------------------------


def test_a_keyring_connection_looked_up_without_a_keyring_names_both_backends(tmp_path: Path) -> None:
    TokenStore(tmp_path, KeyringSecrets(MemoryKeyring())).save(connection())
    with pytest.raises(ReconnectNeeded) as caught:
        TokenStore(tmp_path, FileSecrets()).load(connection().key)
    message = str(caught.value)
    assert "OS keyring" in message and "file backend" in message and connection().key in message
    assert "acc-123" not in message and "ref-456" not in message


def test_a_file_connection_is_read_from_the_file_by_a_process_with_a_keyring(tmp_path: Path) -> None:
    TokenStore(tmp_path, FileSecrets()).save(connection())
    ring = MemoryKeyring()
    store = TokenStore(tmp_path, KeyringSecrets(ring))
    loaded = store.load(connection().key)
    assert loaded is not None and dict(loaded.token) == TOKEN
    store.save(loaded.with_token({**TOKEN, "access_token": "acc-789"}))  # a refresh keeps it where it was
    assert ring.items == {}
    assert TokenStore(tmp_path, FileSecrets()).load(connection().key).token["access_token"] == "acc-789"  # type: ignore[union-attr]


# -- a rotated token is never lost --------------------------------------------

ROTATED = {**TOKEN, "access_token": "acc-rotated", "refresh_token": "ref-rotated"}


def recovery_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and "recovery" in str(p.relative_to(directory)))


def test_a_full_disk_on_the_store_write_keeps_the_rotated_token_in_a_recovery_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore(tmp_path)
    store.save(connection())
    real_replace = os.replace

    def full_disk(src: str, dst: str) -> None:
        if Path(dst).name == "tokens.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ConfigurationError) as caught:
        store.save(connection(token=ROTATED))
    monkeypatch.setattr(os, "replace", real_replace)
    (kept,) = recovery_files(tmp_path)
    message = str(caught.value)
    assert str(kept) in message and "No space left" in message
    assert "rotated" not in message
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "ref-rotated" not in store.path.read_text()  # the store itself still holds the old set

    fresh = TokenStore(tmp_path)  # the next run
    assert fresh.load(connection().key).token["refresh_token"] == "ref-rotated"  # type: ignore[union-attr]
    with fresh.lock(connection().key):
        assert fresh.recover(connection().key)
    assert recovery_files(tmp_path) == []
    assert json.loads(store.path.read_text())["connections"][connection().key]["token"]["refresh_token"] == "ref-rotated"


class LockedKeyring(MemoryKeyring):
    """A keyring that refuses writes, as a locked login keyring does."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked(f"cannot store {password}")


def test_a_locked_keyring_on_the_store_write_keeps_the_rotated_token_in_a_recovery_file(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    TokenStore(tmp_path, KeyringSecrets(ring)).save(connection())
    locked = LockedKeyring()
    locked.items = ring.items
    with pytest.raises(ConfigurationError) as caught:
        TokenStore(tmp_path, KeyringSecrets(locked)).save(connection(token=ROTATED))
    (kept,) = recovery_files(tmp_path)
    assert str(kept) in str(caught.value) and "KeyringLocked" in str(caught.value)
    assert "rotated" not in str(caught.value) and "rotated" not in repr(caught.value.__cause__)

    unlocked = TokenStore(tmp_path, KeyringSecrets(ring))
    with unlocked.lock(connection().key):
        assert unlocked.recover(connection().key)
    assert json.loads(ring.items[("ops-suite", connection().key)])["refresh_token"] == "ref-rotated"
    assert recovery_files(tmp_path) == []


def test_a_recovery_file_older_than_the_store_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore(tmp_path)
    store.save(connection())
    real_unlink = os.unlink
    # Killed after the store write, before the recovery file was removed: both hold the same set.
    monkeypatch.setattr(os, "unlink", lambda path, *a, **k: None if "recovery" in str(path) else real_unlink(path))
    store.save(connection(token=ROTATED))
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert len(recovery_files(tmp_path)) == 1
    with store.lock(connection().key):
        assert not store.recover(connection().key)
    assert recovery_files(tmp_path) == []
    assert store.load(connection().key).token["refresh_token"] == "ref-rotated"  # type: ignore[union-attr]


def test_deleting_a_connection_removes_its_recovery_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore(tmp_path)
    store.save(connection())
    monkeypatch.setattr(TokenStore, "_commit", lambda *a: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(ConfigurationError):
        store.save(connection(token=ROTATED))
    monkeypatch.undo()
    assert store.delete(connection().key)
    assert recovery_files(tmp_path) == [] and store.load(connection().key) is None


# -- the config directory -------------------------------------------------------


def test_an_existing_config_dir_at_0755_is_tightened_to_0700(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    config.mkdir(mode=0o755)
    config.chmod(0o755)
    open_store(config, "file")
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    config.chmod(0o755)
    TokenStore(config).save(connection())
    assert stat.S_IMODE(config.stat().st_mode) == 0o700


def test_the_secrets_guard_knows_the_tokens_of_a_recovery_file_and_skips_an_unreachable_keyring(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ops_lib.config.secrets import known_secrets
    from ops_lib.config.settings import connection_settings

    store = TokenStore(tmp_path)
    store.save(connection())
    monkeypatch.setattr(TokenStore, "_commit", lambda *a: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(ConfigurationError):
        store.save(connection(token=ROTATED))
    monkeypatch.undo()
    TokenStore(tmp_path, KeyringSecrets(MemoryKeyring())).save(connection("556934-2107"))
    known = known_secrets(connection_settings({"config_dir": str(tmp_path), "token_backend": "file"}))
    assert {"acc-rotated", "ref-rotated"} <= set(known)
    assert known["ref-rotated"] == f"refresh token of {connection().key}"
