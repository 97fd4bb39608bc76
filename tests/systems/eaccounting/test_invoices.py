"""eAccounting's invoice poster against the sandbox: draft bodies, what is refused, finding drafts, states, costs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ops_lib.core.errors import ApiError, ConfigurationError
from ops_lib.core.money import dumps
from ops_lib.model.invoices import (
    ARTICLE_ROW,
    MISSING,
    PAID,
    SENT,
    TEXT_ROW,
    TRANSFERRED,
    InvoiceBasis,
    InvoiceParty,
    InvoiceRow,
)
from ops_lib.systems.base import InvoicePoster, InvoicingSystem, PlanBlocked
from ops_lib.systems.eaccounting.invoices import EAccountingInvoicePoster, carries
from ops_lib.systems.eaccounting.system import SYSTEM
from ops_lib.systems.rules import load_rules

INVOICE_DATE = date(2026, 5, 28)  # before the sandbox's today: the project tool's date is kept


@pytest.fixture
def poster(client: Any) -> EAccountingInvoicePoster:
    return SYSTEM.make_invoice_poster(client)


@pytest.fixture
def world(client: Any) -> dict[str, Any]:
    """A customer, an active and an inactive article, an open project and its cost centre item, as seeded."""
    customer = next(c for c in client.customers.list() if c.is_active)
    articles = list(client.articles.list())
    (projekt,) = [c for c in client.cost_centers() if c.name == "Projekt"]
    item = next(i for i in projekt.items if i.is_active)
    project = next(p for p in client.projects.list() if p.number == item.short_name)
    return {"customer": customer, "article": next(a for a in articles if a.is_active),
            "inactive": next(a for a in articles if not a.is_active), "item": item, "project": project}


def basis_of(world: dict[str, Any], number: str = "10", *, party: InvoiceParty | None = None,
             rows: tuple[InvoiceRow, ...] | None = None, **fields: Any) -> InvoiceBasis:
    customer, article = world["customer"], world["article"]
    party = party or InvoiceParty(customer.number, "Kund AB", "Storgatan 1", "Box 12", "111 22", "Stockholm", "SE")
    rows = rows or (InvoiceRow(2, TEXT_ROW, "Arbete i maj"),
                    InvoiceRow(3, ARTICLE_ROW, "Konsulttimmar", article.number, Decimal("7.5"), "h",
                               Decimal("950.10"), world["item"].short_name),
                    InvoiceRow(4, TEXT_ROW, "Tack!"))
    return InvoiceBasis(number, party, INVOICE_DATE, rows, "invoice_basis.csv", 2, **fields)


def test_eaccounting_is_an_invoicing_system_and_its_poster_keeps_the_company_key(client: Any) -> None:
    poster = SYSTEM.make_invoice_poster(client)
    assert isinstance(SYSTEM, InvoicingSystem) and isinstance(poster, InvoicePoster)
    assert poster.target == client.session.connection.key == SYSTEM.make_voucher_poster(client).target
    with pytest.raises(ConfigurationError, match="project_target"):
        SYSTEM.make_invoice_poster(client, project_target="departments")


def test_the_draft_body_names_ids_keeps_the_invoice_date_and_ends_with_the_marker(
        poster: EAccountingInvoicePoster, world: dict[str, Any]) -> None:
    basis = basis_of(world, due_date=date(2026, 6, 27), your_reference="Eva", our_reference="Olle")
    body = poster.payload(basis)
    assert body["CustomerId"] == world["customer"].id and body["CustomerIsPrivatePerson"] is False
    assert body["RotReducedInvoicingType"] == 0 and body["EuThirdParty"] is False
    assert body["InvoiceDate"] == "2026-05-28"
    assert "DueDate" not in body  # the draft has none: eAccounting takes it from the customer's terms
    assert (body["InvoiceCustomerName"], body["InvoiceAddress1"], body["InvoiceAddress2"], body["InvoicePostalCode"],
            body["InvoiceCity"], body["InvoiceCountryCode"]) == ("Kund AB", "Storgatan 1", "Box 12", "111 22",
                                                                 "Stockholm", "SE")
    assert (body["YourReference"], body["OurReference"]) == ("Eva", "Olle")
    rows = body["Rows"]
    assert [r["LineNumber"] for r in rows] == [1, 2, 3, 4]
    assert [r["IsTextRow"] for r in rows] == [True, False, True, True]
    assert [r["Text"] for r in rows] == ["Arbete i maj", "Konsulttimmar", "Tack!", "#ops-invoice-10"]
    article_row = rows[1]
    assert article_row["ArticleId"] == world["article"].id
    assert article_row["Quantity"] == Decimal("7.50") and article_row["UnitPrice"] == Decimal("950.10")
    assert isinstance(article_row["UnitPrice"], Decimal)
    assert article_row["CostCenterItemId1"] == world["item"].id and "ProjectId" not in article_row
    assert not any(k.startswith("CostCenterItemId") or k == "ArticleId" for k in rows[0])


def test_projects_kept_as_projects_go_in_the_rows_project(client: Any, world: dict[str, Any]) -> None:
    poster = SYSTEM.make_invoice_poster(client, project_target="projects", cost_center="Projekt")
    (article_row,) = [r for r in poster.payload(basis_of(world))["Rows"] if not r["IsTextRow"]]
    assert article_row["ProjectId"] == world["project"].id
    assert not any(k.startswith("CostCenterItemId") for k in article_row)


def test_an_empty_address_on_the_basis_is_the_customers_registered_one(poster: EAccountingInvoicePoster,
                                                                       world: dict[str, Any]) -> None:
    customer = world["customer"]
    body = poster.payload(basis_of(world, party=InvoiceParty(customer.number, "")))
    assert body["InvoiceCustomerName"] == customer.name
    assert body["InvoiceAddress1"] == customer.data["InvoiceAddress1"]
    assert body["InvoicePostalCode"] == customer.data["InvoicePostalCode"]
    assert body["InvoiceCity"] == customer.data["InvoiceCity"]
    assert body["InvoiceCountryCode"] == customer.data["InvoiceCountryCode"]
    assert poster.check(basis_of(world, party=InvoiceParty(customer.number, ""))) == []


def test_what_the_company_lacks_blocks_the_draft_all_of_it_named_with_the_fix(
        poster: EAccountingInvoicePoster, world: dict[str, Any]) -> None:
    rows = (InvoiceRow(3, ARTICLE_ROW, "X", "NO-SUCH", Decimal(1), "h", Decimal(1), "P-404"),
            InvoiceRow(4, ARTICLE_ROW, "Y", "", Decimal(1), "h", Decimal(1)))
    basis = basis_of(world, party=InvoiceParty("99999", "Okänd AB"), rows=rows)
    with pytest.raises(PlanBlocked) as blocked:
        poster.payload(basis)
    message = str(blocked.value)
    for expected in ("customer 99999 (Okänd AB)", "article NO-SUCH", "project P-404 (in the items of cost centre "
                     "'Projekt')", "reconcile and sync customers, products, projects first", "line 4",
                     "default article"):
        assert expected in message
    with pytest.raises(PlanBlocked, match="project P-404 \\(in projects\\)"):
        SYSTEM.make_invoice_poster(poster.client, project_target="projects").payload(basis)


def test_a_clean_basis_has_no_problems_and_the_registers_are_read_once(poster: EAccountingInvoicePoster,
                                                                       world: dict[str, Any]) -> None:
    session = poster.client.session
    assert poster.check(basis_of(world)) == []
    poster.payload(basis_of(world))
    before = session.stats.requests
    assert poster.check(basis_of(world, "11")) == [] and poster.payload(basis_of(world, "11"))
    assert session.stats.requests == before


LONG = "x" * 51
BREAKS = {  # rule code -> a basis breaking that rule alone
    "missing_customer_name": lambda p: replace(p, customer_number="99999", name=""),
    "customer_name_too_long": lambda p: replace(p, name=LONG),
    "missing_address": lambda p: replace(p, customer_number="99999", address1=""),
    "address_too_long": lambda p: replace(p, address1=LONG),
    "address2_too_long": lambda p: replace(p, address2=LONG),
    "missing_postal_code": lambda p: replace(p, customer_number="99999", postal_code=""),
    "postal_code_too_long": lambda p: replace(p, postal_code="12345678901"),
    "missing_city": lambda p: replace(p, customer_number="99999", city=""),
    "city_too_long": lambda p: replace(p, city=LONG),
    "missing_country": lambda p: replace(p, customer_number="99999", country_code=""),
    "country_not_a_code": lambda p: replace(p, country_code="SWE"),
}


@pytest.mark.parametrize("rule", load_rules("ops_lib.systems.eaccounting", "invoice_drafts"), ids=lambda r: r.code)
def test_check_finds_each_header_rule_in_a_sentence_naming_the_field(poster: EAccountingInvoicePoster,
                                                                     world: dict[str, Any], rule: Any) -> None:
    base = basis_of(world)
    if rule.code in BREAKS:
        basis = replace(base, customer=BREAKS[rule.code](base.customer))
    else:
        basis = replace(base, **{rule.field: "r" * (rule.max_length + 1)})
    (problem,) = poster.check(basis)
    assert problem.startswith("Invoice 10: ") and rule.code in problem
    word = {"country_code": "country", "postal_code": "postal code", "address1": "first address line",
            "address2": "second address line", "your_reference": "your reference", "our_reference": "our reference",
            "name": "customer name", "city": "city"}[rule.field]
    assert word in problem
    assert ("is empty" in problem and "sync customers" in problem) if rule.required else ("empty" not in problem)


def test_check_finds_long_row_texts_and_the_409_of_an_inactive_article(poster: EAccountingInvoicePoster,
                                                                       world: dict[str, Any]) -> None:
    inactive = world["inactive"]
    rows = (InvoiceRow(2, TEXT_ROW, "t" * 2001),
            InvoiceRow(3, ARTICLE_ROW, "a" * 51, world["article"].number, Decimal(1), "h", Decimal(100)),
            InvoiceRow(4, ARTICLE_ROW, "Resa", inactive.number, Decimal(1), "st", Decimal(100)),
            InvoiceRow(5, TEXT_ROW, "t" * 2000))
    problems = poster.check(basis_of(world, rows=rows))
    assert len(problems) == 3
    assert "row on line 2" in problems[0] and "text_row_too_long" in problems[0] and "2001 characters" in problems[0]
    assert "row on line 3" in problems[1] and "at most 50" in problems[1] and "article's name" in problems[1]
    assert f"article {inactive.number}" in problems[2] and "409 Conflict" in problems[2]
    assert "reactivate it in eAccounting and sync again" in problems[2]


def test_check_finds_quantities_and_prices_eaccounting_would_round(poster: EAccountingInvoicePoster,
                                                                   world: dict[str, Any]) -> None:
    """The approver must see the amount that is sent: eAccounting takes 2 decimals and would round the rest."""
    article = world["article"].number
    rows = (InvoiceRow(3, ARTICLE_ROW, "Konsult", article, Decimal("7.125"), "h", Decimal("950.00")),
            InvoiceRow(4, ARTICLE_ROW, "Resa", article, Decimal("2.500"), "st", Decimal("0.0000001")),
            InvoiceRow(5, ARTICLE_ROW, "Hyra", article, Decimal("1"), "st", Decimal("12.50")))
    problems = poster.check(basis_of(world, rows=rows))
    assert len(problems) == 2
    assert problems[0].startswith("Invoice 10, row on line 3: the quantity is 7.125")
    assert "at most 2 decimals" in problems[0] and "quantity_decimals" in problems[0]
    assert problems[1].startswith("Invoice 10, row on line 4: the unit price is 0.0000001")
    assert "unit_price_decimals" in problems[1] and "Round it to 2 decimals in the project tool" in problems[1]


@pytest.mark.parametrize("field", ["your_reference", "our_reference"])
def test_references_over_50_characters_are_refused_as_the_invoice_would_be(poster: EAccountingInvoicePoster,
                                                                           world: dict[str, Any], field: str) -> None:
    """A draft takes 100 characters, but the customer invoice it becomes takes 50 (CustomerInvoiceApi)."""
    assert poster.check(basis_of(world, **{field: "r" * 50})) == []
    (problem,) = poster.check(basis_of(world, **{field: "r" * 51}))
    assert f"{field}_too_long" in problem and "at most 50" in problem


def test_a_marker_matches_only_as_a_whole_token() -> None:
    assert carries(["Tack!", "#ops-invoice-10"], "#ops-invoice-10")
    assert carries(["ref #ops-invoice-10 kept"], "#ops-invoice-10")
    assert not carries(["#ops-invoice-100"], "#ops-invoice-10")
    assert not carries(["#ops-invoice-10x", "x#ops-invoice-10"], "#ops-invoice-10")


# -- against the sandbox's drafts, invoices and supplier invoices --------------------------------------------


def post(api: httpx.Client, path: str, body: Any = None) -> dict[str, Any]:
    """POST with money as exact JSON numbers (never floats); the answer must be a success."""
    answer = api.post(path, content=dumps(body).encode("utf-8") if body is not None else b"",
                      headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def convert(api: httpx.Client, draft_id: str) -> dict[str, Any]:
    return post(api, f"customerinvoicedrafts/{draft_id}/convert")


def pay(api: httpx.Client, invoice: dict[str, Any], amount: Decimal, kind: int) -> None:
    """A payment (kind 1 partial, 2 complete) into the company's bank account (the sandbox checks no id)."""
    body = {"CompanyBankAccountId": "00000000-0000-4000-8000-000000000001", "PaymentDate": "2026-06-15",
            "PaymentAmount": amount, "PaymentCurrency": invoice["CurrencyCode"], "PaymentType": kind}
    post(api, f"customerinvoices/{invoice['Id']}/payments", body)


