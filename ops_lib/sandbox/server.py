"""Serve the sandbox on loopback with uvicorn: what ``ops sandbox`` runs.

The base URLs are printed once the socket is bound (``--port 0`` picks a
free port and prints it), so scripts can wait for the line that starts
with ``API:``. uvicorn stops cleanly on Ctrl-C and SIGTERM, closing the
state file.

The serving itself (:func:`serve_app`, :class:`AppServerThread`) knows no
system: the eAccounting sandbox here and the Visma.net one
(:mod:`ops_lib.sandbox.vismanet.server`) each pass their app and their
banner, so a fix to startup, shutdown or the exit code reaches both.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Self, TextIO

import uvicorn

from ops_lib.sandbox.app import create_app
from ops_lib.sandbox.config import SandboxConfig

Banner = Callable[[str], str]
"""The lines printed once the socket is bound, given the base URL (``http://host:port``)."""


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
    """The port the server's socket is bound to (the one ``port=0`` picked)."""
    for listener in server.servers:
        for sock in listener.sockets:
            return int(sock.getsockname()[1])
    raise RuntimeError("the sandbox server has no socket")


def _uvicorn_config(app: Any, host: str, port: int) -> uvicorn.Config:
    # date_header off: the app dates its answers by its own clock (see server_date.py)
    return uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", date_header=False)


async def _announce(server: uvicorn.Server, host: str, out: TextIO, banner: Banner) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.05)
    out.write(banner(f"http://{host}:{bound_port(server)}"))
    out.flush()


async def _serve(server: uvicorn.Server, host: str, out: TextIO, banner: Banner) -> None:
    announcer = asyncio.create_task(_announce(server, host, out, banner))
    await server.serve()
    announcer.cancel()


def serve_app(app: Any, banner: Banner, host: str, port: int, out: TextIO) -> int:
    """Serve one sandbox's ASGI app until interrupted, printing its banner once the socket is bound.

    Parameters
    ----------
    app:
        The sandbox's ASGI application.
    banner:
        Turns the base URL into the lines an operator (or a script waiting for ``API:``) reads.
    host, port:
        Where to bind; port 0 picks a free port, which the banner shows.
    out:
        Where the banner and the stop line go.

    Returns
    -------
    int
        0 after a clean stop, 2 when the server never started (the port was taken, say).
    """
    server = _Server(_uvicorn_config(app, host, port))
    asyncio.run(_serve(server, host, out, banner))
    if not server.started:
        return 2
    out.write("Sandbox stopped.\n")
    out.flush()
    return 0


def _banner(base: str) -> str:
    return (
        f"Visma eAccounting sandbox is ready.\n"
        f"API: {base}/v2/\n"
        f"Identity: {base}/connect/authorize , {base}/connect/token\n"
        f"Discovery: {base}/.well-known/openid-configuration\n"
        f"Demo client (sandbox only): client_id=ops-demo client_secret=ops-demo-secret\n"
        f"Press Ctrl-C to stop.\n"
    )


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765, out: TextIO = sys.stdout) -> int:
    """Serve until interrupted; return an exit code (0 after a clean stop)."""
    return serve_app(create_app(config), _banner, host, port, out)


class AppServerThread:
    """A sandbox's ASGI app served on a free loopback port from a background thread.

    For the demo and for tests that are about real sockets (the redirect
    catcher, a foreign OAuth client). Use as a context manager; the server
    stops when the block ends, even on error. ``label`` names the sandbox
    in the thread's name and in the error raised when it does not start.
    """

    def __init__(self, app: Any, host: str, *, thread_name: str, label: str) -> None:
        self.host = host
        self.server = uvicorn.Server(_uvicorn_config(app, host, 0))
        self._label = label
        self._thread = threading.Thread(target=self.server.run, name=thread_name, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{bound_port(self.server)}"

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the {self._label} server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


class ServerThread(AppServerThread):
    """The eAccounting sandbox served on a free loopback port from a background thread."""

    def __init__(self, config: SandboxConfig, host: str = "127.0.0.1") -> None:
        super().__init__(create_app(config), host, thread_name="sandbox-server", label="sandbox")
