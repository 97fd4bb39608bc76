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

from .errors import OpsError


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
    demo.add_argument("--out", type=Path, default=Path("build/demo"), help="where the executed notebook goes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from .sandbox import SandboxConfig
            from .sandbox.server import serve

            config = SandboxConfig(
                auto_consent=args.auto_consent, rate_limit=args.rate_limit, token_ttl=args.token_ttl,
                state_path=str(args.state) if args.state else None,
            )
            return serve(config, host=args.host, port=args.port)
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(out_dir=args.out)
    except OpsError as exc:
        print(f"ops: {exc}", file=sys.stderr)
        return exc.exit_code
    return 2
