"""Schedules: ``params/schedule.yaml`` as crontab lines, systemd units, or an in-process loop.

A schedule lists jobs, each a notebook, a params file and a cron
expression (five fields, the host's local time)::

    archive: runs               # the run archive, relative to the project folder
    notify: ""                  # a command run when a job fails (OPS_RUN_* variables)
    jobs:
      - name: reconcile-customers
        notebook: notebooks/20_reconcile.ipynb
        params: params/reconcile_customers.yaml
        cron: "0 6 * * 1-5"
        timeout: 3600           # seconds for the whole run (optional)
        cell_timeout: 900       # seconds per cell (optional)

Every job runs as ``ops run``, so cron, systemd and ``ops scheduler``
share its parameter checks, lock, timeouts, archive and exit codes.
Paths are relative to the project folder: the folder above ``params/``.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from ops_lib.core.errors import ConfigurationError, DataInputError
from ops_lib.core.yaml_files import read_mapping

JOB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
NOTIFY_ON = ("failure", "findings", "always")
DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
           "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}


@dataclass(frozen=True)
class Job:
    """One scheduled notebook run."""

    name: str
    notebook: str
    params: str
    cron: str
    timeout: float = 3600
    cell_timeout: int = 900
    notify: str = ""
    notify_on: str = "failure"


@dataclass(frozen=True)
class Schedule:
    """The jobs of one schedule file, with the folder their paths are relative to."""

    path: Path
    workdir: Path
    archive: str
    jobs: tuple[Job, ...]

    def resolve(self, relative: str) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self.workdir / path

    def command(self, job: Job) -> list[str]:
        """The ``ops run`` command line of a job (absolute interpreter, paths relative to the workdir)."""
        args = [sys.executable, "-m", "ops_lib", "run", job.notebook, "--params", job.params,
                "--out", self.archive, "--timeout", f"{job.timeout:g}", "--cell-timeout", str(job.cell_timeout)]
        if job.notify:
            args += ["--notify", job.notify, "--notify-on", job.notify_on]
        return args


def cron_fields(expression: str) -> list[str]:
    """The five fields of a cron expression (aliases such as ``@daily`` expanded), checked by croniter."""
    from croniter import croniter

    text = ALIASES.get(expression.strip(), expression.strip())
    fields = text.split()
    if len(fields) != 5 or not croniter.is_valid(text):
        raise ValueError(f"{expression!r} is not a five-field cron expression (minute hour day month weekday)")
    return fields


def load_schedule(path: Path | str) -> Schedule:
    """Read and check a schedule file; every error names the file, the job and the field."""
    path = Path(path).resolve()
    data = read_mapping(path, "schedule", "a schedule needs a 'jobs' list with at least one job")
    if not isinstance(data.get("jobs"), list) or not data["jobs"]:
        raise DataInputError(f"{path}: a schedule needs a 'jobs' list with at least one job")
    workdir = path.parent.parent if path.parent.name == "params" else path.parent
    default_notify = str(data.get("notify") or "")
    jobs, seen = [], set()
    for number, raw in enumerate(data["jobs"], start=1):
        where = f"{path}: job {number}"
        if not isinstance(raw, dict):
            raise DataInputError(f"{where}: each job is a mapping with name, notebook, params and cron")
        unknown = set(raw) - set(Job.__dataclass_fields__)
        if unknown:
            raise DataInputError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for name in ("name", "notebook", "params", "cron"):
            if not str(raw.get(name) or "").strip():
                raise DataInputError(f"{where}: the field '{name}' is missing")
        job = Job(**{**raw, "notify": str(raw.get("notify", default_notify) or "")})
        where = f"{path}: job {number} ({job.name})"
        if not JOB_NAME.match(job.name) or job.name in seen:
            raise DataInputError(f"{where}: 'name' must be unique, lower-case letters, digits and dashes")
        seen.add(job.name)
        try:
            cron_fields(job.cron)
        except ValueError as exc:
            raise DataInputError(f"{where}: 'cron': {exc}") from None
        if job.notify_on not in NOTIFY_ON:
            raise DataInputError(f"{where}: 'notify_on' must be one of {', '.join(NOTIFY_ON)}")
        if not (isinstance(job.timeout, (int, float)) and job.timeout > 0
                and isinstance(job.cell_timeout, int) and job.cell_timeout > 0):
            raise DataInputError(f"{where}: 'timeout' and 'cell_timeout' must be positive numbers of seconds")
        for name in ("notebook", "params"):
            if not (workdir / getattr(job, name)).is_file():
                raise DataInputError(f"{where}: '{name}': {workdir / getattr(job, name)} does not exist")
        jobs.append(job)
    return Schedule(path, workdir, str(data.get("archive") or "runs"), tuple(jobs))


def check_jobs(schedule: Schedule) -> None:
    """Check every job's parameters against its notebook now, not at six in the morning."""
    from ops_lib.runs.params import check_parameters
    from ops_lib.runs.runner import load_params

    for job in schedule.jobs:
        notebook = schedule.resolve(job.notebook)
        try:
            check_parameters(notebook, load_params(schedule.resolve(job.params), (), notebook))
        except (ConfigurationError, DataInputError) as exc:
            raise ConfigurationError(f"{schedule.path}: job {job.name}: {exc}") from None


