"""Which options block each accounting system takes, and building one.

A job's settings carry a ``system`` and a ``system_options`` block whose
type belongs to that system (eAccounting's is
:class:`~ops_lib.systems.eaccounting.options.EAccountingOptions`). There is
no second table of systems: a built-in system's options live in the
``options`` module beside its ``system`` module in
:data:`~ops_lib.systems.registry.BUILT_IN` (``ops_lib.systems.<name>.options``),
as the one class there with ``from_mapping`` and ``as_kwargs``; a system
without such a module takes no options (:class:`NoOptions`). A registered
system (a test's toy, a plug-in) passes its type to
:func:`~ops_lib.systems.registry.register`. Finding the type imports the
options module alone, never the system's client: a reconcile of two files
loads nothing of a system.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, runtime_checkable

from ops_lib.core.errors import ConfigurationError
from ops_lib.core.options import accepted_names, defaults, settings_from, text
from ops_lib.systems import registry
from ops_lib.systems.registry import DEFAULT_SYSTEM


@runtime_checkable
class SystemOptions(Protocol):
    """A system's options block: frozen, validated, and passed on as its reader's and writer's keywords."""

    def as_kwargs(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class NoOptions:
    """The options block of a system that takes none: every name is refused, nothing is passed on."""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "NoOptions":
        return settings_from(cls, values, "system_options (this system takes none)")

    def as_kwargs(self) -> dict[str, Any]:
        return {}


def system_name(value: Any) -> str:
    """A known system's name (built in or registered); the converter of a job's ``system`` field."""
    name = text(value).strip()
    if name not in registry.known():
        raise ValueError(f"must be a known system ({', '.join(registry.known())}), not {name!r}")
    return name


def _options_class(module: Any) -> type:
    """The one class defined in a system's options module that has ``from_mapping`` and ``as_kwargs``."""
    found = [c for _, c in inspect.getmembers(module, inspect.isclass)
             if c.__module__ == module.__name__ and hasattr(c, "from_mapping") and hasattr(c, "as_kwargs")]
    if len(found) != 1:
        raise ConfigurationError(f"{module.__name__} must define one options class (with from_mapping and "
                                 f"as_kwargs), not {len(found)}")
    return found[0]


def options_type(system: str) -> Any:
    """The options class of ``system``; an unknown system is an error, never "no options".

    Raises
    ------
    ConfigurationError
        ``Unknown system 'x'; known: ...``, or an options module that does not name its class.
    """
    if not isinstance(system, str) or system not in registry.known():
        raise ConfigurationError(f"Unknown system {system!r}; known: {', '.join(registry.known())}")
    registered = registry.registered_options(system)
    if registered is not None or system not in registry.BUILT_IN:
        return registered or NoOptions
    package = registry.BUILT_IN[system].partition(":")[0].rpartition(".")[0]
    try:
        module = importlib.import_module(f"{package}.options")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.options":
            raise
        return NoOptions
    return _options_class(module)


def system_options(values: Mapping[str, Any], system: str = DEFAULT_SYSTEM) -> SystemOptions:
    """``values`` validated by ``system``'s own options type (ConfigurationError names a bad option).

    The notebooks' parameters cells carry the default system's options
    (eAccounting's ``project_target``, ``cost_center``) at their defaults;
    for another system those mean "not set" and are dropped. Set to
    anything else, they are refused as options that system does not take.
    """
    kind = options_type(system)
    if system != DEFAULT_SYSTEM:
        unset, own = defaults(options_type(DEFAULT_SYSTEM)), accepted_names(kind)
        values = {k: v for k, v in values.items() if k in own or k not in unset or unset[k] != v}
    return kind.from_mapping(values)  # type: ignore[no-any-return]


def default_options(system: str = DEFAULT_SYSTEM) -> SystemOptions:
    """``system``'s options block with every option at its default."""
    return options_type(system)()  # type: ignore[no-any-return]


__all__ = ["NoOptions", "SystemOptions", "default_options", "options_type", "system_name", "system_options"]
