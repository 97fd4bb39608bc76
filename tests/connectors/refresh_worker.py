"""One "process" of the concurrent-refresh test: wait for the start signal, then make one call.

Run as ``python -m tests.connectors.refresh_worker SANDBOX_URL START_AT``;
prints one JSON line with what it saw. The config directory comes from
``OPS_CONFIG_DIR``, shared with the other worker.
"""

from __future__ import annotations

import json
import sys
import time

from ops_lib.config.settings import connection_settings
from ops_lib.connection.connect import open_client


def main(sandbox_url: str, start_at: float) -> int:
    settings = connection_settings({"sandbox_url": sandbox_url})
    with open_client(settings) as client:
        while time.time() < start_at:
            time.sleep(0.001)
        name = client.company_settings().name
        print(json.dumps({"company": name, "refreshes": client.session.stats.refreshes,
                          "statuses": client.session.stats.by_status}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
