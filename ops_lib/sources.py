"""Where a register comes from: an export file, or a connected accounting system.

A source is written the way a person says it: a path (``exports/kunder.csv``)
or the name of a connected environment (``sandbox``, ``production``,
``visma-sandbox``), or ``demo-sandbox``: a private in-process sandbox
that needs no connection, for notebooks' defaults. :func:`load_register` turns either into a canonical
register frame and says which system's rules apply to records written
there (none for a file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import httpx
import pandas as pd

from .errors import DataInputError
from .readers import load_mapping, read_file
from .settings import SYSTEMS, connection_settings


DEMO_SOURCE = "demo-sandbox"


def client_register(client: Any, register: str, progress: bool = False) -> pd.DataFrame:
    from .connection import adapter

    return adapter(client.system).read_register(client, register, progress=progress)


@dataclass(frozen=True)
class LoadedRegister:
    """A register frame, what to call it, and the rules of the system it lives in."""

    frame: pd.DataFrame
    label: str
    rules: str | None


def is_environment(source: str) -> bool:
    return any(source in module.ENVIRONMENTS for module in SYSTEMS.values())


def load_register(source: str, register: str, *, mapping: str | Path | None = None,
                  connection: Mapping[str, Any] | None = None,
                  transport: httpx.BaseTransport | None = None, progress: bool = False) -> LoadedRegister:
    """Read ``register`` from ``source``.

    Parameters
    ----------
    source:
        A file path, or an environment name of a connected system.
    mapping:
        A column-mapping YAML (for files whose headers are not canonical).
    connection:
        Connection parameters (``company``, ``sandbox_url``, ...) for a system source.
    """
    if source == DEMO_SOURCE:
        from .demo import demo_client

        with demo_client() as client:
            frame = client_register(client, register, progress)
        return LoadedRegister(frame, "eaccounting:demo-sandbox", "eaccounting")
    if is_environment(source) and not Path(source).exists():
        from .connection import open_client

        settings = connection_settings({**dict(connection or {}), "environment": source})
        with open_client(settings, transport=transport) as client:
            frame = client_register(client, register, progress)
            label = f"{settings.system}:{source}:{client.session.connection.company_name}"
        return LoadedRegister(frame, label, settings.system)
    path = Path(source)
    if not path.exists():
        raise DataInputError(f"{source}: no such file, and not an environment name "
                             f"(connected environments: {', '.join(sorted(k for m in SYSTEMS.values() for k in m.ENVIRONMENTS))})")
    columns = load_mapping(mapping, register) if mapping else None
    return LoadedRegister(read_file(path, register, columns or None), path.name, None)
