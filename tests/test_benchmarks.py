"""The benchmark still runs (on a small register), so it cannot rot between releases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "pull_customers.py"


@pytest.mark.slow
def test_pull_benchmark_runs_and_reports_ratios(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("pull_customers", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "pull_customers", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main(["--customers", "1500"]) == 0
    out = capsys.readouterr().out
    assert "ops_lib     1500 records" in out and "429s: 0" in out
    assert "ratio ops_lib/peer:" in out and "peer: naive httpx paging" in out
