"""How a job's settings are declared: each option once, with its default and its converter.

A job (reconcile, sync, booking, the mapping check) takes one frozen
settings dataclass. Its fields are declared with :func:`option`, which
keeps the default, the converter and a line of help together (as
beancount's ``options.py`` does), and :func:`settings_from` turns a
mapping (a notebook's ``parameters`` cell, a params file, the CLI's flags)
into the object: unknown names are refused, each value is converted once,
and a bad value raises :class:`ConfigurationError` naming the field.

The settings classes themselves live next to their jobs
(``reconciliation/settings.py``, ``sync/settings.py``,
``booking/settings.py``), because a job's settings hold the options block
of an accounting system, and ``config`` sits below ``systems``.

Two kinds of field are special:

``nested``
    A field holding another settings object (the sync's reconciliation, a
    system's options block). Its names are accepted flat as well, so the
    notebooks' ``project_target`` and ``cost_center`` keep working and
    land in the options block. A nested field may depend on an earlier
    field (its ``key``): a system's options block takes the type of the
    chosen ``system``, so its flat names are that system's.
``relative``
    A path relative to the working directory. The CLI runs from the
    project folder; the notebooks run from ``notebooks/`` and say the same
    path with ``../`` in front (the parameters-cell test knows this).

Names that are not a job's own live elsewhere and are documented here:
:data:`CONNECTION_FIELDS` go to :func:`ops_lib.config.settings.connection_settings`,
:data:`RUN_FIELDS` are read by the notebook's forms, not by the job.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar

from ops_lib.core.errors import ConfigurationError

T = TypeVar("T")
Converter = Callable[[Any], Any]

# Connection-level names a job passes on to connection_settings() (only when not empty).
CONNECTION_FIELDS = ("system", "company", "sandbox_url", "tenant_id")
# Run-level names: the forms read them, the job never does (``steps``: which steps of a many-step notebook run).
RUN_FIELDS = ("interactive", "steps")


def connection_values(settings: object) -> dict[str, Any]:
    """A job's :data:`CONNECTION_FIELDS` that are set (its ``system`` always is), for ``connection_settings``."""
    given = ((name, getattr(settings, name, "")) for name in CONNECTION_FIELDS)
    return {name: value for name, value in given if value}


def option(default: Any, convert: Converter, help: str = "", *, relative: bool = False) -> Any:
    """A settings field: its default, the converter a given value goes through, and what it means."""
    return dataclasses.field(default=default, metadata={"convert": convert, "help": help, "relative": relative})


def nested(factory: Callable[..., Any], build: Callable[..., Any], help: str = "", *, key: str = "") -> Any:
    """A field holding another settings object, built by ``build`` from the names it accepts.

    With ``key`` (an earlier field's name) the object depends on that field's value:
    ``factory(value)`` is its default and ``build(mapping, value)`` builds it; without,
    ``factory()`` and ``build(mapping)``.
    """
    return dataclasses.field(default_factory=factory, metadata={"build": build, "help": help, "key": key})


def text(value: Any) -> str:
    """A string, as given (an empty string means "not set" wherever that is allowed)."""
    if not isinstance(value, str):
        raise TypeError(f"must be text, not {type(value).__name__} ({value!r})")
    return value


def path_text(value: Any) -> str:
    """A path, kept as text so the settings stay comparable with the notebook's defaults."""
    return str(value) if isinstance(value, Path) else text(value)


def day_text(value: Any) -> str:
    """``YYYY-MM-DD`` or empty (a :class:`datetime.date` is accepted)."""
    if isinstance(value, date):
        return value.isoformat()
    value = text(value).strip()
    if value:
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"must be a day as YYYY-MM-DD, not {value!r}") from exc
    return value


def flag(value: Any) -> bool:
    """``True`` or ``False``; not 0, 1 or ``"yes"``."""
    if not isinstance(value, bool):
        raise TypeError(f"must be True or False, not {value!r}")
    return value


def choice(*allowed: str) -> Converter:
    """One of ``allowed``."""
    def convert(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, not {value!r}")
        return str(value)
    return convert


def integer(lowest: int, highest: int) -> Converter:
    """A whole number from ``lowest`` to ``highest`` (a bool is not a number here)."""
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"must be a whole number, not {value!r}")
        if not lowest <= value <= highest:
            raise ValueError(f"must be from {lowest} to {highest}, not {value}")
        return value
    return convert


