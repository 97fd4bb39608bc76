"""What ``ops run`` leaves out at start-up, so it adds little to papermill's own run (benchmarks/run_notebook.py)."""

from __future__ import annotations

import subprocess
import sys

from ops_lib.runs.runner import PAPERMILL, SKIP_IRI_GRAMMARS


def run_python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_ops_lib_brings_no_pandas_until_a_reconciliation_name_is_used() -> None:
    code = ("import sys, ops_lib; before = 'pandas' in sys.modules; ops_lib.reconcile; "
            "print(before, 'pandas' in sys.modules, ops_lib.Reconciliation.__name__)")
    assert run_python(code) == "False True Reconciliation"


def test_a_runs_processes_skip_jsonschemas_iri_grammars_and_still_validate_notebooks() -> None:
    code = (SKIP_IRI_GRAMMARS + "; import nbformat; nb = nbformat.v4.new_notebook(); nbformat.validate(nb); "
            "bad = dict(nb, cells=[{'cell_type': 'nope'}]); "
            "print(sys.modules['rfc3987_syntax'] is None, nbformat.validator.isvalid(bad))")
    assert run_python(code) == "True False"


def test_the_papermill_child_answers_as_papermills_own_command_line() -> None:
    ours = run_python(PAPERMILL, "papermill", "--version")
    done = subprocess.run([sys.executable, "-m", "papermill", "--version"], capture_output=True, text=True, timeout=120)
    assert ours == done.stdout.strip() and " from " in ours
