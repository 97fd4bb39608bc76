"""Which options block each accounting system takes, and building one.

A job's settings carry a ``system_options`` block whose type belongs to the
system (eAccounting's is :class:`~ops_lib.systems.eaccounting.options.EAccountingOptions`).
:data:`OPTIONS_TYPES` says where each system's options class lives, beside
the registry's :data:`~ops_lib.systems.registry.BUILT_IN` and loaded as
lazily: building a job's settings imports the options module alone, never
the system's client (a reconcile of two files loads nothing of a system).
"""

from __future__ import annotations

import importlib
from typing import Any, Mapping, Protocol

from ops_lib.core.errors import ConfigurationError
from ops_lib.systems.registry import DEFAULT_SYSTEM


class SystemOptions(Protocol):
    """A system's options block: frozen, validated, and passed on as its reader's and writer's keywords."""

    def as_kwargs(self) -> dict[str, Any]: ...


# name -> "module:class" of its options block; a new system adds one line here, as in the registry.
OPTIONS_TYPES: dict[str, str] = {"eaccounting": "ops_lib.systems.eaccounting.options:EAccountingOptions"}


def options_type(system: str) -> Any:
    """The options class of ``system``; an unknown system is an error, never "no options"."""
    try:
        module, _, name = OPTIONS_TYPES[system].partition(":")
    except KeyError:
        raise ConfigurationError(f"Unknown system {system!r}; known: {', '.join(OPTIONS_TYPES)}") from None
    return getattr(importlib.import_module(module), name)


def system_options(values: Mapping[str, Any], system: str = DEFAULT_SYSTEM) -> SystemOptions:
    """``values`` validated by ``system``'s own options type (ConfigurationError names a bad option)."""
    return options_type(system).from_mapping(values)  # type: ignore[no-any-return]


def default_options(system: str = DEFAULT_SYSTEM) -> SystemOptions:
    return options_type(system)()  # type: ignore[no-any-return]
