"""The seams between the system-neutral suite and one accounting system.

A sync, a reconciliation or a voucher booking never names a system's
fields, hosts or error codes: it asks the :class:`System` found in
:mod:`ops_lib.systems.registry` for them. A system is one package under
``ops_lib/systems/<name>/`` whose ``__init__`` exposes a ``SYSTEM`` object
satisfying :class:`System`; adding Visma.net or Procountor means writing
such a package (and its sandbox) and one registry line, nothing else.

What every system declares, by concern:

* where it lives: ``environments``, ``scopes`` (all, required, default)
  and the ``languages`` its error explanations come in;
* how it is reached: ``grant(settings)`` (:mod:`ops_lib.connectors.grants`),
  ``rate_policy`` (:mod:`ops_lib.connectors.ratelimit`), ``pager``
  (:mod:`ops_lib.connectors.paging`), ``make_client(session)`` and
  ``company_identity`` (which company a fresh token is bound to);
* what its answers mean: ``translator(language)`` and ``retry_after``;
* what it refuses and how it books: ``rules(register)`` (validation, data
  in ``rules.yaml``), ``setup_rules`` and ``make_voucher_poster``;
* how registers are read and written: ``read_register``,
  ``read_references``, ``make_writer`` (a :class:`RegisterWriter`);
* ``sandbox``: an import string (``"package.module:create_app"``) naming
  its fake, imported only by tests and the demo, so a system never
  imports ``ops_lib.sandbox``.

The sync's own records live here too (:class:`Call`, :class:`PlanBlocked`,
:class:`RegisterWriter`), because writers of every system build them;
:mod:`ops_lib.sync.plan` re-exports them. The voucher poster's protocol
stays in :mod:`ops_lib.booking.posting` with the voucher records it names.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

import httpx

from ops_lib.core.money import canonical_json

if TYPE_CHECKING:  # types only: the seams import no neutral package above them
    import pandas as pd

    from ops_lib.booking.posting import VoucherPoster
    from ops_lib.config.settings import ConnectionSettings
    from ops_lib.connectors.endpoints import Environment
    from ops_lib.connectors.grants import Grant
    from ops_lib.connectors.paging import Pager
    from ops_lib.connectors.ratelimit import RatePolicy
    from ops_lib.connectors.session import ApiSession
    from ops_lib.core.errors import OpsError
    from ops_lib.model.booking_rules import SetupRules
    from ops_lib.model.invoices import DraftRef, InvoiceBasis, InvoiceState, SupplierInvoice
    from ops_lib.model.references import References
    from ops_lib.state.cache import RegisterCache
    from ops_lib.systems.rules import Rule


@dataclass(frozen=True)
class Call:
    """One request to a target (or one row of an import file).

    ``method`` is the HTTP method, or ``ROW`` for a row of an import
    file. For an update, ``body`` holds only the fields being set; the
    writer reads the current record and sends it whole.
    """

    target: str
    method: str
    path: str
    body: Mapping[str, Any]
    number: str
    name: str
    record_id: str = ""
    kind: str = ""

    @functools.cached_property
    def digest(self) -> str:
        text = canonical_json([self.target, self.method, self.path, self.body, self.number, self.name, self.kind])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_create(self) -> bool:
        return self.method in ("POST", "ROW")

    def describe(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in self.body.items())
        where = self.path if self.method == "ROW" else f"/{self.path}"
        return f"{self.method} {where} {{{fields}}}"


class PlanBlocked(Exception):
    """A payload cannot be built (a missing lookup): the action is blocked with this reason."""


@runtime_checkable
class RegisterWriter(Protocol):
    """What a sync needs from a target: plan calls, send them, find what a lost call created.

    ``deferred`` writers (import files) write at :meth:`finish`; the
    operations log marks their calls done only then.
    """

    label: str  # what people read: a company, an import file's path
    target: str  # what is hashed: the system and connection, or ``file:`` and the file's name
    deferred: bool

    def plan(self, action: str, record: Mapping[str, str], current: Mapping[str, str] | None,
             differences: Sequence[str]) -> list[Call]:
        """The calls for one action; raise :class:`PlanBlocked` when it cannot be built."""

    def send(self, call: Call) -> str:
        """Make the call; return the id of the record written. Raises OpsError."""

    def find(self, call: Call) -> str | None:
        """The id of the record a create may have made (same number and name), or None."""

    def finish(self) -> list[str]:
        """Complete deferred writes (import files); return what was written."""


Writer = RegisterWriter  # the name the sync has always used


@runtime_checkable
class SystemClient(Protocol):
    """What neutral code touches of a connected client: its system, its session, closing it."""

    system: str
    session: ApiSession

    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> None: ...


class RegisterReader(Protocol):
    """Reads one register of a connected company into a canonical frame (incrementally through ``cache``)."""

    def __call__(self, client: Any, register: str, *, cache: RegisterCache | None = None, full: bool = False,
                 **options: Any) -> pd.DataFrame: ...


class ReferenceReader(Protocol):
    """Reads the chart, VAT codes, dimensions and fiscal years a voucher booking checks against."""

    def __call__(self, client: Any) -> References: ...


CompanyIdentity = Callable[[Callable[[str], httpx.Response]], tuple[str, str]]


@runtime_checkable
class System(Protocol):
    """One accounting system, as the neutral suite sees it (see the module docstring)."""

    name: str
    environments: Mapping[str, Environment]
    scopes: tuple[str, ...]
    required_scopes: tuple[str, ...]
    default_scopes: tuple[str, ...]
    languages: tuple[str, ...]
    rate_policy: RatePolicy
    pager: Pager
    setup_rules: SetupRules
    sandbox: str

    def grant(self, settings: ConnectionSettings) -> Grant:
        """How this connection gets and renews its tokens."""

    def company_identity(self, get: Callable[[str], httpx.Response]) -> tuple[str, str]:
        """(stable company key, company name) of the company a fresh token is bound to."""

    def make_client(self, session: ApiSession, **options: Any) -> SystemClient:
        """The typed client of one connected company."""

    def translator(self, language: str) -> Callable[[httpx.Response], OpsError]:
        """Turns an error answer into the suite's exception, explained in ``language``."""

    def retry_after(self, response: httpx.Response) -> float | None:
        """Seconds a 429 asks to wait, or None."""

    def rules(self, register: str) -> tuple[Rule, ...]:
        """What the system refuses in one register, checked before anything is sent."""

    def read_register(self, client: Any, register: str, *, cache: RegisterCache | None = None,
                      full: bool = False, **options: Any) -> pd.DataFrame:
        """One register of the connected company as a canonical frame."""

    def read_references(self, client: Any) -> References:
        """The chart, VAT codes, dimensions and fiscal years of the connected company."""

    def make_writer(self, client: Any, register: str, **options: Any) -> RegisterWriter:
        """The sync writer of one register."""

    def make_voucher_poster(self, client: Any) -> VoucherPoster:
        """What a voucher booking sends through."""


