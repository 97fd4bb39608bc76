"""``ops run``: parameters refused before any kernel starts, locking, failures and findings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from ops_lib.cli import main
from ops_lib.errors import ConfigurationError, ConflictError
from ops_lib.run_params import check_parameters, looks_secret
from ops_lib.runner import _lock_path, load_params, run_notebook

ROOT = Path(__file__).resolve().parents[1]
RECONCILE = ROOT / "notebooks" / "20_reconcile.ipynb"


def tiny(tmp_path: Path, body: str, name: str = "tiny.ipynb") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('greeting = "hej"\ncount = 2\nratio = 0.5\nloud = False')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fails the test if a child process (papermill and its kernel) is started."""
    started: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        started.append(args)
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    return started


@pytest.mark.parametrize("params, refused", [
    ({"regsiter": "customers"}, "'regsiter' is not a parameter"),
    ({"threshold": "85"}, "'threshold' must be int"),
    ({"interactive": 1}, "'interactive' must be bool"),
    ({"client_secret": "x"}, "'client_secret' looks like a secret"),
    ({"approved_by": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}, "looks like a secret or token"),
])
def test_bad_parameters_stop_the_run_before_the_kernel_starts(tmp_path: Path, no_kernel: list[object],
                                                             params: dict[str, object], refused: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigurationError, match=refused):
        run_notebook(RECONCILE, params, tmp_path)
    file = tmp_path / "p.yaml"
    file.write_text(json.dumps(params), encoding="utf-8")
    assert main(["run", str(RECONCILE), "--params", str(file), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert refused in err and not any(str(v) in err for v in params.values() if len(str(v)) > 3)
    assert not no_kernel and not (tmp_path / RECONCILE.name).exists()


def test_sound_parameters_pass_and_hashes_are_not_taken_for_secrets() -> None:
    check_parameters(RECONCILE, {"register": "projects", "threshold": 90, "interactive": False,
                                 "approved_sync_hash": "ab" * 32, "apply": True})
    assert not looks_secret("ab" * 32) and looks_secret("Xy7" * 12)
    assert load_params(None, ["apply=true", "threshold=90", "register=projects"]) == {
        "apply": True, "threshold": 90, "register": "projects"}


def test_an_overlapping_run_is_refused(tmp_path: Path, no_kernel: list[object]) -> None:
    notebook = tiny(tmp_path, "print(greeting)")
    params = {"greeting": "hallå"}
    with FileLock(str(_lock_path(notebook.resolve(), params, tmp_path / "locks"))):
        with pytest.raises(ConflictError, match="already running"):
            run_notebook(notebook, params, tmp_path / "out", lock_dir=tmp_path / "locks")
    assert not no_kernel


@pytest.mark.slow
def test_a_failing_cell_exits_2_and_keeps_the_executed_notebook(tmp_path: Path) -> None:
    notebook = tiny(tmp_path, "raise RuntimeError('the ledger is locked')")
    outcome = run_notebook(notebook, {"count": 3}, tmp_path / "out", lock_dir=tmp_path / "locks")
    assert outcome.exit_code == 2 and outcome.executed.exists()
    executed = outcome.executed.read_text(encoding="utf-8")
    assert "the ledger is locked" in executed and "papermill-error-cell" in executed


@pytest.mark.slow
def test_findings_recorded_by_the_notebook_exit_1_and_a_clean_run_0(tmp_path: Path) -> None:
    body = "from ops_lib.runner import record_results\nrecord_results(findings=count)"
    notebook = tiny(tmp_path, body)
    assert run_notebook(notebook, {"count": 2}, tmp_path / "a", lock_dir=tmp_path / "l").exit_code == 1
    assert run_notebook(notebook, {"count": 0}, tmp_path / "b", lock_dir=tmp_path / "l").exit_code == 0


@pytest.mark.slow
def test_the_whole_run_timeout_stops_the_run(tmp_path: Path) -> None:
    notebook = tiny(tmp_path, "import time\ntime.sleep(60)")
    outcome = run_notebook(notebook, {}, tmp_path / "out", run_timeout=8, lock_dir=tmp_path / "l")
    assert outcome.exit_code == 2 and "timeout" in outcome.message
