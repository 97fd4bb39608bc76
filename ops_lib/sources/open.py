"""Where a register comes from: an export file, or a connected accounting system.

A source is written the way a person says it: a path (``exports/kunder.csv``)
or the name of a connected environment (``sandbox``, ``production``,
``visma-sandbox``), or ``demo-sandbox``: the process's own in-process
sandbox that needs no connection, for notebooks' defaults.
:func:`load_register` turns either into a canonical register frame and
says which system's rules apply to records written there (none for a
file). A system's client stays open on the caller's exit stack, so the
same connection can write back what the reconciliation plans.

Reading a file needs nothing but the file: no connection settings, no
token store, no state database. Only a system source opens its client
(:func:`open_system`) and the register cache that makes its pulls
incremental (:func:`open_register_cache`); those imports stay inside the
functions that need them, so comparing two files never loads them.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import httpx
import pandas as pd

from ops_lib.core.errors import ConfigurationError, DataInputError
from ops_lib.sources.files import load_mapping, read_file
from ops_lib.systems.registry import get as get_system
from ops_lib.systems.registry import lacks_register, require_register, systems

DEMO_SOURCE = "demo-sandbox"


@dataclass(frozen=True)
class LoadedRegister:
    """A register frame, what to call it, the rules of the system it lives in, and how to reach it again.

    ``client`` is the open connection of a system source; ``path`` the file of a file source.
    """

    frame: pd.DataFrame
    label: str
    rules: str | None
    client: Any = None
    path: Path | None = None


def environment_names() -> list[str]:
    """Every connected environment's name, over all systems, sorted."""

    return sorted(name for system in systems() for name in system.environments)


def is_environment(source: str) -> bool:
    return source in environment_names()


def is_system_source(source: str) -> bool:
    """``demo-sandbox``, or an environment name that is not also a file here.

    A file that exists is a file source before any system is asked about its name.
    """
    return source == DEMO_SOURCE or (not Path(source).exists() and is_environment(source))


def open_system(stack: contextlib.ExitStack, source: str, *, connection: Mapping[str, Any] | None = None,
                transport: httpx.BaseTransport | None = None,
                client_options: Mapping[str, Any] | None = None) -> tuple[Any, str]:
    """The connected client of a system source, open on ``stack``, and what to call it.

    ``demo-sandbox`` is the process's own in-process sandbox; any other name
    is a connected environment (``connection`` adds ``company``, ``sandbox_url``).
    """
    if source == DEMO_SOURCE:
        from ops_lib.connection.demo_sandbox import DEMO_SYSTEM, demo_client

        wanted = (connection or {}).get("system", DEMO_SYSTEM)
        if wanted != DEMO_SYSTEM:  # its data would pass for the other system's
            raise ConfigurationError(f"{DEMO_SOURCE} is the in-process {DEMO_SYSTEM} sandbox, not {wanted}'s: "
                                     f"connect {wanted}'s sandbox and name its environment instead")
        return stack.enter_context(demo_client(shared=True)), f"{DEMO_SYSTEM}:{DEMO_SOURCE}"
    from ops_lib.config.settings import connection_settings
    from ops_lib.connection.connect import open_client

    settings = connection_settings({**dict(connection or {}), "environment": source})
    client = stack.enter_context(open_client(settings, transport=transport, **dict(client_options or {})))
    return client, f"{settings.system}:{source}:{client.session.connection.company_name}"


def state_path_for(sources: Iterable[str], state_db: str | Path, connection: Mapping[str, Any]) -> str:
    """The state database: as given, else the demo sandbox's own when a source is ``demo-sandbox``.

    The demo sandbox's ids mean nothing to another sandbox, so its operations log
    and ledger live and die with it; any other source uses the
    configuration directory's database.
    """
    if state_db:
        return str(state_db)
    if DEMO_SOURCE in sources:
        from ops_lib.connection.demo_sandbox import shared_sandbox

        return str(shared_sandbox()[1] / "state.sqlite")
    from ops_lib.config.settings import connection_settings
    from ops_lib.state.db import default_state_path

    return str(default_state_path(connection_settings(dict(connection)).config_dir))


