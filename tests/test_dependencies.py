"""environment.yml and pyproject.toml must declare the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", requirement)
    assert match, requirement
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(sorted(part.strip() for part in match.group(2).split(",") if part.strip()))
    return name, spec


def _pyproject() -> set[tuple[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_normalise(r) for r in requirements}


def _environment() -> set[tuple[str, str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = set()
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            found |= {_normalise(r) for r in entry.get("pip", []) if not r.startswith("-e")}
        elif not re.match(r"^(python|pip)\b", entry):
            found.add(_normalise(entry.replace("=", "==", 1) if "=" in entry and "==" not in entry else entry))
    return found


def test_environment_and_pyproject_declare_the_same_dependencies() -> None:
    pyproject, environment = _pyproject(), _environment()
    assert pyproject == environment, (
        f"only in pyproject.toml: {sorted(pyproject - environment)}; "
        f"only in environment.yml: {sorted(environment - pyproject)}"
    )


def test_every_dependency_has_an_upper_bound() -> None:
    for name, spec in _pyproject():
        pinned = re.fullmatch(r"==[0-9][0-9A-Za-z.]*", spec) is not None  # one exact release is bounded too
        assert "<" in spec or pinned, f"{name} needs a compatible range with an upper bound, not {spec!r}"


def test_the_pinned_names_are_there() -> None:
    names = {name for name, _ in _pyproject()}
    assert {"jupyterlab", "ipywidgets", "pandas", "httpx", "authlib", "papermill", "nbval", "pytest"} <= names


def test_the_drift_check_notices_a_difference(tmp_path: Path) -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(e for e in env["dependencies"] if isinstance(e, dict))["pip"]
    changed = [("pandas>=2.2,<3" if r.startswith("pandas") else r) for r in pip]
    assert {_normalise(r) for r in changed if not r.startswith("-e")} != _pyproject()
