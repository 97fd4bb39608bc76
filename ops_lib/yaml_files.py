"""The user's YAML files (params, column mappings, schedules, account setup), read one way.

Each is a mapping at the top. Whatever goes wrong (no file, bad encoding,
bad YAML, a list where a mapping belongs) becomes a
:class:`~ops_lib.errors.DataInputError` that names the file and what it
was meant to be, so every caller reports it the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DataInputError


def read_mapping(path: Path | str, what: str, shape: str) -> dict[str, Any]:
    """The top-level mapping of a YAML file (empty file: ``{}``).

    ``what`` names the file's role in messages ("schedule"); ``shape``
    says what it must hold when it is not a mapping.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise DataInputError(f"{path}: no such {what} file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataInputError(f"{path}: cannot read the {what} ({exc})") from None
    if not isinstance(data, dict):
        raise DataInputError(f"{path}: {shape}")
    return data
