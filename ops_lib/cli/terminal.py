"""The connection commands as a person meets them in a terminal.

``ops connect`` prints the sign-in address, opens a browser where there is
one, and waits for the loopback redirect (or, with ``--paste``, reads the
address the browser ended on); for a system whose grant is client
credentials (a service integration, ``--system NAME --tenant-id ...``) it
asks for the token directly and no browser is involved. ``ops status`` lists connections without
any secret; ``ops disconnect`` revokes and removes one. Each returns an
exit code: 0 done, 1 nothing connected, 2 error (raised as OpsError).
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from dataclasses import replace
from typing import Any, Callable, TextIO

import httpx

from ops_lib.config.settings import ConnectionSettings, connection_settings
from ops_lib.connection.connect import connect_command, connection_status, list_connections, start_connect
from ops_lib.connection.connect import disconnect as disconnect_connection
from ops_lib.connection.service import connect_service, is_service_connection
from ops_lib.core.yaml_files import read_mapping


def settings_from_args(args: argparse.Namespace) -> ConnectionSettings:
    """Params file first, then the flags that were given."""
    params: dict[str, Any] = {}
    if args.params:
        loaded = read_mapping(args.params, "params", "the params file must be a mapping of names to values")
        params = {k: v for k, v in loaded.items() if k != "interactive"}
    return connection_settings(params, system=args.system, environment=args.environment, client_id=args.client_id,
                               scopes=args.scopes, company=args.company, sandbox_url=args.sandbox_url,
                               tenant_id=args.tenant_id)


def connect(settings: ConnectionSettings, *, paste: bool = False, open_browser: bool = True,
            force_select: bool = True, wait: float = 300, out: TextIO | None = None,
            read_line: Callable[[], str] | None = None, browser: Callable[[str], bool] | None = None,
            transport: httpx.BaseTransport | None = None) -> int:
    """Connect a company from a terminal; returns 0 once stored.

    A service integration (the system's grant is client credentials) connects at once, without a browser.
    """
    out = out or sys.stdout
    if is_service_connection(settings):
        out.write(f"Connecting the {settings.system} service integration ({settings.environment}, client "
                  f"{settings.client_id}{', tenant ' + settings.tenant_id if settings.tenant_id else ''})…\n")
        result = connect_service(settings, transport=transport)
        out.write("\nConnected.\n" + result.describe() + "\n")
        return 0
    read_line = read_line or sys.stdin.readline
    browser = browser or webbrowser.open
    settings = replace(settings, force_select_company=force_select)
    pending = start_connect(settings, use_catcher=not paste, transport=transport)
    try:
        out.write(f"Sign in and approve access for {settings.system} ({settings.environment}):\n\n  {pending.url}\n\n")
        if open_browser and not paste:
            opened = browser(pending.url)
            out.write("A browser window was opened.\n" if opened else "Open the address above in a browser.\n")
        if paste:
            out.write("After approving, paste the whole address your browser ended on, then press Enter:\n")
            out.flush()
            result = pending.complete(read_line())
        else:
            out.write(f"Waiting up to {wait:.0f} s for the sign-in to finish…\n")
            out.flush()
            result = pending.wait(wait)
    finally:
        pending.cancel()
    out.write("\nConnected.\n" + result.describe() + "\n")
    return 0


def status(settings: ConnectionSettings, *, check: bool = False, all_systems: bool = False,
           out: TextIO | None = None, transport: httpx.BaseTransport | None = None) -> int:
    """Show the stored connections (every system's with ``all_systems``), or check the chosen one; 1 when none."""
    out = out or sys.stdout
    if check:
        result = connection_status(settings, check=True, transport=transport)
        out.write(result.describe() + "\n")
        return 0 if result.connected else 1
    found = list_connections(settings, all_environments=True, all_systems=all_systems)
    out.write(f"Config directory: {settings.config_dir}\n")
    if not found:
        out.write(f"No stored connections. Connect with: {connect_command(settings)}\n")
        return 1
    for item in found:
        out.write("\n" + item.describe() + "\n")
    return 0


def disconnect(settings: ConnectionSettings, *, out: TextIO | None = None,
               transport: httpx.BaseTransport | None = None) -> int:
    out = out or sys.stdout
    result = disconnect_connection(settings, transport=transport)
    out.write(result.note + "\n")
    return 0
