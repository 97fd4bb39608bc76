"""The preflight of invoice drafts: what would stop each invoice, found before any plan is made.

A draft names a customer, articles and projects by the numbers the
project tool uses; the accounting system must already have each of them,
because an invoice flow creates drafts, never registers. So the preflight
reads the connected company's customers, products and projects (through
the register cache, as canonical frames, :mod:`ops_lib.model.registers`)
and says, per invoice, which number is missing, which register to
reconcile and sync first, and when that register was last pulled (the
cache's sync mark from before this run's own read, or ``never``). It adds
what the target's rules would refuse (the invoice poster's
:meth:`~ops_lib.systems.base.InvoicePoster.check`: name and address
lengths, a required address, an inactive article), an invoice row left
without an article when the settings name no default article, and a
basis whose currency (``Valuta``) is not its customer's: the draft is made
in the customer's currency, so a EUR basis for a SEK customer would become
a SEK invoice of the EUR amounts. A customer without a currency in the
register invoices in the company's currency.

Problems are findings, not exceptions: each blocks only its own invoice,
and the rest of the plan goes on. Credit notes are not checked: they are
never transferred.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence

import pandas as pd

from ops_lib.model.invoices import InvoiceBasis
from ops_lib.sources.open import read_system_register

CUSTOMERS, PRODUCTS, PROJECTS = "customers", "products", "projects"
NEVER = "never"


@dataclass(frozen=True)
class InvoiceProblem:
    """One thing that stops one invoice, with the fix.

    ``register`` is the register to reconcile and sync first (empty for a
    rule of the target or a setting); ``line`` the export row it is about
    (0: the invoice as a whole).
    """

    number: str
    code: str
    message: str
    fix: str
    register: str = ""
    line: int = 0

    @property
    def sentence(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


@dataclass(frozen=True)
class InvoicePreflight:
    """Every problem of one export against one company, and when each register was last synced."""

    target: str
    problems: tuple[InvoiceProblem, ...]
    synced: Mapping[str, str]

    def of(self, number: str) -> tuple[InvoiceProblem, ...]:
        return tuple(p for p in self.problems if p.number == number)

    @property
    def registers_to_sync(self) -> tuple[str, ...]:
        """The registers some invoice waits for, in the order to sync them."""
        wanted = {p.register for p in self.problems if p.register}
        return tuple(r for r in (CUSTOMERS, PRODUCTS, PROJECTS) if r in wanted)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"invoice": p.number, "line": p.line or "", "code": p.code, "problem": p.message,
                              "fix": p.fix, "register": p.register} for p in self.problems],
                            columns=["invoice", "line", "code", "problem", "fix", "register"])

    def describe(self) -> str:
        if not self.problems:
            return f"Preflight against {self.target}: nothing stops an invoice"
        blocked = len({p.number for p in self.problems})
        lines = [f"Preflight against {self.target}: {blocked} invoice(s) blocked"]
        for register in self.registers_to_sync:
            lines.append(f"  reconcile and sync {register} first (last synced: {self.synced.get(register, NEVER)})")
        lines.extend(f"  - {p.number}: {p.sentence}" for p in self.problems)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = f"<p><b>Preflight</b> against {html.escape(self.target)}: {html.escape(self.describe().splitlines()[0])}"
        return head + "</p>" + (self.to_frame().to_html(index=False, escape=True) if self.problems else "")


def last_synced(cache: Any, register: str) -> str:
    """When ``register`` was last pulled through the cache (its sync mark), or ``never``."""
    mark = cache.mark(register) if cache is not None else None
    return mark.last_sync_at if mark is not None and mark.last_sync_at else NEVER


def registers_needed(bases: Iterable[InvoiceBasis]) -> tuple[str, ...]:
    """Customers and products always; projects only when a row names one."""
    with_project = any(r.project for b in bases if not b.is_credit for r in b.article_rows)
    return (CUSTOMERS, PRODUCTS, PROJECTS) if with_project else (CUSTOMERS, PRODUCTS)


def read_known(client: Any, registers: Sequence[str], *, cache: Any = None, options: Mapping[str, Any] | None = None
               ) -> tuple[dict[str, set[str]], dict[str, str], dict[str, str]]:
    """The numbers the connected company has per register, when each was last synced before now, and each
    customer's currency (customer number -> its ``currency``; empty: the company's).

    The sync marks are read *before* this read moves them: the time says when a
    sync (or a reconciliation) last pulled the register, not this preflight.
    """
    synced = {register: last_synced(cache, register) for register in registers}
    known: dict[str, set[str]] = {}
    currencies: dict[str, str] = {}
    for register in registers:
        frame = read_system_register(client, register, cache=cache, options=options)
        known[register] = {str(n).strip() for n in frame["number"] if str(n).strip()}
        if register == CUSTOMERS and "currency" in frame:
            currencies = {str(n).strip(): str(c or "").strip().upper()
                          for n, c in zip(frame["number"], frame["currency"]) if str(n).strip()}
    return known, synced, currencies


def _currency(basis: InvoiceBasis, currencies: Mapping[str, str], company_currency: str) -> list[InvoiceProblem]:
    """A basis in another currency than its customer's (the draft would carry its amounts in the customer's)."""
    number = basis.customer.customer_number
    if not basis.currency or number not in currencies:
        return []
    theirs = currencies[number] or company_currency.upper()
    if not theirs or basis.currency.upper() == theirs:
        return []
    whose = "" if currencies[number] else " (the company's: the customer names none)"
    return [InvoiceProblem(basis.number, "currency", f"the invoice basis is in {basis.currency} but customer "
                           f"{number} ({basis.customer.name}) is invoiced in {theirs}{whose}; the draft would be a "
                           f"{theirs} invoice of the {basis.currency} amounts",
                           f"make the invoice basis in {theirs} in the project tool, or change the customer's "
                           f"currency in the accounting system and sync customers again", line=basis.first_line)]


def _missing(basis: InvoiceBasis, known: Mapping[str, Collection[str]], synced: Mapping[str, str],
             target: str) -> list[InvoiceProblem]:
    """The customer, articles and projects of ``basis`` the company does not have, each with its register."""
    def problem(register: str, what: str, line: int) -> InvoiceProblem:
        return InvoiceProblem(basis.number, f"missing_{register}", f"{what} is not in {target}",
                       f"reconcile and sync {register} first; last synced: {synced.get(register, NEVER)}",
                       register, line)

    problems = []
    customer = basis.customer
    if CUSTOMERS in known and customer.customer_number not in known[CUSTOMERS]:
        problems.append(problem(CUSTOMERS, f"customer {customer.customer_number} ({customer.name})",
                                basis.first_line))
    seen: set[tuple[str, str]] = set()
    for row in basis.article_rows:
        for register, number, what in ((PRODUCTS, row.article, "article"), (PROJECTS, row.project, "project")):
            if number and register in known and number not in known[register] and (register, number) not in seen:
                seen.add((register, number))
                problems.append(problem(register, f"{what} {number} (row {row.line})", row.line))
    return problems


def run_preflight(bases: Sequence[InvoiceBasis], known: Mapping[str, Collection[str]], synced: Mapping[str, str],
                  target: str, check: Callable[[InvoiceBasis], Sequence[str]] | None = None,
                  done: Collection[str] = (), currencies: Mapping[str, str] | None = None,
                  company_currency: str = "") -> InvoicePreflight:
    """Every problem of every invoice basis: missing numbers, rows without an article, a currency not the
    customer's (``currencies``: customer number -> currency, empty meaning ``company_currency``), and the
    target's rules (``check``, the invoice poster's).

    Credit notes are left out (never transferred), and so are the invoice bases in ``done`` (their
    drafts exist already: what the registers say now cannot stop them).
    """
    problems: list[InvoiceProblem] = []
    for basis in bases:
        if basis.is_credit or basis.number in done:
            continue
        problems.extend(_missing(basis, known, synced, target))
        problems.extend(_currency(basis, currencies or {}, company_currency))
        for row in basis.article_rows:
            if not row.article:
                problems.append(InvoiceProblem(basis.number, "no_article", f"row {row.line} has no article, and the "
                                        f"settings name no default article", "set default_article in the "
                                        "settings, or give the row an article in the project tool", line=row.line))
        for sentence in (check(basis) if check else ()):
            problems.append(InvoiceProblem(basis.number, "target_rule", sentence, ""))
    return InvoicePreflight(target, tuple(problems), dict(synced))


__all__ = ["CUSTOMERS", "NEVER", "PRODUCTS", "PROJECTS", "InvoicePreflight", "InvoiceProblem", "last_synced", "read_known",
           "registers_needed", "run_preflight"]
