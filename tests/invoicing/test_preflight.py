"""The preflight: missing customers, articles and projects with the register to sync first, and the target's rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from ops_lib.invoicing.basis_file import read_invoice_basis
from ops_lib.invoicing.preflight import last_synced, registers_needed, run_preflight
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.state.cache import RegisterCache
from ops_lib.state.db import open_state

DEMO = PM_EXPORT_DIR / "invoice_basis.csv"
EVERYTHING = {"customers": {"1001", "1002", "1003", "1007", "1008", "1009"},
              "products": {"A01", "A02", "A03", "A07", "R01", "1001", "1002", "1003", "A99"},
              "projects": {"1001", "1002", "1003", "1006", "1007", "1008"}}
SYNCED = {"customers": "2026-10-30T08:00:00Z", "products": "never", "projects": "never"}


def test_a_customer_the_company_lacks_says_which_register_to_sync_and_when() -> None:
    bases = read_invoice_basis(DEMO, default_article="A99").bases
    preflight = run_preflight(bases, EVERYTHING, SYNCED, "Demo AB")
    problems = [(p.number, p.register, p.sentence) for p in preflight.problems]
    assert problems == [("7009", "customers", "customer 1301 (Solviken Fastigheter AB) is not in Demo AB (reconcile "
                                              "and sync customers first; last synced: 2026-10-30T08:00:00Z)")]
    assert preflight.registers_to_sync == ("customers",)
    assert "reconcile and sync customers first (last synced: 2026-10-30T08:00:00Z)" in preflight.describe()


def test_missing_articles_and_projects_are_named_once_with_their_row() -> None:
    bases = read_invoice_basis(DEMO, default_article="A99").bases
    known = {**EVERYTHING, "products": EVERYTHING["products"] - {"A01"}, "projects": EVERYTHING["projects"] - {"1001"}}
    preflight = run_preflight(bases, known, SYNCED, "Demo AB")
    first = preflight.of("7001")
    assert [p.message for p in first] == ["article A01 (row 3) is not in Demo AB",
                                          "project 1001 (row 3) is not in Demo AB"]
    assert {p.fix for p in first} == {"reconcile and sync products first; last synced: never",
                                      "reconcile and sync projects first; last synced: never"}
    assert preflight.registers_to_sync == ("customers", "products", "projects")
    assert preflight.of("7004") == ()  # no A01, no project: not blocked


def test_a_row_without_article_and_no_default_is_a_problem_not_a_crash() -> None:
    bases = read_invoice_basis(DEMO).bases
    preflight = run_preflight(bases, EVERYTHING, SYNCED, "Demo AB")
    [problem] = preflight.of("7003")
    assert problem.code == "no_article" and problem.line == 12
    assert "set default_article" in problem.fix


def test_the_targets_rules_block_only_their_invoice_and_credit_notes_are_not_checked() -> None:
    bases = read_invoice_basis(DEMO, default_article="A99").bases
    checked: list[str] = []

    def check(basis):  # noqa: ANN001, ANN202 - the poster's check, recorded
        checked.append(basis.number)
        return ["article A07 is inactive in Demo AB (409): activate it or pick another"] if basis.number == "7006" \
            else []

    preflight = run_preflight(bases, EVERYTHING, SYNCED, "Demo AB", check)
    assert [(p.number, p.code) for p in preflight.problems] == [("7006", "target_rule"), ("7009", "missing_customers")]
    assert "7008" not in checked and "7009" in checked
    assert preflight.to_frame()["invoice"].tolist() == ["7006", "7009"]


def test_last_synced_is_the_caches_mark_or_never(tmp_path: Path) -> None:
    db = open_state(tmp_path / "state.sqlite")
    cache = RegisterCache(db, "eaccounting", "company-a")
    assert last_synced(cache, "customers") == "never"
    cache.store("customers", [{"Id": "1", "ChangedUtc": "2026-10-01T00:00:00"}], "ChangedUtc", replace=True,
                server_time=dt.datetime(2026, 10, 30, 8, tzinfo=dt.timezone.utc))
    assert last_synced(cache, "customers") not in ("", "never")
    assert last_synced(cache, "products") == "never" and last_synced(None, "customers") == "never"
    db.close()


def test_projects_are_read_only_when_a_row_names_one() -> None:
    bases = read_invoice_basis(DEMO).bases
    assert registers_needed(bases) == ("customers", "products", "projects")
    assert registers_needed([b for b in bases if b.number == "7004"]) == ("customers", "products")


def test_invoices_already_transferred_are_not_checked_again() -> None:
    bases = read_invoice_basis(DEMO, default_article="A99").bases
    preflight = run_preflight(bases, EVERYTHING, SYNCED, "Demo AB", lambda b: ["too long"], done={"7001", "7009"})
    assert "7001" not in {p.number for p in preflight.problems}
    assert preflight.registers_to_sync == () and preflight.of("7002")[0].message == "too long"


def test_a_basis_in_another_currency_than_its_customers_is_blocked() -> None:
    """The draft is made in the customer's currency: a EUR basis for a SEK customer would send EUR amounts as SEK."""
    bases = {b.number: b for b in read_invoice_basis(DEMO, default_article="A99").bases}
    eur = replace(bases["7001"], currency="EUR")
    plain = replace(bases["7002"], currency="")
    company = replace(bases["7004"], currency="EUR")  # its customer names none: the company's currency counts
    currencies = {"1001": "SEK", "1002": "SEK", bases["7004"].customer.customer_number: ""}
    preflight = run_preflight([eur, plain, company, bases["7005"]], EVERYTHING, SYNCED, "Demo AB",
                              currencies=currencies, company_currency="SEK")
    assert [(p.number, p.code) for p in preflight.problems] == [("7001", "currency"), ("7004", "currency")]
    first, second = preflight.problems
    assert first.message.startswith("the invoice basis is in EUR but customer 1001 (Parkbacken Konsult AB) is "
                                    "invoiced in SEK;") and first.line == eur.first_line
    assert "(the company's: the customer names none)" in second.message and "make the invoice basis in SEK" in second.fix
    assert run_preflight([eur], EVERYTHING, SYNCED, "Demo AB", currencies={"1001": "EUR"}).problems == ()
