"""The demo job and the tour notebook, on the in-process sandbox."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from ops_lib.demo import run_demo, tour
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR

ROOT = Path(__file__).resolve().parents[1]


def _planted() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((PM_EXPORT_DIR / "planted_differences.csv").read_text("utf-8"))))


def test_tour_counts_follow_the_planted_differences() -> None:
    summary = tour().summary().set_index("register")
    planted = _planted()
    for register in ("customers", "products", "projects"):
        mine = [p for p in planted if p["register"] == register]
        count = lambda kind: sum(p["difference"] == kind for p in mine)  # noqa: E731
        row = summary.loc[register]
        assert row["only_in_eaccounting"] == count("only_in_eaccounting") + count("leading_zero")
        assert row["only_in_export"] == count("only_in_export") + count("leading_zero")
        assert row["repeated_in_export"] == count("duplicate_number")
    assert summary.loc["customers", "in_eaccounting"] == 300


@pytest.mark.slow
def test_run_demo_prints_the_company_and_executes_the_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    assert run_demo(out_dir=tmp_path, out=out) == 0
    text = out.getvalue()
    assert "Fjällbris Konsult AB" in text and "customers" in text
    executed = (tmp_path / "00_sandbox_tour.ipynb").read_text("utf-8")
    assert "Fjällbris Konsult AB" in executed
    assert "access_token" not in executed and "ops-demo-secret" not in executed


@pytest.mark.slow
def test_tour_notebook_runs_with_the_ci_parameters(tmp_path: Path) -> None:
    import papermill

    parameters = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
    output = tmp_path / "tour.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "00_sandbox_tour.ipynb"), str(output),
                               parameters=parameters, progress_bar=False, kernel_name="python3")
    text = output.read_text("utf-8")
    assert "numbers_in_both" in text and "Kustväg" not in text
