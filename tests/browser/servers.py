"""The processes a browser scenario needs: the sandbox, JupyterLab and Voilà, on loopback.

Each runs in its own process group so that stopping it also stops what it
started (a Jupyter server's kernels), and each logs to a file under
``test-artifacts/`` so a failure can be read after the run.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
BIN = Path(sys.executable).parent  # the virtual environment's commands: ops, jupyter-lab, voila

# The suite's, proxy and credential variables: a server never inherits them from whoever runs the tests.
_INHERITED_NOT = re.compile(r"^(OPS_|VISMA_|EACCOUNTING_|HTTPS?_PROXY$|ALL_PROXY$|NO_PROXY$|CLIENT_SECRET|JUPYTER)",
                            re.I)


def free_port() -> int:
    """A port nothing listens on now (the server is started with it at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_environment(**settings: str | Path) -> dict[str, str]:
    """This process's environment without the suite's, proxy and Jupyter variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not _INHERITED_NOT.match(k)}
    env.update({k: str(v) for k, v in settings.items()})
    return env


@dataclass
class Server:
    """A started server: where it answers, what it runs with, and how to stop it."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL it when it does not go within 15 seconds."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        except ProcessLookupError:
            pass

    def request(self, method: str, path: str) -> bytes:
        """One call to the server's REST API, authenticated with its token."""
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        call = urllib.request.Request(f"{self.url}{path}", method=method, headers=headers)
        with urllib.request.urlopen(call, timeout=10) as answer:
            return bytes(answer.read())


@contextmanager
def running(name: str, command: list[str], port: int, ready_path: str, env: dict[str, str],
            token: str = "") -> Iterator[Server]:
    """The server ``command`` starts, for the length of a ``with`` block; it is stopped however the block ends.

    Its output goes to ``test-artifacts/browser/<name>.log``.
    """
    server = start(name, command, port, ready_path, env, ARTIFACTS / f"{name}.log", token=token)
    try:
        yield server
    finally:
        server.stop()


def start(name: str, command: list[str], port: int, ready_path: str, env: dict[str, str], log: Path,
          token: str = "", timeout: float = 90.0) -> Server:
    """Start ``command`` and wait until ``ready_path`` answers on ``port``; stop it again if it never does."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Server(name, f"http://127.0.0.1:{port}", process, log, env, token)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before it answered; see {log}")
        try:
            urllib.request.urlopen(f"{server.url}{ready_path}", timeout=2).close()
            return server
        except urllib.error.HTTPError:
            return server  # it answers, if not with 200: ready
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise TimeoutError(f"{name} did not answer on {server.url}{ready_path} in {timeout:.0f} s; see {log}")
            time.sleep(0.1)
