"""``ops run``: execute a notebook headless with papermill, safely.

Before any kernel starts, the parameters are checked against the
notebook (:mod:`ops_lib.runs.params`). A lock keyed by the notebook and
its parameters, in the user's own config directory, keeps two runs of
the same job from overlapping. papermill
runs in a child process, so a whole-run timeout can stop it and its
kernel; each cell has its own timeout too. A failed run keeps its
executed notebook, with papermill's marker on the failing cell.

:func:`archived_run` wraps that for ``ops run`` and the schedulers: each
run, refused or failed ones included, gets its folder in the run archive
(:mod:`ops_lib.runs.archive`) with a run header, an html copy, its
artifacts and a manifest, after the secrets guard
(:mod:`ops_lib.runs.guard`) has searched every file.

Exit codes: 0 clean, 1 the notebook recorded findings
(``ops_lib.forms.record_results``), 2 the run failed or was refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from ops_lib.core.errors import ConfigurationError, ConflictError, DataInputError, OpsError
from ops_lib.core.locks import exclusive
from ops_lib.core.times import utc_stamp
from ops_lib.core.yaml_files import load_yaml_text, read_mapping
from ops_lib.runs.archive import RunArchive, sha256_file, suite_version, who_and_where
from ops_lib.runs.guard import scan
from ops_lib.runs.header import insert_header, render_html
from ops_lib.runs.params import check_parameters, declared_parameters
from ops_lib.runs.results import recorded_results, results_total

# jsonschema, which nbformat (and so papermill) validates notebooks with, compiles 39 lark grammars when it is
# imported and the optional rfc3987_syntax is installed (jupyter-events pulls it in): about 1.5 s of CPU per
# process, for an "iri" string format that no notebook schema uses. A run's own processes go without it.
SKIP_IRI_GRAMMARS = "import sys; sys.modules.setdefault('rfc3987_syntax', None)"
# papermill's command line, started as ``python -c PAPERMILL papermill <arguments>`` so the child skips them too.
PAPERMILL = f"{SKIP_IRI_GRAMMARS}; sys.argv[:2] = ['papermill']; from papermill.cli import papermill; papermill()"


def skip_iri_grammars() -> None:
    """Let this process's jsonschema go without its IRI format check (see :data:`SKIP_IRI_GRAMMARS`).

    Only a process that has not imported jsonschema yet is changed; in
    it, ``import rfc3987_syntax`` raises ImportError, which jsonschema
    takes as "not installed".
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def load_params(params_file: Path | str | None, overrides: Sequence[str] = (),
                notebook: Path | str | None = None) -> dict[str, Any]:
    """A params YAML file, then ``name=value`` overrides (values read as YAML: ``true``, ``85``).

    A file may hold one notebook's parameters, or one section per notebook
    under ``notebooks:``, keyed by the notebook's file stem (as
    ``params/ci.yaml`` does); then ``notebook`` picks the section.
    """
    params: dict[str, Any] = {}
    if params_file:
        loaded = read_mapping(params_file, "parameters", "parameters must be a mapping of name: value")
        if isinstance(loaded.get("notebooks"), dict):
            stem = Path(notebook).stem if notebook else ""
            if stem not in loaded["notebooks"]:
                raise ConfigurationError(f"{params_file}: no section for {stem or 'this notebook'} under "
                                         f"'notebooks' (it has: {', '.join(sorted(loaded['notebooks']))})")
            loaded = loaded["notebooks"][stem] or {}
            if not isinstance(loaded, dict):
                raise DataInputError(f"{params_file}: notebooks.{stem} must be a mapping of name: value")
        params.update(loaded)
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"--set {item!r}: write name=value")
        params[name.strip()] = load_yaml_text(f"--set {name.strip()}", value, "value") if value.strip() else ""
    return params


@dataclass(frozen=True)
class RunOutcome:
    """How an execution ended: exit code, where the executed notebook is, what to tell the user."""

    exit_code: int
    executed: Path
    message: str
    status: str


def run_lock_dir(lock_dir: Path | str | None = None) -> Path:
    """The folder of the run locks: ``<config dir>/locks/runs`` unless given, always the user's own and 0700.

    Not a fixed folder in the shared temp directory: another user could
    create that first, own it, and so block or watch every run.
    """
    from ops_lib.config.settings import default_config_dir
    from ops_lib.core.private_dirs import private_directory

    if lock_dir:
        return private_directory(lock_dir)
    config = private_directory(default_config_dir(), allow_symlink=True)
    return private_directory(private_directory(config / "locks") / "runs")


def _lock_path(notebook: Path, params: Mapping[str, Any], lock_dir: Path) -> Path:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]
    return lock_dir / f"{notebook.stem}-{digest}.lock"