def test_a_sent_draft_is_found_by_its_marker_and_so_is_the_invoice_made_of_it(
        poster: EAccountingInvoicePoster, world: dict[str, Any], api: httpx.Client) -> None:
    basis, other = basis_of(world, "10"), basis_of(world, "100")
    assert poster.find(basis) is None
    sent = poster.send(other)
    assert poster.find(basis) is None  # #ops-invoice-100 is not #ops-invoice-10
    ref = poster.send(basis)
    assert ref.customer_id.lower() == world["customer"].id.lower()
    assert poster.find(basis) == ref and poster.find(other) == sent
    stored = api.get(f"customerinvoicedrafts/{ref.draft_id}").json()
    assert stored["InvoiceDate"][:10] == "2026-05-28" and stored["Rows"][-1]["Text"] == "#ops-invoice-10"
    invoice = convert(api, ref.draft_id)
    found = poster.find(basis)
    assert found is not None and found.draft_id == invoice["Id"]


def test_states_follow_a_draft_from_transferred_to_sent_to_paid(poster: EAccountingInvoicePoster,
                                                               world: dict[str, Any], api: httpx.Client) -> None:
    basis = basis_of(world, "10")
    ref = poster.send(basis)
    unknown = "#ops-invoice-999"
    states = poster.states([basis.marker, unknown])
    assert states[unknown].status == MISSING
    assert states[basis.marker].status == TRANSFERRED and states[basis.marker].draft_id == ref.draft_id
    invoice = convert(api, ref.draft_id)
    sent = poster.states([basis.marker])[basis.marker]
    assert sent.status == SENT and sent.invoice_number == str(invoice["InvoiceNumber"])
    assert sent.invoice_id == invoice["Id"] and sent.invoice_date == INVOICE_DATE
    assert sent.total is not None and sent.total > 0 and sent.remaining == sent.total
    pay(api, invoice, Decimal("100.00"), 1)
    part = poster.states([basis.marker])[basis.marker]
    assert part.status == SENT and part.remaining == sent.total - Decimal("100.00")
    pay(api, invoice, part.remaining, 2)
    paid = poster.states([basis.marker])[basis.marker]
    assert paid.status == PAID and paid.remaining == 0 and paid.invoice_number == sent.invoice_number


