"""Two processes refreshing one connection at the same moment both stay connected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ops_lib.connection.connect import open_client
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.server import ServerThread
from tests.conftest import TODAY, age_stored_token, connect_over_socket

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_two_processes_refreshing_at_once_both_end_up_connected() -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        settings = connect_over_socket(server.base_url)
        age_stored_token(settings)  # both processes will find the token due for refresh

        start_at = time.time() + 2.0
        workers = [
            subprocess.Popen([sys.executable, "-m", "tests.connectors.refresh_worker", server.base_url, str(start_at)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
            for _ in range(2)
        ]
        results = []
        for worker in workers:
            out, err = worker.communicate(timeout=60)
            assert worker.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))

        assert [r["company"] for r in results] == ["Fjällbris Konsult AB"] * 2
        # Exactly one of them refreshed; the other found the new token in the store.
        assert sorted(r["refreshes"] for r in results) == [0, 1]
        assert all("401" not in r["statuses"] for r in results)

        # The chain is intact: the stored refresh token still works for the next run.
        age_stored_token(settings)
        with open_client(settings) as client:
            assert client.company_settings().name == "Fjällbris Konsult AB"
            assert client.session.stats.refreshes == 1


@pytest.mark.slow
def test_many_threads_refreshing_share_one_refresh(tmp_path: Path) -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        settings = connect_over_socket(server.base_url)
        age_stored_token(settings)
        clients = [open_client(settings) for _ in range(6)]
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(clients))

        def call(client: object) -> None:
            try:
                barrier.wait()
                client.company_settings()  # type: ignore[attr-defined]
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=call, args=(c,)) for c in clients]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            assert sum(c.session.stats.refreshes for c in clients) == 1
        finally:
            for c in clients:
                c.close()
