"""``ops run``: parameters refused before any kernel starts, locking, failures, findings, archive, secrets guard."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock, Timeout

from ops_lib.cli.main import main
from ops_lib.connectors.tokens import StoredConnection, TokenStore
from ops_lib.core.errors import ConfigurationError, ConflictError
from ops_lib.runs.archive import RunArchive
from ops_lib.runs.params import check_parameters, looks_secret
from ops_lib.runs.runner import _lock_path, archived_run, execute, load_params

ROOT = Path(__file__).resolve().parents[2]
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
    """Fails the test if papermill (and so a kernel) is started; other commands (git) run."""
    started: list[object] = []
    real = subprocess.Popen

    def refuse(command: list[str], *args: object, **kwargs: object) -> object:
        if "papermill" in command:
            started.append(command)
            raise AssertionError("a kernel was started")
        return real(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", refuse)
    return started


def sole_run(archive: Path) -> tuple[dict[str, str], dict[str, object]]:
    """The archive's only index row and its manifest."""
    rows = RunArchive(archive).rows()
    assert len(rows) == 1, rows
    return rows[0], json.loads((archive / rows[0]["folder"] / "manifest.json").read_text(encoding="utf-8"))


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
        execute(RECONCILE, params, tmp_path / "x.ipynb")
    file = tmp_path / "p.yaml"
    file.write_text(json.dumps(params), encoding="utf-8")
    archive = tmp_path / "runs"
    assert main(["run", str(RECONCILE), "--params", str(file), "--out", str(archive)]) == 2
    err = capsys.readouterr().err
    assert refused in err and not any(str(v) in err for v in params.values() if len(str(v)) > 3)
    assert not no_kernel
    # The refusal is on record, without the secret-looking value.
    row, manifest = sole_run(archive)
    assert row["status"] == "refused" and row["exit_code"] == "2"
    assert not (archive / row["folder"] / RECONCILE.name).exists()
    if "approved_by" in params:
        assert "eyJ" not in (archive / row["folder"] / "manifest.json").read_text(encoding="utf-8")
        assert manifest["parameters"]["approved_by"] == "[withheld: looks like a secret]"


def test_sound_parameters_pass_and_hashes_are_not_taken_for_secrets() -> None:
    check_parameters(RECONCILE, {"register": "projects", "threshold": 90, "interactive": False,
                                 "approved_sync_hash": "ab" * 32, "apply": True})
    assert not looks_secret("ab" * 32) and looks_secret("Xy7" * 12)
    assert load_params(None, ["apply=true", "threshold=90", "register=projects"]) == {
        "apply": True, "threshold": 90, "register": "projects"}


def test_a_params_file_may_hold_one_section_per_notebook(tmp_path: Path) -> None:
    file = tmp_path / "ci.yaml"
    file.write_text("notebooks:\n  20_reconcile:\n    register: projects\n  00_connect: {}\n", encoding="utf-8")
    assert load_params(file, ["threshold=90"], RECONCILE) == {"register": "projects", "threshold": 90}
    assert load_params(file, [], "notebooks/00_connect.ipynb") == {}
    with pytest.raises(ConfigurationError, match="no section for 90_audit_review"):
        load_params(file, [], "notebooks/90_audit_review.ipynb")


def test_an_overlapping_run_is_refused_and_the_refusal_archived(tmp_path: Path, no_kernel: list[object]) -> None:
    notebook = tiny(tmp_path, "print(greeting)")
    params = {"greeting": "hallå"}
    with FileLock(str(_lock_path(notebook.resolve(), params, tmp_path / "locks"))):
        with pytest.raises(ConflictError, match="already running"):
            execute(notebook, params, tmp_path / "out" / "x.ipynb", lock_dir=tmp_path / "locks")
        run = archived_run(notebook, params, tmp_path / "runs", lock_dir=tmp_path / "locks")
    assert not no_kernel
    assert (run.exit_code, run.status) == (2, "refused") and "already running" in run.message
    assert sole_run(tmp_path / "runs")[0]["status"] == "refused"


