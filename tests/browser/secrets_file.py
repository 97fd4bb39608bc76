"""The working copy's secrets file, which several scenarios write their own clients' secrets into.

Each scenario module adds its system's entries and leaves the others',
so the modules run in any order (or interleaved) against one file.
The file is mode 0600, as :mod:`ops_lib.config.secrets` insists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def add_secrets(workspace: Path, system: str, environment: str, clients: dict[str, Any]) -> Path:
    """Put ``clients`` (client id -> secret, or -> ``{client_secret, api_key, ...}``) into the secrets file."""
    path = workspace / "config" / "secrets.yaml"
    known = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    known = known or {}
    known.setdefault(system, {}).setdefault(environment, {}).update(clients)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(yaml.safe_dump(known), encoding="utf-8")
    return path
