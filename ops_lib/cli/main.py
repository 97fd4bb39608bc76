"""The ``ops`` command: a thin dispatcher over the library.

Each sub-command parses its arguments (:mod:`ops_lib.cli.parser`), calls
one library function and returns an exit code: 0 clean, 1 findings, 2
error. ``main(argv)`` is what tests call. Each command's library is
imported only when that command runs, so ``ops sandbox`` never loads the
sync and ``ops --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from ops_lib.cli.parser import build_parser
from ops_lib.core.errors import OpsError


def _sandbox(args: argparse.Namespace) -> int:
    from ops_lib.sandbox import SandboxConfig
    from ops_lib.sandbox.server import serve

    config = SandboxConfig(
        auto_consent=args.auto_consent, rate_limit=args.rate_limit, token_ttl=args.token_ttl,
        state_path=str(args.state) if args.state else None,
    )
    return serve(config, host=args.host, port=args.port)


def _demo(args: argparse.Namespace) -> int:
    from ops_lib.demo.job import run_demo

    return run_demo(out_dir=args.out)


def _connection(args: argparse.Namespace) -> int:
    from ops_lib.cli import terminal

    settings = terminal.settings_from_args(args)
    if args.command == "connect":
        return terminal.connect(settings, paste=args.paste, open_browser=not args.no_browser,
                                force_select=not args.no_force_select, wait=args.wait)
    if args.command == "status":
        return terminal.status(settings, check=args.check)
    return terminal.disconnect(settings)


def _reconcile(args: argparse.Namespace) -> int:
    from ops_lib.reconciliation.job import run_reconcile

    return run_reconcile(args.register, args.left, args.right, master=args.master, mapping=args.mapping,
                         out_dir=args.out, threshold=args.threshold,
                         connection={k: v for k, v in (("company", args.company),
                                                       ("sandbox_url", args.sandbox_url)) if v})


def _run(args: argparse.Namespace) -> int:
    from ops_lib.runs.runner import run_command

    return run_command(args.notebook, args.params, args.overrides, args.out, run_timeout=args.timeout,
                       cell_timeout=args.cell_timeout, notify=args.notify, notify_on=args.notify_on)


def _schedule(args: argparse.Namespace) -> int:
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


def _audit(args: argparse.Namespace) -> int:
    from ops_lib.runs.audit import verify_command

    return verify_command(args.runs)


def _export_vouchers(args: argparse.Namespace) -> int:
    from ops_lib.booking.session import run_export

    kind, source = ("expenses", args.expenses) if args.expenses else ("payroll", args.payroll)
    return run_export(kind, source, args.target, apply=args.apply, approved_hash=args.approved_hash,
                      approved_by=args.approved_by, four_eyes=args.four_eyes, out_dir=args.out,
                      mappings=args.mappings, columns=args.columns, grouping=args.grouping,
                      journal_id=args.journal_id, company=args.company, sandbox_url=args.sandbox_url,
                      state_db=args.state_db, prepared_by=args.prepared_by)


def _mappings(args: argparse.Namespace) -> int:
    from ops_lib.booking import mapping_session as mapping_job

    if args.mappings_action == "check":
        return mapping_job.check_command(args.mappings, args.target, args.day, company=args.company,
                                         sandbox_url=args.sandbox_url)
    move = mapping_job.import_table if args.mappings_action == "import" else mapping_job.export_table
    print(f"Written: {move(args.mappings, args.table, args.file)}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from ops_lib.sync.session import run_sync

    return run_sync(args.register, args.left, args.right, apply=args.apply,
                    approved_hash=args.approved_hash, approved_by=args.approved_by,
                    four_eyes=args.four_eyes, out_dir=args.out, master=args.master, mapping=args.mapping,
                    threshold=args.threshold, company=args.company or "", sandbox_url=args.sandbox_url or "",
                    project_target=args.project_target, cost_center=args.cost_center,
                    state_db=args.state_db, full_resync=args.full_resync, prepared_by=args.prepared_by)


# Command name -> what runs it; the parser (ops_lib.cli.parser) declares the same names.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sandbox": _sandbox, "demo": _demo, "connect": _connection, "status": _connection, "disconnect": _connection,
    "reconcile": _reconcile, "sync": _sync, "run": _run, "schedule": _schedule, "scheduler": _schedule,
    "export-vouchers": _export_vouchers, "mappings": _mappings, "audit": _audit,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments), run the command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OpsError as exc:
        print(f"ops: {exc}", file=sys.stderr)
        return exc.exit_code