@pytest.mark.slow
def test_a_failing_cell_exits_2_and_is_archived_showing_the_failure(tmp_path: Path) -> None:
    notebook = tiny(tmp_path, "raise RuntimeError('the ledger is locked')")
    run = archived_run(notebook, {"count": 3}, tmp_path / "runs", lock_dir=tmp_path / "locks")
    assert (run.exit_code, run.status) == (2, "failed")
    executed = nbformat.read(run.folder / notebook.name, as_version=4)
    header = executed.cells[0]
    assert header.cell_type == "markdown" and "ops-run-header" in header.metadata.tags
    assert "failed (exit 2)" in header.source and "| `count` | `3` |" in header.source
    assert any("papermill-error-cell" in str(c) for c in executed.cells)
    assert "the ledger is locked" in (run.folder / "tiny.html").read_text(encoding="utf-8")
    row, manifest = sole_run(tmp_path / "runs")
    assert row["exit_code"] == "2" and manifest["status"] == "failed"
    assert {f["path"] for f in manifest["files"]} == {"tiny.ipynb", "tiny.html"}


@pytest.mark.slow
def test_findings_recorded_by_the_notebook_exit_1_and_a_clean_run_0(tmp_path: Path) -> None:
    body = "from ops_lib.forms import record_results\nrecord_results(findings=count)"
    notebook = tiny(tmp_path, body)
    assert archived_run(notebook, {"count": 2}, tmp_path / "runs", lock_dir=tmp_path / "l").exit_code == 1
    assert archived_run(notebook, {"count": 0}, tmp_path / "runs", lock_dir=tmp_path / "l").exit_code == 0
    rows = RunArchive(tmp_path / "runs").rows()
    assert [(r["status"], r["findings"]) for r in rows] == [("findings", "2"), ("clean", "0")]


@pytest.mark.slow
def test_the_whole_run_timeout_stops_the_run(tmp_path: Path) -> None:
    notebook = tiny(tmp_path, "import time\ntime.sleep(60)")
    run = archived_run(notebook, {}, tmp_path / "runs", run_timeout=8, lock_dir=tmp_path / "l")
    assert (run.exit_code, run.status) == (2, "timed out") and "timeout" in run.message


ARTIFACT_NOTEBOOK = """\
from pathlib import Path
from ops_lib.forms import record_results
rows = Path(source).read_text(encoding="utf-8").splitlines()
Path(out_dir, "report.csv").write_text("lines\\n" + str(len(rows)) + "\\n", encoding="utf-8")
record_results(findings=0, lines=len(rows), sources=["demo export"], dry_run=True)
"""


def artifact_notebook(tmp_path: Path) -> Path:
    nb = nbformat.read(tiny(tmp_path, ARTIFACT_NOTEBOOK, "export.ipynb"), as_version=4)
    nb.cells[0].source = 'source = "input.csv"\nout_dir = "../build"'
    nbformat.write(nb, tmp_path / "export.ipynb")
    (tmp_path / "input.csv").write_text("a\nb\nc\n", encoding="utf-8")
    return tmp_path / "export.ipynb"


