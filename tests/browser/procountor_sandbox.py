"""Serve the Procountor sandbox for the browser scenarios, with an API client and API key of their own.

``ops sandbox --system procountor`` knows only the published demo client
and its demo API key, which the suite finds by itself; the scenarios
register a client whose secret and API key nobody knows but the secrets
the scenario hands the kernels, so a connect that works proves both came
from there. Both arrive in environment variables (not in the arguments,
which ``ps`` shows): ``OPS_BROWSER_PROCOUNTOR_SECRET`` and
``OPS_BROWSER_PROCOUNTOR_API_KEY``.

Run as ``python procountor_sandbox.py PORT CLIENT_ID``; it serves on
127.0.0.1 until SIGTERM.
"""

from __future__ import annotations

import os
import sys

from ops_lib.sandbox.procountor.config import COMPANY_ID, DEMO_CLIENT, USER_ID, ApiClient, ProcountorConfig
from ops_lib.sandbox.procountor.server import serve

SECRET_VARIABLE = "OPS_BROWSER_PROCOUNTOR_SECRET"
API_KEY_VARIABLE = "OPS_BROWSER_PROCOUNTOR_API_KEY"


def main(argv: list[str]) -> int:
    """Serve until stopped; the exit code is the server's."""
    port, client_id = int(argv[0]), argv[1]
    client = ApiClient(client_id, os.environ[SECRET_VARIABLE], {os.environ[API_KEY_VARIABLE]: (COMPANY_ID, USER_ID)})
    return serve(ProcountorConfig(clients=(DEMO_CLIENT, client)), host="127.0.0.1", port=port)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
