"""The README's booking table names every rule, account and rate class that Sweden's rule file books with."""

from __future__ import annotations

from pathlib import Path

from ops_lib.model.country_rules import TREATMENTS, country_rules

ROOT = Path(__file__).resolve().parents[2]


def _table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### The booking table")
    return text[start:text.index("**Preflight**", start)]


def test_every_treatment_has_a_row_with_its_source() -> None:
    rows = {line.split("|")[1].strip(): line for line in _table().splitlines() if line.startswith("| `")}
    assert set(TREATMENTS) <= {name.strip("`") for name in rows}
    for name in TREATMENTS:
        source = rows[f"`{name}`"].rstrip(" |").rsplit("|", 1)[1]
        assert any(word in source for word in ("Skatteverket", "BAS", "Vero")), (name, source)


def test_every_account_and_rate_class_of_the_swedish_rules_is_in_the_table() -> None:
    table, sweden = _table(), country_rules("SE")
    for account in (*sweden.accounts.values(), *sweden.reverse_charge_output_vat.values()):
        if account not in ("3740",):  # öre rounding: a payroll rule, described beside the payroll journal
            assert account in table, account
    for rate_class in sweden.rates:
        assert f"`{rate_class}`" in table, rate_class