@pytest.mark.slow
def test_a_run_is_archived_with_artifacts_inputs_header_and_a_chained_manifest(tmp_path: Path,
                                                                               capsys: pytest.CaptureFixture[str]
                                                                               ) -> None:
    notebook = artifact_notebook(tmp_path)
    params = tmp_path / "export.yaml"
    params.write_text("source: input.csv\n", encoding="utf-8")
    archive = tmp_path / "runs"
    assert main(["run", str(notebook), "--params", str(params), "--out", str(archive)]) == 0
    assert main(["run", str(notebook), "--params", str(params), "--out", str(archive)]) == 0
    assert "Archived in" in capsys.readouterr().out
    first, second = RunArchive(archive).sealed()
    manifest = json.loads(second.manifest.read_text(encoding="utf-8"))
    folder = second.manifest.parent
    assert folder.parent.name == manifest["started_utc"][:10] and folder.name == f"{manifest['run_id']}-export"
    assert (folder / "artifacts" / "report.csv").read_text(encoding="utf-8") == "lines\n3\n"
    assert {f["path"] for f in manifest["files"]} == {"export.ipynb", "export.html", "artifacts/report.csv"}
    assert {i["path"].rsplit("/", 1)[-1] for i in manifest["inputs"]} == {"export.yaml", "input.csv"}
    assert manifest["previous_manifest_sha256"] == first.manifest_sha256
    assert manifest["results"] == [{"findings": 0, "lines": 3, "sources": ["demo export"], "dry_run": True}]
    for key in ("ops_lib_version", "git_commit", "user", "host", "ended_utc", "notebook_sha256"):
        assert manifest[key] not in ("", None), key
    header = nbformat.read(folder / "export.ipynb", as_version=4).cells[0].source
    assert "Dry run" in header and "demo export" in header and manifest["run_id"] in header
    assert "input.csv" in header and manifest["user"] in header
    written = [archive / "index.csv", *folder.rglob("*")]
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in written if p.is_file()} == {
        name: "0o600" for name in ("index.csv", "export.ipynb", "export.html", "report.csv", "manifest.json")}


def plant(tmp_path: Path, value: str) -> Path:
    """A notebook whose output (not its source) holds ``value``."""
    return tiny(tmp_path, f"print({value[::-1]!r}[::-1])", "leaky.ipynb")


