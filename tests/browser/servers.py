"""The processes a browser scenario needs: the sandbox, JupyterLab and Voilà, on loopback.

Each runs in its own process group and is stopped with SIGTERM, on which a
Jupyter server shuts down its kernels. Each is also started under
``setpriv --pdeathsig TERM``, so that it goes even when pytest itself is
killed (a CI timeout) and no teardown runs. Each logs to a file under
``test-artifacts/browser/`` so a failure can be read after the run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import CLEARED

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
BIN = Path(sys.executable).parent  # the virtual environment's commands: ops, jupyter-lab, voila



def free_port() -> int:
    """A port nothing listens on now (the server is started with it at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_environment(**settings: str | Path) -> dict[str, str]:
    """This process's environment without the suite's, proxy and Jupyter variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not (CLEARED.match(k) or k.upper().startswith("JUPYTER"))}
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
def running(name: str, command: list[str], port: int, ready: str, env: dict[str, str],
            token: str = "") -> Iterator[Server]:
    """The server ``command`` starts, for the length of a ``with`` block; it is stopped however the block ends.

    ``ready`` is a path that answers 200 once the server serves, with ``?token=`` added when there is a
    token. Its output goes to ``test-artifacts/browser/<name>.log``.
    """
    server = start(name, command, port, ready, env, ARTIFACTS / f"{name}.log", token=token)
    try:
        yield server
    finally:
        server.stop()


def start(name: str, command: list[str], port: int, ready: str, env: dict[str, str], log: Path,
          token: str = "", timeout: float = 90.0) -> Server:
    """Start ``command`` and wait until ``ready`` answers 200 on ``port``; stop it again if it never does."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(["setpriv", "--pdeathsig", "TERM", "--", *command], stdout=sink,
                                   stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Server(name, f"http://127.0.0.1:{port}", process, log, env, token)
    url = f"{server.url}{ready}" + (f"?token={token}" if token else "")
    deadline = time.monotonic() + timeout
    try:
        while not _answers(url):
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode} before it answered; see {log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not answer on {server.url}{ready} in {timeout:.0f} s; see {log}")
            time.sleep(0.1)
    except BaseException:
        server.stop()
        raise
    return server


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:  # refused while starting, or an HTTP error: not ready
        return False
