"""Which options block each accounting system takes, and building one.

A job's settings carry a ``system_options`` block whose type belongs to the
system (eAccounting's is :class:`~ops_lib.systems.eaccounting.options.EAccountingOptions`).
This table is the one place that knows it; the system registry's
``options_type`` takes its place once the registry exists.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from ops_lib.core.errors import ConfigurationError
from ops_lib.systems.eaccounting.options import EAccountingOptions

DEFAULT_SYSTEM = "eaccounting"


class SystemOptions(Protocol):
    """A system's options block: frozen, validated, and passed on as its reader's and writer's keywords."""

    def as_kwargs(self) -> dict[str, Any]: ...


OPTIONS_TYPES: dict[str, Any] = {"eaccounting": EAccountingOptions}


def options_type(system: str) -> Any:
    """The options class of ``system``; an unknown system is an error, never "no options"."""
    try:
        return OPTIONS_TYPES[system]
    except KeyError:
        raise ConfigurationError(f"Unknown system {system!r}; known: {', '.join(OPTIONS_TYPES)}") from None


def system_options(values: Mapping[str, Any], system: str = DEFAULT_SYSTEM) -> SystemOptions:
    """``values`` validated by ``system``'s own options type (ConfigurationError names a bad option)."""
    return options_type(system).from_mapping(values)  # type: ignore[no-any-return]


def default_options(system: str = DEFAULT_SYSTEM) -> SystemOptions:
    return options_type(system)()  # type: ignore[no-any-return]
