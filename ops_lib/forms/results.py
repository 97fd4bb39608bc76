"""Recording a notebook's machine-readable results: the displaying side of :mod:`ops_lib.runs.results`.

The output's shape (:func:`~ops_lib.runs.results.result_bundle`) and
its reading back (:func:`~ops_lib.runs.results.recorded_results`) stay
in ``runs``, which needs no display; only showing it needs IPython.
"""

from __future__ import annotations

from typing import Any

from ops_lib.runs.results import result_bundle


def record_results(**values: Any) -> None:
    """Record machine-readable results in the notebook (``findings`` > 0 makes the run exit 1).

    They are kept as an output of type ``application/vnd.ops.result+json``,
    so a later notebook, a dashboard or ``ops run`` reads them back
    without parsing text.
    """
    from IPython.display import display

    display(result_bundle(**values), raw=True)
