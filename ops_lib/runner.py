"""``ops run``: execute a notebook headless with papermill, safely.

Before any kernel starts, the parameters are checked against the
notebook (:mod:`ops_lib.run_params`). A lock keyed by the notebook and
its parameters keeps two runs of the same job from overlapping. papermill
runs in a child process, so a whole-run timeout can stop it and its
kernel; each cell has its own timeout too. A failed run keeps its
executed notebook, with papermill's marker on the failing cell.

Exit codes: 0 clean, 1 the notebook recorded findings
(:func:`record_results`), 2 the run failed or was refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from .errors import ConfigurationError, ConflictError, DataInputError, OpsError
from .run_params import check_parameters

RESULT_MIME = "application/vnd.ops.result+json"


def record_results(**values: Any) -> Any:
    """Record machine-readable results in the notebook (``findings`` > 0 makes the run exit 1).

    They are kept as an output of their own type, so a later notebook, a
    dashboard or ``ops run`` reads them back without parsing text.
    """
    from IPython.display import display

    bundle = {RESULT_MIME: json.loads(json.dumps(values, default=str)),
              "text/plain": "Results: " + ", ".join(f"{k}={v}" for k, v in values.items())}
    display(bundle, raw=True)
    return None


def recorded_results(notebook: Path | str) -> list[dict[str, Any]]:
    """Every :func:`record_results` output of an executed notebook, in order."""
    body = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found = []
    for cell in body.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULT_MIME in data:
                found.append(data[RESULT_MIME])
    return found


def load_params(params_file: Path | str | None, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """A params YAML file, then ``name=value`` overrides (values read as YAML: ``true``, ``85``)."""
    params: dict[str, Any] = {}
    if params_file:
        try:
            loaded = yaml.safe_load(Path(params_file).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DataInputError(f"{params_file}: cannot read the parameters ({exc})") from None
        if not isinstance(loaded, dict):
            raise DataInputError(f"{params_file}: parameters must be a mapping of name: value")
        params.update(loaded)
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"--set {item!r}: write name=value")
        params[name.strip()] = yaml.safe_load(value) if value.strip() else ""
    return params


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    executed: Path
    message: str


def _lock_path(notebook: Path, params: Mapping[str, Any], lock_dir: Path) -> Path:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]
    return lock_dir / f"{notebook.stem}-{digest}.lock"


def run_notebook(notebook: Path | str, params: Mapping[str, Any], out_dir: Path | str, *,
                 run_timeout: float = 3600, cell_timeout: int = 900, lock_dir: Path | str | None = None,
                 kernel: str = "python3") -> RunOutcome:
    """Check, lock and execute one notebook; the executed copy goes to ``out_dir``.

    Raises
    ------
    ConfigurationError
        A parameter was refused (nothing started).
    ConflictError
        The same notebook with the same parameters is already running.
    """
    from filelock import FileLock, Timeout

    notebook = Path(notebook).resolve()
    if not notebook.exists():
        raise ConfigurationError(f"{notebook}: no such notebook")
    check_parameters(notebook, params)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / notebook.name
    lock_dir = Path(lock_dir) if lock_dir else Path(tempfile.gettempdir()) / "ops-run-locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(_lock_path(notebook, params, lock_dir)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ConflictError(f"{notebook.name} with these parameters is already running; this run was refused "
                            f"so the two cannot overlap") from None
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
            yaml.safe_dump(dict(params), handle, allow_unicode=True)
            params_path = handle.name
        command = [sys.executable, "-m", "papermill", str(notebook), str(executed), "-f", params_path,
                   "--cwd", str(notebook.parent), "-k", kernel, "--execution-timeout", str(cell_timeout),
                   "--no-progress-bar", "--log-level", "WARNING"]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            output, _ = child.communicate(timeout=run_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return RunOutcome(2, executed, f"{notebook.name} exceeded the run's timeout of {run_timeout:g} s "
                                           f"and was stopped")
        finally:
            os.unlink(params_path)
    finally:
        lock.release()
    if child.returncode != 0:
        tail = output.decode("utf-8", "replace").strip().splitlines()[-3:]
        return RunOutcome(2, executed, f"{notebook.name} failed; the executed notebook marks the failing cell: "
                                       f"{executed}\n" + "\n".join(tail))
    findings = sum(int(r.get("findings", 0) or 0) for r in recorded_results(executed))
    if findings:
        return RunOutcome(1, executed, f"{notebook.name} ran; {findings} finding(s) recorded: {executed}")
    return RunOutcome(0, executed, f"{notebook.name} ran clean: {executed}")


def run_command(notebook: str, params_file: str | None, overrides: Sequence[str], out_dir: str, *,
                run_timeout: float, cell_timeout: int) -> int:
    """``ops run``: print what happened and return the exit code."""
    try:
        outcome = run_notebook(notebook, load_params(params_file, overrides), out_dir, run_timeout=run_timeout,
                               cell_timeout=cell_timeout)
    except OpsError as exc:
        print(f"ops run: {exc}", file=sys.stderr)
        return 2
    print(outcome.message, file=sys.stderr if outcome.exit_code == 2 else sys.stdout)
    return outcome.exit_code
