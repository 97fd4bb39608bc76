"""Which accounting systems the suite knows: an explicit registry, name -> :class:`~ops_lib.systems.base.System`.

The systems that ship with the suite are listed in :data:`BUILT_IN` as
import strings and loaded on first use, so asking for settings does not
import every system's client. Anything else (a toy system in a test, a
plug-in) joins with :func:`register`, with its options type if it takes
options (:mod:`ops_lib.systems.options` finds a built-in system's by its
package, so this stays the only table of systems). An unknown name is a
:class:`~ops_lib.core.errors.ConfigurationError`, never "no rules".
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from ops_lib.core.errors import ConfigurationError
from ops_lib.systems.base import System

DEFAULT_SYSTEM = "eaccounting"

# name -> "module:attribute" of its System object; a new system is one line here.
BUILT_IN: dict[str, str] = {
    "eaccounting": "ops_lib.systems.eaccounting.system:SYSTEM",
    "vismanet": "ops_lib.systems.vismanet.system:SYSTEM",
    "procountor": "ops_lib.systems.procountor.system:SYSTEM",
}

_registered: dict[str, System] = {}
_options: dict[str, Any] = {}  # name -> the options type a registered system was given
_lock = threading.Lock()


def _load(name: str) -> System:
    module, _, attribute = BUILT_IN[name].partition(":")
    system = getattr(importlib.import_module(module), attribute)
    if not isinstance(system, System) or system.name != name:
        raise ConfigurationError(f"{BUILT_IN[name]} is not the System {name!r}")
    return system


def known() -> tuple[str, ...]:
    """Every system name, built in or registered, without loading any."""
    return tuple(dict.fromkeys([*BUILT_IN, *_registered]))


def register(system: System, *, options: Any = None) -> System:
    """Add ``system`` under its name (a built-in name is taken over); returns it.

    ``options`` is the type of its options block (``from_mapping`` and
    ``as_kwargs``, as :mod:`ops_lib.systems.options` describes); None: it takes none.

    Raises
    ------
    ConfigurationError
        When ``system`` does not have the shape of a :class:`System`.
    """
    if not isinstance(system, System):
        declared = {*System.__annotations__, *(n for n in vars(System) if not n.startswith("_"))}
        missing = [n for n in declared if not hasattr(system, n)]
        raise ConfigurationError(f"{system!r} is not a System (missing: {', '.join(sorted(missing))})")
    with _lock:
        _registered[system.name] = system
        _options[system.name] = options
    return system


def registered_options(name: str) -> Any:
    """The options type ``name`` was registered with, or None (a built-in system's is found by its package)."""
    with _lock:
        return _options.get(name)


def unregister(name: str) -> None:
    """Forget a system added with :func:`register` (built-ins come back on the next :func:`get`)."""
    with _lock:
        _registered.pop(name, None)
        _options.pop(name, None)


def get(name: str) -> System:
    """The system called ``name``.

    Raises
    ------
    ConfigurationError
        ``Unknown system 'x'; known: ...`` for a name nobody registered.
    """
    with _lock:
        if name in _registered:
            return _registered[name]
        if name not in BUILT_IN:
            raise ConfigurationError(f"Unknown system {name!r}; known: {', '.join(known())}")
    system = _load(name)
    with _lock:
        return _registered.setdefault(name, system)


def require_register(system: System, register: str) -> None:
    """Refuse, before anything is read, a register ``system`` says it does not have.

    A system may declare ``registers`` (the names it reads and writes); one that does not is
    asked anyway, and :func:`lacks_register` words what its reader answers.

    Raises
    ------
    ConfigurationError
        ``<system> has no <register> register (it has: ...)``.
    """
    declared = getattr(system, "registers", None)
    if declared is not None and register not in declared:
        raise ConfigurationError(f"{system.name} has no {register} register (it has: {', '.join(declared)})")


def lacks_register(system: System, register: str, answer: Exception) -> ConfigurationError:
    """The error for a system whose reader refused ``register`` (its own words kept, as the cause)."""
    return ConfigurationError(f"{system.name} cannot read the {register} register ({answer}); "
                              "choose another register or system")


def systems() -> tuple[System, ...]:
    """Every known system, loaded."""
    return tuple(get(name) for name in known())


__all__ = ["BUILT_IN", "DEFAULT_SYSTEM", "get", "known", "register", "registered_options", "lacks_register",
           "require_register", "systems", "unregister"]
