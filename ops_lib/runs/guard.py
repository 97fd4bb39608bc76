"""The secrets guard: no archived file may hold a secret.

After every run, each file the run left (executed notebook, html,
artifacts) is searched for the secrets the suite knows
(:func:`ops_lib.config.secrets.known_secrets`: client secrets and the tokens of
stored connections) and for what any token looks like in the open: a JWT,
an ``Authorization: Bearer`` value, or an ``access_token`` /
``refresh_token`` / ``client_secret`` field with a value. A hit fails the
run, and the runner moves the file to quarantine instead of the archive.

Findings name the file and the kind of secret, never the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

TOKEN_SHAPES: dict[str, re.Pattern[bytes]] = {
    "a JWT": re.compile(rb"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+"),
    "a bearer token": re.compile(rb"Bearer\s+[\w\-.~+/]{16,}=*"),
    "a token or secret field with a value": re.compile(
        rb"""(access_token|refresh_token|id_token|client_secret)\\?["']?\s*[:=]\s*\\?["']?[\w\-.~+/]{16,}"""),
}


@dataclass(frozen=True)
class Leak:
    """One file holding one or more secrets; ``kinds`` says which, never their values."""

    path: Path
    kinds: tuple[str, ...]


def scan_file(path: Path, known: Mapping[str, str]) -> tuple[str, ...]:
    """What kinds of secret ``path`` holds (empty when none)."""
    data = path.read_bytes()
    kinds = {what for value, what in known.items() if value.encode("utf-8") in data}
    kinds.update(name for name, shape in TOKEN_SHAPES.items() if shape.search(data))
    return tuple(sorted(kinds))


def scan(paths: Iterable[Path], known: Mapping[str, str]) -> list[Leak]:
    """Every file among ``paths`` that holds a secret."""
    leaks = []
    for path in paths:
        kinds = scan_file(path, known)
        if kinds:
            leaks.append(Leak(path, kinds))
    return leaks
