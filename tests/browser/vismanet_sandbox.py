"""Serve the Visma.net sandbox for the browser scenarios, with a service client of their own.

``ops sandbox --system vismanet`` knows only the published demo client,
whose secret the suite finds by itself; the scenarios register a client
whose secret nobody knows but the secrets file they write, so a connect
that works proves the secret came from that file. The secret arrives in
``OPS_BROWSER_VISMANET_SECRET`` (not in the arguments, which ``ps`` shows).

Run as ``python vismanet_sandbox.py PORT CLIENT_ID``; it serves on
127.0.0.1 until SIGTERM.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from ops_lib.sandbox.config import DEMO_CLIENT
from ops_lib.sandbox.vismanet.config import VismaNetConfig
from ops_lib.sandbox.vismanet.server import serve

SECRET_VARIABLE = "OPS_BROWSER_VISMANET_SECRET"


def main(argv: list[str]) -> int:
    """Serve until stopped; the exit code is the server's."""
    port, client_id = int(argv[0]), argv[1]
    client = replace(DEMO_CLIENT, client_id=client_id, client_secret=os.environ[SECRET_VARIABLE],
                     name="Browser scenarios' service integration")
    return serve(VismaNetConfig(clients=(DEMO_CLIENT, client)), host="127.0.0.1", port=port)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
