"""Where the OAuth client secret comes from: never from params.

In order:

1. the environment variable ``OPS_<SYSTEM>_CLIENT_SECRET`` (for example
   ``OPS_EACCOUNTING_CLIENT_SECRET``), the usual way for schedulers;
2. the secrets file, ``<config dir>/secrets.yaml`` or ``OPS_SECRETS_FILE``,
   which must be mode 0600 and lie outside any git working tree::

       eaccounting:
         production:
           my-client-id: the-client-secret

3. the published demo client of the local sandbox, which is no secret.

A system may need another secret besides (Procountor's API key): it is
read the same way, from ``OPS_<SYSTEM>_<NAME>`` (``OPS_PROCOUNTOR_API_KEY``)
or from the secrets file, where the client's entry is then a mapping::

       procountor:
         production:
           my-client-id: {client_secret: the-client-secret, api_key: the-api-key}

(:func:`find_secret`, :func:`grant_with_secrets`).

This module and :mod:`ops_lib.config.settings` are the only readers of ``os.environ``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from ops_lib.config.settings import ConnectionSettings
from ops_lib.core.errors import ConfigurationError, ReconnectNeeded


def secret_variable(settings: ConnectionSettings) -> str:
    """The environment variable that carries this system's client secret."""
    return f"OPS_{settings.system.upper()}_CLIENT_SECRET"


def secrets_file(settings: ConnectionSettings) -> Path:
    return _secrets_path(settings.config_dir)


def _secrets_path(config_dir: Path) -> Path:
    configured = os.environ.get("OPS_SECRETS_FILE", "").strip()
    return Path(configured).expanduser() if configured else config_dir / "secrets.yaml"


def find_client_secret(settings: ConnectionSettings) -> str | None:
    """The client secret for these settings, or None when none is configured.

    Raises
    ------
    ConfigurationError
        When the secrets file is readable by others, sits inside a git
        working tree, or is not valid YAML.
    """
    from_env = os.environ.get(secret_variable(settings), "").strip()
    if from_env:
        return from_env
    path = secrets_file(settings)
    if path.exists():
        entry = _read_secrets_file(path).get(settings.system, {}).get(settings.environment, {})
        if isinstance(entry, dict) and entry.get(settings.client_id):
            found = entry[settings.client_id]
            return str(found.get("client_secret") or "") or None if isinstance(found, dict) else str(found)
    public = settings.environment_spec.public_client
    if public and public[0] == settings.client_id:
        return public[1]
    return None


def require_client_secret(settings: ConnectionSettings, typed: str | None = None) -> str:
    """The secret typed into a form, else :func:`find_client_secret`, else a clear error."""
    if typed:
        return typed
    found = find_client_secret(settings)
    if found:
        return found
    raise ConfigurationError(
        f"No client secret for client {settings.client_id!r} ({settings.system}, {settings.environment}). "
        f"Set {secret_variable(settings)}, or put it in {secrets_file(settings)} (mode 0600), "
        "or type it into the connect form. Secrets never go into params files."
    )


def secret_name_variable(settings: ConnectionSettings, name: str) -> str:
    """The environment variable that carries one of this system's other secrets (``OPS_PROCOUNTOR_API_KEY``)."""
    return f"OPS_{settings.system.upper()}_{name.upper()}"


def find_secret(settings: ConnectionSettings, name: str) -> str | None:
    """Another secret of the client (``name``, such as ``api_key``), found like the client secret, or None."""
    from_env = os.environ.get(secret_name_variable(settings, name), "").strip()
    if from_env:
        return from_env
    path = secrets_file(settings)
    if path.exists():
        entry = _read_secrets_file(path).get(settings.system, {}).get(settings.environment, {})
        found = entry.get(settings.client_id) if isinstance(entry, dict) else None
        if isinstance(found, dict) and found.get(name):
            return str(found[name])
    public = settings.environment_spec.public_client
    if public and public[0] == settings.client_id:
        return dict(settings.environment_spec.public_secrets).get(name)
    return None


def grant_with_secrets(settings: ConnectionSettings, grant: Any) -> Any:
    """``grant`` with the secrets it names (``secret_params``) filled in; other grants as they are.

    Raises
    ------
    ConfigurationError
        Naming the variable and the file a missing secret belongs in (never a value).
    """
    names = tuple(getattr(grant, "secret_params", ()) or ())
    if not names:
        return grant
    values = {}
    for name in names:
        value = find_secret(settings, name)
        if not value:
            raise ConfigurationError(
                f"No {name} for client {settings.client_id!r} ({settings.system}, {settings.environment}). "
                f"Set {secret_name_variable(settings, name)}, or put it in {secrets_file(settings)} (mode 0600) "
                f"as {settings.client_id}: {{client_secret: ..., {name}: ...}}. Secrets never go into params files.")
        values[name] = value
    return grant.with_secrets(values)


def _read_secrets_file(path: Path) -> dict:
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"The secrets file {path} is readable by other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    for parent in path.resolve().parents:
        if (parent / ".git").exists():
            raise ConfigurationError(
                f"The secrets file {path} is inside the git working tree {parent}; "
                "move it outside the repository (for example to the config directory)."
            )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        # The YAML error text would quote the file's content, which holds secrets.
        raise ConfigurationError(f"The secrets file {path} is not valid YAML (line and content withheld)") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"The secrets file {path} must map system -> environment -> client id -> secret")
    return data



def known_secrets(settings: ConnectionSettings) -> dict[str, str]:
    """Every secret the suite knows here, value -> what it is (never the value itself).

    Client secrets from ``OPS_*_CLIENT_SECRET`` and from the secrets file,
    and the access, refresh and id tokens of every connection stored in
    the settings' config directory. The sandbox's published demo secret is
    no secret and is left out. This is what the secrets guard looks for in
    a run's outputs.
    """
    return known_secrets_in(settings.config_dir, settings.token_backend)


def known_secrets_in(config_dir: Path, token_backend: str) -> dict[str, str]:
    """:func:`known_secrets` of a config directory and token backend, without settings (so without a system).

    ``ops run`` asks before and after every run; building full settings
    would load the accounting system's package for nothing.
    """
    from ops_lib.connectors.tokens import open_store

    found: dict[str, str] = {}
    for name, value in os.environ.items():
        if name.startswith("OPS_") and name.endswith(("_CLIENT_SECRET", "_API_KEY")) and value.strip():
            found[value.strip()] = f"secret from {name}"
    path = _secrets_path(config_dir)
    if path.exists():
        for system, environments in _read_secrets_file(path).items():
            for environment, clients in (environments or {}).items():
                for client_id, secret in clients.items() if isinstance(clients, dict) else ():
                    named = secret if isinstance(secret, dict) else {"client_secret": secret}
                    for kind, value in named.items():
                        if value:
                            found[str(value)] = f"{kind} of {system}/{environment}/{client_id}"
    store = open_store(config_dir, token_backend)
    for connection in store.connections():
        tokens = [pending.token] if (pending := store.recovery.read(connection.key)) else []
        try:
            loaded = store.load(connection.key)
        except ReconnectNeeded:  # kept in a keyring this process cannot reach, so no output here can hold them
            loaded = None
        tokens.append(loaded.token if loaded else {})
        for token in tokens:
            for kind in ("access_token", "refresh_token", "id_token"):
                value = str(token.get(kind) or "")
                if value:
                    found[value] = f"{kind.replace('_', ' ')} of {connection.key}"
    return {value: what for value, what in found.items() if len(value) >= 8}
