"""The steps of ``40_invoices.ipynb``: invoice drafts, their status back, supplier costs; each run or left out.

One notebook holds three jobs, and each scheduled job runs only its own
step (``steps`` in its params file: ``params/invoices_drafts.yaml`` runs
the drafts, ``invoices_status.yaml`` the status read-back,
``invoices_supplier_costs.yaml`` the supplier costs). A step left out
opens no connection and records nothing, so a drafts job never reads
supplier invoices and a status job never plans drafts. A step that runs
is the library's session and plan, reviewed as the plan's HTML and then
approved with the sync's apply step (:func:`~ops_lib.forms.sync.sync_panel`):
the Approve button interactively, or headless the params' ``apply`` and
that step's own approved hash.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ops_lib.core.errors import ConfigurationError
from ops_lib.forms.results import record_results
from ops_lib.forms.sync import sync_panel

# The notebook's steps, in the order it runs them.
STEPS = ("drafts", "status", "costs")


def invoice_steps(steps: str | Iterable[str]) -> tuple[str, ...]:
    """The steps named (a list, or one name or ``a,b`` as text), checked once.

    Raises
    ------
    ConfigurationError
        Naming a step that is none of :data:`STEPS`, or when none is named.
    """
    names = [s.strip() for s in (steps.split(",") if isinstance(steps, str) else steps) if str(s).strip()]
    unknown = [s for s in names if s not in STEPS]
    if unknown or not names:
        raise ConfigurationError(f"steps must name one or more of {', '.join(STEPS)}, not {list(names)!r}")
    return tuple(s for s in STEPS if s in names)


@dataclass
class InvoiceStep:
    """One step of the notebook: its session and plan (or result), or ``None`` when the step is left out."""

    name: str
    session: Any = None
    plan: Any = None

    @property
    def ran(self) -> bool:
        return self.session is not None

    def _repr_html_(self) -> str:
        if not self.ran:
            return (f"<p class='ops-step-skipped'>The {html.escape(self.name)} step is not in this run's "
                    f"<code>steps</code>.</p>")
        return self.plan._repr_html_()


def invoice_review(name: str, steps: str | Iterable[str], open_session: Callable[[Any], Any],
                   settings: Any) -> InvoiceStep:
    """Open the step's session and make its plan (a dry run: nothing is written), when ``name`` is in ``steps``."""
    if name not in invoice_steps(steps):
        return InvoiceStep(name)
    session = open_session(settings)
    return InvoiceStep(name, session, session.plan())


def invoice_panel(step: InvoiceStep, out_dir: str | Path, interactive: bool = True, *, apply: bool = False,
                  approved_hash: str = "", approved_by: str = "", four_eyes: bool = False) -> Any:
    """The step's Approve and apply (see :func:`~ops_lib.forms.sync.sync_panel`); nothing for a step left out."""
    if not step.ran:
        return None
    panel = sync_panel(step.session, step.plan, out_dir, interactive, apply=apply, approved_hash=approved_hash,
                       approved_by=approved_by, four_eyes=four_eyes)
    if interactive:  # the form says which step it approves: ops-step-drafts, ops-step-costs
        panel.add_class(f"ops-step-{step.name}")
    return panel


def record_step(step: InvoiceStep, outcome: Any = None) -> None:
    """Record what the step planned and did for ``ops run`` and the audit review; nothing for a step left out."""
    if step.ran:
        record_results(**step.session.record(step.plan, outcome))


def status_review(steps: str | Iterable[str], settings: Any) -> InvoiceStep:
    """The status step: every created draft's state read from the system (no file yet), when it is in ``steps``."""
    from ops_lib.invoicing.status_session import open_status

    if "status" not in invoice_steps(steps):
        return InvoiceStep("status")
    session = open_status(settings)
    return InvoiceStep("status", session, session.read())


def status_panel(step: InvoiceStep, out_dir: str | Path) -> Any:
    """Write the status import file with what changed, and the results, in ``out_dir``.

    No approval: reading the states writes nothing to the accounting system,
    only the project tool's import file and the local ledger.
    """
    if not step.ran:
        return None
    report = step.session.report(step.plan)
    report.write(out_dir)
    return report


def record_status(step: InvoiceStep, report: Any = None) -> None:
    """Record the status step for ``ops run``: a draft missing from the system is a finding."""
    if not step.ran:
        return
    report = report or step.plan
    record_results(register="invoices:status", findings=len(report.missing), status_counts=report.counts(),
                   lines_reported=len(report.reported), import_file=str(report.file or ""),
                   sources=[step.session.connected.label])
