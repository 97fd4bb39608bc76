"""The HTTP ``Date`` header, read from the sandbox's clock.

The real service dates every answer (RFC 9110 section 6.6.1), and clients
may take it as the service's time, for instance to know from when to ask
for changes next. Under a test's clock the sandbox's ``ChangedUtc`` stamps
and its ``Date`` must tell the same time, so the header comes from
:class:`~.clock.Clock` and not from the server in front of the app
(uvicorn's own date header is turned off in :mod:`.server`).
"""

from __future__ import annotations

from email.utils import format_datetime

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ops_lib.sandbox.clock import UTC, Clock


def http_date(clock: Clock) -> str:
    """The clock's time as an HTTP date, e.g. ``Mon, 15 Jun 2026 06:00:00 GMT``."""
    return format_datetime(clock.now().astimezone(UTC).replace(microsecond=0), usegmt=True)


class ServerDate:
    """ASGI middleware: adds ``Date`` to every HTTP answer that lacks one."""

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "date" not in headers:
                    headers["Date"] = http_date(self.clock)
            await send(message)

        await self.app(scope, receive, dated)
