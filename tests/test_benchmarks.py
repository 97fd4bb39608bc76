"""The benchmark still runs (on a small register), so it cannot rot between releases."""

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