def on_calendar(expression: str) -> list[str]:
    """systemd ``OnCalendar=`` values that fire exactly when the cron expression does.

    Each field is written as the explicit list croniter expands it to.
    Cron fires when *either* a restricted day of month or a restricted
    weekday matches, while systemd wants both, so that case becomes two
    values (a timer fires on any of its ``OnCalendar`` lines).
    """
    from croniter import croniter

    fields = cron_fields(expression)
    expanded = croniter(" ".join(fields)).expanded

    def values(index: int, width: int = 2) -> str:
        if fields[index] == "*":
            return "*"
        return ",".join(f"{int(v):0{width}d}" for v in expanded[index])

    minute, hour, day, month = values(0), values(1), values(2), values(3)
    weekdays = "" if fields[4] == "*" else ",".join(DAY_NAMES[int(v) % 7] for v in sorted(
        {int(v) % 7 for v in expanded[4]})) + " "
    if fields[2] != "*" and fields[4] != "*":
        return [f"*-{month}-{day} {hour}:{minute}:00", f"{weekdays}*-{month}-* {hour}:{minute}:00"]
    return [f"{weekdays}*-{month}-{day} {hour}:{minute}:00"]


def block_markers(schedule: Schedule) -> tuple[str, str]:
    return f"# >>> ops schedule {schedule.path} >>>", f"# <<< ops schedule {schedule.path} <<<"


def unit_marker(schedule: Schedule) -> str:
    """The first line of every systemd unit this schedule writes: how ``install`` finds its own stale units."""
    return f"# Written by ops schedule from {schedule.path}"


def crontab_lines(schedule: Schedule) -> str:
    """The schedule as a crontab block (between markers, so ``install`` can replace it later)."""
    begin, end = block_markers(schedule)
    log = shlex.quote(str(Path(schedule.archive) / "cron.log"))
    lines = [begin, "# Times are this host's local time. Each job runs `ops run` and is archived in "
                    f"{schedule.archive}/."]
    for job in schedule.jobs:
        command = (f"cd {shlex.quote(str(schedule.workdir))} && mkdir -p {shlex.quote(schedule.archive)} && "
                   f"{shlex.join(schedule.command(job))} >> {log} 2>&1")
        lines += [f"# {job.name}", " ".join(cron_fields(job.cron)) + " " + command.replace("%", "\\%")]
    return "\n".join([*lines, end]) + "\n"


def _systemd_quote(arg: str) -> str:
    escaped = arg.replace("%", "%%")
    if re.fullmatch(r"[\w@%+=:,./-]+", escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(schedule: Schedule) -> dict[str, str]:
    """A ``.service`` and a ``.timer`` per job, for ``systemctl --user``."""
    units: dict[str, str] = {}
    marker = unit_marker(schedule)
    for job in schedule.jobs:
        unit = f"ops-{job.name}"
        description = f"ops suite: {job.name} ({Path(job.notebook).name})"
        units[f"{unit}.service"] = "\n".join([
            marker, "[Unit]", f"Description={description}", "", "[Service]", "Type=oneshot",
            f"WorkingDirectory={_systemd_quote(str(schedule.workdir))}",
            "# Secrets (OPS_EACCOUNTING_CLIENT_SECRET) and OPS_CONFIG_DIR may be set here, owner-readable only:",
            "EnvironmentFile=-%h/.config/ops-suite/schedule.env",
            "ExecStart=" + " ".join(_systemd_quote(a) for a in schedule.command(job)),
            f"TimeoutStartSec={int(job.timeout) + 120}", "",
        ])
        units[f"{unit}.timer"] = "\n".join([
            marker, "[Unit]", f"Description={description}: {job.cron}", "", "[Timer]",
            *[f"OnCalendar={value}" for value in on_calendar(job.cron)],
            "Persistent=true", f"Unit={unit}.service", "", "[Install]", "WantedBy=timers.target", "",
        ])
    return units


def render(schedule: Schedule, fmt: str = "all") -> str:
    """What ``ops schedule print`` shows: the crontab block, the systemd units, or both."""
    parts = []
    if fmt in ("all", "crontab"):
        parts.append(crontab_lines(schedule))
    if fmt in ("all", "systemd"):
        parts += [f"# ---- {name} ----\n{text}" for name, text in systemd_units(schedule).items()]
    return "\n".join(parts)

