"""Serve the Visma.net sandbox on loopback: what ``ops sandbox --system vismanet`` runs.

The kernel's uvicorn serving (:func:`ops_lib.sandbox.server.serve_app`,
:class:`ops_lib.sandbox.server.AppServerThread`) is reused; only the app
and the lines printed once the socket is bound differ.
"""

from __future__ import annotations

import sys
from typing import TextIO

from ops_lib.sandbox.server import AppServerThread, serve_app
from ops_lib.sandbox.vismanet.app import create_app
from ops_lib.sandbox.vismanet.config import (
    COMPANY_TENANT,
    CUSTOMER_TENANT,
    VismaNetConfig,
)


def _banner(base: str) -> str:
    return (f"Visma.net ERP sandbox is ready.\nAPI: {base}/v1/\nToken: {base}/connect/token\n"
            f"Authorize: {base}/connect/authorize\nCompany tenant_id: {COMPANY_TENANT}\n"
            f"Customer tenant_id (token issued, API answers 401): {CUSTOMER_TENANT}\n"
            "Demo client (sandbox only): client_id=ops-demo client_secret=ops-demo-secret\nPress Ctrl-C to stop.\n")


def serve(config: VismaNetConfig, host: str = "127.0.0.1", port: int = 8766, out: TextIO = sys.stdout) -> int:
    """Serve until interrupted; return an exit code (0 after a clean stop)."""
    return serve_app(create_app(config), _banner, host, port, out)


class VismaNetServerThread(AppServerThread):
    """The Visma.net sandbox on a free loopback port in a background thread, for tests about real sockets."""

    def __init__(self, config: VismaNetConfig | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(create_app(config or VismaNetConfig()), host, thread_name="vismanet-sandbox",
                         label="Visma.net sandbox")
