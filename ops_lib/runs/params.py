"""Parameters of a headless run, checked against the notebook before any kernel starts.

papermill only warns about a parameter the notebook does not declare, and
copies every parameter into the executed notebook twice, so a typo runs
with the default and a secret passed as a parameter ends up in the record
auditors read. Here a parameter must be declared in the notebook's
``parameters`` cell, must have the type of its default there (an int is
accepted where a float is declared; ``None`` accepts anything), and
neither its name nor its value may look like a secret.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ops_lib.core.errors import ConfigurationError

SECRET_NAME = re.compile(r"secret|token|passw|pwd|api[_-]?key|private[_-]?key|credential|bearer", re.I)
JWT = re.compile(r"^eyJ[\w-]+\.[\w-]+\.[\w-]*$")
PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+=.~]+")


@dataclass(frozen=True)
class Declared:
    """One parameter of a notebook's ``parameters`` cell."""

    name: str
    default: Any
    help: str


def declared_parameters(notebook: Path | str) -> dict[str, Declared]:
    """The notebook's parameters with their default values (literals only)."""
    import papermill

    try:
        found = papermill.inspect_notebook(str(notebook))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{notebook}: cannot read its parameters ({exc})") from None
    if not found:
        raise ConfigurationError(f"{notebook}: no cell tagged 'parameters', so it cannot be run headless")
    params = {}
    for name, info in found.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = None  # an expression: any value is accepted
        params[name] = Declared(name, default, info.get("help", ""))
    return params


def looks_secret(value: Any) -> bool:
    """A JWT, a bearer header, a private key, or a long random-looking token (hashes and paths are fine).

    "Random-looking" is a run of 24+ token characters, between path
    separators, with at least three capitals, three small letters and a
    digit: what generated tokens have and hex hashes, file names and run
    folders (``20261121T060000Z-3fa2c1-20_reconcile``) don't.
    """
    if not isinstance(value, str):
        return False
    text = value.strip()
    if JWT.match(text) or PEM.search(text) or text.lower().startswith("bearer "):
        return True
    return any(len(part) >= 24 and TOKEN_CHARS.fullmatch(part) is not None
               and len(re.findall(r"[A-Z]", part)) >= 3 and len(re.findall(r"[a-z]", part)) >= 3
               and re.search(r"\d", part) is not None for part in re.split(r"[/\\]", text))


def _type_ok(default: Any, value: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def check_parameters(notebook: Path | str, params: Mapping[str, Any]) -> dict[str, Declared]:
    """Raise ConfigurationError naming every problem; return the declared parameters when all is well."""
    declared = declared_parameters(notebook)
    problems = []
    for name, value in params.items():
        if SECRET_NAME.search(name):
            problems.append(f"{name!r} looks like a secret: secrets never go in params; use the environment or "
                            f"the secrets file (see the README)")
            continue
        if name not in declared:
            problems.append(f"{name!r} is not a parameter of {Path(notebook).name} "
                            f"(it has: {', '.join(sorted(declared))})")
            continue
        if looks_secret(value):
            problems.append(f"the value of {name!r} looks like a secret or token; it would be kept in the "
                            f"executed notebook, so it is refused")
            continue
        default = declared[name].default
        if not _type_ok(default, value):
            problems.append(f"{name!r} must be {type(default).__name__} like its default {default!r}, "
                            f"not {type(value).__name__} ({value!r})")
    if problems:
        raise ConfigurationError(f"{notebook}: the parameters were refused before the run started:\n  - "
                                 + "\n  - ".join(problems))
    return declared
