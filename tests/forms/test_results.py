"""record_results shows an output of the suite's own type, and runs/results reads it back from the notebook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import IPython.display
import nbformat
import pytest

from ops_lib.forms import record_results
from ops_lib.runs.results import RESULT_MIME, recorded_results


def test_recorded_results_are_read_back_as_they_were_displayed(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    assert record_results(findings=2, register="customers", day=Path("x")) is None
    ((data, options),) = shown
    assert options == {"raw": True}, "a raw bundle: the notebook keeps the result's own output type"
    assert data[RESULT_MIME] == {"findings": 2, "register": "customers", "day": "x"}
    assert data["text/plain"] == "Results: findings=2, register=customers, day=x"
    cell = nbformat.v4.new_code_cell("record_results(...)", outputs=[
        nbformat.v4.new_output("display_data", data=data, metadata={})])
    notebook = tmp_path / "run.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    assert recorded_results(notebook) == [{"findings": 2, "register": "customers", "day": "x"}]
