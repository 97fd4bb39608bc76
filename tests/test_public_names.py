"""No two modules of ``ops_lib`` define a public class of the same name.

A newcomer who reads ``ApiError`` in a traceback, or ``Register`` in a
signature, should not have to look at the import to know which one it is.
The check reads the source with ``ast`` (no imports): every class defined
at the top of a module whose name has no leading underscore counts once
for that module. Re-exports (``from x import Y``, ``__all__``) are not
definitions and are fine.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ops_lib"


def public_classes(tree: ast.Module) -> set[str]:
    """The public classes a module defines at its top level."""
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_")}


def definers() -> dict[str, list[str]]:
    """Each public class name -> the modules (paths from the repository root) that define it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in public_classes(tree):
            found[name].append(path.relative_to(ROOT).as_posix())
    return found


def test_the_check_sees_the_classes_it_should() -> None:
    tree = ast.parse(
        "from x import Reexported\n"
        "class Public: pass\n"
        "class _Private: pass\n"
        "def f():\n"
        "    class Local: pass\n"
        "class Outer:\n"
        "    class Inner: pass\n"
    )
    assert public_classes(tree) == {"Public", "Outer"}


def test_every_public_class_name_is_defined_once() -> None:
    shared = {name: paths for name, paths in definers().items() if len(paths) > 1}
    assert not shared, "public class names defined in more than one module:\n" + "\n".join(
        f"  {name}: {', '.join(paths)}" for name, paths in sorted(shared.items()))