def accepted_names(cls: type, given: Mapping[str, Any] | None = None) -> set[str]:
    """Every name :func:`settings_from` accepts for ``cls``: its own fields and, flat, its nested ones'.

    ``given`` chooses the type of a nested field with a key (the options of the ``system`` given).
    """
    names = set()
    for f in dataclasses.fields(cls):
        names.add(f.name)
        if "build" in f.metadata:
            names |= _block_names(f, given)
    return names


def _block_names(f: dataclasses.Field[Any], given: Mapping[str, Any] | None) -> set[str]:
    """The names a nested field takes flat; a keyed one takes its default type's too.

    The notebooks' parameters cells carry the default system's options at their
    defaults, so those names must reach the block builder, which knows what they mean
    for another system.
    """
    names = accepted_names(_inner_type(f, given), given)
    return names | accepted_names(_inner_type(f)) if f.metadata.get("key") else names


def _inner_type(f: dataclasses.Field[Any], given: Mapping[str, Any] | None = None) -> type:
    """The class of a nested field (its default's: annotations are text under ``from __future__``).

    A keyed field's class is the default's for the key's given value, when one is given.
    """
    key = f.metadata.get("key")
    if key and given and given.get(key) is not None:
        return type(f.default_factory(given[key]))  # type: ignore[call-arg]
    return type(f.default_factory())  # type: ignore[misc]


def settings_from(cls: type[T], values: Mapping[str, Any], what: str) -> T:
    """Validate ``values`` into ``cls``; ``None`` means "not given" (argparse's way of saying it).

    Parameters
    ----------
    cls:
        A frozen dataclass whose fields were declared with :func:`option` or :func:`nested`.
    values:
        Field names to values; a nested field takes its own mapping or its names flat.
    what:
        What the settings are for, in messages (``sync``, ``booking``, ``eaccounting option``).

    Raises
    ------
    ConfigurationError
        Naming every unknown name, or the first field whose value is of the wrong type or out of range.
    """
    given = {name: value for name, value in values.items() if value is not None}
    known = accepted_names(cls, given)
    unknown = sorted(set(given) - known)
    if unknown:
        raise ConfigurationError(f"Unknown {what} parameter(s): {', '.join(unknown)}; "
                                 f"known: {', '.join(sorted(known))}")
    built: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if "build" in f.metadata:
            key = f.metadata.get("key")
            keyed = (built.get(key, _default(cls, key)),) if key else ()
            built[f.name] = _nested(f, given, *keyed)
        elif f.name in given:
            try:
                built[f.name] = f.metadata["convert"](given[f.name])
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(f"{what} parameter {f.name} {exc}") from exc
    return cls(**built)


def _default(cls: type, name: str) -> Any:
    """The declared default of the field ``name`` of ``cls`` (the key of a nested field)."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def _nested(f: dataclasses.Field[Any], given: Mapping[str, Any], *keyed: Any) -> Any:
    """A nested field from its own mapping (``system_options={...}``) and its names given flat.

    ``keyed`` is the converted value of the field's key, when it has one.
    """
    inner = _block_names(f, {**given, f.metadata["key"]: keyed[0]} if keyed else given)
    block = given.get(f.name, {})
    if dataclasses.is_dataclass(block) and not isinstance(block, type):
        block = {k.name: getattr(block, k.name) for k in dataclasses.fields(block)}
    if not isinstance(block, Mapping):
        raise ConfigurationError(f"parameter {f.name} must be a mapping of names to values, not {block!r}")
    flat = {name: value for name, value in given.items() if name in inner}
    clash = sorted(name for name in set(flat) & set(block) if flat[name] != block[name])
    if clash:
        raise ConfigurationError(f"{', '.join(clash)} given twice, flat and in {f.name}, with different values")
    return f.metadata["build"]({**block, **flat}, *keyed)


def defaults(cls: type) -> dict[str, Any]:
    """Each accepted name's default (nested fields flattened): what the parameters-cell test compares."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if "build" in f.metadata:
            found.update(defaults(_inner_type(f)))
        else:
            found[f.name] = f.default
    return found


def relative_fields(cls: type) -> Sequence[str]:
    """The names (nested ones flattened) declared as paths relative to the working directory."""
    names: list[str] = []
    for f in dataclasses.fields(cls):
        if "build" in f.metadata:
            names += relative_fields(_inner_type(f))
        elif f.metadata.get("relative"):
            names.append(f.name)
    return names