@pytest.mark.slow
def test_a_token_planted_in_the_output_fails_the_run_and_is_quarantined(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(32)
    TokenStore(Path(os.environ["OPS_CONFIG_DIR"])).save(StoredConnection(
        "eaccounting", "sandbox", "5568123458", "Demo", "ops-demo", "ea:api", time.time(),
        {"access_token": token, "refresh_token": secrets.token_urlsafe(32), "token_type": "Bearer"}))
    archive = tmp_path / "runs"
    run = archived_run(plant(tmp_path, token), {}, archive, lock_dir=tmp_path / "l")
    assert (run.exit_code, run.status) == (2, "quarantined")
    assert "access token of eaccounting/sandbox/5568123458" in run.message and token not in run.message
    row, manifest = sole_run(archive)
    assert row["status"] == "quarantined" and manifest["files"] == []
    assert {q["path"] for q in manifest["quarantined"]} == {"leaky.ipynb", "leaky.html"}
    moved = archive / manifest["quarantined"][0]["moved_to"]
    assert token in moved.read_text(encoding="utf-8") and stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert not any(token in p.read_text(encoding="utf-8") for p in archive.rglob("*")
                   if p.is_file() and "quarantine" not in p.parts)


@pytest.mark.slow
def test_a_token_shaped_value_no_store_knows_is_caught_too(tmp_path: Path) -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.c2lnbmF0dXJlLXZhbHVl"
    run = archived_run(plant(tmp_path, jwt), {}, tmp_path / "runs", lock_dir=tmp_path / "l")
    assert run.status == "quarantined" and "a JWT" in run.message


@pytest.mark.slow
def test_a_failed_run_calls_the_notification_command(tmp_path: Path) -> None:
    notebook = tiny(tmp_path, "raise ValueError('no fiscal year')")
    seen = tmp_path / "seen.txt"
    script = tmp_path / "notify.sh"
    script.write_text(f'#!/bin/sh\necho "$OPS_RUN_STATUS $OPS_RUN_EXIT_CODE $OPS_RUN_NOTEBOOK" > {seen}\n')
    script.chmod(0o755)
    archived_run(notebook, {}, tmp_path / "runs", lock_dir=tmp_path / "l", notify=str(script))
    assert seen.read_text().split() == ["failed", "2", "tiny.ipynb"]


@pytest.mark.slow
def test_a_second_run_while_the_first_still_runs_is_refused(tmp_path: Path) -> None:
    notebook = tiny(tmp_path, "import time\ntime.sleep(float(count))")
    params = {"count": 6}
    first: list[object] = []
    worker = threading.Thread(target=lambda: first.append(
        archived_run(notebook, params, tmp_path / "runs", lock_dir=tmp_path / "locks")))
    worker.start()
    lock = FileLock(str(_lock_path(notebook.resolve(), params, tmp_path / "locks")))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until the first run holds its lock
        try:
            lock.acquire(timeout=0)
            lock.release()
            time.sleep(0.05)
        except Timeout:
            break
    second = archived_run(notebook, params, tmp_path / "runs", lock_dir=tmp_path / "locks")
    worker.join(60)
    assert (second.exit_code, second.status) == (2, "refused") and "already running" in second.message
    assert first and first[0].exit_code == 0  # type: ignore[attr-defined]
    assert [r["status"] for r in RunArchive(tmp_path / "runs").rows()] == ["refused", "clean"]


@pytest.mark.slow
def test_what_a_notebook_writes_is_owner_only_from_the_start(tmp_path: Path) -> None:
    from ops_lib.runs.results import recorded_results

    body = ("import os, stat\nfrom ops_lib.forms import record_results\n"
            "with open('report.txt', 'w', encoding='utf-8') as handle:\n    handle.write('Parkbacken Konsult AB')\n"
            "record_results(findings=0, mode=oct(stat.S_IMODE(os.stat('report.txt').st_mode)))")
    previous = os.umask(0o022)  # the usual umask: files readable by all
    try:
        outcome = execute(tiny(tmp_path, body), {}, tmp_path / "out" / "tiny.ipynb", lock_dir=tmp_path / "locks")
    finally:
        os.umask(previous)
    assert outcome.exit_code == 0, outcome.message
    assert recorded_results(outcome.executed)[0]["mode"] == "0o600"
    assert stat.S_IMODE(outcome.executed.stat().st_mode) == 0o600


def test_the_run_lock_lives_in_a_private_per_user_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            no_kernel: list[object]) -> None:
    """Not in a shared folder of /tmp that another user could create first (and so own)."""
    import ops_lib.runs.runner as runner

    taken: list[Path] = []
    real = runner.exclusive

    def recording(lock_path: str, refusal: str) -> object:
        taken.append(Path(lock_path))
        return real(lock_path, refusal)

    monkeypatch.setattr(runner, "exclusive", recording)
    notebook = tiny(tmp_path, "print(count)")
    with pytest.raises(AssertionError, match="a kernel was started"):  # the lock is taken before the kernel
        execute(notebook, {}, tmp_path / "out" / "x.ipynb")
    (lock,) = taken
    config = Path(os.environ["OPS_CONFIG_DIR"])
    assert lock.parent.is_relative_to(config)
    chain = [lock.parent, *lock.parent.parents]
    for below, folder in zip(chain, chain[1:]):
        world_writable = folder.stat().st_mode & stat.S_IWOTH
        if world_writable:  # /tmp and the like: what lies below must be the user's own 0700 folder
            assert below.stat().st_uid == os.getuid() and stat.S_IMODE(below.stat().st_mode) == 0o700, below
    for folder in (lock.parent, config):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_given_lock_dir_is_tightened_to_0700(tmp_path: Path, no_kernel: list[object]) -> None:
    locks = tmp_path / "shared-locks"
    locks.mkdir()
    locks.chmod(0o777)
    with pytest.raises(AssertionError, match="a kernel was started"):
        execute(tiny(tmp_path, "print(count)"), {}, tmp_path / "x.ipynb", lock_dir=locks)
    assert stat.S_IMODE(locks.stat().st_mode) == 0o700


def test_a_lock_dir_that_is_a_symlink_is_refused(tmp_path: Path, no_kernel: list[object]) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "locks").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigurationError, match="symbolic link"):
        execute(tiny(tmp_path, "print(count)"), {}, tmp_path / "x.ipynb", lock_dir=tmp_path / "locks")
    assert no_kernel == []
