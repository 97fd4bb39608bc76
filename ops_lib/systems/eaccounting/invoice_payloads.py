"""Invoice bases as eAccounting customer invoice drafts: the registers they name, what is refused, the body.

A draft names ids, not numbers: the customer, every article and every
project (an item of the projects' cost centre, or a project, as the run's
``project_target`` chooses: the same place the register sync writes
projects to) are looked up by number in registers read once per poster
(:class:`InvoiceRegisters`). Something missing blocks the draft
(:class:`~ops_lib.systems.base.PlanBlocked`) with all that is missing at
once, so one reconcile-and-sync fixes it.

What eAccounting refuses is data: the ``invoice_drafts``,
``invoice_rows`` and ``invoice_text_rows`` sections of ``rules.yaml``
(lengths, a required address), plus what only the live register knows:
an inactive article is the 409 Conflict users meet. :func:`problems`
says each in a sentence naming the field and the fix.

The invoice date is the project tool's (the guide's integration replaces
it with the transfer day, and users then correct it by hand). The due
date is not sent: ``CustomerInvoiceDraftApi`` has no ``DueDate``, and
eAccounting sets it from the customer's terms of payment when the draft
becomes an invoice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Mapping

from ops_lib.core.errors import ConfigurationError
from ops_lib.core.money import round_money
from ops_lib.model.invoices import ARTICLE_ROW, InvoiceBasis, InvoiceRow
from ops_lib.systems.base import PlanBlocked
from ops_lib.systems.eaccounting.client import EAccountingClient
from ops_lib.systems.eaccounting.options import EAccountingOptions
from ops_lib.systems.eaccounting.payloads import CUSTOMER_API
from ops_lib.systems.eaccounting.records import Article, Customer
from ops_lib.systems.eaccounting.vouchers import cost_centre_field
from ops_lib.systems.rules import Rule, decimals, load_rules

PACKAGE = __package__ or "ops_lib.systems.eaccounting"
ADDRESS = ("address1", "address2", "postal_code", "city")
# The invoice header's fields (the basis's names) -> the draft's field and how a person reads it.
HEADER_API = {"name": "InvoiceCustomerName", "address1": "InvoiceAddress1", "address2": "InvoiceAddress2",
              "postal_code": "InvoicePostalCode", "city": "InvoiceCity", "country_code": "InvoiceCountryCode",
              "your_reference": "YourReference", "our_reference": "OurReference"}
LABELS = {"name": "the customer name", "address1": "the first address line", "address2": "the second address line",
          "postal_code": "the postal code", "city": "the city", "country_code": "the country",
          "your_reference": "your reference", "our_reference": "our reference", "text": "the row's text", "quantity": "the quantity",
          "unit_price": "the unit price"}


@dataclass(frozen=True)
class ProjectLinks:
    """Where projects live in this company: the row field a project goes in, and its ids by project number.

    ``fields`` are the row fields a supplier invoice's project may be read
    from; ``numbers`` maps an id (lower case) back to its project number.
    """

    field: str
    ids: Mapping[str, str]
    numbers: Mapping[str, str]
    fields: tuple[str, ...]
    where: str
    closed: frozenset[str] = frozenset()  # project numbers whose rows eAccounting refuses (inactive or ended)

    ITEM_FIELDS = ("CostCenterItemId1", "CostCenterItemId2", "CostCenterItemId3")

    @classmethod
    def read(cls, client: EAccountingClient, options: EAccountingOptions) -> "ProjectLinks":
        """Read the projects register, or the configured cost centre's items.

        Raises
        ------
        ConfigurationError
            The configured cost centre does not exist, or is not one of eAccounting's three.
        """
        if options.project_target == "projects":
            projects = list(client.projects.list())
            ids = {p.number: p.id for p in projects}
            return cls("ProjectId", ids, {i.lower(): n for n, i in ids.items()}, ("ProjectId",), "projects",
                       frozenset(p.number for p in projects if p.status == 2))
        wanted = options.cost_center.strip().casefold()
        centre = next((c for c in client.cost_centers() if c.name.strip().casefold() == wanted), None)
        if centre is None:
            raise ConfigurationError(f"eAccounting has no cost centre {options.cost_center!r} for the projects; "
                                     f"create it in eAccounting or set cost_center to the one that holds them")
        ids = {i.short_name.strip(): i.id for i in centre.items}
        return cls(cost_centre_field(centre.number), ids, {i.lower(): n for n, i in ids.items()},
                   cls.ITEM_FIELDS, f"the items of cost centre {centre.name!r}",
                   frozenset(i.short_name.strip() for i in centre.items if not i.is_active))

    def number_of(self, row: Mapping[str, Any]) -> str:
        """The project number a row is on ('' for none), from whichever of :attr:`fields` names one of ours."""
        for field in self.fields:
            number = self.numbers.get(str(row.get(field) or "").lower())
            if number:
                return number
        return ""


class InvoiceRegisters:
    """The customers, articles and projects a draft names, each read once (on first use) per poster."""

    def __init__(self, client: EAccountingClient, options: EAccountingOptions) -> None:
        self.client = client
        self.options = options

    @functools.cached_property
    def customers(self) -> dict[str, Customer]:
        return {c.number: c for c in self.client.customers.list()}

    @functools.cached_property
    def articles(self) -> dict[str, Article]:
        return {a.number: a for a in self.client.articles.list()}

    @functools.cached_property
    def projects(self) -> ProjectLinks:
        return ProjectLinks.read(self.client, self.options)

    @functools.cached_property
    def other_projects(self) -> ProjectLinks:
        """Projects where the options do not keep them, for supplier-invoice rows that name them only there.

        A company without the configured cost centre has no items of it to name (nothing to read).
        """
        other = "projects" if self.options.project_target == "cost_center_items" else "cost_center_items"
        try:
            return ProjectLinks.read(self.client, replace(self.options, project_target=other))
        except ConfigurationError:
            return ProjectLinks("", {}, {}, (), "")

    @functools.cached_property
    def rules(self) -> dict[str, tuple[Rule, ...]]:
        return {section: load_rules(PACKAGE, section) for section in ("invoice_drafts", "invoice_rows",
                                                                      "invoice_text_rows")}


def header(basis: InvoiceBasis, customer: Customer | None) -> dict[str, str]:
    """The draft's name, address and references: the basis's, else the customer's register address.

    The address is taken whole from the register when the basis has none
    (no mixing of two addresses); the name and the country each fall back
    on their own.
    """
    party = basis.customer
    values = {"name": party.name, "country_code": party.country_code, "your_reference": basis.your_reference,
              "our_reference": basis.our_reference, **{f: getattr(party, f) for f in ADDRESS}}
    values = {k: str(v or "").strip() for k, v in values.items()}
    if customer is not None:
        registered = customer.data
        if not any(values[f] for f in ADDRESS):
            values.update({f: str(registered.get(CUSTOMER_API[f]) or "").strip() for f in ADDRESS})
        values["name"] = values["name"] or customer.name.strip()
        country = str(registered.get(CUSTOMER_API["country_code"]) or "").strip()
        values["country_code"] = values["country_code"] or country
    return values


def _broken(rule: Rule, value: str) -> str:
    """What ``value`` breaks of ``rule``: 'required', 'length', 'decimals' or ''."""
    if rule.required and not value:
        return "required"
    if rule.max_length is not None and len(value) > rule.max_length:
        return "length"
    if rule.max_decimals is not None and decimals(value) > rule.max_decimals:
        return "decimals"
    return ""


def _sentence(where: str, rule: Rule, value: str, how: str, fix: str) -> str:
    label = LABELS.get(rule.field, rule.field)
    if how == "required":
        return f"{where}: {label} is empty; eAccounting requires it on every invoice ({rule.code}). {fix}"
    if how == "decimals":
        return (f"{where}: {label} is {value}; eAccounting takes at most {rule.max_decimals} decimals and would "
                f"round it, so the amount sent would not be the one approved ({rule.code}). {fix}")
    if rule.max_length == 2 and rule.field == "country_code":
        return f"{where}: the country is {value!r}; eAccounting takes its two-letter code, such as SE or FI " \
               f"({rule.code}). Set the country code in the project tool."
    return (f"{where}: {label} is {len(value)} characters ({value[:30]!r}…); eAccounting takes at most "
            f"{rule.max_length} ({rule.code}). {fix}")


def problems(basis: InvoiceBasis, registers: InvoiceRegisters) -> list[str]:
    """What eAccounting would refuse in the draft of ``basis``, one sentence each (nothing is sent)."""
    where = f"Invoice {basis.number}"
    customer = registers.customers.get(basis.customer.customer_number)
    found: list[str] = []
    values = header(basis, customer)
    fix = (f"Add it to customer {basis.customer.customer_number} (or to the invoice basis) in the project tool, "
           f"then sync customers again.")
    for rule in registers.rules["invoice_drafts"]:
        how = _broken(rule, values.get(rule.field, ""))
        if how:
            found.append(_sentence(where, rule, values.get(rule.field, ""), how,
                                   fix if how == "required" else "Shorten it in the project tool."))
    if customer is not None and not customer.is_active:
        found.append(f"{where}: customer {customer.number} ({customer.name}) is inactive in eAccounting, which "
                     f"refuses invoices to it; reactivate the customer in eAccounting and sync again.")
    for row in basis.rows:
        found += _row_problems(f"{where}, row on line {row.line}", row, registers)
    found += _closed_projects(where, basis, registers)
    return found


def _closed_projects(where: str, basis: InvoiceBasis, registers: InvoiceRegisters) -> list[str]:
    """Rows on a project whose item is inactive, or whose project has ended: eAccounting refuses them (5006, 5005)."""
    wanted = list(dict.fromkeys(r.project for r in basis.article_rows if r.project))
    if not wanted:
        return []
    try:
        links = registers.projects
    except ConfigurationError:  # no cost centre for the projects: the payload says so, blocking the draft
        return []
    return [f"{where}: project {p} is closed in eAccounting ({links.where}: inactive or ended), which refuses "
            f"invoice rows on it; reopen the project in the project tool and sync projects again, or move the rows."
            for p in wanted if p in links.closed]


def _row_problems(where: str, row: InvoiceRow, registers: InvoiceRegisters) -> list[str]:
    found: list[str] = []
    section = "invoice_rows" if row.kind == ARTICLE_ROW else "invoice_text_rows"
    for rule in registers.rules[section]:
        raw = getattr(row, rule.field, "")
        value = format(raw, "f") if isinstance(raw, Decimal) else str(raw or "")  # never an exponent (1E-7)
        how = _broken(rule, value)
        if how == "decimals":
            found.append(_sentence(where, rule, value, how, f"Round it to {rule.max_decimals} decimals in the "
                                                            f"project tool."))
        elif how:
            fix = ("On an article row the text is the article's name on the invoice: shorten the row's "
                   "description and the article's name in the project tool." if row.kind == ARTICLE_ROW
                   else "Shorten the text row in the project tool.")
            found.append(_sentence(where, rule, value, how, fix))
    article = registers.articles.get(row.article) if row.kind == ARTICLE_ROW else None
    if article is not None and not article.is_active:
        found.append(f"{where}: article {article.number} ({article.name}) is inactive in eAccounting, so the "
                     f"draft would be refused with 409 Conflict; reactivate it in eAccounting and sync again.")
    return found


def _missing(basis: InvoiceBasis, registers: InvoiceRegisters) -> str:
    """What of ``basis`` this company lacks, as one sentence with the fix ('' when nothing)."""
    gaps: list[str] = []
    syncs: list[str] = []
    if basis.customer.customer_number not in registers.customers:
        gaps.append(f"customer {basis.customer.customer_number} ({basis.customer.name})")
        syncs.append("customers")
    rows = basis.article_rows
    undefaulted = [r.line for r in rows if not r.article]
    articles = list(dict.fromkeys(r.article for r in rows if r.article and r.article not in registers.articles))
    if articles:
        gaps.append(("article " if len(articles) == 1 else "articles ") + ", ".join(articles))
        syncs.append("products")
    wanted = list(dict.fromkeys(r.project for r in rows if r.project))
    if wanted:
        try:
            links = registers.projects
        except ConfigurationError as exc:
            raise PlanBlocked(f"invoice {basis.number}: {exc}") from exc
        projects = [p for p in wanted if p not in links.ids]
        if projects:
            gaps.append(("project " if len(projects) == 1 else "projects ") + ", ".join(projects)
                        + f" (in {links.where})")
            syncs.append("projects")
    text = ""
    if gaps:
        text = (f"eAccounting has no {'; no '.join(gaps)}: reconcile and sync {', '.join(syncs)} first, "
                f"then plan again.")
    if undefaulted:
        lines = (f"The row on line {undefaulted[0]} names" if len(undefaulted) == 1
                 else f"The rows on lines {', '.join(map(str, undefaulted))} name")
        text += f" {lines} no article and no default article is set: set the default article number in the settings."
    return text.strip()


def _row(line: int, row: InvoiceRow, registers: InvoiceRegisters) -> dict[str, Any]:
    body: dict[str, Any] = {"LineNumber": line, "IsTextRow": row.kind != ARTICLE_ROW,
                            "ReversedConstructionServicesVatFree": False}
    if row.kind != ARTICLE_ROW:
        return {**body, "Text": row.text}
    article = registers.articles[row.article]
    body.update({"ArticleId": article.id, "Text": row.text or article.name,
                 "Quantity": round_money(row.quantity), "UnitPrice": round_money(row.unit_price)})
    if row.project:
        links = registers.projects
        body[links.field] = links.ids[row.project]
    return body


def draft_payload(basis: InvoiceBasis, registers: InvoiceRegisters) -> dict[str, Any]:
    """The ``POST /customerinvoicedrafts`` body of ``basis``; its last row is a text row with the marker.

    Raises
    ------
    PlanBlocked
        The customer, an article or a project is not in this company (all of them are named).
    """
    missing = _missing(basis, registers)
    if missing:
        raise PlanBlocked(f"invoice {basis.number}: {missing}")
    customer = registers.customers[basis.customer.customer_number]
    values = header(basis, customer)
    body: dict[str, Any] = {"CustomerId": customer.id, "RotReducedInvoicingType": 0, "EuThirdParty": False,
                            "CustomerIsPrivatePerson": bool(customer.data.get("IsPrivatePerson")),
                            "InvoiceDate": basis.invoice_date.isoformat()}
    for field, api in HEADER_API.items():
        if values[field] or field in ("name", "address1", "postal_code", "city", "country_code"):
            body[api] = values[field]
    rows = [_row(line, row, registers) for line, row in enumerate(basis.rows, start=1)]
    rows.append({"LineNumber": len(rows) + 1, "IsTextRow": True, "Text": basis.marker,
                 "ReversedConstructionServicesVatFree": False})
    body["Rows"] = rows
    return body
