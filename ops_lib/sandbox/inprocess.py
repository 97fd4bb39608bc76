"""Run the sandbox app in-process behind a synchronous httpx transport.

httpx ships an ASGI transport for async clients only, while the suite's
connectors and tests are synchronous. This transport keeps one event loop
in a background thread for the app's whole life, so the app's lifespan
and in-memory state behave exactly as under a real server, and no socket
is opened. Several clients may share one transport (one sandbox), so
closing a client leaves it running; :meth:`shutdown` stops it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx


class InProcessTransport(httpx.BaseTransport):
    """A sync httpx transport that hands each request to an ASGI app."""

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sandbox-loop", daemon=True)
        self._thread.start()
        self._inner = httpx.ASGITransport(app=app, client=client)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def send() -> httpx.Response:
            copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(copy)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content,
                                  request=request)

        return asyncio.run_coroutine_threadsafe(send(), self._loop).result()

    def close(self) -> None:
        """Kept open: httpx closes a client's transport, but this one is shared."""

    def shutdown(self) -> None:
        """Stop the event loop; the transport cannot be used afterwards."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()