@runtime_checkable
class InvoicePoster(Protocol):
    """What the invoice flows need from one connected company: drafts out, their states and supplier invoices in.

    ``target`` is the stable key of the company (what the ledger and a plan's hash name).
    """

    target: str

    def check(self, basis: InvoiceBasis) -> list[str]:
        """What this system would refuse in ``basis`` (lengths, a missing address, an inactive article), as
        sentences a person can act on; empty when nothing is known to be wrong. Nothing is sent."""

    def payload(self, basis: InvoiceBasis) -> Mapping[str, Any]:
        """The draft's request body, for the plan's preview; raise :class:`PlanBlocked` for a missing lookup
        (a customer, an article or a project this company does not have)."""

    def send(self, basis: InvoiceBasis) -> DraftRef:
        """Create the customer invoice draft; its last text row carries ``basis.marker``. Raises OpsError."""

    def find(self, basis: InvoiceBasis) -> DraftRef | None:
        """The draft, or the invoice made of it, whose text rows carry ``basis.marker``; None when there is none."""

    def states(self, markers: Sequence[str]) -> dict[str, InvoiceState]:
        """Marker -> where the draft made under it stands now (draft, sent with a number, paid, missing)."""

    def supplier_invoices(self, start: date, end: date) -> list[SupplierInvoice]:
        """The booked supplier invoices dated ``start``..``end`` (both included), rows with project numbers."""


@runtime_checkable
class InvoicingSystem(Protocol):
    """A system the invoice flows can run against (eAccounting today); others say they cannot."""

    def make_invoice_poster(self, client: Any, **options: Any) -> InvoicePoster:
        """The invoice poster of one connected company (``options``: the system's options block)."""


__all__ = ["Call", "CompanyIdentity", "InvoicePoster", "InvoicingSystem", "PlanBlocked", "ReferenceReader", "RegisterReader", "RegisterWriter",
           "System", "SystemClient", "Writer"]
