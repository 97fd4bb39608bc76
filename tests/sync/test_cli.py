"""``ops sync``: dry run by default, apply with the approved hash, exit 0/1/2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops_lib.cli.main import main
from ops_lib.sandbox import SandboxConfig
from ops_lib.sandbox.pm_export import PM_EXPORT_DIR
from ops_lib.sandbox.server import ServerThread
from tests.conftest import TODAY, connect_over_socket

ROOT = Path(__file__).resolve().parents[2]
MAPPING = str(ROOT / "params" / "columns" / "pm.yaml")


def test_nothing_to_do_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(PM_EXPORT_DIR / "projects.csv")
    code = main(["sync", "projects", "--left", source, "--right", source, "--mapping", MAPPING,
                 "--out", str(tmp_path), "--state-db", str(tmp_path / "state.sqlite")])
    assert code == 0
    assert "0 action(s), 0 call(s)" in capsys.readouterr().out


def test_dry_run_then_apply_with_the_approved_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--left", str(PM_EXPORT_DIR / "projects.csv"), "--mapping", MAPPING, "--right", "sandbox",
              "--out", str(tmp_path / "out"), "--state-db", str(tmp_path / "state.sqlite")]
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        common += ["--sandbox-url", server.base_url]
        assert main(["sync", "projects", *common]) == 1
        out = capsys.readouterr().out
        plan_hash = re.search(r"--approved-hash ([0-9a-f]{64})", out)
        assert plan_hash and "POST /costcenteritems" in out and "nothing was sent" in out
        assert json.loads((tmp_path / "out" / "sync_plan.json").read_text(encoding="utf-8"))["applied"] is False

        assert main(["sync", "projects", *common, "--apply", "--approved-hash", "f" * 64]) == 2
        assert "the data changed" in capsys.readouterr().err

        assert main(["sync", "projects", *common, "--apply", "--approved-hash", plan_hash.group(1),
                     "--approved-by", "bertil", "--four-eyes", "--prepared-by", "anna"]) == 1
        out = capsys.readouterr().out
        assert "3 transferred, 0 failed" in out and "1 row(s) left for manual work" in out
        results = json.loads((tmp_path / "out" / "sync_results.json").read_text(encoding="utf-8"))
        assert results["approval"]["approved_by"] == "bertil" and results["transferred"] == 3
        assert (tmp_path / "out" / "sync_results.xlsx").exists()
        assert (tmp_path / "out" / "import_projects_projects.csv").exists()


def test_a_plan_approved_with_one_out_folder_applies_from_another(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The import file's folder is where the plan is written, not what it does: the hash ignores it."""
    common = ["--left", str(PM_EXPORT_DIR / "customers.csv"), "--mapping", MAPPING, "--right", "sandbox",
              "--state-db", str(tmp_path / "state.sqlite")]
    with ServerThread(SandboxConfig(today=TODAY)) as server:
        connect_over_socket(server.base_url)
        common += ["--sandbox-url", server.base_url]
        assert main(["sync", "customers", *common, "--out", str(tmp_path / "first")]) == 1
        out = capsys.readouterr().out
        plan_hash = re.search(r"--approved-hash ([0-9a-f]{64})", out)
        assert plan_hash and "ROW import_customers_customers.csv" in out

        code = main(["sync", "customers", *common, "--out", str(tmp_path / "second"), "--apply",
                     "--approved-hash", plan_hash.group(1), "--approved-by", "bertil"])
        captured = capsys.readouterr()
        assert "the data changed" not in captured.err.lower() and code == 1  # manual rows stay for a person
        results = json.loads((tmp_path / "second" / "sync_results.json").read_text(encoding="utf-8"))
        assert results["plan_hash"] == plan_hash.group(1) and results["failed"] == 0
        assert results["transferred"] == len([o for o in results["outcomes"] if o["outcome"] != "blocked"]) > 0
        assert (tmp_path / "second" / "import_customers_customers.csv").exists()
        assert not (tmp_path / "first" / "import_customers_customers.csv").exists()