def post_supplier_invoice(api: httpx.Client, number: str, day: str, rows: list[dict[str, Any]],
                          vat: Decimal) -> dict[str, Any]:
    supplier = api.get("suppliers").json()["Data"][0]
    net = sum((Decimal(r.get("DebetAmount", 0)) - Decimal(r.get("CreditAmount", 0)) for r in rows), Decimal(0))
    return post(api, "supplierinvoices", {"SupplierId": supplier["Id"], "InvoiceNumber": number, "InvoiceDate": day,
                                          "TotalAmount": net + vat, "Vat": vat, "Rows": rows})


@pytest.fixture
def costs(client: Any, api: httpx.Client) -> dict[str, Any]:
    """Supplier invoices in May 2026 whose rows name projects in different ways, and one just after May."""
    (projekt,) = [c for c in client.cost_centers() if c.name == "Projekt"]
    items = {i.short_name: i for i in projekt.items if i.is_active}
    projects = {p.number: p for p in client.projects.list() if p.number in items}
    a, b, c = sorted(projects)[:3]
    department = next(i for cc in client.cost_centers() if cc.name == "Avdelning" for i in cc.items)

    def row(amount: str, *, project: str = "", item: str = "", text: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"AccountNumber": 6110, "DebetAmount": Decimal(amount), "CreditAmount": Decimal(0),
                                "TransactionText": text}
        if project:
            body["ProjectId"] = projects[project].id
        if item:
            body["CostCenterItemId1"] = items[item].id
        return body

    both = post_supplier_invoice(api, "L-1", "2026-05-01", [
        row("800.00", project=a, item=a, text="Material"),
        {**row("100.50"), "CostCenterItemId2": department.id},
        row("40.00", project=b),  # the project only
        row("60.00", item=c),  # the cost centre item only
        row("5.00", project=b, item=c),  # both, and they disagree: where the options keep projects wins
    ], Decimal("251.38"))
    credit = post_supplier_invoice(api, "K-1", "2026-05-31", [
        {"AccountNumber": 6110, "DebetAmount": Decimal(0), "CreditAmount": Decimal("100.00"),
         "ProjectId": projects[a].id, "CostCenterItemId1": items[a].id}], Decimal("-25.00"))
    later = post_supplier_invoice(api, "L-2", "2026-06-01", [row("10.00", project=a, item=a)], Decimal("2.50"))
    return {"a": a, "b": b, "c": c, "both": both, "credit": credit, "later": later}


