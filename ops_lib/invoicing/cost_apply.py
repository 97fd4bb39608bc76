"""Writing an approved supplier-cost plan into a new project-cost import file, once per line.

:func:`apply_costs` runs under the invoice flows' lock and trusts nothing
the plan remembers about the ledger: a plan is a snapshot, and the same
plan object can be applied again (the Approve button re-enabled after an
error, the notebook's apply cell run twice, a CLI apply in between). So
it re-reads the ledger rows of the plan's lines first and writes only the
lines still unrecorded or left open (``writing``) by an interrupted run;
the others are reported as already transferred, with the file they went
into.

The file is written in two phases so that a crash at any moment leaves
no doubt about what the project tool may have seen: ``writing`` with the
final name (committed), the content into a hidden temp file beside it
(fsynced), ``written`` (committed), then the rename to the final name.
:func:`recover_files` (at the start of each plan and each apply) finishes
what a crash left: a ``written`` file that is missing while its temp file
is there is renamed; the temp file of a ``writing`` one is deleted (its
lines are planned again: no final file of them ever existed). A final
file that is gone after its lines were ``written`` (imported, then moved
or deleted by a person) is never written again.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ops_lib.invoicing.cost_file import cost_file_path, publish, temp_path, write_temp_file
from ops_lib.invoicing.costs import FOUND, WRITING, WRITTEN, CostPlan, CostTransfer, CostTransfers, moved_problem


@dataclass(frozen=True)
class AppliedCosts:
    """What an apply wrote: the new import file (None: nothing to write), and the lines found written meanwhile."""

    file: Path | None
    already: Mapping[str, str] = field(default_factory=dict)  # ledger key -> the file an earlier run wrote it into
    blocked: Mapping[str, str] = field(default_factory=dict)  # ledger key -> why (its invoice went on another project)


def _open(transfer: CostTransfer | None) -> bool:
    """Whether a line may still be written: never recorded, or left ``writing`` by an interrupted run."""
    return transfer is None or transfer.status == WRITING


def recover_files(transfers: CostTransfers) -> list[Path]:
    """Finish what an interrupted apply left; return the files renamed into place. Call it under the lock.

    A file whose lines are ``written`` but which is missing while its temp file is there (a crash after
    the commit, before the rename) is renamed to its final name. The temp file of a file whose lines are
    still ``writing`` (a crash before the commit) is deleted: its lines are planned again.
    """
    pairs = transfers.files()
    written = {file for file, status in pairs if status == WRITTEN}
    renamed = []
    for file, status in pairs:
        if not file:
            continue
        final, temp = Path(file), temp_path(file)
        if status == WRITTEN and not final.exists() and temp.exists():
            renamed.append(publish(final))
        elif status == WRITING and file not in written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
    return renamed


def apply_costs(plan: CostPlan, transfers: CostTransfers, out_dir: Path | str) -> AppliedCosts:
    """Write the plan's lines that are still open into a new import file. Call it under the invoice lock.

    The order keeps a crash from duplicating or losing a line: ``writing`` with the file's name
    (committed), its hidden temp file (fsynced), ``written`` (committed), the rename (see the module).
    Lines a file of an older version's interrupted run holds are marked ``written`` first. A line the ledger now holds as ``written`` (another apply of the same
    or another plan wrote it since this plan was made) is left out and reported in ``already``; a line
    whose supplier invoice was written on other projects since (it moved project) is left out and
    reported in ``blocked``, as the plan would have blocked it.
    """
    recover_files(transfers)
    candidates = plan.writable + plan.with_status(FOUND)
    current = transfers.of(c.line.key for c in candidates)
    already = {c.line.key: current[c.line.key].file for c in candidates if not _open(current.get(c.line.key))}
    found = [c.line.key for c in plan.with_status(FOUND) if c.line.key not in already]
    if found:
        transfers.written(found)
    open_lines = [c for c in plan.writable if c.line.key not in already]
    written = transfers.written_of(c.line.invoice_id for c in open_lines)
    blocked = {c.line.key: problem for c in open_lines
               if (problem := moved_problem(c.line, written.get(c.line.invoice_id, ())))}
    to_write = [c for c in open_lines if c.line.key not in blocked]
    if not to_write:
        return AppliedCosts(None, already, blocked)
    path = cost_file_path(out_dir)
    transfers.writing([c.line for c in to_write], plan.plan_hash, str(path.resolve()))
    write_temp_file(path, [c.line.file_line for c in to_write])
    transfers.written([c.line.key for c in to_write])
    return AppliedCosts(publish(path), already, blocked)


__all__ = ["AppliedCosts", "apply_costs", "recover_files"]
