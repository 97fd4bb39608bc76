"""Machine-readable results of a notebook run: recorded in the notebook, read back without parsing text.

A notebook records them with ``ops_lib.forms.record_results``, which
displays :func:`result_bundle` (``findings`` > 0 makes ``ops run`` exit 1);
``ops run``, the run header, the audit review and dashboards read them
back with :func:`recorded_results`, which needs no display.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

RESULT_MIME = "application/vnd.ops.result+json"


def result_bundle(**values: Any) -> dict[str, Any]:
    """The output that records ``values`` in a notebook: their JSON under :data:`RESULT_MIME`, and a text line.

    They are kept as an output of their own type, so a later notebook, a
    dashboard or ``ops run`` reads them back without parsing text.
    """
    return {RESULT_MIME: json.loads(json.dumps(values, default=str)),
            "text/plain": "Results: " + ", ".join(f"{k}={v}" for k, v in values.items())}


def results_total(results: Sequence[Mapping[str, Any]], key: str) -> int:
    """The sum of one count over recorded results (``findings``, ``actions_applied``, ...); absent counts as 0."""
    return sum(int(r.get(key, 0) or 0) for r in results)


def recorded_results(notebook: Path | str) -> list[dict[str, Any]]:
    """Every recorded-results output (:func:`result_bundle`) of an executed notebook, in order."""
    body = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found = []
    for cell in body.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULT_MIME in data:
                found.append(data[RESULT_MIME])
    return found