@pytest.mark.parametrize("target", ["cost_center_items", "projects"])
def test_supplier_invoices_of_a_period_come_with_their_rows_project_numbers(client: Any, costs: dict[str, Any],
                                                                         target: str) -> None:
    poster = SYSTEM.make_invoice_poster(client, project_target=target)
    found = {i.id: i for i in poster.supplier_invoices(date(2026, 5, 1), date(2026, 5, 31))}
    assert costs["both"]["Id"] in found and costs["credit"]["Id"] in found and costs["later"]["Id"] not in found
    assert all(date(2026, 5, 1) <= i.invoice_date <= date(2026, 5, 31) for i in found.values())
    both = found[costs["both"]["Id"]]
    assert (both.invoice_number, both.invoice_date, both.total, both.vat) == (
        "L-1", date(2026, 5, 1), Decimal("1256.88"), Decimal("251.38"))
    assert both.voucher_number and both.supplier_name and not both.is_credit
    assert [r.amount for r in both.rows] == [Decimal("800.00"), Decimal("100.50"), Decimal("40.00"), Decimal("60.00"),
                                             Decimal("5.00")]
    assert all(isinstance(r.amount, Decimal) and r.account == "6110" for r in both.rows)
    a, b, c = costs["a"], costs["b"], costs["c"]
    assert [r.project for r in both.rows] == [a, "", b, c, b if target == "projects" else c]
    assert both.rows[0].text == "Material"
    assert both.by_project() == ({a: Decimal("800.00"), b: Decimal("45.00"), c: Decimal("60.00")}
                                 if target == "projects" else
                                 {a: Decimal("800.00"), b: Decimal("40.00"), c: Decimal("65.00")})
    credit = found[costs["credit"]["Id"]]
    assert credit.is_credit and credit.total == Decimal("-125.00") and credit.vat == Decimal("-25.00")
    assert credit.by_project() == {a: Decimal("-100.00")}