def open_state_db(stack: contextlib.ExitStack, sources: Iterable[str], state_db: str | Path,
                  connection: Mapping[str, Any]) -> sqlite3.Connection:
    """The state database for ``sources`` (see :func:`state_path_for`), opened (and created), closed by ``stack``."""
    from ops_lib.state.db import open_state

    db = open_state(state_path_for(tuple(sources), state_db, connection))
    stack.callback(db.close)
    return db


def open_register_cache(stack: contextlib.ExitStack, sources: Iterable[str], state_db: str | Path,
                        connection: Mapping[str, Any]) -> sqlite3.Connection | None:
    """The state database whose register cache a system source is pulled through; None when all are files.

    The cache is part of how a system is read (a pull fetches only what
    changed since the last one), so reading a system opens it, and creates
    ``state.sqlite`` on the first pull; reading files opens nothing.
    """
    sources = tuple(sources)
    if not any(is_system_source(source) for source in sources):
        return None
    return open_state_db(stack, sources, state_db, connection)


def read_file_source(source: str, register: str, mapping: str | Path | None = None) -> LoadedRegister:
    """Read ``register`` from the file ``source``; it touches nothing but the file and ``mapping``.

    Raises
    ------
    DataInputError
        When there is no such file (naming the environments it could have meant), or it cannot be read.
    """
    path = Path(source)
    if not path.exists():
        raise DataInputError(f"{source}: no such file, and not an environment name "
                             f"(connected environments: {', '.join(environment_names())})")
    columns = load_mapping(mapping, register) if mapping else None
    return LoadedRegister(read_file(path, register, columns or None), path.name, None, path=path)


def load_register(stack: contextlib.ExitStack, source: str, register: str, *, mapping: str | Path | None = None,
                  connection: Mapping[str, Any] | None = None, transport: httpx.BaseTransport | None = None,
                  db: sqlite3.Connection | None = None, full: bool = False,
                  options: Mapping[str, Any] | None = None,
                  client_options: Mapping[str, Any] | None = None) -> LoadedRegister:
    """Read ``register`` from ``source``.

    Parameters
    ----------
    stack:
        Holds a system source's client open until the caller closes it.
    mapping:
        A column-mapping YAML (for files whose headers are not canonical).
    connection:
        Connection parameters (``company``, ``sandbox_url``, ...) for a system source.
    db, full:
        The state database whose register cache makes system pulls incremental (None: always in
        full, nothing kept); ``full`` pulls in full anyway.
    options:
        The system reader's options (``project_target``, ``cost_center``).
    client_options:
        Passed to :func:`ops_lib.connection.connect.open_client` (``sleep``, ``budget``, ``page_size``, ...).
    """
    if not is_system_source(source):
        return read_file_source(source, register, mapping)
    from ops_lib.state.cache import RegisterCache

    options = dict(options or {})
    client, label = open_system(stack, source, connection=connection, transport=transport,
                                client_options=client_options)
    if register == "projects" and options.get("project_target") == "cost_center_items":
        label += f" (cost centre {options.get('cost_center')})"
    cache = RegisterCache(db, client.system, client.session.key) if db is not None else None
    frame = read_system_register(client, register, cache=cache, full=full, options=options)
    return LoadedRegister(frame, label, client.system, client=client)


def read_system_register(client: Any, register: str, *, cache: Any = None, full: bool = False,
                         options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``register`` as the connected ``client``'s system reads it.

    Raises
    ------
    ConfigurationError
        Naming the system and the register, when the system has no such register (it
        says so, or its reader refuses the name), instead of a crash deep in its reader.
    """
    system = get_system(client.system)
    require_register(system, register)
    try:
        return system.read_register(client, register, cache=cache, full=full, **dict(options or {}))
    except (ValueError, KeyError, NotImplementedError) as exc:
        if register not in str(exc):  # a reader's own fault, not a register it lacks
            raise
        raise lacks_register(system, register, exc) from exc
