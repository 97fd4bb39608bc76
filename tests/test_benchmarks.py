"""The benchmarks still run (on small registers), so they cannot rot between releases.

No test here times anything against a goal: the goals live in the
benchmarks, as ratios against a peer measured in the same run. What is
checked is that each benchmark runs, prints its numbers beside its named
peer, and fails naming the goal when one is missed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import ``benchmarks/<name>.py`` (not a package) for the length of a test."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_pull_benchmark_runs_and_reports_ratios(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("pull_customers", monkeypatch)
    assert module.main(["--customers", "1500"]) == 0
    out = capsys.readouterr().out
    assert "ops_lib     1500 records" in out and "429s: 0" in out
    assert "ratio ops_lib/peer:" in out and "peer: naive httpx paging" in out


def test_reconcile_benchmark_data_has_two_percent_of_each_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("reconcile_customers", monkeypatch)
    left, right = module.build(5000)
    from ops_lib.reconciliation.engine import reconcile

    counts = reconcile(left, right, "customers", rules_right=None).status_counts()
    assert counts == {"match": 4300, "field_mismatch": 100, "name_mismatch": 100, "number_mismatch": 100,
                      "duplicate": 200, "left_only": 100, "right_only": 300}


def test_reconcile_benchmark_prints_each_ratio_beside_its_peer(capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("reconcile_customers", monkeypatch)
    monkeypatch.setattr(module, "SPEEDUP_GOAL", 0.0)
    monkeypatch.setattr(module, "FUZZY_GOAL_S", 1e9)
    assert module.main(["--rows", "3000", "--names", "300", "--rounds", "1", "--peer-queries", "50"]) == 0
    out = capsys.readouterr().out
    assert "ops_lib.reconcile" in out and "datacompy.PandasCompare" in out and "ratio datacompy/ops_lib:" in out
    assert "extractOne per query loop" in out and "ratio extractOne/ops_lib:" in out
    assert "match 2,580" in out  # the full classification ran


def test_reconcile_benchmark_fails_naming_the_goals_missed(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("reconcile_customers", monkeypatch)
    for goal, value in (("SPEEDUP_GOAL", 1e9), ("PEAK_GOAL_MB", 0), ("FUZZY_GOAL_S", 0.0)):
        monkeypatch.setattr(module, goal, value)
    assert module.main(["--rows", "2000", "--names", "100", "--rounds", "1"]) == 1
    err = capsys.readouterr().err
    assert "GOAL MISSED: reconcile is" in err and "GOAL MISSED: reconcile peaks at" in err
    assert "GOAL MISSED: fuzzy suggestions take" in err


def test_the_generated_pair_for_the_agreement_test_is_the_same_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("reconcile_customers", monkeypatch)
    first, again = module.build_varied(4000), module.build_varied(4000)
    for a, b in zip(first, again):
        assert a.equals(b)
    assert len(first[0]) != len(first[1])  # records only on one side, on both sides


@pytest.mark.slow
def test_the_run_benchmark_compares_ops_run_with_papermill(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("run_notebook", monkeypatch)
    monkeypatch.setattr(module, "OVERHEAD_GOAL_S", -1e9)  # any time misses it: the failure is named
    assert module.main(["--rounds", "1"]) == 1
    captured = capsys.readouterr()
    assert "ops run    median" in captured.out and "papermill  median" in captured.out
    assert "ratio ops run/papermill:" in captured.out and "GOAL MISSED: ops run adds" in captured.err
