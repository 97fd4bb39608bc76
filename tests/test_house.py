"""House rules that a reader of ``ops_lib`` relies on, checked on the source text with ``ast`` (no imports).

- No module is over 400 lines and no function or method over 80 lines, so
  each fits in a reader's head; the few exceptions are listed below, each
  with its reason, and an exception that is no longer needed fails too, so
  the table only shrinks.
- An exception raised inside an ``except`` block names its cause:
  ``raise ... from exc``, or ``from None`` where the cause may carry a
  secret or says nothing the message does not. A bare ``raise`` (re-raise)
  and re-raising the caught exception by its name are fine.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ops_lib"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


# Path relative to the repository (a module) or path::qualified.name (a function) -> why it may be longer.
EXCEPTIONS: dict[str, str] = {
}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method with its qualified name (``Class.method``, ``outer.inner``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")
        else:
            yield from functions(node, prefix)


def oversized() -> dict[str, str]:
    """Every module and function over its limit, with its length."""
    found = {}
    for path in modules():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found[name_of(path)] = f"{lines} lines (limit {MAX_MODULE_LINES})"
        for qualified, node in functions(ast.parse(text, filename=str(path))):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found[f"{name_of(path)}::{qualified}"] = f"{length} lines (limit {MAX_FUNCTION_LINES})"
    return found


def test_no_module_or_function_is_over_its_limit_unless_listed_with_a_reason() -> None:
    offenders = {name: size for name, size in oversized().items() if name not in EXCEPTIONS}
    assert not offenders, "split these along a seam you can name (or list them in EXCEPTIONS with a reason):\n" + \
        "\n".join(f"  {name}: {size}" for name, size in sorted(offenders.items()))


def test_every_exception_is_still_needed_and_has_a_reason() -> None:
    found = oversized()
    stale = sorted(name for name in EXCEPTIONS if name not in found)
    assert not stale, "no longer over the limit; remove them from EXCEPTIONS:\n  " + "\n  ".join(stale)
    assert all(reason.strip() for reason in EXCEPTIONS.values())
    assert len(EXCEPTIONS) <= 10, "the exceptions table is meant to stay small"


def raises_without_cause(tree: ast.AST) -> Iterator[ast.Raise]:
    """``raise Other(...)`` inside an ``except`` block with no ``from`` (nested functions and classes aside)."""
    for handler in ast.walk(tree):
        if not isinstance(handler, ast.ExceptHandler):
            continue
        pending: list[ast.AST] = list(handler.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ExceptHandler)):
                continue  # runs later, or is a handler of its own that ast.walk reaches anyway
            if isinstance(node, ast.Raise) and node.exc is not None and node.cause is None:
                if not (isinstance(node.exc, ast.Name) and node.exc.id == handler.name):
                    yield node
            pending.extend(ast.iter_child_nodes(node))


def test_an_exception_raised_while_handling_another_names_its_cause() -> None:
    found = [f"{name_of(path)}:{node.lineno}: raise {ast.unparse(node.exc)[:60]}"  # type: ignore[arg-type]
             for path in modules() for node in raises_without_cause(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, "add `from exc` (or `from None` where the cause may carry a secret):\n  " + "\n  ".join(found)


def test_the_cause_scan_finds_what_it_should_and_allows_a_plain_reraise() -> None:
    source = '''
def f():
    try:
        pass
    except KeyError as exc:
        raise ValueError("bare")
    except OSError as exc:
        raise ValueError("caused") from exc
    except TypeError as exc:
        if exc.args:
            raise
        raise exc
    except ZeroDivisionError:
        def later():
            raise ValueError("not raised here")
        with open("x"):
            raise RuntimeError("nested")
'''
    assert sorted(node.lineno for node in raises_without_cause(ast.parse(source))) == [6, 17]