def test_a_refused_draft_is_the_explained_api_error_and_leaves_nothing_behind(poster: EAccountingInvoicePoster,
                                                                           world: dict[str, Any]) -> None:
    inactive = world["inactive"]
    basis = basis_of(world, rows=(InvoiceRow(3, ARTICLE_ROW, "Resa", inactive.number, Decimal(1), "st",
                                             Decimal(100)),))
    with pytest.raises(ApiError) as refused:
        poster.send(basis)
    assert refused.value.status == 409 and refused.value.explanation is not None
    assert refused.value.explanation.title == "A work type or article is inactive"
    assert "Reactivate the work type in eAccounting" in str(refused.value)
    assert poster.find(basis) is None and poster.states([basis.marker])[basis.marker].status == MISSING


@pytest.mark.parametrize("target", ["cost_center_items", "projects"])
def test_the_seeded_supplier_invoices_of_two_months_carry_the_demo_projects(client: Any, target: str) -> None:
    poster = SYSTEM.make_invoice_poster(client, project_target=target)
    invoices = poster.supplier_invoices(date(2026, 5, 1), date(2026, 6, 30))
    assert invoices and any(i.is_credit for i in invoices) and any(not i.by_project() for i in invoices)
    projects = {p for i in invoices for p in i.by_project()}
    assert len(projects) >= 2 and projects <= {p.number for p in client.projects.list()}
    for invoice in invoices:
        assert sum((r.amount for r in invoice.rows), Decimal(0)) == invoice.total - invoice.vat
        assert all(r.amount < 0 for r in invoice.rows) if invoice.is_credit else invoice.total > 0
        for raw, row in zip(client.supplier_invoices.get(invoice.id).rows, invoice.rows):
            assert bool(row.project) == bool(raw.get("ProjectId") or raw.get("CostCenterItemId1"))


