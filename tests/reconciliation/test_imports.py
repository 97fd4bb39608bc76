"""Sync and booking build on reconciliation, never the other way round.

Every import in ``ops_lib/reconciliation/`` (at the top or inside a
function) and in the source openers it reads through is checked, so a
lazy import cannot slip a dependency past the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ops_lib"
FORBIDDEN = ("ops_lib.sync", "ops_lib.booking")
CHECKED = sorted((PACKAGE / "reconciliation").glob("*.py")) + [PACKAGE / "sources" / "open.py",
                                                               PACKAGE / "sources" / "files.py"]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_nothing_from_sync_or_booking(path: Path) -> None:
    wrong = sorted(name for name in imported(path)
                   if name in FORBIDDEN or name.startswith(tuple(f"{package}." for package in FORBIDDEN)))
    assert wrong == [], f"{path.name} imports {wrong}"


def test_the_rule_sees_a_lazy_import(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from ops_lib.sync.session import open_sync\n    import ops_lib.booking\n")
    assert {"ops_lib.sync.session", "ops_lib.booking"} <= imported(module)
