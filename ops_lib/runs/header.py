"""The run header: the first cell of every executed notebook, written for an auditor.

It says in plain markdown what ran, when, by whom, with which parameters
and inputs, against which system and company, whether changes were
applied, and how the run ended, so the executed notebook can be read on
its own months later. It is tagged ``ops-run-header``; the same facts are
in the run's ``manifest.json`` for machines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from ops_lib.core.files import write_private_file
from ops_lib.runs.results import results_total

HEADER_TAG = "ops-run-header"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or "(empty)"


def _mode(params: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    applied = results_total(results, "actions_applied")
    if applied:
        return f"**Applied changes**: {applied} action(s) sent to the accounting system (see the results below)"
    if any(r.get("dry_run") is False for r in results) or params.get("apply") is True:
        return "**Apply was requested**; no action was sent (see the results below)"
    if any("dry_run" in r for r in results) or "apply" in params:
        return "**Dry run**: nothing was sent to any system"
    return "**Read only**: this notebook writes to no accounting system"


def _systems(params: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    named = [str(s) for r in results for s in r.get("sources", []) or []]
    if named:
        return "; ".join(dict.fromkeys(named))
    parts = [f"{k} = {params[k]}" for k in ("environment", "left", "right", "sandbox_url") if params.get(k)]
    return "; ".join(parts) or "as the notebook's defaults"


def header_markdown(manifest: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    """The header text from a run's manifest fields and its recorded results."""
    params = manifest.get("parameters", {}) or {}
    commit = manifest.get("git_commit") or "not a git checkout"
    if manifest.get("git_dirty"):
        commit += " (with local changes)"
    company = params.get("company") or next((r.get("company") for r in results if r.get("company")), "") \
        or "the only connected company"
    lines = [
        f"# Run record: {Path(str(manifest['notebook'])).name}",
        "",
        "Written by `ops run` when the run ended. The run's `manifest.json` holds the same facts and the "
        "SHA-256 of every file; `ops audit verify` checks them.",
        "",
        "| | |",
        "|---|---|",
        f"| Run id | `{manifest['run_id']}` |",
        f"| Outcome | {_cell(manifest.get('status'))} (exit {manifest.get('exit_code')}): "
        f"{_cell(manifest.get('message'))} |",
        f"| Started (UTC) | {manifest.get('started_utc')} |",
        f"| Ended (UTC) | {manifest.get('ended_utc')} |",
        f"| Run by | {_cell(manifest.get('user'))} on {_cell(manifest.get('host'))} |",
        f"| Notebook | `{_cell(manifest['notebook'])}` "
        f"(SHA-256 `{str(manifest.get('notebook_sha256', ''))[:16]}…`) |",
        f"| Suite | ops_lib {manifest.get('ops_lib_version')}, commit `{commit}` |",
        f"| Systems | {_cell(_systems(params, results))} |",
        f"| Company | {_cell(company)} |",
        f"| Changes | {_mode(params, results)} |",
        "",
        "**Parameters**",
        "",
        "| name | value |",
        "|---|---|",
        *[f"| `{name}` | `{_cell(value)}` |" for name, value in sorted(params.items())],
    ]
    if not params:
        lines.append("| (none: the notebook's defaults) | |")
    inputs = manifest.get("inputs", []) or []
    lines += ["", "**Inputs**", ""]
    if inputs:
        lines += ["| file | SHA-256 | bytes |", "|---|---|---|",
                  *[f"| `{_cell(i['path'])}` | `{i['sha256']}` | {i['bytes']} |" for i in inputs]]
    else:
        lines.append("No input files (all data came from the connected systems).")
    return "\n".join(lines)


def insert_header(executed: Path, manifest: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> None:
    """Put the header first in the executed notebook (replacing an earlier one)."""
    import nbformat  # here: importing it validates with jsonschema, costly; see runner.skip_iri_grammars

    nb = nbformat.read(executed, as_version=4)
    nb.cells = [c for c in nb.cells if HEADER_TAG not in c.get("metadata", {}).get("tags", [])]
    cell = nbformat.v4.new_markdown_cell(header_markdown(manifest, results))
    cell.metadata["tags"] = [HEADER_TAG]
    nb.cells.insert(0, cell)
    nbformat.write(nb, executed)


def render_html(executed: Path, target: Path) -> None:
    """An html copy of the executed notebook for readers without Jupyter."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(executed))
    write_private_file(target, body.encode("utf-8"))  # it shows the notebook's outputs: company data
