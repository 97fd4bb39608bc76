"""Putting a schedule to work: installed for the current user, or run in-process.

``ops schedule install`` writes the schedule into the user's crontab (a
marked block, replaced on every install) or as systemd user timers, and
``ops scheduler`` runs the same jobs in-process on hosts with neither.
Either way each job is :func:`ops_lib.runs.runner.archived_run`, with its
parameter checks, lock, timeouts, archive and notification.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TextIO

import platformdirs

from ops_lib.core.errors import ConfigurationError
from ops_lib.runs.schedule import Job, Schedule, block_markers, cron_fields, crontab_lines, systemd_units, unit_marker


def _run(command: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigurationError(f"{command[0]} could not run ({exc})") from None


def replace_block(crontab: str, block: str, schedule: Schedule) -> str:
    """The crontab with this schedule's block replaced (or added); other lines untouched."""
    begin, end = block_markers(schedule)
    lines = crontab.splitlines()
    if begin in lines and end in lines[lines.index(begin):]:
        start = lines.index(begin)
        stop = lines.index(end, start)
        lines = lines[:start] + lines[stop + 1:]
    kept = "\n".join(lines).rstrip("\n")
    return (kept + "\n" if kept else "") + block


def install_cron(schedule: Schedule) -> str:
    """Put the schedule's block in the user's crontab; return what was done."""
    current = _run(["crontab", "-l"])
    if current.returncode != 0 and "no crontab" not in current.stderr.lower():
        raise ConfigurationError(f"crontab -l failed: {current.stderr.strip()}")
    updated = replace_block(current.stdout if current.returncode == 0 else "", crontab_lines(schedule), schedule)
    written = _run(["crontab", "-"], stdin=updated)
    if written.returncode != 0:
        raise ConfigurationError(f"crontab refused the schedule: {written.stderr.strip()}")
    return f"Installed {len(schedule.jobs)} job(s) in your crontab (crontab -l shows them)."


def user_unit_dir() -> Path:
    return Path(platformdirs.user_config_dir()) / "systemd" / "user"


def install_systemd(schedule: Schedule, unit_dir: Path | None = None) -> str:
    """Write the units for ``systemctl --user``, drop ones this schedule wrote before, enable the timers."""
    unit_dir = unit_dir or user_unit_dir()
    unit_dir.mkdir(parents=True, exist_ok=True)
    units = systemd_units(schedule)
    stale = [p for p in unit_dir.glob("ops-*") if p.name not in units
             and p.read_text(encoding="utf-8").startswith(unit_marker(schedule))]
    for path in stale:
        if path.suffix == ".timer":
            _run(["systemctl", "--user", "disable", "--now", path.name])
        path.unlink()
    for name, text in units.items():
        (unit_dir / name).write_text(text, encoding="utf-8")
    steps = [["systemctl", "--user", "daemon-reload"],
             ["systemctl", "--user", "enable", "--now", *[n for n in units if n.endswith(".timer")]]]
    for step in steps:
        done = _run(step)
        if done.returncode != 0:
            raise ConfigurationError(f"{' '.join(step)} failed: {done.stderr.strip()}")
    return (f"Installed {len(schedule.jobs)} timer(s) in {unit_dir} and enabled them "
            f"(systemctl --user list-timers 'ops-*' shows them).")


def install(schedule: Schedule, via: str = "auto") -> str:
    """Install for the current user: systemd when a user manager runs, else cron (``via`` can force one)."""
    if via == "auto":
        if shutil.which("systemctl") and _run(["systemctl", "--user", "show-environment"]).returncode == 0:
            via = "systemd"
        elif shutil.which("crontab"):
            via = "cron"
        else:
            raise ConfigurationError("This host has neither a systemd user manager nor crontab; run the jobs "
                                     "with `ops scheduler` instead (for example under your service manager).")
    return install_systemd(schedule) if via == "systemd" else install_cron(schedule)


def next_time(job: Job, after: datetime) -> datetime:
    """When ``job`` is next due after ``after`` (local time, as cron counts)."""
    from croniter import croniter

    return croniter(" ".join(cron_fields(job.cron)), after).get_next(datetime)


def run_scheduler(schedule: Schedule, *, now: Callable[[], datetime] = datetime.now,
                  sleep: Callable[[float], None] = time.sleep, max_runs: int | None = None,
                  out: TextIO = sys.stdout) -> int:
    """Run the jobs when due, one at a time, until stopped (or after ``max_runs``); return the worst exit code.

    Times are local, as in cron. A job whose time passed while another ran
    starts as soon as that one ends; missed times are not made up twice.
    """
    from ops_lib.runs.runner import archived_run

    start = now()
    due = {job.name: next_time(job, start) for job in schedule.jobs}
    jobs = {job.name: job for job in schedule.jobs}
    runs = worst = 0
    out.write("ops scheduler: " + "; ".join(f"{n} next at {t:%Y-%m-%d %H:%M}" for n, t in due.items()) + "\n")
    while max_runs is None or runs < max_runs:
        name, when = min(due.items(), key=lambda item: item[1])
        wait = (when - now()).total_seconds()
        if wait > 0:
            sleep(min(wait, 60.0))
            continue
        job = jobs[name]
        run = archived_run(schedule.resolve(job.notebook), _params(schedule, job),
                           schedule.resolve(schedule.archive), params_file=schedule.resolve(job.params),
                           run_timeout=job.timeout, cell_timeout=job.cell_timeout, notify=job.notify,
                           notify_on=job.notify_on)
        worst = max(worst, run.exit_code)
        runs += 1
        due[name] = next_time(job, max(when, now()))
        out.write(f"{now():%Y-%m-%d %H:%M:%S} {name}: {run.status} (exit {run.exit_code}), archived in "
                  f"{run.folder}; next at {due[name]:%Y-%m-%d %H:%M}\n")
        out.flush()
    return worst


def _params(schedule: Schedule, job: Job) -> dict[str, Any]:
    from ops_lib.runs.runner import load_params

    return load_params(schedule.resolve(job.params), (), schedule.resolve(job.notebook))


def scheduler_command(schedule: Schedule) -> int:
    """``ops scheduler``: run until Ctrl-C or SIGTERM, then exit 0."""
    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        run_scheduler(schedule)
    except KeyboardInterrupt:
        print("ops scheduler: stopped", file=sys.stderr)
    return 0
