"""The forms are kept apart: only ``ops_lib/forms`` touches ipywidgets or IPython, and nothing imports it.

Papermill workers, cron and CI import the library without a display, and
the domain cannot lean on a form (which is what made the import circle
runs/audit, forms and systems/connect). One test reads every module's
imports with ``ast``, including those inside functions; the other imports
every module outside the forms, and everything they import lazily, in a
fresh interpreter and looks at what got loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ops_lib"
DISPLAY = ("ipywidgets", "IPython")
FORMS = "ops_lib.forms"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _domain_modules() -> list[Path]:
    """Every module of ops_lib outside ops_lib/forms."""
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "forms")


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import anywhere in ``tree``; ``from ops_lib import forms`` counts as the forms."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            if node.module == "ops_lib":
                found += [(node.lineno, f"ops_lib.{alias.name}") for alias in node.names]
    return found


def _is_forbidden(module: str) -> bool:
    return module.split(".")[0] in DISPLAY or module == FORMS or module.startswith(FORMS + ".")


def test_no_module_outside_the_forms_imports_a_display_or_the_forms() -> None:
    offending = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for path in _domain_modules()
                 for line, module in _imported(ast.parse(path.read_text(encoding="utf-8")))
                 if _is_forbidden(module)]
    assert not offending, "only ops_lib/forms may import ipywidgets or IPython, and nothing imports it:\n" + "\n".join(
        offending)


SCRIPT = """
import importlib, json, sys
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m in ("ipywidgets", "IPython") or m.startswith("ops_lib.forms"))
importlib.import_module("ops_lib.forms")
with_forms = sorted(m for m in sys.modules if m in ("ipywidgets", "IPython"))
print(json.dumps({"loaded": loaded, "with_forms": with_forms}))
"""


def _lazily_imported(path: Path) -> set[str]:
    """The modules a module imports inside its functions: importing them is what calling it may do."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    return {module for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top
            for module in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""])
            if module}


def test_importing_the_domain_loads_no_display_and_no_form() -> None:
    modules = _domain_modules()
    names = [_module_name(p) for p in modules if p.name != "__main__.py"]  # __main__ runs the CLI
    names += sorted(set().union(*(_lazily_imported(p) for p in modules)) - set(names))
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(names)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == [], f"importing the domain (and what it imports lazily) loaded {found['loaded']}"
    assert found["with_forms"] == [], f"importing ops_lib.forms loaded {found['with_forms']}: import them lazily"
