"""Invoice states back to the project tool, for ``ops invoices status`` and the notebook.

:func:`open_status` connects to the accounting system; :meth:`StatusSession.read`
asks its invoice poster where every draft the ledger created stands now
(and looks up, by their markers, the keys a crash left ``sending`` or
``unknown``: one found is promoted to created)
(:meth:`~ops_lib.systems.base.InvoicePoster.states`: still a draft, sent
with a number, paid, or missing) and records each state and invoice
number in the ledger (:class:`~ops_lib.invoicing.transfers.InvoiceTransfers`).
:meth:`StatusSession.report` writes the status import file with the
lines whose state changed since they were last reported (``Skickad`` with
the invoice number, ``Betald``; every known state with ``all_states``)
and marks them reported.

Reading the states writes nothing to the accounting system, so this run
needs no approval: what it writes is the project tool's import file and
the local ledger. A draft that is missing (deleted in the accounting
system) has no status the project tool knows: it is listed in the output
for a person to look at, never written to the file. The file is written
before the lines are marked reported: a crash in between reports them
again next time, which the project tool takes as the same status twice;
the other order could lose a status for good.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Mapping, TextIO

import httpx
import pandas as pd

from ops_lib.core.files import write_private_file
from ops_lib.core.options import connection_values, flag, nested, option, path_text, settings_from, text
from ops_lib.core.report import status_box
from ops_lib.invoicing.connected import InvoicingConnection, open_invoicing
from ops_lib.invoicing.status_file import STATUS_WORDS, StatusLine, write_status_file
from ops_lib.invoicing.transfers import InvoiceTransfer, InvoiceTransfers, invoice_lock
from ops_lib.model.invoices import MISSING, InvoiceState
from ops_lib.model.vouchers import marker_of
from ops_lib.sources.open import DEMO_SOURCE
from ops_lib.systems.options import SystemOptions, default_options, system_name, system_options
from ops_lib.systems.registry import DEFAULT_SYSTEM


@dataclass(frozen=True)
class StatusSettings:
    """Which company's drafts to read back, and whether to report every state or only what changed."""

    system: str = option(DEFAULT_SYSTEM, system_name, "the accounting system the drafts are in")
    target: str = option(DEMO_SOURCE, text, "demo-sandbox, or a connected environment")
    company: str = option("", text, "organisation number, when several companies are connected")
    sandbox_url: str = option("", text, "empty: OPS_SANDBOX_URL or the default sandbox address")
    tenant_id: str = option("", text, "a service integration's tenant (client-credentials systems); empty: none")
    state_db: str = option("", path_text, "transfers ledger; empty: the configuration directory's")
    out_dir: str = option("build/invoices", path_text, "where the status import file is written", relative=True)
    all_states: bool = option(False, flag, "write every known state, not only those changed since last reported")
    system_options: SystemOptions = nested(default_options, system_options, "the accounting system's options",
                                           key="system")

    @property
    def connection(self) -> dict[str, str]:
        """The connection parameters given (empty ones are left to the defaults; the system always)."""
        return connection_values(self)


def status_settings(values: Mapping[str, Any] | None = None, **given: Any) -> StatusSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`StatusSettings`.

    Raises
    ------
    ConfigurationError
        Naming the unknown parameter, or the field whose value is wrong.
    """
    return settings_from(StatusSettings, {**dict(values or {}), **given}, "invoice status")


MISSING_STATE = InvoiceState("", MISSING)


def basis_marker(number: str) -> str:
    """The marker a draft of invoice basis ``number`` carries (:attr:`InvoiceBasis.marker`, from the number alone)."""
    return marker_of(f"invoice-{number}")


@dataclass(frozen=True)
class InvoiceStatusRow:
    """One created draft as read now: its state, and whether that goes into this run's status file."""

    key: str
    number: str
    state: str
    invoice_number: str
    previous: str  # the state last reported to the project tool ("" never)
    report: bool
    invoice_date: date | None = None


