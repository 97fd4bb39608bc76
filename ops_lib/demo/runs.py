"""One demo run as ``ops run`` would make it, and the line the demo prints for it.

Shared by the eAccounting part of ``make demo`` (:mod:`ops_lib.demo.job`),
its Visma.net ERP part (:mod:`ops_lib.demo.vismanet`) and its Procountor
part (:mod:`ops_lib.demo.procountor`), so all archive their runs the same
way, into the same chain, and report them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence, TextIO

from ops_lib.runs.runner import ArchivedRun, archived_run, load_params


@dataclass(frozen=True)
class DemoRun:
    """One of the demo's runs and what its manifest recorded."""

    label: str
    run: ArchivedRun

    def line(self) -> str:
        found = []
        for result in self.run.results:
            if "writes_planned" in result:
                counts = ", ".join(f"{k} {v}" for k, v in sorted(result.get("status_counts", {}).items()))
                found.append(f"{result.get('findings', 0)} finding(s) ({counts}); {result['writes_planned']} "
                             f"write(s) planned, {result.get('actions_applied', 0)} applied (dry run)")
            elif result.get("register") == "mappings":
                found.append(f"{result['findings']} mapping problem(s) in {result['categories']} categories and "
                             f"{result['tags']} tag rows")
            elif "verified" in result:
                found.append(f"{result['runs']} run(s) reviewed, archive "
                             + ("verified" if result["verified"] else f"BROKEN: {result['first_break']}"))
        return f"  {self.label:<36} {self.run.status:<10} exit {self.run.exit_code}  " + ("; ".join(found) or "-")


def _named(value: Any) -> str:
    """A run's label word: a register or kind as it is, a list of steps joined (``drafts``, ``drafts+costs``)."""
    return "+".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def run_notebooks(root: Path, runs: Sequence[tuple[str, str]], archive: Path, out: TextIO,
                  prefix: str = "", overrides: Mapping[str, Mapping[str, Any]] | None = None) -> list[DemoRun]:
    """Run each (notebook, params file) under ``root`` into ``archive``, printing a line per run.

    ``prefix`` goes before each label (the system of a second system's runs).
    ``overrides`` sets parameters per params file, as ``ops run --set`` does:
    what only exists once the demo has made it (a file it wrote, say).
    """
    done: list[DemoRun] = []
    for notebook, params_file in runs:
        params = {**load_params(root / params_file, (), notebook), **(overrides or {}).get(params_file, {})}
        if "runs_dir" in params:
            params["runs_dir"] = str(archive)
        run = archived_run(root / notebook, params, archive, params_file=root / params_file)
        label = prefix + Path(notebook).stem + next((f" {_named(params[k])}" for k in ("register", "kind", "steps")
                                                     if k in params), "")
        done.append(DemoRun(label, run))
        out.write(done[-1].line() + "\n")
        out.flush()
    return done