def execute(notebook: Path | str, params: Mapping[str, Any], executed: Path | str, *,
            run_timeout: float = 3600, cell_timeout: int = 900, lock_dir: Path | str | None = None,
            kernel: str = "python3") -> RunOutcome:
    """Check, lock and execute one notebook into ``executed`` (no archive: see :func:`archived_run`).

    Raises
    ------
    ConfigurationError
        A parameter was refused (nothing started).
    ConflictError
        The same notebook with the same parameters is already running.
    """
    notebook = Path(notebook).resolve()
    if not notebook.exists():
        raise ConfigurationError(f"{notebook}: no such notebook")
    check_parameters(notebook, params)
    executed = Path(executed)
    executed.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(str(_lock_path(notebook, params, run_lock_dir(lock_dir))),
                   f"{notebook.name} with these parameters is already running; this run was refused "
                   f"so the two cannot overlap"):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
            yaml.safe_dump(dict(params), handle, allow_unicode=True)
            params_path = handle.name
        command = [sys.executable, "-c", PAPERMILL, "papermill", str(notebook), str(executed), "-f", params_path,
                   "--cwd", str(notebook.parent), "-k", kernel, "--execution-timeout", str(cell_timeout),
                   "--no-progress-bar", "--log-level", "WARNING"]
        # umask 077: what the notebook writes (the executed copy, its artifacts) is owner-only from the start.
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                 umask=0o077)
        try:
            output, _ = child.communicate(timeout=run_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return RunOutcome(2, executed, f"{notebook.name} exceeded the run's timeout of {run_timeout:g} s "
                                           f"and was stopped", "timed out")
        finally:
            os.unlink(params_path)
    if child.returncode != 0:
        tail = output.decode("utf-8", "replace").strip().splitlines()[-3:]
        return RunOutcome(2, executed, f"{notebook.name} failed; the executed notebook marks the failing cell\n"
                          + "\n".join(tail), "failed")
    findings = results_total(recorded_results(executed), "findings")
    if findings:
        return RunOutcome(1, executed, f"{notebook.name} ran; {findings} finding(s) recorded", "findings")
    return RunOutcome(0, executed, f"{notebook.name} ran clean", "clean")


@dataclass(frozen=True)
class ArchivedRun:
    """A finished run as archived: its exit code, status, folder, manifest, message and recorded results."""

    exit_code: int
    status: str
    folder: Path
    manifest: Path
    message: str
    results: list[dict[str, Any]]


def _inputs(notebook: Path, params: Mapping[str, Any], params_file: Path | str | None) -> list[dict[str, Any]]:
    """Every file the run reads that we can name: the params file and parameters that are existing files."""
    candidates = [Path(params_file)] if params_file else []
    for value in params.values():
        if isinstance(value, str) and value.strip() and len(value) < 4096:
            path = Path(value)
            candidates.append(path if path.is_absolute() else notebook.parent / path)
    found: dict[Path, dict[str, Any]] = {}
    for path in candidates:
        if path.is_file() and path.resolve() not in found:
            found[path.resolve()] = {"path": _shown(path.resolve()), "sha256": sha256_file(path),
                                     "bytes": path.stat().st_size}
    return list(found.values())


def _shown(path: Path) -> str:
    """A path relative to the working directory when it lies below it (shorter, and the same on every host)."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _known_secrets() -> dict[str, str]:
    """The default connection's secrets: the config directory's and the environment's (no system is loaded)."""
    from ops_lib.config.secrets import known_secrets_in
    from ops_lib.config.settings import default_config_dir, token_backend

    return known_secrets_in(default_config_dir(), token_backend())


def archived_run(notebook: Path | str, params: Mapping[str, Any], archive_root: Path | str = "runs", *,
                 params_file: Path | str | None = None, run_timeout: float = 3600, cell_timeout: int = 900,
                 lock_dir: Path | str | None = None, kernel: str = "python3", notify: str = "",
                 notify_on: str = "failure") -> ArchivedRun:
    """Run a notebook and archive the run, whatever its outcome.

    The run gets its folder under ``archive_root``; a notebook that
    declares ``out_dir`` writes its artifacts into the folder's
    ``artifacts/``. Afterwards the executed notebook gets its run header
    and an html copy, every file is searched for secrets (a leaking file
    is quarantined and the run fails), and the manifest seals the run into
    the chain. A refused run (bad parameters, an overlapping run) is
    archived too, so a failed scheduled run always leaves a line in the
    index. ``notify`` is a command run when the run ends in ``notify_on``
    (``failure``, ``findings`` or ``always``).
    """
    notebook_path = Path(notebook).resolve()
    archive = RunArchive(archive_root)
    slot = archive.begin(notebook_path)
    params = dict(params)
    record: dict[str, Any] = {"notebook": _shown(notebook_path), **suite_version(), **who_and_where(),
                              "params_file": _shown(Path(params_file).resolve()) if params_file else None}
    known: dict[str, str] = {}
    try:
        known = _known_secrets()  # before the run: a token refreshed during it is read again after
        if "out_dir" in declared_parameters(notebook_path):
            params["out_dir"] = str(slot.artifacts.resolve())
        record.update(notebook_sha256=sha256_file(notebook_path), inputs=_inputs(notebook_path, params, params_file))
        outcome = execute(notebook_path, params, slot.executed, run_timeout=run_timeout, cell_timeout=cell_timeout,
                          lock_dir=lock_dir, kernel=kernel)
    except (ConfigurationError, ConflictError) as exc:
        outcome = RunOutcome(2, slot.executed, str(exc), "refused")
    record.update(parameters=redacted(params), ended_utc=utc_stamp(datetime.now(timezone.utc)),
                  status=outcome.status, exit_code=outcome.exit_code, message=outcome.message, results=[], findings=0)
    results: list[dict[str, Any]] = []
    if slot.executed.exists():
        try:
            results = recorded_results(slot.executed)
            record.update(results=results, findings=results_total(results, "findings"))
            insert_header(slot.executed, {"run_id": slot.run_id, "started_utc": utc_stamp(slot.started),
                                          **record}, results)
            render_html(slot.executed, slot.html)
        except (OSError, ValueError) as exc:  # a notebook cut short by the timeout may not be valid JSON
            record["message"] += f"\n(the executed notebook could not be given its header and html copy: {exc})"
    try:
        known.update(_known_secrets())
    except OpsError:
        pass  # the secrets known before the run are still searched for
    leaks = scan(slot.files(), known)
    for leak in leaks:
        archive.quarantine(slot, leak.path, leak.kinds)
    if leaks:
        names = "; ".join(f"{leak.path.name} ({', '.join(leak.kinds)})" for leak in leaks)
        record.update(status="quarantined", exit_code=2, results=[],  # they came from the leaking notebook
                      message=f"secrets found in the run's outputs, so the run failed and these files were "
                              f"quarantined in {archive.root / 'quarantine'}, not archived: {names}")
    sealed = archive.seal(slot, record)
    run = ArchivedRun(record["exit_code"], record["status"], slot.folder, sealed.manifest, record["message"],
                      record["results"])
    if notify and (notify_on == "always" or (notify_on == "findings" and run.exit_code) or run.exit_code == 2):
        _notify(notify, run, slot.run_id, notebook_path.name)
    return run


def redacted(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters fit for the record: a secret-looking name or value is withheld."""
    from ops_lib.runs.params import SECRET_NAME, looks_secret

    return {name: "[withheld: looks like a secret]" if SECRET_NAME.search(name) or looks_secret(value) else value
            for name, value in params.items()}


def _notify(command: str, run: ArchivedRun, run_id: str, notebook: str) -> None:
    """Run the notification command with the run's facts in ``OPS_RUN_*`` variables; its failure is only reported."""
    facts = {"OPS_RUN_ID": run_id, "OPS_RUN_NOTEBOOK": notebook, "OPS_RUN_STATUS": run.status,
             "OPS_RUN_EXIT_CODE": str(run.exit_code), "OPS_RUN_FOLDER": str(run.folder),
             "OPS_RUN_MESSAGE": run.message.splitlines()[0] if run.message else ""}
    try:
        done = subprocess.run(shlex.split(command), env={**os.environ, **facts}, capture_output=True, timeout=60)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        print(f"ops run: the notification command could not run ({exc})", file=sys.stderr)
        return
    if done.returncode:
        print(f"ops run: the notification command exited {done.returncode}", file=sys.stderr)


def run_command(notebook: str, params_file: str | None, overrides: Sequence[str], out_dir: str, *,
                run_timeout: float, cell_timeout: int, notify: str = "", notify_on: str = "failure") -> int:
    """``ops run``: run and archive, print where the record is, and return the exit code."""
    skip_iri_grammars()  # this process is the run's own: see SKIP_IRI_GRAMMARS
    try:
        params = load_params(params_file, overrides, notebook)
    except OpsError as exc:
        print(f"ops run: {exc}", file=sys.stderr)
        return 2
    run = archived_run(notebook, params, out_dir, params_file=params_file, run_timeout=run_timeout,
                       cell_timeout=cell_timeout, notify=notify, notify_on=notify_on)
    stream = sys.stderr if run.exit_code == 2 else sys.stdout
    print(f"{run.status}: {run.message}\nArchived in {run.folder}", file=stream)
    return run.exit_code
