"""The run archive keeps company data owner-only: every file of a run, its manifest and the index are 0600."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path

from ops_lib.runs.archive import RunArchive
from ops_lib.runs.header import render_html


def _modes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in root.rglob("*") if p.is_file()}


def test_a_sealed_run_its_manifest_and_the_index_are_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # what most desktops and cron give: new files readable by all
    try:
        archive = RunArchive(tmp_path / "runs")
        for day in (2, 3):
            slot = archive.begin(Path("notebooks/20_reconcile.ipynb"), datetime(2026, 11, day, 6, tzinfo=timezone.utc))
            slot.executed.write_text('{"cells": []}', encoding="utf-8")  # as papermill and a notebook's own code write
            (slot.artifacts / "report.csv").write_text("name\nParkbacken Konsult AB\n", encoding="utf-8")
            archive.seal(slot, {"notebook": "notebooks/20_reconcile.ipynb", "status": "clean", "exit_code": 0})
    finally:
        os.umask(previous)
    modes = _modes(tmp_path / "runs")
    assert len(modes) == 8  # the index and its lock, and per run the notebook, an artifact and the manifest
    assert {name: mode for name, mode in modes.items() if mode != "0o600"} == {}
    assert len(archive.rows()) == 2


def test_the_html_copy_is_owner_only(tmp_path: Path) -> None:
    import nbformat

    notebook = tmp_path / "run.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Parkbacken Konsult AB")]), notebook)
    previous = os.umask(0o022)
    try:
        render_html(notebook, tmp_path / "run.html")
    finally:
        os.umask(previous)
    assert "Parkbacken Konsult AB" in (tmp_path / "run.html").read_text(encoding="utf-8")
    assert stat.S_IMODE((tmp_path / "run.html").stat().st_mode) == 0o600
