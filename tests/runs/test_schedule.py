"""Schedules: valid crontab and systemd output, installs for the user, and the in-process scheduler."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from croniter import croniter

from ops_lib.cli.main import main
from ops_lib.core.errors import ConfigurationError, DataInputError
from ops_lib.runs.archive import RunArchive
from ops_lib.runs.schedule import load_schedule, on_calendar, systemd_units
from ops_lib.runs.scheduler import install, install_cron, install_systemd, run_scheduler

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "params" / "schedule.yaml"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
CRON_LINE = re.compile(r"^(\S+ \S+ \S+ \S+ \S+) (.+)$")


def test_the_shipped_schedule_prints_valid_crontab_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "print", "--schedule", str(SCHEDULE), "--format", "crontab"]) == 0
    lines = capsys.readouterr().out.splitlines()
    jobs = [line for line in lines if line and not line.startswith("#")]
    assert len(jobs) == len(load_schedule(SCHEDULE).jobs) == 10
    for line in jobs:
        match = CRON_LINE.match(line)
        assert match, line
        assert croniter.is_valid(match.group(1)), line
        assert re.search(r"(?<!\\)%", match.group(2)) is None  # cron would cut the command at a bare %
        assert " -m ops_lib run notebooks/" in line and "--params params/" in line and "--out runs" in line
    assert lines[0].startswith("# >>> ops schedule") and lines[-1].startswith("# <<< ops schedule")


def test_the_shipped_schedule_prints_systemd_units_systemd_accepts(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "print", "--schedule", str(SCHEDULE), "--format", "systemd"]) == 0
    printed = capsys.readouterr().out
    units = systemd_units(load_schedule(SCHEDULE))
    assert len(units) == 20 and all(f"# ---- {name} ----" in printed for name in units)
    for name, text in units.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        sections = re.findall(r"^\[(\w+)\]$", text, re.M)
        assert sections == (["Unit", "Service"] if name.endswith(".service") else ["Unit", "Timer", "Install"])
        for line in text.splitlines():
            assert not line or line.startswith(("#", "[")) or re.match(r"^[A-Za-z]+=\S", line), line
    if SYSTEMD_ANALYZE:  # the real parser, where the host has it (Debian does)
        done = subprocess.run([SYSTEMD_ANALYZE, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                              capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("expression", ["0 6 * * 1-5", "*/20 8-17 * * *", "30 2 1,15 * *", "0 9 1 * 1",
                                        "5 4 * 2-4 0", "0 0 * * 7", "@daily", "15 6 29 2 *"])
def test_timers_fire_exactly_when_cron_would(expression: str) -> None:
    base = datetime(2026, 11, 21, 10, 0)
    steps = croniter(expression if not expression.startswith("@") else "0 0 * * *", base)
    expected = [steps.get_next(datetime) for _ in range(6)]
    if not SYSTEMD_ANALYZE:
        pytest.skip("systemd-analyze is not on this host")
    done = subprocess.run([SYSTEMD_ANALYZE, "calendar", "--iterations=6", f"--base-time={base:%Y-%m-%d %H:%M:%S} UTC",
                           *on_calendar(expression)], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"})
    assert done.returncode == 0, done.stderr
    fired = sorted({datetime.strptime(m, "%Y-%m-%d %H:%M:%S")
                    for m in re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC", done.stdout)})
    assert fired[:6] == expected


def write_schedule(folder: Path, jobs: str) -> Path:
    (folder / "params").mkdir(exist_ok=True)
    (folder / "notebooks").mkdir(exist_ok=True)
    path = folder / "params" / "schedule.yaml"
    path.write_text(f"archive: runs\njobs:\n{jobs}", encoding="utf-8")
    return path


def notebook(folder: Path, name: str, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("label = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, folder / "notebooks" / name)
    (folder / "params" / f"{Path(name).stem}.yaml").write_text("label: scheduled\n", encoding="utf-8")


JOB = "  - name: {name}\n    notebook: notebooks/{nb}\n    params: params/{stem}.yaml\n    cron: \"{cron}\"\n"


@pytest.mark.parametrize("jobs, problem", [
    ("  - name: a\n    notebook: notebooks/ok.ipynb\n    params: params/ok.yaml\n", "job 1: the field 'cron' is missing"),
    (JOB.format(name="a", nb="ok.ipynb", stem="ok", cron="61 * * * *"), "job 1 (a): 'cron'"),
    (JOB.format(name="a", nb="gone.ipynb", stem="ok", cron="0 6 * * *"), "'notebook': "),
    (JOB.format(name="a", nb="ok.ipynb", stem="ok", cron="0 6 * * *") * 2, "job 2 (a): 'name' must be unique"),
    (JOB.format(name="a", nb="ok.ipynb", stem="ok", cron="0 6 * * *") + "    colour: red\n", "unknown field(s) colour"),
])
def test_a_bad_schedule_names_the_file_job_and_field(tmp_path: Path, jobs: str, problem: str) -> None:
    path = write_schedule(tmp_path, jobs)
    notebook(tmp_path, "ok.ipynb", "print(label)")
    with pytest.raises(DataInputError) as caught:
        load_schedule(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_job_whose_params_the_notebook_refuses_is_caught_when_printed(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write_schedule(tmp_path, JOB.format(name="a", nb="ok.ipynb", stem="ok", cron="0 6 * * *"))
    notebook(tmp_path, "ok.ipynb", "print(label)")
    (tmp_path / "params" / "ok.yaml").write_text("lable: typo\n", encoding="utf-8")
    assert main(["schedule", "print", "--schedule", str(path)]) == 2
    assert "job a" in capsys.readouterr().err


def fake_command(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("#!/bin/sh\n" + script, encoding="utf-8")
    (folder / name).chmod(0o755)


def test_install_via_cron_keeps_other_lines_and_replaces_its_own_block(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "crontab.txt"
    table.write_text("MAILTO=ops@example.com\n0 1 * * * backup\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    fake_command(bin_dir, "crontab", f'if [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n')
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    schedule = load_schedule(SCHEDULE)
    install_cron(schedule)
    install_cron(schedule)  # a second install replaces the block, it does not add another
    text = table.read_text(encoding="utf-8")
    assert text.startswith("MAILTO=ops@example.com\n0 1 * * * backup\n# >>> ops schedule")
    assert text.count("# >>> ops schedule") == 1 and text.count(" -m ops_lib run ") == 10


def test_install_via_systemd_writes_units_enables_timers_and_drops_stale_ones(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "systemctl.log"
    bin_dir = tmp_path / "bin"
    fake_command(bin_dir, "systemctl", f'echo "$@" >> {calls}\n')
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    units = tmp_path / "units"
    schedule = load_schedule(SCHEDULE)
    units.mkdir()
    stale = units / "ops-retired-job.timer"
    stale.write_text(f"# Written by ops schedule from {schedule.path}\n[Timer]\n", encoding="utf-8")
    foreign = units / "ops-someone-else.timer"
    foreign.write_text("[Timer]\nOnCalendar=daily\n", encoding="utf-8")
    install_systemd(schedule, units)
    assert sorted(p.name for p in units.iterdir()) == sorted([*systemd_units(schedule), foreign.name])
    logged = calls.read_text(encoding="utf-8").splitlines()
    assert logged[0] == "--user disable --now ops-retired-job.timer" and logged[1] == "--user daemon-reload"
    assert logged[2].startswith("--user enable --now ops-check-connection.timer") and logged[2].count(".timer") == 10


@pytest.mark.slow
def test_the_in_process_scheduler_runs_due_jobs_archives_them_and_reports_failures(tmp_path: Path) -> None:
    seen = tmp_path / "notified.txt"
    fake_command(tmp_path / "bin", "notify", f'echo "$OPS_RUN_STATUS $OPS_RUN_NOTEBOOK" >> {seen}\n')
    path = write_schedule(tmp_path, JOB.format(name="fine", nb="fine.ipynb", stem="fine", cron="0 6 * * *")
                          + JOB.format(name="broken", nb="broken.ipynb", stem="broken", cron="30 6 * * *")
                          + f"    notify: {tmp_path / 'bin' / 'notify'}\n")
    notebook(tmp_path, "fine.ipynb", "print(label)")
    notebook(tmp_path, "broken.ipynb", "raise RuntimeError('period locked')")
    clock = [datetime(2026, 11, 23, 5, 59)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    worst = run_scheduler(load_schedule(path), now=lambda: clock[0], sleep=sleep, max_runs=3, out=io.StringIO())
    rows = RunArchive(tmp_path / "runs").rows()
    assert [(r["notebook"], r["status"]) for r in rows] == [
        ("fine.ipynb", "clean"), ("broken.ipynb", "failed"), ("fine.ipynb", "clean")]
    assert worst == 2 and clock[0] >= datetime(2026, 11, 24, 6, 0) and max(slept) <= 60
    assert seen.read_text(encoding="utf-8").split() == ["failed", "broken.ipynb"]


def test_install_without_systemd_or_cron_points_at_the_in_process_scheduler(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="ops scheduler"):
        install(load_schedule(SCHEDULE))


@pytest.mark.parametrize(("params_file", "step"), [("invoices_drafts.yaml", "drafts"),
                                                   ("invoices_status.yaml", "status"),
                                                   ("invoices_supplier_costs.yaml", "costs")])
def test_each_invoice_job_runs_its_own_step_as_a_dry_run(params_file: str, step: str) -> None:
    from ops_lib.runs.params import check_parameters
    from ops_lib.runs.runner import load_params

    notebook = ROOT / "notebooks" / "40_invoices.ipynb"
    params = load_params(ROOT / "params" / params_file, (), notebook)
    check_parameters(notebook, params)
    assert params["steps"] == [step] and params["interactive"] is False and not params.get("apply", False)
    assert not any("hash" in name or "secret" in name for name in params)
    jobs = {job.params: job for job in load_schedule(SCHEDULE).jobs}
    assert jobs[f"params/{params_file}"].notebook == "notebooks/40_invoices.ipynb"
