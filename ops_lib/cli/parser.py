"""The ``ops`` command line: one argparse sub-parser per command, in the order ``ops --help`` lists them.

Only the words of the command line live here: which arguments each command
takes, their defaults and help texts. What a command does is in
:mod:`ops_lib.cli.main`, which dispatches the parsed arguments.
"""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING


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


def build_parser() -> argparse.ArgumentParser:
    """The ``ops`` parser: each command's arguments, added in the order the help lists them."""
    parser = argparse.ArgumentParser(prog="ops", description="Visma eAccounting operations suite.")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (_add_sandbox, _add_demo, _add_connection_commands, _add_reconcile_and_sync, _add_run,
                _add_schedule, _add_book_vouchers, _add_invoices, _add_mappings, _add_audit):
        add(commands)
    return parser


if TYPE_CHECKING:  # what ``add_subparsers()`` returns; argparse keeps the class private
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def _add_sandbox(commands: Commands) -> None:
    sandbox = commands.add_parser("sandbox", help="serve a local sandbox (eAccounting, Visma.net or Procountor) on loopback")
    sandbox.add_argument("--system", choices=("eaccounting", "vismanet", "procountor"), default="eaccounting",
                         help="which service the sandbox stands in for (default eaccounting)")
    sandbox.add_argument("--host", type=_loopback, default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    sandbox.add_argument("--state", type=Path, help="SQLite file to keep state in (default: memory)")
    sandbox.add_argument("--auto-consent", action="store_true",
                         help="skip the consent page and grant the first company")
    sandbox.add_argument("--rate-limit", type=_positive, default=None,
                         help="requests per minute per client and endpoint (eAccounting, default 600), "
                              "or per hour per tenant and client (vismanet, default 15000), "
                              "or per second per client (procountor, default 60)")
    sandbox.add_argument("--token-ttl", type=_positive, default=3600,
                         help="access-token lifetime in seconds (default 3600)")


def _add_demo(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="run the demo job against a fresh sandbox")
    demo.add_argument("--out", type=Path, default=Path("build/demo"), help="where the demo's archive and config go")


def _add_connection_commands(commands: Commands) -> None:
    connect = commands.add_parser(
        "connect", help="connect a company (sign-in in a browser, or a service integration's client credentials)",
        description="A system whose grant is client credentials (a service integration) connects without a "
                    "browser: the client id and --tenant-id come from the flags or --params, the client secret "
                    "from OPS_<SYSTEM>_CLIENT_SECRET or the secrets file.")
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


def _add_reconcile_and_sync(commands: Commands) -> None:
    reconcile = commands.add_parser("reconcile", help="compare a register between two sources by number and name")
    _register_arguments(reconcile, Path("build/reconcile"))
    sync = commands.add_parser(
        "sync", help="reconcile, then write what the master implies (dry run unless --apply)",
        description="Exit codes: 0 nothing to do or all applied; 1 some failed, need manual work, or await "
                    "approval (dry run); 2 error.")
    _register_arguments(sync, Path("build/sync"))
    sync.add_argument("--apply", action="store_true", help="send the calls (needs --approved-hash)")
    _approval_arguments(sync)
    _eaccounting_options(sync)
    sync.add_argument("--state-db", default="", help="the state database (operations log, register cache)")
    sync.add_argument("--full-resync", action="store_true", help="pull system registers in full, not incrementally")


def _add_run(commands: Commands) -> None:
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


def _add_schedule(commands: Commands) -> None:
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


def _add_book_vouchers(commands: Commands) -> None:
    # "export-vouchers" was this command's first name; schedules written with it keep working.
    export = commands.add_parser(
        "book-vouchers", aliases=["export-vouchers"],
        help="book an expense or payroll journal export as vouchers (dry run unless --apply)",
        description="Exit codes: 0 all booked or nothing to do; 1 something is blocked, failed or awaits "
                    "approval (dry run); 2 error.")
    journal = export.add_mutually_exclusive_group(required=True)
    journal.add_argument("--expenses", metavar="FILE", help="an expense export (CSV or XLSX)")
    journal.add_argument("--payroll", metavar="FILE", help="a payroll journal export (CSV or XLSX)")
    _system_argument(export)
    export.add_argument("--target", default="sandbox", help="the connected environment to book in (default sandbox)")
    export.add_argument("--mappings", default="params/mappings", help="the mapping tables folder")
    export.add_argument("--columns", help="a column mapping YAML for the export's headers")
    export.add_argument("--grouping", choices=["per_expense", "per_export"], default="per_expense")
    export.add_argument("--journal-id", default="",
                        help="payroll: names a second run of a booked period so it is booked beside the first")
    export.add_argument("--out", type=Path, default=Path("build/booking"))
    export.add_argument("--apply", action="store_true", help="book the vouchers (needs --approved-hash)")
    _approval_arguments(export)
    export.add_argument("--state-db", default="", help="the state database (bookings ledger, operations log)")
    export.add_argument("--company", default="", help="organisation number, when several companies are connected")
    export.add_argument("--sandbox-url", default="", help="base URL of the local sandbox")


def _add_invoices(commands: Commands) -> None:
    invoices = commands.add_parser(
        "invoices", help="invoice drafts from the project tool, their status back, supplier invoices as project costs"
    ).add_subparsers(dest="invoices_action", required=True)
    drafts = invoices.add_parser(
        "drafts", help="the project tool's invoice basis as customer invoice drafts (dry run unless --apply)",
        description="Exit codes: 0 all created or nothing to do; 1 something is blocked, failed or awaits "
                    "approval (dry run); 2 error.")
    drafts.add_argument("--source", help="the invoice-basis export (CSV); demo: the demo export (default)")
    drafts.add_argument("--default-article",
                        help="the article number a row without one gets (default: the settings')")
    _invoice_target(drafts)
    drafts.add_argument("--apply", action="store_true", help="create the drafts (needs --approved-hash)")
    _approval_arguments(drafts)
    _eaccounting_options(drafts)

    status = invoices.add_parser(
        "status", help="read each transferred invoice's state and write the project tool's status import file",
        description="Exit codes: 0 written or nothing changed; 1 something needs a look; 2 error.")
    status.add_argument("--all", dest="all_states", action="store_true",
                        help="every invoice's state, not only what changed since the last file")
    _invoice_target(status)
    _eaccounting_options(status)

    costs = invoices.add_parser(
        "supplier-costs", help="supplier invoices with a project as the project tool's cost import file "
                               "(dry run unless --apply)",
        description="Exit codes: 0 all written or nothing to do; 1 something awaits approval (dry run) or "
                    "needs a look; 2 error.")
    costs.add_argument("--period", help="since_last_month (default: the first of last month to the end of "
                                        "this month) | this_week | this_month | last_month | "
                                        "YYYY-MM-DD..YYYY-MM-DD, by invoice date")
    billable = costs.add_mutually_exclusive_group()
    billable.add_argument("--billable", dest="billable", action="store_true", default=None,
                          help="the costs are billable in the project tool")
    billable.add_argument("--not-billable", dest="billable", action="store_false",
                          help="the costs are not billable")
    _invoice_target(costs)
    costs.add_argument("--apply", action="store_true", help="write the cost file (needs --approved-hash)")
    _approval_arguments(costs)
    _eaccounting_options(costs)


def _invoice_target(command: argparse.ArgumentParser) -> None:
    """Where an invoice command works: the system, the connected environment, the state database, the output."""
    _system_argument(command)
    command.add_argument("--target", default="sandbox", help="the connected environment (default sandbox)")
    command.add_argument("--company", default="", help="organisation number, when several companies are connected")
    command.add_argument("--sandbox-url", default="", help="base URL of the local sandbox")
    command.add_argument("--state-db", default="", help="the state database (transfer ledgers, plans, approvals)")
    command.add_argument("--out", type=Path, help="where the plan, results and import files go "
                                                  "(default: the settings')")


def _eaccounting_options(command: argparse.ArgumentParser) -> None:
    """eAccounting's options (its system_options block); left unset, the system's defaults apply."""
    command.add_argument("--project-target", choices=["cost_center_items", "projects"],
                         help="eAccounting: where projects live (default cost_center_items)")
    command.add_argument("--cost-center", help="eAccounting: the cost centre holding one item per project (Projekt)")


def _add_mappings(commands: Commands) -> None:
    mappings = commands.add_parser("mappings", help="check, import or export the mapping tables").add_subparsers(
        dest="mappings_action", required=True)
    check = mappings.add_parser("check", help="check every mapping against the live chart (exit 1 on problems)")
    _system_argument(check)
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


def _add_audit(commands: Commands) -> None:
    audit = commands.add_parser("audit", help="check the run archive").add_subparsers(dest="audit", required=True)
    verify = audit.add_parser("verify", help="re-hash every archived file and walk the manifest chain",
                              description="Exit codes: 0 the archive verifies; 2 it does not (the first break "
                                          "is named).")
    verify.add_argument("runs", nargs="?", default="runs", help="the run archive (default: runs)")


def _register_arguments(command: argparse.ArgumentParser, out: Path) -> None:
    from ops_lib.model.registers import REGISTERS

    command.add_argument("register", choices=REGISTERS)
    _system_argument(command)
    command.add_argument("--left", required=True, help="a file, or a connected environment (sandbox, production)")
    command.add_argument("--right", required=True, help="a file, or a connected environment")
    command.add_argument("--master", choices=["left", "right"], default="left")
    command.add_argument("--mapping", type=Path, help="column mapping YAML for file sources")
    command.add_argument("--out", type=Path, default=out)
    command.add_argument("--threshold", type=int, default=85, help="lowest fuzzy score for a suggestion")
    command.add_argument("--company", help="organisation number, when several companies are connected")
    command.add_argument("--sandbox-url", help="base URL of the local sandbox")


def _approval_arguments(command: argparse.ArgumentParser) -> None:
    """Who prepared and who approved which plan: the same for a sync and a voucher booking."""
    command.add_argument("--approved-hash", default="", help="the plan hash the approver signed off (from the dry run)")
    command.add_argument("--approved-by", default="", help="the approver's name (default: you)")
    command.add_argument("--prepared-by", default="", help="who prepares the plan (default: you)")
    command.add_argument("--four-eyes", action="store_true", help="refuse when the approver prepared the plan")


def _system_argument(parser: argparse.ArgumentParser) -> None:
    """``--system``: which accounting system a connected environment is in (default: the registry's).

    ``--tenant-id`` goes with it: a service integration's token is asked for with its tenant.
    """
    parser.add_argument("--system", help="the accounting system (default eaccounting)")
    parser.add_argument("--tenant-id", help="a service integration's tenant (client-credentials systems)")


def _connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", type=Path, help="YAML file with connection parameters (as in params/)")
    _system_argument(parser)
    parser.add_argument("--env", dest="environment", help="sandbox (default), production or visma-sandbox")
    parser.add_argument("--client-id")
    parser.add_argument("--scope", dest="scopes", action="append", help="a scope to ask for (repeatable)")
    parser.add_argument("--company", help="organisation number of the company")
    parser.add_argument("--sandbox-url", help="base URL of the local sandbox")
