"""The engine agrees with the frozen reference of the rules, row for row and column for column.

``reference_engine.py`` is the pandas engine the Arrow one replaced (issue
22), kept as it was. Every test here runs both on the same input and
requires the same ``pairs`` (every column, in report order: the order is
part of what a reviewer reads), the same summary and the same plan hash.
The inputs are every fixture ``test_engine.py`` reconciles (run through
its own tests, with ``reconcile`` swapped for a checking twin) and a
generated pair of 50,000 records with every kind of difference.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ops_lib.reconciliation.fuzzy as fuzzy
import tests.reconciliation.reference_fuzzy as reference_fuzzy
from ops_lib.reconciliation.engine import reconcile
from ops_lib.reconciliation.result import Reconciliation
from tests.reconciliation import reference_engine, test_engine

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def assert_agree(new: Reconciliation, reference: Reconciliation) -> None:
    """Same pairs in the same order, column by column; same summary, compared fields and plan hash."""
    assert list(new.pairs.columns) == list(reference.pairs.columns)
    assert len(new.pairs) == len(reference.pairs)
    for column in reference.pairs.columns:
        ours = new.pairs[column].astype(object).tolist()
        theirs = reference.pairs[column].astype(object).tolist()
        if ours != theirs:
            at = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
            pytest.fail(f"column {column!r} differs first at row {at}: {ours[at]!r} != {theirs[at]!r}\n"
                        f"ours:\n{new.pairs.iloc[at]}\nreference:\n{reference.pairs.iloc[at]}")
    assert new.compared_fields == reference.compared_fields
    pd.testing.assert_frame_equal(new.summary(), reference.summary(), check_dtype=False)
    assert new.plan_hash == reference.plan_hash


def both(*args: Any, **kwargs: Any) -> Reconciliation:
    new, reference = reconcile(*args, **kwargs), reference_engine.reconcile(*args, **kwargs)
    assert_agree(new, reference)
    return new


# The rules' tests that reconcile; the parametrised one (the demo export) has its own test below.
ENGINE_TESTS = [name for name, test in inspect.getmembers(test_engine, inspect.isfunction)
                if name.startswith("test_") and "reconcile(" in inspect.getsource(test)
                and not hasattr(test, "pytestmark")]


@pytest.mark.parametrize("name", ENGINE_TESTS)
def test_the_rules_tests_fixtures_give_the_same_result(name: str, request: pytest.FixtureRequest,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Reconciliation] = []

    def checked(*args: Any, **kwargs: Any) -> Reconciliation:
        calls.append(both(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(test_engine, "reconcile", checked)
    test = getattr(test_engine, name)
    test(**{p: request.getfixturevalue(p) for p in inspect.signature(test).parameters})
    assert calls, f"{name} reconciled nothing"


@pytest.mark.parametrize("register", ["customers", "products", "projects"])
def test_the_demo_export_against_the_sandbox_gives_the_same_result(client: object, register: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Reconciliation] = []

    def checked(*args: Any, **kwargs: Any) -> Reconciliation:
        calls.append(both(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(test_engine, "reconcile", checked)
    test_engine.test_demo_export_against_the_sandbox_gives_exactly_the_planted_differences(client, register)
    assert len(calls) == 1


def _benchmark_module() -> Any:
    """``benchmarks/reconcile_customers.py`` (not a package), where the generated registers come from."""
    name = "benchmarks_reconcile_customers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / "reconcile_customers.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def varied() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _benchmark_module().build_varied(50_000)


@pytest.mark.slow
def test_the_generated_pair_holds_every_kind_of_difference(varied: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    left, right = varied
    assert len(left) > 45_000 and len(right) > 43_000
    result = reference_engine.reconcile(left, right, "customers")
    pairs = result.pairs
    got = {(r.status, r.action) for r in pairs.itertuples()}
    assert got >= {("match", "none"), ("field_mismatch", "update_right"), ("name_mismatch", "manual"),
                   ("number_mismatch", "manual"), ("duplicate", "manual"), ("left_only", "create_right"),
                   ("left_only", "blocked"), ("left_only", "skip_inactive"), ("right_only", "create_left"),
                   ("right_only", "blocked"), ("right_only", "skip_inactive")}
    names = pairs[pairs["status"] == "name_mismatch"]
    assert names["cosmetic"].sum() > 1000 and (~names["cosmetic"]).sum() > 1000
    issues = set(";".join(pairs["issues"]).split(";"))
    assert issues >= {"name_too_long", "missing_address", "number_in_use"}
    scores = pairs.loc[pairs["suggestion_number"] != "", "suggestion_score"]
    assert (scores == 100).sum() > 500 and ((scores < 100) & (scores >= 85)).sum() > 500
    assert {"city", "email", "is_active"} <= set(";".join(pairs["differences"]).split(";"))
    assert (pairs["left_number"] == "").any() and (pairs["right_name"].str.strip() == "").any()


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["arrow", "object"])
@pytest.mark.parametrize("master", ["left", "right"])
def test_a_generated_pair_of_50000_records_gives_the_same_result(varied: tuple[pd.DataFrame, pd.DataFrame],
                                                                 storage: str, master: str) -> None:
    left, right = varied
    if storage == "object":  # text as Python strings, as the file and system readers build it
        left, right = left.astype(object), right.astype(object)
        right.loc[right.index[::97], "email"] = None
    rules = {"rules_left": "eaccounting", "rules_right": None} if master == "right" else {}
    both(left, right, "customers", master=master, **rules)


@pytest.mark.slow
def test_the_generated_pair_agrees_when_every_suggestion_meets_every_name(
        varied: tuple[pd.DataFrame, pd.DataFrame], monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (fuzzy, reference_fuzzy):  # 50,000 records take the blocked path unless told otherwise
        monkeypatch.setattr(module, "FULL_COMPARISON_LIMIT", 10**12)
    left, right = varied
    both(left, right, "customers", threshold=80)


@pytest.mark.parametrize("limit", [0, 10**12])
@pytest.mark.parametrize("max_block", [2, 100])
def test_fuzzy_suggestions_agree_with_the_reference(limit: int, max_block: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (fuzzy, reference_fuzzy):
        monkeypatch.setattr(module, "FULL_COMPARISON_LIMIT", limit)
    module = _benchmark_module()
    names = module.names(np.random.default_rng(5), 3000).tolist()
    queries = names[:1500] + ["", "  ", "Bergholm", "STRAßE AB", "Cafe\u0301 Nord AB", "µ-Teknik AB"]
    choices = [n.replace("AB", "Aktiebolag") if i % 3 else n.upper() for i, n in enumerate(names[1400:])]
    choices += ["Straße AB", "Café Nord AB", "μ-teknik ab", "", "Konsult AB", "Konsult AB"]
    for threshold in (0, 70, 85):
        ours = fuzzy.best_matches(queries, choices, threshold, max_block=max_block)
        theirs = reference_fuzzy.best_matches(queries, choices, threshold, max_block=max_block)
        assert ours[0].tolist() == theirs[0].tolist()
        assert ours[1].tolist() == theirs[1].tolist()
    assert (theirs[0] >= 0).sum() > 50  # the names do meet suggestions


def test_names_are_folded_as_fold_name_folds_them() -> None:
    from ops_lib.model.registers import fold_name

    names = ["  ACME  Bygg ab", "Cafe\u0301", "Straße", "Ödeshög\tAB", "x\x1cy", "µ", "", " ", "ÅÄÖ åäö",
             "İstanbul", "a\xa0b", "ﬁrma", "Ⅻ", "ΣΊΣΥΦΟΣ", "x\u2003y\u3000z", "tab\t\n end "]
    assert fuzzy.fold_names(names) == [fold_name(n) for n in names]
