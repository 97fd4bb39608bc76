"""The ``ops`` command: a thin dispatcher over the library.

Each sub-command parses its arguments, calls one library function and
returns an exit code: 0 clean, 1 findings, 2 error. ``main(argv)`` is
what tests call.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path
from typing import Sequence

from ops_lib.core.errors import OpsError


def _loopback(host: str) -> str:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise argparse.ArgumentTypeError(f"{host!r} is not a loopback address; the sandbox serves only on loopback")
    return host


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ops", description="Visma eAccounting operations suite.")
    commands = parser.add_subparsers(dest="command", required=True)

    sandbox = commands.add_parser("sandbox", help="serve the local eAccounting sandbox on loopback")
    sandbox.add_argument("--host", type=_loopback, default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    sandbox.add_argument("--state", type=Path, help="SQLite file to keep state in (default: memory)")
    sandbox.add_argument("--auto-consent", action="store_true",
                         help="skip the consent page and grant the first company")
    sandbox.add_argument("--rate-limit", type=_positive, default=600,
                         help="requests per minute per client and endpoint (default 600)")
    sandbox.add_argument("--token-ttl", type=_positive, default=3600,
                         help="access-token lifetime in seconds (default 3600)")

    demo = commands.add_parser("demo", help="run the demo job against a fresh sandbox")
    demo.add_argument("--out", type=Path, default=Path("build/demo"), help="where the demo's archive and config go")

    connect = commands.add_parser("connect", help="connect a company (OAuth sign-in in a browser)")
    _connection_arguments(connect)
    connect.add_argument("--paste", action="store_true",
                         help="no loopback catcher: paste the address the browser ends on (remote hosts)")
    connect.add_argument("--no-browser", action="store_true", help="only print the sign-in address")
    connect.add_argument("--no-force-select", action="store_true",
                         help="let the identity server pick the user's default company")
    connect.add_argument("--wait", type=_positive, default=300, help="seconds to wait for the sign-in")

    status = commands.add_parser("status", help="show stored connections (no secrets)")
    _connection_arguments(status)
    status.add_argument("--check", action="store_true", help="also check the connection against the service")

    disconnect = commands.add_parser("disconnect", help="revoke and remove a stored connection")
    _connection_arguments(disconnect)

    reconcile = commands.add_parser("reconcile", help="compare a register between two sources by number and name")
    _register_arguments(reconcile, Path("build/reconcile"))
    sync = commands.add_parser(
        "sync", help="reconcile, then write what the master implies (dry run unless --apply)",
        description="Exit codes: 0 nothing to do or all applied; 1 some failed, need manual work, or await "
                    "approval (dry run); 2 error.")
    _register_arguments(sync, Path("build/sync"))
    sync.add_argument("--apply", action="store_true", help="send the calls (needs --approved-hash)")
    _approval_arguments(sync)
    sync.add_argument("--project-target", choices=["cost_center_items", "projects"], default="cost_center_items",
                      help="where projects live in the accounting system")
    sync.add_argument("--cost-center", default="Projekt", help="the cost centre holding one item per project")
    sync.add_argument("--state-db", default="", help="the state database (journal, register cache)")
    sync.add_argument("--full-resync", action="store_true", help="pull system registers in full, not incrementally")
    run = commands.add_parser(
        "run", help="execute a notebook headless with papermill, parameters checked first",
        description="Exit codes: 0 clean; 1 the notebook recorded findings; 2 failed or refused.")
    run.add_argument("notebook", help="the notebook to run, e.g. notebooks/20_reconcile.ipynb")
    run.add_argument("--params", help="a params YAML file (params/*.yaml)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override one parameter (repeatable)")
    run.add_argument("--out", default="runs", help="the run archive (runs/<date>/<run-id>-<notebook>/)")
    run.add_argument("--timeout", type=float, default=3600, help="seconds for the whole run")
    run.add_argument("--cell-timeout", type=int, default=900, help="seconds for each cell")
    run.add_argument("--notify", default="", help="a command to run when the run fails (gets OPS_RUN_* variables)")
    run.add_argument("--notify-on", choices=["failure", "findings", "always"], default="failure",
                     help="when to run --notify (default: failure)")
    schedule = commands.add_parser("schedule", help="render or install params/schedule.yaml").add_subparsers(
        dest="schedule_action", required=True)
    show = schedule.add_parser("print", help="the jobs as crontab lines and systemd timer and service units")
    show.add_argument("--format", choices=["all", "crontab", "systemd"], default="all")
    install = schedule.add_parser("install", help="install the jobs for the current user (systemd or cron)")
    install.add_argument("--via", choices=["auto", "systemd", "cron"], default="auto")
    scheduler = commands.add_parser("scheduler", help="run the schedule's jobs in-process (hosts without cron)")
    for command in (show, install, scheduler):
        command.add_argument("--schedule", dest="schedule_file", default="params/schedule.yaml",
                             help="the schedule file")
    export = commands.add_parser(
        "export-vouchers", help="book an expense or payroll journal export as vouchers (dry run unless --apply)",
        description="Exit codes: 0 all booked or nothing to do; 1 something is blocked, failed or awaits "
                    "approval (dry run); 2 error.")
    journal = export.add_mutually_exclusive_group(required=True)
    journal.add_argument("--expenses", metavar="FILE", help="an expense export (CSV or XLSX)")
    journal.add_argument("--payroll", metavar="FILE", help="a payroll journal export (CSV or XLSX)")
    export.add_argument("--target", default="sandbox", help="the connected environment to book in (default sandbox)")
    export.add_argument("--mappings", default="params/mappings", help="the mapping tables folder")
    export.add_argument("--columns", help="a column mapping YAML for the export's headers")
    export.add_argument("--grouping", choices=["per_expense", "per_export"], default="per_expense")
    export.add_argument("--journal-id", default="",
                        help="payroll: names a second run of a booked period so it is booked beside the first")
    export.add_argument("--out", type=Path, default=Path("build/export"))
    export.add_argument("--apply", action="store_true", help="book the vouchers (needs --approved-hash)")
    _approval_arguments(export)
    export.add_argument("--state-db", default="", help="the state database (bookings ledger, journal)")
    export.add_argument("--company", default="", help="organisation number, when several companies are connected")
    export.add_argument("--sandbox-url", default="", help="base URL of the local sandbox")
    mappings = commands.add_parser("mappings", help="check, import or export the mapping tables").add_subparsers(
        dest="mappings_action", required=True)
    check = mappings.add_parser("check", help="check every mapping against the live chart (exit 1 on problems)")
    check.add_argument("--target", default="sandbox", help="the connected environment (default sandbox)")
    check.add_argument("--day", default="", help="YYYY-MM-DD: the fiscal year whose chart counts (default today)")
    check.add_argument("--company", default="")
    check.add_argument("--sandbox-url", default="")
    for action, text in (("import", "read a CSV/XLSX table into the folder (checked for columns and duplicates)"),
                         ("export", "write the folder's table to a CSV file")):
        command = mappings.add_parser(action, help=text)
        command.add_argument("table", choices=["categories", "tags"])
        command.add_argument("file", type=Path)
    for command in mappings.choices.values():
        command.add_argument("--mappings", default="params/mappings", help="the mapping tables folder")
    audit = commands.add_parser("audit", help="check the run archive").add_subparsers(dest="audit", required=True)
    verify = audit.add_parser("verify", help="re-hash every archived file and walk the manifest chain",
                              description="Exit codes: 0 the archive verifies; 2 it does not (the first break "
                                          "is named).")
    verify.add_argument("runs", nargs="?", default="runs", help="the run archive (default: runs)")
    return parser


def _register_arguments(command: argparse.ArgumentParser, out: Path) -> None:
    command.add_argument("register", choices=["customers", "products", "projects"])
    command.add_argument("--left", required=True, help="a file, or a connected environment (sandbox, production)")
    command.add_argument("--right", required=True, help="a file, or a connected environment")
    command.add_argument("--master", choices=["left", "right"], default="left")
    command.add_argument("--mapping", type=Path, help="column mapping YAML for file sources")
    command.add_argument("--out", type=Path, default=out)
    command.add_argument("--threshold", type=int, default=85, help="lowest fuzzy score for a suggestion")
    command.add_argument("--company", help="organisation number, when several companies are connected")
    command.add_argument("--sandbox-url", help="base URL of the local sandbox")


def _approval_arguments(command: argparse.ArgumentParser) -> None:
    """Who prepared and who approved which plan: the same for a sync and a voucher export."""
    command.add_argument("--approved-hash", default="", help="the plan hash the approver signed off (from the dry run)")
    command.add_argument("--approved-by", default="", help="the approver's name (default: you)")
    command.add_argument("--prepared-by", default="", help="who prepares the plan (default: you)")
    command.add_argument("--four-eyes", action="store_true", help="refuse when the approver prepared the plan")


def _register_values(args: argparse.Namespace) -> dict[str, object]:
    """The flags of ``_register_arguments`` under their settings names (a missing --mapping: none)."""
    return {"register": args.register, "left": args.left, "right": args.right, "master": args.master,
            "mapping": str(args.mapping or ""), "out_dir": args.out, "threshold": args.threshold,
            "company": args.company or "", "sandbox_url": args.sandbox_url or ""}


def _approval_values(args: argparse.Namespace) -> dict[str, object]:
    """The flags of ``_approval_arguments`` that keep their names in the settings.

    ``--approved-hash`` is the sync's ``approved_sync_hash`` and the booking's ``approved_plan_hash``,
    so each command passes it itself.
    """
    return {"apply": args.apply, "approved_by": args.approved_by, "prepared_by": args.prepared_by,
            "four_eyes": args.four_eyes}


def _connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", type=Path, help="YAML file with connection parameters (as in params/)")
    parser.add_argument("--env", dest="environment", help="sandbox (default), production or visma-sandbox")
    parser.add_argument("--client-id")
    parser.add_argument("--scope", dest="scopes", action="append", help="a scope to ask for (repeatable)")
    parser.add_argument("--company", help="organisation number of the company")
    parser.add_argument("--sandbox-url", help="base URL of the local sandbox")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from ops_lib.sandbox import SandboxConfig
            from ops_lib.sandbox.server import serve

            config = SandboxConfig(
                auto_consent=args.auto_consent, rate_limit=args.rate_limit, token_ttl=args.token_ttl,
                state_path=str(args.state) if args.state else None,
            )
            return serve(config, host=args.host, port=args.port)
        if args.command == "demo":
            from ops_lib.demo.job import run_demo

            return run_demo(out_dir=args.out)
        if args.command in ("connect", "status", "disconnect"):
            from ops_lib.cli import terminal

            settings = terminal.settings_from_args(args)
            if args.command == "connect":
                return terminal.connect(settings, paste=args.paste, open_browser=not args.no_browser,
                                        force_select=not args.no_force_select, wait=args.wait)
            if args.command == "status":
                return terminal.status(settings, check=args.check)
            return terminal.disconnect(settings)
        if args.command == "reconcile":
            from ops_lib.reconciliation.job import run_reconcile
            from ops_lib.reconciliation.settings import reconcile_settings

            return run_reconcile(reconcile_settings(_register_values(args)))
        if args.command == "run":
            from ops_lib.runs.runner import run_command

            return run_command(args.notebook, args.params, args.overrides, args.out, run_timeout=args.timeout,
                               cell_timeout=args.cell_timeout, notify=args.notify, notify_on=args.notify_on)
        if args.command in ("schedule", "scheduler"):
            from ops_lib.runs.schedule import check_jobs, load_schedule, render

            plan = load_schedule(args.schedule_file)
            check_jobs(plan)
            if args.command == "scheduler":
                from ops_lib.runs.scheduler import scheduler_command

                return scheduler_command(plan)
            if args.schedule_action == "install":
                from ops_lib.runs.scheduler import install

                print(install(plan, args.via))
                return 0
            print(render(plan, args.format), end="")
            return 0
        if args.command == "audit":
            from ops_lib.runs.audit import verify_command

            return verify_command(args.runs)
        if args.command == "export-vouchers":
            from ops_lib.booking.session import run_export
            from ops_lib.booking.settings import booking_settings

            kind, source = ("expenses", args.expenses) if args.expenses else ("payroll", args.payroll)
            return run_export(booking_settings(
                kind=kind, source=source, target=args.target, mapping_dir=args.mappings, columns=args.columns or "",
                grouping=args.grouping, journal_id=args.journal_id, company=args.company,
                sandbox_url=args.sandbox_url, out_dir=args.out, state_db=args.state_db, **_approval_values(args),
                approved_plan_hash=args.approved_hash))
        if args.command == "mappings":
            from ops_lib.booking import mapping_session as mapping_job
            from ops_lib.booking.settings import mapping_settings

            if args.mappings_action == "check":
                return mapping_job.check_command(mapping_settings(
                    mapping_dir=args.mappings, target=args.target, day=args.day, company=args.company,
                    sandbox_url=args.sandbox_url))
            move = mapping_job.import_table if args.mappings_action == "import" else mapping_job.export_table
            print(f"Written: {move(args.mappings, args.table, args.file)}")
            return 0
        if args.command == "sync":
            from ops_lib.sync.session import run_sync
            from ops_lib.sync.settings import sync_settings

            return run_sync(sync_settings(
                _register_values(args), project_target=args.project_target, cost_center=args.cost_center,
                state_db=args.state_db, full_resync=args.full_resync, **_approval_values(args),
                approved_sync_hash=args.approved_hash))
    except OpsError as exc:
        print(f"ops: {exc}", file=sys.stderr)
        return exc.exit_code
    return 2
