"""A plan that is no sync and no booking: the shape an approval checks, and nothing else."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

from ops_lib.state.db import open_state


@dataclass(frozen=True)
class Step:
    """One action of a :class:`Plan`; ``calls`` are the paths it writes (for superseding)."""

    action: str
    number: str
    name: str
    redo_of: str = ""
    calls: tuple["Path", ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps([self.action, self.number, self.name, self.redo_of]).encode()).hexdigest()


@dataclass(frozen=True)
class Path:
    """A call's path: only its first segment (the resource) matters to an approval."""

    path: str


@dataclass(frozen=True)
class Plan:
    """A plan of steps for one register and target, hashed over its steps' digests."""

    steps: tuple[Step, ...]
    register: str = "things"
    targets: tuple[str, ...] = ("toy:one",)
    blocked: frozenset[int] = field(default_factory=frozenset)

    @property
    def actions(self) -> tuple[Step, ...]:
        return self.steps

    @property
    def writable(self) -> tuple[Step, ...]:
        return tuple(s for i, s in enumerate(self.steps) if i not in self.blocked)

    @property
    def plan_hash(self) -> str:
        text = json.dumps([self.register, list(self.targets), sorted(s.digest for s in self.steps)])
        return hashlib.sha256(text.encode()).hexdigest()


def steps(*numbers: str) -> tuple[Step, ...]:
    return tuple(Step("create", n, f"Thing {n}") for n in numbers)


def state() -> sqlite3.Connection:
    return open_state(":memory:")
