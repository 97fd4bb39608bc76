"""A run killed between the token answer and the store write.

Run as ``python -m tests.connectors.killed_refresh_worker SANDBOX_URL``.
The stored access token is due for refresh, so the first call refreshes;
the identity server rotates the refresh token and answers, and the
process SIGKILLs itself the moment the token store's own file is about to
be written: after anything written beside it, before the store itself.
The config directory comes from ``OPS_CONFIG_DIR``.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from ops_lib.config.settings import connection_settings
from ops_lib.connection.connect import open_client
from ops_lib.connectors import tokens

real_write = tokens.write_private_file


def write_then_die_at_the_store(path: Path, payload: bytes, mode: int = 0o600) -> Any:
    if Path(path).name == tokens.STORE_FILE:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return real_write(path, payload, mode)


def main(sandbox_url: str) -> int:
    tokens.write_private_file = write_then_die_at_the_store  # type: ignore[assignment]
    with open_client(connection_settings({"sandbox_url": sandbox_url})) as client:
        client.company_settings()
    return 0  # never reached: the refresh's store write kills the process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
