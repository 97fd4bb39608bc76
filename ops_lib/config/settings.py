"""Connection settings: declared once, validated once, frozen.

Notebooks pass their ``parameters`` cell (filled by papermill from
``params/*.yaml``) and the CLI passes its flags to
:func:`connection_settings`, which checks every name and type and returns
a :class:`ConnectionSettings`. This module and :mod:`ops_lib.config.secrets` are
the only places that read ``os.environ``:

``OPS_CONFIG_DIR``
    Where tokens, locks and the secrets file live (default: the user's
    config directory, e.g. ``~/.config/ops-suite``).
``OPS_SANDBOX_URL``
    The local sandbox's base URL when the parameters leave it empty.
``OPS_TOKEN_BACKEND``
    ``auto`` (keyring when one is present, else the file), ``file`` or ``keyring``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import platformdirs

from ops_lib.connectors.endpoints import Endpoints, Environment
from ops_lib.core.errors import ConfigurationError
from ops_lib.systems.base import System
from ops_lib.systems.registry import DEFAULT_SYSTEM
from ops_lib.systems.registry import get as get_system

APP_NAME = "ops-suite"
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8765"
TOKEN_BACKENDS = ("auto", "file", "keyring")


def default_config_dir() -> Path:
    """``OPS_CONFIG_DIR`` or the platform's per-user config directory."""
    configured = os.environ.get("OPS_CONFIG_DIR", "").strip()
    return Path(configured).expanduser() if configured else Path(platformdirs.user_config_dir(APP_NAME))


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything a connector needs to know except the secret.

    Parameters
    ----------
    system:
        The accounting system: a name in :mod:`ops_lib.systems.registry` (default ``eaccounting``).
    environment:
        ``sandbox`` (default), ``production`` or ``visma-sandbox``.
    client_id:
        The OAuth client registered with the identity server.
    scopes:
        Scopes to ask for; empty: the system's default scopes. Its required
        scopes (eAccounting's ``ea:api`` and ``offline_access``) are always added.
    company:
        The organisation number of the company to use; empty means the only
        company connected in this environment.
    sandbox_url:
        Base URL of the local sandbox (environment ``sandbox`` only).
    config_dir:
        Where the token store and the secrets file live.
    token_backend:
        ``auto``, ``file`` or ``keyring``.
    language:
        The language of error explanations: one of the system's (eAccounting: ``en``, ``sv``, ``fi``).
    timeout_seconds:
        Per-request timeout.
    force_select_company:
        Make the identity server ask which company, even when the user has one.
    tenant_id:
        A service integration's tenant (the company a client-credentials grant
        asks for); empty for systems that sign in in a browser. It is no
        secret, so it lives in params; the client secret never does.
    """

    system: str = DEFAULT_SYSTEM
    environment: str = "sandbox"
    client_id: str = "ops-demo"
    scopes: tuple[str, ...] = ()  # empty: the system's default scopes
    company: str = ""
    sandbox_url: str = DEFAULT_SANDBOX_URL
    config_dir: Path = field(default_factory=default_config_dir)
    token_backend: str = "auto"
    language: str = "en"
    timeout_seconds: float = 30.0
    force_select_company: bool = True
    tenant_id: str = ""

    def __post_init__(self) -> None:
        if not self.scopes:
            object.__setattr__(self, "scopes", get_system(self.system).default_scopes)

    @property
    def environment_spec(self) -> Environment:
        return get_system(self.system).environments[self.environment]

    @property
    def endpoints(self) -> Endpoints:
        return self.environment_spec.resolve(self.sandbox_url)

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "system": str, "environment": str, "client_id": str, "scopes": (list, tuple, str), "company": str,
    "sandbox_url": str, "config_dir": (str, Path), "token_backend": str, "language": str,
    "timeout_seconds": (int, float), "force_select_company": bool, "tenant_id": str,
}


def connection_settings(params: Mapping[str, Any] | None = None, **overrides: Any) -> ConnectionSettings:
    """Validate parameters into :class:`ConnectionSettings`.

    Parameters
    ----------
    params:
        Names as in a notebook's ``parameters`` cell or a params file; names
        this function does not know are refused, so a typo cannot pass silently.
    overrides:
        The same names as keywords (the CLI's flags); they win over ``params``.

    Raises
    ------
    ConfigurationError
        Naming the parameter that is unknown, of the wrong type or out of range.
    """
    values = {**dict(params or {}), **{k: v for k, v in overrides.items() if v is not None}}
    unknown = sorted(set(values) - set(_TYPES))
    if unknown:
        raise ConfigurationError(f"Unknown connection parameter(s): {', '.join(unknown)}; "
                                 f"known: {', '.join(sorted(_TYPES))}")
    for name, value in values.items():
        expected = _TYPES[name]
        if isinstance(value, bool) and expected in ((int, float),):
            raise ConfigurationError(f"Parameter {name} must be a number, not {value!r}")
        if not isinstance(value, expected):
            raise ConfigurationError(f"Parameter {name} has the wrong type: {type(value).__name__}")

    system = values.get("system", ConnectionSettings.system)
    spec = get_system(system)
    environment = values.get("environment", ConnectionSettings.environment)
    if environment not in spec.environments:
        raise ConfigurationError(f"Unknown environment {environment!r} for {system}; "
                                 f"choose one of: {', '.join(spec.environments)}")
    client_id = str(values.get("client_id", ConnectionSettings.client_id)).strip()
    if not client_id:
        raise ConfigurationError("Parameter client_id is empty: give the client id of your registered app")
    scopes = _scopes(values.get("scopes") or spec.default_scopes, spec)
    sandbox_url = str(values.get("sandbox_url") or os.environ.get("OPS_SANDBOX_URL") or DEFAULT_SANDBOX_URL)
    if not sandbox_url.startswith(("http://", "https://")):
        raise ConfigurationError(f"Parameter sandbox_url must be an http(s) address, not {sandbox_url!r}")
    backend = token_backend(values.get("token_backend"))
    language = values.get("language", ConnectionSettings.language)
    if language not in spec.languages:
        raise ConfigurationError(f"language must be one of {', '.join(spec.languages)}, not {language!r}")
    timeout = float(values.get("timeout_seconds", ConnectionSettings.timeout_seconds))
    if not 0 < timeout <= 600:
        raise ConfigurationError("timeout_seconds must be above 0 and at most 600")
    config_dir = values.get("config_dir")
    return ConnectionSettings(
        system=system, environment=environment, client_id=client_id, scopes=scopes,
        company=str(values.get("company", ConnectionSettings.company)).strip(), sandbox_url=sandbox_url,
        config_dir=Path(config_dir).expanduser() if config_dir else default_config_dir(),
        token_backend=backend, language=language, timeout_seconds=timeout,
        force_select_company=bool(values.get("force_select_company", ConnectionSettings.force_select_company)),
        tenant_id=str(values.get("tenant_id", ConnectionSettings.tenant_id)).strip(),
    )


def token_backend(given: str | None = None) -> str:
    """The token backend: ``given``, else ``OPS_TOKEN_BACKEND``, else ``auto``.

    Raises
    ------
    ConfigurationError
        For a backend that is not one of :data:`TOKEN_BACKENDS`.
    """
    backend = str(given or os.environ.get("OPS_TOKEN_BACKEND") or "auto")
    if backend not in TOKEN_BACKENDS:
        raise ConfigurationError(f"token_backend must be one of {', '.join(TOKEN_BACKENDS)}, not {backend!r}")
    return backend


def _scopes(raw: Any, spec: System) -> tuple[str, ...]:
    asked = raw.split() if isinstance(raw, str) else [str(s) for s in raw]
    unknown = [s for s in asked if s not in spec.scopes]
    if unknown:
        raise ConfigurationError(f"Unknown scope(s): {', '.join(unknown)}; known: {', '.join(spec.scopes)}")
    chosen = [s for s in spec.scopes if s in set(asked) | set(spec.required_scopes)]
    return tuple(chosen)


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set ``OPS_*`` variables for a block (and for the processes it starts), then restore them.

    The demo uses it to point every run at its own sandbox and config
    directory without touching the user's own.
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
