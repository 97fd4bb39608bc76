"""The user's YAML files (params, column mappings, schedules, account setup), read one way.

Each is a mapping at the top. Whatever goes wrong (no file, a folder or a
pipe, bad encoding, bad YAML, a key given twice, a list where a mapping
belongs) becomes a :class:`~ops_lib.core.errors.DataInputError` of one line
that names the file, what it was meant to be and, where there is one, the
line and column, so every caller reports it the same way.

YAML is UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured). A key
written twice is refused: PyYAML would silently keep the last one, and a
params file or column mapping that says two things must not mean one.

Numbers are read only as a person writes them: ``1941``, ``-5``, ``0.5``.
YAML 1.1 would also read ``1_941`` and ``0x795`` as 1941, ``010`` as 8
and ``1:30`` as 90; here those stay text, so the value's check (an
account, a number of days) refuses them instead of using a number nobody
typed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ops_lib.core.errors import DataInputError
from ops_lib.core.input_files import decode, describe_bad_character, escaped_byte, first_bad_character, read_input_bytes


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping that names one key twice."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # "<<: *defaults" then overriding a key is what merging is for
        key = loader.construct_object(key_node, deep=True)
        try:
            earlier = seen.get(key)
        except TypeError:
            continue  # an unhashable key: the base constructor reports it
        if earlier is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice (also on line {earlier.line + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_StrictLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_StrictLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."))


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def load_yaml_text(path: Path | str, text: str, what: str) -> Any:
    """The YAML document in ``text`` (read from ``path``), or a one-line error with its line and column."""
    at = first_bad_character(text)
    if at is not None:
        byte = escaped_byte(text[at])
        problem = (f"byte 0x{byte:02x} is not UTF-8; save the {what} as UTF-8 and try again" if byte is not None
                   else describe_bad_character(text[at], "utf-8"))
        raise DataInputError(f"{path}, {_where(text, at)}: {problem}")
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: builds plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise DataInputError(f"{path}{where}: invalid YAML in the {what}: {problem}") from None
    except yaml.YAMLError as exc:
        raise DataInputError(f"{path}: invalid YAML in the {what} ({' '.join(str(exc).split())})") from None


def read_mapping(path: Path | str, what: str, shape: str) -> dict[str, Any]:
    """The top-level mapping of a YAML file (empty file: ``{}``).

    ``what`` names the file's role in messages ("schedule"); ``shape``
    says what it must hold when it is not a mapping.
    """
    path = Path(path)
    raw = read_input_bytes(path, f"{what} file")
    text, _ = decode(path, raw, windows_1252=False)
    data = load_yaml_text(path, text, what) or {}
    if not isinstance(data, dict):
        raise DataInputError(f"{path}: {shape}")
    return data
