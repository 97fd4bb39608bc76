"""``ops reconcile``: files or connected environments in, CSV/XLSX/JSON out, exit 0/1/2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ops_lib.cli.main import main
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sandbox.server import ServerThread
from tests.conftest import TODAY, connect_over_socket

ROOT = Path(__file__).resolve().parents[2]
MAPPING = str(ROOT / "params" / "columns" / "pm.yaml")


def test_identical_files_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(PM_EXPORT_DIR / "projects.csv")
    code = main(["reconcile", "projects", "--left", source, "--right", source, "--mapping", MAPPING,
                 "--out", str(tmp_path)])
    assert code == 0
    assert "match                 25" in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} >= {"reconciliation.csv", "reconciliation.xlsx", "reconciliation.json"}


def test_bad_source_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", "projects", "--left", str(tmp_path / "x.csv"), "--right", "also-missing.csv"]) == 2
    assert "no such file, and not an environment name" in capsys.readouterr().err


@pytest.mark.slow
def test_export_against_the_connected_sandbox_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        code = main(["reconcile", "customers", "--left", str(PM_EXPORT_DIR / "customers.csv"), "--mapping", MAPPING,
                     "--right", "sandbox", "--sandbox-url", server.base_url, "--out", str(tmp_path)])
    assert code == 1
    out = capsys.readouterr().out
    assert "eaccounting:sandbox:Fjällbris Konsult AB" in out and "name_mismatch" in out
    written = pd.read_csv(tmp_path / "reconciliation.csv", dtype=str, keep_default_na=False)
    assert (written["status"] == "left_only").sum() == 5 and (written["action"] == "blocked").sum() == 2