@dataclass(frozen=True)
class StatusReport:
    """Every created draft's state as read, the status file written (if any) and what needs a person."""

    target: str
    rows: tuple[InvoiceStatusRow, ...]
    file: Path | None = None

    @property
    def reported(self) -> tuple[InvoiceStatusRow, ...]:
        return tuple(r for r in self.rows if r.report)

    @property
    def missing(self) -> tuple[InvoiceStatusRow, ...]:
        return tuple(r for r in self.rows if r.state == MISSING)

    @property
    def exit_code(self) -> int:
        """0 read and reported; 1 a draft is missing from the accounting system (a person must look)."""
        return 1 if self.missing else 0

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in self.rows:
            found[row.state] = found.get(row.state, 0) + 1
        return found

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"invoice_basis": r.number, "state": r.state, "invoice_number": r.invoice_number,
                              "invoice_date": r.invoice_date.isoformat() if r.invoice_date else "",
                              "last_reported": r.previous, "in_file": r.report} for r in self.rows],
                            columns=["invoice_basis", "state", "invoice_number", "invoice_date", "last_reported",
                                     "in_file"])

    def headline(self) -> str:
        into = f" into {self.file.name}" if self.file else ""
        return (f"{len(self.rows)} draft(s) read, {len(self.reported)} status line(s) written{into}, "
                f"{len(self.missing)} missing from the accounting system")

    def describe(self) -> str:
        lines = [f"Invoice status ({self.target}): {self.headline()}"]
        for r in self.reported:
            number = f" {r.invoice_number}" if r.invoice_number else ""
            lines.append(f"  {r.number}: {STATUS_WORDS[r.state]}{number}")
        for r in self.missing:
            lines.append(f"  {r.number}: its draft is not in the accounting system any more, nor an invoice made "
                         f"of it; check whether it was deleted there, and set the invoice basis's status in the "
                         f"project tool by hand")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        box = status_box("invoice status", self.headline(), True, False, attention=bool(self.missing))
        return box + self.to_frame().to_html(index=False, escape=True, classes="ops-plan-table")

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        """``invoice_status_results.json`` in ``out_dir``, and the status ``import`` file, if one was written."""
        path = Path(out_dir) / "invoice_status_results.json"
        body = {"target": self.target, "counts": self.counts(), "import_file": str(self.file or ""),
                "rows": self.to_frame().to_dict(orient="records")}
        write_private_file(path, json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"))
        return {"json": path, **({"import": self.file} if self.file else {})}


def _row(transfer: InvoiceTransfer, state: InvoiceState | None, all_states: bool) -> InvoiceStatusRow:
    status = state.status if state else MISSING
    number = (state.invoice_number if state else "") or transfer.invoice_number
    report = status in STATUS_WORDS and (all_states or status != transfer.reported_state)
    return InvoiceStatusRow(transfer.source_key, transfer.number, status, number, transfer.reported_state, report,
                            state.invoice_date if state else None)


@dataclass
class StatusSession:
    """The created drafts of one connected company, with the connection open."""

    connected: InvoicingConnection
    transfers: InvoiceTransfers
    out_dir: Path
    all_states: bool
    today: date
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def read(self) -> StatusReport:
        """Every created draft's state from the system, recorded in the ledger. No file is written yet.

        Keys a crash or a lost answer left ``sending``/``unknown`` are looked up by their markers too: one
        whose draft (or the invoice made of it) is there is promoted to ``created`` with its id and read
        like the others, so its basis is reported even when it has left the export and no drafts run
        will meet it again. One that is not there stays open, for the drafts run to send.
        """
        created, opened = self.transfers.created_rows(), self.transfers.open_rows()
        markers = {t.source_key: basis_marker(t.number) for t in created + opened}
        states = self.connected.poster.states(list(markers.values())) if markers else {}
        found = [t for t in opened if states.get(markers[t.source_key], MISSING_STATE).status != MISSING]
        with self._lock():
            for t in found:
                state = states[markers[t.source_key]]
                if self.transfers.found(t.source_key, state.draft_id or state.invoice_id,
                                        "found by its marker in the status run"):
                    created.append(t)
            rows = [_row(t, states.get(markers[t.source_key]), self.all_states) for t in created]
            for transfer, row in zip(created, rows):
                self.transfers.set_state(transfer.source_key, row.state, row.invoice_number)
        return StatusReport(self.transfers.target, tuple(rows))

    def report(self, read: StatusReport) -> StatusReport:
        """Write the status file with ``read``'s lines to report, then mark them reported.

        Under the lock, each line's last reported state is read again: a line another status run
        reported since ``read`` was made is left out, so an older state is never written after a newer.
        """
        if not read.reported:
            return read
        with self._lock():
            now = self.transfers.of(r.key for r in read.reported)
            stale = {r.key for r in read.reported if r.key not in now or now[r.key].reported_state != r.previous}
            rows = tuple(replace(r, report=False) if r.key in stale else r for r in read.rows)
            kept = [r for r in rows if r.report]
            if not kept:
                return StatusReport(read.target, rows)
            path = write_status_file(self.out_dir, [StatusLine(r.number, r.state, r.invoice_number, self.today,
                                                               r.invoice_date) for r in kept])
            for row in kept:
                self.transfers.reported(row.key, row.state)
        return StatusReport(read.target, rows, path)

    def _lock(self) -> Any:
        """The invoice flows' lock: a drafts run writes the same ledger."""
        return invoice_lock(self.connected.state_path, self.transfers.target, "invoice statuses")

    def run(self) -> StatusReport:
        """Read every state and report what changed (or all, with ``all_states``)."""
        return self.report(self.read())

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "StatusSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_status(settings: StatusSettings, *, transport: httpx.BaseTransport | None = None,
                client_options: Mapping[str, Any] | None = None, today: date | None = None) -> StatusSession:
    """Connect to ``settings.target`` and open its invoice-transfers ledger.

    ``today`` is the status lines' ``Datum`` (default: the local date).

    Raises
    ------
    ConfigurationError
        A system without invoice flows (only eAccounting has them for now).
    """
    stack = contextlib.ExitStack()
    try:
        connected = open_invoicing(stack, settings, transport=transport, client_options=client_options)
        session = StatusSession(connected, InvoiceTransfers(connected.db, connected.poster.target),
                                Path(settings.out_dir), settings.all_states, today or date.today(), stack)
    except BaseException:
        stack.close()
        raise
    return session


def run_status(settings: StatusSettings, *, out: TextIO | None = None, **open_options: Any) -> int:
    """``ops invoices status``: read every draft's state, write the status import file; return the exit code.

    No approval is asked: nothing is written to the accounting system. ``open_options`` go to :func:`open_status`.
    """
    out = out or sys.stdout
    with open_status(settings, **open_options) as session:
        report = session.run()
        written = report.write(Path(settings.out_dir))
    out.write(report.describe() + "\n")
    out.write("Written: " + ", ".join(str(p) for p in written.values()) + "\n")
    return report.exit_code


__all__ = ["InvoiceStatusRow", "StatusReport", "StatusSession", "StatusSettings", "basis_marker", "open_status",
           "run_status", "status_settings"]
