"""Serve the sandbox on loopback with uvicorn: what ``ops sandbox`` runs.

The base URLs are printed once the socket is bound (``--port 0`` picks a
free port and prints it), so scripts can wait for the line that starts
with ``API:``. uvicorn stops cleanly on Ctrl-C and SIGTERM, closing the
state file.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Iterator, TextIO

import uvicorn

from ops_lib.sandbox.app import create_app
from ops_lib.sandbox.config import SandboxConfig


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising SIGINT/SIGTERM after the graceful stop.

    uvicorn re-delivers the signal once it has shut down, so the process
    would end "killed by SIGTERM"; an operator's clean stop should exit 0.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def bound_port(server: uvicorn.Server) -> int:
    for listener in server.servers:
        for sock in listener.sockets:
            return int(sock.getsockname()[1])
    raise RuntimeError("the sandbox server has no socket")


async def _announce(server: uvicorn.Server, host: str, out: TextIO) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    base = f"http://{host}:{bound_port(server)}"
    out.write(
        f"Visma eAccounting sandbox is ready.\n"
        f"API: {base}/v2/\n"
        f"Identity: {base}/connect/authorize , {base}/connect/token\n"
        f"Discovery: {base}/.well-known/openid-configuration\n"
        f"Demo client (sandbox only): client_id=ops-demo client_secret=ops-demo-secret\n"
        f"Press Ctrl-C to stop.\n"
    )
    out.flush()


async def _serve(server: uvicorn.Server, host: str, out: TextIO) -> None:
    announcer = asyncio.create_task(_announce(server, host, out))
    await server.serve()
    announcer.cancel()


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765, out: TextIO = sys.stdout) -> int:
    """Serve until interrupted; return an exit code (0 after a clean stop)."""
    app = create_app(config)
    # date_header off: the app dates its answers by its own clock (see server_date.py)
    server = _Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                    date_header=False))
    asyncio.run(_serve(server, host, out))
    if not server.started:
        return 2
    out.write("Sandbox stopped.\n")
    out.flush()
    return 0


class ServerThread:
    """The sandbox served on a free loopback port from a background thread.

    For the demo and for tests that are about real sockets (the redirect
    catcher, a foreign OAuth client). Use as a context manager; the server
    stops when the block ends, even on error.
    """

    def __init__(self, config: SandboxConfig, host: str = "127.0.0.1") -> None:
        import threading

        self.host = host
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(config), host=host, port=0, log_level="warning", lifespan="on",
                           date_header=False)
        )
        self._thread = threading.Thread(target=self.server.run, name="sandbox-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{bound_port(self.server)}"

    def __enter__(self) -> "ServerThread":
        import time

        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
