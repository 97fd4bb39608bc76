"""Writing an approved supplier-cost plan into a new project-cost import file, once per line.

:func:`apply_costs` runs under the invoice flows' lock and trusts nothing
the plan remembers about the ledger: a plan is a snapshot, and the same
plan object can be applied again (the Approve button re-enabled after an
error, the notebook's apply cell run twice, a CLI apply in between). So
it re-reads the ledger rows of the plan's lines first and writes only the
lines still unrecorded or left open (``writing``) by an interrupted run;
the others are reported as already transferred, with the file they went
into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ops_lib.invoicing.cost_file import cost_file_path, write_cost_file
from ops_lib.invoicing.costs import FOUND, WRITING, CostPlan, CostTransfer, CostTransfers


@dataclass(frozen=True)
class AppliedCosts:
    """What an apply wrote: the new import file (None: nothing to write), and the lines found written meanwhile."""

    file: Path | None
    already: Mapping[str, str] = field(default_factory=dict)  # ledger key -> the file an earlier run wrote it into


def _open(transfer: CostTransfer | None) -> bool:
    """Whether a line may still be written: never recorded, or left ``writing`` by an interrupted run."""
    return transfer is None or transfer.status == WRITING


def apply_costs(plan: CostPlan, transfers: CostTransfers, out_dir: Path | str) -> AppliedCosts:
    """Write the plan's lines that are still open into a new import file. Call it under the invoice lock.

    The order keeps a crash from duplicating or losing a line: ``writing`` with the file's name
    (committed), the file (atomically), ``written``. Lines an interrupted run's file holds are
    marked ``written`` first. A line the ledger now holds as ``written`` (another apply of the same
    or another plan wrote it since this plan was made) is left out and reported in ``already``.
    """
    candidates = plan.writable + plan.with_status(FOUND)
    current = transfers.of(c.line.key for c in candidates)
    already = {c.line.key: current[c.line.key].file for c in candidates if not _open(current.get(c.line.key))}
    found = [c.line.key for c in plan.with_status(FOUND) if c.line.key not in already]
    if found:
        transfers.written(found)
    to_write = [c for c in plan.writable if c.line.key not in already]
    if not to_write:
        return AppliedCosts(None, already)
    path = cost_file_path(out_dir)
    transfers.writing([c.line for c in to_write], plan.plan_hash, str(path.resolve()))
    write_cost_file(path, [c.line.file_line for c in to_write])
    transfers.written([c.line.key for c in to_write])
    return AppliedCosts(path, already)


__all__ = ["AppliedCosts", "apply_costs"]