@pytest.mark.parametrize("target", ["cost_center_items", "projects"])
def test_check_finds_rows_on_a_closed_project_which_eaccounting_refuses(client: Any, world: dict[str, Any],
                                                                       target: str) -> None:
    (projekt,) = [c for c in client.cost_centers() if c.name == "Projekt"]
    closed = next(i for i in projekt.items if not i.is_active).short_name  # seeded finished: item and project
    rows = (InvoiceRow(3, ARTICLE_ROW, "Arbete", world["article"].number, Decimal(1), "h", Decimal(100), closed),)
    poster = SYSTEM.make_invoice_poster(client, project_target=target)
    basis = basis_of(world, rows=rows)
    (problem,) = poster.check(basis)
    assert f"project {closed} is closed in eAccounting" in problem and "sync projects again" in problem
    with pytest.raises(ApiError) as refused:
        poster.send(basis)
    assert refused.value.code == ("5006" if target == "cost_center_items" else "5005")


def test_states_match_whole_markers_only_and_read_each_list_once(poster: EAccountingInvoicePoster,
                                                                 world: dict[str, Any]) -> None:
    ref = poster.send(basis_of(world, "100"))
    session = poster.client.session
    before = session.stats.requests
    states = poster.states(["#ops-invoice-10", "#ops-invoice-100", "#ops-invoice-1"])
    assert session.stats.requests - before == 2  # one page of drafts, one of customer invoices
    assert {m: s.status for m, s in states.items()} == {"#ops-invoice-10": MISSING, "#ops-invoice-100": TRANSFERRED,
                                                        "#ops-invoice-1": MISSING}
    assert states["#ops-invoice-100"].draft_id == ref.draft_id and states["#ops-invoice-100"].total
