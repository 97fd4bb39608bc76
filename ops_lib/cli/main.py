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
    if args.system == "vismanet":
        return _vismanet_sandbox(args)
    if args.system == "procountor":
        return _procountor_sandbox(args)
    from ops_lib.sandbox import SandboxConfig
    from ops_lib.sandbox.server import serve

    config = SandboxConfig(
        auto_consent=args.auto_consent, rate_limit=args.rate_limit or SandboxConfig.rate_limit,
        token_ttl=args.token_ttl,
        state_path=str(args.state) if args.state else None,
    )
    return serve(config, host=args.host, port=args.port)


def _vismanet_sandbox(args: argparse.Namespace) -> int:
    from ops_lib.sandbox.vismanet import VismaNetConfig
    from ops_lib.sandbox.vismanet.server import serve

    config = VismaNetConfig(auto_consent=args.auto_consent, rate_limit=args.rate_limit or VismaNetConfig.rate_limit,
                            token_ttl=args.token_ttl,
                            state_path=str(args.state) if args.state else None)
    return serve(config, host=args.host, port=args.port)


def _procountor_sandbox(args: argparse.Namespace) -> int:
    from ops_lib.sandbox.procountor import ProcountorConfig
    from ops_lib.sandbox.procountor.server import serve

    config = ProcountorConfig(rate_limit=args.rate_limit or ProcountorConfig.rate_limit, token_ttl=args.token_ttl,
                              state_path=str(args.state) if args.state else None)
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
        return terminal.status(settings, check=args.check, all_systems=args.system is None)
    return terminal.disconnect(settings)


def _register_values(args: argparse.Namespace) -> dict[str, object]:
    """The register flags under their settings names (a missing --mapping: none)."""
    return {"register": args.register, "left": args.left, "right": args.right, "master": args.master,
            "mapping": str(args.mapping or ""), "out_dir": args.out, "threshold": args.threshold,
            "system": args.system, "tenant_id": args.tenant_id, "company": args.company or "",
            "sandbox_url": args.sandbox_url or ""}


def _approval_values(args: argparse.Namespace) -> dict[str, object]:
    """The approval flags that keep their names in the settings.

    ``--approved-hash`` is the sync's ``approved_sync_hash`` and the booking's ``approved_booking_hash``,
    so each command passes it itself.
    """
    return {"apply": args.apply, "approved_by": args.approved_by, "prepared_by": args.prepared_by,
            "four_eyes": args.four_eyes}


def _reconcile(args: argparse.Namespace) -> int:
    from ops_lib.reconciliation.job import run_reconcile
    from ops_lib.reconciliation.settings import reconcile_settings

    return run_reconcile(reconcile_settings(_register_values(args)))


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


def _book_vouchers(args: argparse.Namespace) -> int:
    from ops_lib.booking.session import run_booking
    from ops_lib.booking.settings import booking_settings

    kind, source = ("expenses", args.expenses) if args.expenses else ("payroll", args.payroll)
    return run_booking(booking_settings(
        kind=kind, source=source, system=args.system, tenant_id=args.tenant_id, target=args.target,
        mapping_dir=args.mappings, columns=args.columns or "",
        grouping=args.grouping, journal_id=args.journal_id, company=args.company,
        sandbox_url=args.sandbox_url, out_dir=args.out, state_db=args.state_db, **_approval_values(args),
        approved_booking_hash=args.approved_hash))


def _invoice_values(args: argparse.Namespace) -> dict[str, object]:
    """The flags every invoice command shares, under their settings names (unset ones left to the defaults)."""
    return {"system": args.system, "tenant_id": args.tenant_id, "target": args.target, "company": args.company,
            "sandbox_url": args.sandbox_url, "state_db": args.state_db, "out_dir": args.out,
            "project_target": args.project_target, "cost_center": args.cost_center}


def _invoices(args: argparse.Namespace) -> int:
    if args.invoices_action == "drafts":
        from ops_lib.invoicing.draft_session import run_drafts
        from ops_lib.invoicing.settings import draft_settings

        return run_drafts(draft_settings(
            _invoice_values(args), source=args.source, default_article=args.default_article,
            **_approval_values(args), approved_hash=args.approved_hash))
    if args.invoices_action == "status":
        from ops_lib.invoicing.status_session import run_status, status_settings

        return run_status(status_settings(_invoice_values(args), all_states=args.all_states))
    from ops_lib.invoicing.cost_session import cost_settings, run_costs

    return run_costs(cost_settings(_invoice_values(args), period=args.period, billable=args.billable,
                                   **_approval_values(args), approved_hash=args.approved_hash))


def _mappings(args: argparse.Namespace) -> int:
    from ops_lib.booking import mapping_session as mapping_job
    from ops_lib.booking.settings import mapping_settings

    if args.mappings_action == "check":
        return mapping_job.check_command(mapping_settings(
            mapping_dir=args.mappings, system=args.system, tenant_id=args.tenant_id, target=args.target,
            day=args.day, company=args.company,
            sandbox_url=args.sandbox_url))
    move = mapping_job.import_table if args.mappings_action == "import" else mapping_job.export_table
    print(f"Written: {move(args.mappings, args.table, args.file)}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from ops_lib.sync.session import run_sync
    from ops_lib.sync.settings import sync_settings

    return run_sync(sync_settings(
        _register_values(args), project_target=args.project_target, cost_center=args.cost_center,
        state_db=args.state_db, full_resync=args.full_resync, **_approval_values(args),
        approved_sync_hash=args.approved_hash))


# Command name -> what runs it; the parser (ops_lib.cli.parser) declares the same names.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sandbox": _sandbox, "demo": _demo, "connect": _connection, "status": _connection, "disconnect": _connection,
    "reconcile": _reconcile, "sync": _sync, "run": _run, "schedule": _schedule, "scheduler": _schedule,
    "book-vouchers": _book_vouchers, "export-vouchers": _book_vouchers, "invoices": _invoices, "mappings": _mappings,
    "audit": _audit,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments), run the command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OpsError as exc:
        print(f"ops: {exc}", file=sys.stderr)
        return exc.exit_code
