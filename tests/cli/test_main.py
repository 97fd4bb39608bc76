"""``ops sandbox`` as a real server, used by a client that knows nothing of this project."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from ops_lib.cli.main import main


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@pytest.fixture
def served_sandbox() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "ops_lib", "sandbox", "--port", "0", "--auto-consent"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = ""
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("API: "):
                base = line.split()[1].removesuffix("/v2/")
                break
            if not line and process.poll() is not None:
                break
        assert base.startswith("http://127.0.0.1:"), "the sandbox did not print its URLs"
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _post_form(url: str, fields: dict[str, str], basic: tuple[str, str]) -> dict[str, object]:
    credentials = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), method="POST",
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return {"status": error.code, **json.loads(error.read())}


@pytest.mark.slow
def test_foreign_client_signs_in_refreshes_with_basic_auth_and_reads(served_sandbox) -> None:  # noqa: ANN001
    process, base = served_sandbox
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": "ops-demo", "redirect_uri": "http://localhost:8123/callback", "response_type": "code",
        "scope": "ea:api ea:sales offline_access", "state": "abc", "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{base}/connect/authorize?{query}", timeout=10)
    location = redirect.value.headers["Location"]
    redirect.value.close()
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
    demo = ("ops-demo", "ops-demo-secret")
    token = _post_form(f"{base}/connect/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:8123/callback",
        "code_verifier": verifier}, demo)
    refreshed = _post_form(f"{base}/connect/token", {
        "grant_type": "refresh_token", "refresh_token": str(token["refresh_token"])}, demo)
    assert refreshed["token_type"] == "Bearer" and refreshed["refresh_token"] != token["refresh_token"]
    reused = _post_form(f"{base}/connect/token", {
        "grant_type": "refresh_token", "refresh_token": str(token["refresh_token"])}, demo)
    assert reused == {"status": 400, "error": "invalid_grant",
                      "error_description": "The refresh token has already been used or revoked."}
    request = urllib.request.Request(f"{base}/v2/customers?$pagesize=2",
                                     headers={"Authorization": f"Bearer {refreshed['access_token']}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read())["Meta"]["TotalNumberOfResults"] == 300
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0, "SIGTERM stops the sandbox cleanly"


def test_sandbox_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["sandbox", "--host", "0.0.0.0"])
    assert stop.value.code == 2
    assert "loopback" in capsys.readouterr().err


def test_module_and_script_entry_points_agree() -> None:
    result = subprocess.run([sys.executable, "-m", "ops_lib", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "sandbox" in result.stdout and "demo" in result.stdout


def test_every_command_the_parser_knows_is_dispatched() -> None:
    from ops_lib.cli.main import COMMANDS
    from ops_lib.cli.parser import build_parser

    (commands,) = [a for a in build_parser()._actions if a.dest == "command"]
    assert set(commands.choices) == set(COMMANDS)  # type: ignore[arg-type]


def test_export_vouchers_is_still_the_booking_command_under_its_first_name() -> None:
    """Schedules and scripts written before the command was called book-vouchers keep working."""
    from ops_lib.cli.main import COMMANDS
    from ops_lib.cli.parser import build_parser

    old = build_parser().parse_args(["export-vouchers", "--expenses", "e.csv"])
    new = build_parser().parse_args(["book-vouchers", "--expenses", "e.csv"])
    assert COMMANDS[old.command] is COMMANDS[new.command]
    assert {k: v for k, v in vars(old).items() if k != "command"} == {k: v for k, v in vars(new).items()
                                                                      if k != "command"}
