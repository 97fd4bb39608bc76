"""The one approval record, and what a plan must offer to be approved.

An :class:`Approval` names the plan by its hash, so it is bound to exactly
what the approver saw. The same record serves a reconciliation's review
(with the fuzzy suggestions accepted or rejected), a sync plan and a
voucher booking plan (with the preparer and, on a rerun after a crash,
the approved plan the run continues). Fields that do not apply to one
kind keep their defaults; :meth:`Approval.read` accepts the files the
previous version wrote, which held only the fields of their kind.

:class:`ApprovablePlan` and :class:`ApprovableAction` are the shape an
approval checks: a sync plan and a voucher booking plan both have it.
This module imports nothing but ``core``, so a reconciliation of two files
can make an approval without loading the state database.
:class:`ApprovingSession` is what an approval form drives: a sync session
and a voucher booking session both are one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from ops_lib.core.errors import ConflictError, DataInputError
from ops_lib.core.files import write_private_file


@dataclass(frozen=True)
class Approval:
    """Who approved which plan, when.

    ``writes`` is how many writes the approved plan makes in this run.
    ``prepared_by`` and ``four_eyes`` say who prepared the plan and
    whether someone else had to approve it; ``resumed_from`` is the
    approved plan a rerun after a crash continues (empty otherwise).
    ``accepted_suggestions``, ``rejected_suggestions`` and ``note`` are a
    reconciliation review's decisions.
    """

    register: str
    plan_hash: str
    approved_by: str
    approved_at: str
    writes: int = 0
    prepared_by: str = ""
    four_eyes: bool = False
    resumed_from: str = ""
    accepted_suggestions: tuple[str, ...] = ()
    rejected_suggestions: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data (the shape of ``approval.json``)."""
        return asdict(self)

    def write(self, path: Path | str) -> Path:
        """Write the approval as JSON, readable by its owner only."""
        write_private_file(Path(path), json.dumps(self.to_dict(), indent=2, ensure_ascii=False).encode("utf-8"))
        return Path(path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Approval":
        """An approval from its JSON data; keys this version does not know are ignored.

        Raises
        ------
        DataInputError
            A required field (register, plan hash, approver, time) is missing.
        """
        known = {f.name for f in fields(cls)}
        missing = [name for name in ("register", "plan_hash", "approved_by", "approved_at") if name not in data]
        if missing:
            raise DataInputError(f"An approval needs {', '.join(missing)}")
        values = {k: v for k, v in data.items() if k in known}
        for name in ("accepted_suggestions", "rejected_suggestions"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)

    @classmethod
    def read(cls, path: Path | str) -> "Approval":
        """Read an approval file (``approval.json``, ``sync_approval.json``), old versions included.

        Raises
        ------
        DataInputError
            The file is not JSON or not an approval.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataInputError(f"{path}: not a readable approval ({exc.__class__.__name__})") from exc
        if not isinstance(data, dict):
            raise DataInputError(f"{path}: an approval is a JSON object")
        try:
            return cls.from_dict(data)
        except DataInputError as exc:
            raise DataInputError(f"{path}: {exc}") from exc


def plan_changed(approved_hash: str, plan_hash: str,
                 again: str = "review the new plan and approve it again") -> ConflictError:
    """The error for an approval given for another plan than this one (the data changed since)."""
    return ConflictError(f"The approval was given for plan {approved_hash[:12]}…, but the plan is now "
                         f"{plan_hash[:12]}…: the data changed; {again}")


class ApprovableAction(Protocol):
    """What an approval checks of each action: its digest, and how to name it when it changed."""

    @property
    def digest(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def name(self) -> str: ...


class ApprovablePlan(Protocol):
    """A plan an approver signs off by its hash: a sync plan, or a voucher booking plan.

    ``actions`` are what the approval covers (their digests are recorded
    with the plan); ``writable`` are those this run would write.
    """

    @property
    def plan_hash(self) -> str: ...
    @property
    def register(self) -> str: ...
    @property
    def targets(self) -> tuple[str, ...]: ...
    @property
    def actions(self) -> Sequence[ApprovableAction]: ...
    @property
    def writable(self) -> Sequence[ApprovableAction]: ...


class ApprovingSession(Protocol):
    """What the apply step needs of a session: who prepared a plan, and a run under an approval.

    ``run`` is a dry run unless ``apply``; applying checks ``approved_hash``
    (see :func:`ops_lib.approvals.checks.authorise`).
    """

    def preparer(self, plan: Any) -> str: ...

    def run(self, plan: Any, *, apply: bool = False, approved_hash: str = "", approved_by: str = "",
            four_eyes: bool = False) -> Any: ...
