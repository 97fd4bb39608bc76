"""The settings of a voucher booking and of the mapping check, declared once (see :mod:`ops_lib.core.options`).

``30_book_vouchers.ipynb`` and ``ops book-vouchers`` build a
:class:`BookingSettings` for :func:`ops_lib.booking.session.open_booking`;
``10_mappings.ipynb`` and ``ops mappings check`` build a
:class:`MappingSettings` for :func:`ops_lib.booking.mapping_session.open_mappings`.
The approval fields keep today's names and are passed through to the
approval step (``approved_booking_hash`` approves the booking plan here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ops_lib.booking.builder import PER_EXPENSE, PER_EXPORT
from ops_lib.core.options import (
    choice,
    connection_values,
    day_text,
    flag,
    nested,
    option,
    path_text,
    settings_from,
    text,
)
from ops_lib.sources.open import DEMO_SOURCE
from ops_lib.systems.options import SystemOptions, default_options, system_name, system_options
from ops_lib.systems.registry import DEFAULT_SYSTEM

KINDS = ("expenses", "payroll")


@dataclass(frozen=True)
class BookingSettings:
    """Which journal, booked where, grouped how, and the approval (passed through).

    ``source`` is the export file, or ``demo`` for this month's demo journal
    (:func:`ops_lib.booking.session.journal_source` resolves it).
    """

    kind: str = option("expenses", choice(*KINDS), "expenses | payroll")
    source: str = option("demo", path_text, "the export file (CSV or XLSX); demo: this month's demo journal")
    columns: str = option("", path_text, "a column mapping YAML (expenses:/payroll: sections); empty: canonical")
    mapping_dir: str = option("params/mappings", path_text, "the mapping tables folder", relative=True)
    system: str = option(DEFAULT_SYSTEM, system_name, "the accounting system the target is in")
    target: str = option(DEMO_SOURCE, text, "demo-sandbox, or a connected environment")
    grouping: str = option(PER_EXPENSE, choice(PER_EXPENSE, PER_EXPORT), "per_expense | per_export")
    journal_id: str = option("", text, "payroll: tells two runs of one period apart")
    company: str = option("", text, "organisation number, when several companies are connected")
    sandbox_url: str = option("", text, "empty: OPS_SANDBOX_URL or the default sandbox address")
    tenant_id: str = option("", text, "a service integration's tenant (client-credentials systems); empty: none")
    out_dir: str = option("build/booking", path_text, "where the results are written", relative=True)
    state_db: str = option("", path_text, "bookings ledger and operations log; empty: the configuration directory's")
    prepared_by: str = option("", text, "who prepared the plan; empty: the OS user")
    apply: bool = option(False, flag, "headless: book the approved plan")
    approved_booking_hash: str = option("", text, "headless: the booking plan hash an approver signed off")
    approved_by: str = option("", text, "the approver's name")
    four_eyes: bool = option(False, flag, "the approver must not be the preparer")
    # How the system books, as one mapping in the notebook (Visma.net: export_as, auto_release, ...).
    system_options: SystemOptions = nested(default_options, system_options, "the accounting system's options",
                                           key="system")

    @property
    def connection(self) -> dict[str, str]:
        """The connection parameters given (empty ones are left to the defaults; the system always)."""
        return connection_values(self)

    def poster_options(self) -> dict[str, Any]:
        """The keywords the system's voucher poster takes from :attr:`system_options` (none for most systems)."""
        kwargs = getattr(self.system_options, "poster_kwargs", None)
        return dict(kwargs()) if kwargs else {}


@dataclass(frozen=True)
class MappingSettings:
    """Which mapping tables, checked against which company's chart on which day."""

    mapping_dir: str = option("params/mappings", path_text, "accounts.yaml, categories.csv, tags.csv",
                              relative=True)
    system: str = option(DEFAULT_SYSTEM, system_name, "the accounting system the target is in")
    target: str = option(DEMO_SOURCE, text, "demo-sandbox, or a connected environment")
    day: str = option("", day_text, "YYYY-MM-DD: the fiscal year whose chart counts; empty: today")
    company: str = option("", text, "organisation number, when several companies are connected")
    sandbox_url: str = option("", text, "empty: OPS_SANDBOX_URL or the default sandbox address")
    tenant_id: str = option("", text, "a service integration's tenant (client-credentials systems); empty: none")
    out_dir: str = option("build/mappings", path_text, "where the check is written", relative=True)

    @property
    def connection(self) -> dict[str, str]:
        """The connection parameters given (empty ones are left to the defaults; the system always)."""
        return connection_values(self)


def booking_settings(values: Mapping[str, Any] | None = None, **given: Any) -> BookingSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`BookingSettings`.

    Raises
    ------
    ConfigurationError
        Naming the unknown parameter, or the field whose value is wrong (a bad ``grouping``, say).
    """
    return settings_from(BookingSettings, {**dict(values or {}), **given}, "booking")


def mapping_settings(values: Mapping[str, Any] | None = None, **given: Any) -> MappingSettings:
    """Validate notebook parameters or CLI flags (keywords win) into :class:`MappingSettings`."""
    return settings_from(MappingSettings, {**dict(values or {}), **given}, "mappings")
