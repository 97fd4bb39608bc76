"""Serve the Visma.net sandbox on loopback: what ``ops sandbox --system vismanet`` runs.

The kernel's uvicorn server (:mod:`ops_lib.sandbox.server`) is reused;
only the app and the lines printed once the socket is bound differ.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import TextIO

import uvicorn

from ops_lib.sandbox.server import _Server, bound_port
from ops_lib.sandbox.vismanet.app import create_app
from ops_lib.sandbox.vismanet.config import COMPANY_TENANT, CUSTOMER_TENANT, VismaNetConfig


def _config(config: VismaNetConfig, host: str, port: int) -> uvicorn.Config:
    # date_header off: the app dates its answers by its own clock (ops_lib.sandbox.server_date)
    return uvicorn.Config(create_app(config), host=host, port=port, log_level="warning", lifespan="on",
                          date_header=False)


async def _announce(server: uvicorn.Server, host: str, out: TextIO) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    base = f"http://{host}:{bound_port(server)}"
    out.write(f"Visma.net ERP sandbox is ready.\nAPI: {base}/v1/\nToken: {base}/connect/token\n"
              f"Authorize: {base}/connect/authorize\nCompany tenant_id: {COMPANY_TENANT}\n"
              f"Customer tenant_id (token issued, API answers 401): {CUSTOMER_TENANT}\n"
              "Demo client (sandbox only): client_id=ops-demo client_secret=ops-demo-secret\nPress Ctrl-C to stop.\n")
    out.flush()


async def _serve(server: uvicorn.Server, host: str, out: TextIO) -> None:
    announcer = asyncio.create_task(_announce(server, host, out))
    await server.serve()
    announcer.cancel()


def serve(config: VismaNetConfig, host: str = "127.0.0.1", port: int = 8766, out: TextIO = sys.stdout) -> int:
    """Serve until interrupted; return an exit code (0 after a clean stop)."""
    server = _Server(_config(config, host, port))
    asyncio.run(_serve(server, host, out))
    if not server.started:
        return 2
    out.write("Sandbox stopped.\n")
    out.flush()
    return 0


class VismaNetServerThread:
    """The Visma.net sandbox on a free loopback port in a background thread, for tests about real sockets."""

    def __init__(self, config: VismaNetConfig | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.server = uvicorn.Server(_config(config or VismaNetConfig(), host, 0))
        self._thread = threading.Thread(target=self.server.run, name="vismanet-sandbox", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{bound_port(self.server)}"

    def __enter__(self) -> "VismaNetServerThread":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Visma.net sandbox server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
