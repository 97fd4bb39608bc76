"""Serve the Procountor sandbox on loopback: what ``ops sandbox --system procountor`` runs.

The kernel's uvicorn serving (:func:`ops_lib.sandbox.server.serve_app`,
:class:`ops_lib.sandbox.server.AppServerThread`) is reused; only the app
and the lines printed once the socket is bound differ.
"""

from __future__ import annotations

import sys
from typing import TextIO

from ops_lib.sandbox.procountor.app import create_app
from ops_lib.sandbox.procountor.config import COMPANY_ID, DEMO_CLIENT, ProcountorConfig
from ops_lib.sandbox.server import AppServerThread, serve_app


def _banner(base: str) -> str:
    api_key = next(iter(DEMO_CLIENT.api_keys))
    return (f"Procountor sandbox is ready.\nAPI: {base}/api (also /latest/api, /supported/api, /v2604/api)\n"
            f"Token: {base}/api/oauth/token\nCompany id: {COMPANY_ID}\n"
            f"Demo client (sandbox only): client_id={DEMO_CLIENT.client_id} "
            f"client_secret={DEMO_CLIENT.client_secret} api_key={api_key}\nPress Ctrl-C to stop.\n")


def serve(config: ProcountorConfig, host: str = "127.0.0.1", port: int = 8767, out: TextIO = sys.stdout) -> int:
    """Serve until interrupted; return an exit code (0 after a clean stop)."""
    return serve_app(create_app(config), _banner, host, port, out)


class ProcountorServerThread(AppServerThread):
    """The Procountor sandbox on a free loopback port in a background thread, for tests about real sockets."""

    def __init__(self, config: ProcountorConfig | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(create_app(config or ProcountorConfig()), host, thread_name="procountor-sandbox",
                         label="Procountor sandbox")
