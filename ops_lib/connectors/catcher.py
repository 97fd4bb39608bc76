"""A one-shot redirect catcher on 127.0.0.1 for the authorization-code flow.

When JupyterLab runs on the user's own machine, the browser can be sent
back to ``http://127.0.0.1:<free port>/callback``: this catcher listens
there, takes exactly one redirect, answers the browser with a short page,
and closes. It also closes when the wait times out, so no port is left
open. (When JupyterLab runs on a remote server the browser cannot reach
the server's loopback; the user pastes the address instead.)
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from ops_lib.core.errors import AuthenticationError

CALLBACK_PATH = "/callback"


class RedirectCatcher:
    """Listen on 127.0.0.1 at a free port for one redirect to ``/callback``.

    Use as a context manager; :attr:`redirect_uri` is what to register
    with the authorization request, :meth:`wait` returns the full address
    the browser was sent to.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._received: str | None = None
        self._arrived = threading.Event()
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if not self.path.startswith(CALLBACK_PATH):
                    self.send_error(404)
                    return
                ok = "error=" not in self.path
                message = ("Connected. You can close this tab and go back to the notebook." if ok
                           else "The connection was not granted. Go back to the notebook for details.")
                body = f"<!doctype html><title>ops suite</title><p>{html.escape(message)}</p>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                catcher._take(f"http://{host}:{self.server.server_address[1]}{self.path}")

            def log_message(self, format: str, *args: object) -> None:
                """Silent: the request line carries the authorization code."""

        self._server = HTTPServer((host, 0), Handler)
        self._server.timeout = 0.2
        self.host = host
        self._thread = threading.Thread(target=self._serve, name="redirect-catcher", daemon=True)
        self._stop = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{CALLBACK_PATH}"

    def _take(self, address: str) -> None:
        if not self._arrived.is_set():
            self._received = address
            self._arrived.set()

    def _serve(self) -> None:
        while not self._stop.is_set() and not self._arrived.is_set():
            self._server.handle_request()

    def start(self) -> "RedirectCatcher":
        self._thread.start()
        return self

    def wait(self, timeout: float) -> str:
        """The redirected address; raises AuthenticationError after ``timeout`` seconds."""
        try:
            if not self._arrived.wait(timeout):
                raise AuthenticationError(f"No redirect arrived within {timeout:.0f} s; "
                                          "press Connect again, or paste the address instead")
            assert self._received is not None
            return self._received
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        self._server.server_close()

    def __enter__(self) -> "RedirectCatcher":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
