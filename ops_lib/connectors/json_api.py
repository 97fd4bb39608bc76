"""What every system's client does on the wire alike: send a JSON body, read the service's clock.

Both system clients (``ops_lib.systems.<name>.client``) speak JSON over an
:class:`~ops_lib.connectors.session.ApiSession`, encode money with the
core's exact codec and date their change windows by the service's own
``Date`` header; keeping those here means a fix to either reaches every
system. Paths, DTO shapes and how an answer body is read stay with each
system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ops_lib.connectors.session import ApiSession
from ops_lib.core.money import dumps


def server_time(response: httpx.Response) -> dt.datetime | None:
    """The service's clock when it answered, from the HTTP ``Date`` header, in UTC.

    The service dates its answers (RFC 9110, 6.6.1); keeping that time spares trusting the local
    clock when a later pull asks for what changed since.

    Returns
    -------
    datetime or None
        None when there is no ``Date``, more than one, or one that does not parse.
    """
    dates = response.headers.get_list("date")
    if len(dates) != 1:
        return None
    try:
        moment = parsedate_to_datetime(dates[0])
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def send_json(session: ApiSession, method: str, path: str, payload: Any,
              params: Mapping[str, Any] | None = None) -> httpx.Response:
    """Send ``payload`` as a UTF-8 JSON body, Decimals exact (:func:`ops_lib.core.money.dumps`).

    Returns
    -------
    httpx.Response
        The answer as the session returned it; reading its body is the system's business.
    """
    return session.request(method, path, params=params, content=dumps(payload).encode("utf-8"),
                           headers={"Content-Type": "application/json"})
