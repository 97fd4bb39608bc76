"""What a result shows a person at a glance: the coloured status box, and the outcomes counted by kind.

Sync, booking and the invoice flows render the same box and count their
outcomes the same way, so both live below all of them.
"""

from __future__ import annotations

import functools
import html
from collections import Counter
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import pandas as pd


class OutcomeTally:
    """A run's outcomes as a table and counted by kind, for a result dataclass to mix in.

    The result names its outcome record in ``OUTCOME`` (a dataclass whose
    ``outcome`` field says what happened) and holds them in ``outcomes``.
    """

    OUTCOME: ClassVar[type]
    outcomes: tuple[Any, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome, with every field of the outcome record (an empty run keeps the columns)."""
        import pandas as pd

        return pd.DataFrame([asdict(o) for o in self.outcomes], columns=[f.name for f in fields(self.OUTCOME)])

    @functools.cached_property
    def _counts(self) -> dict[str, int]:
        return dict(Counter(o.outcome for o in self.outcomes))

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def count(self, *outcomes: str) -> int:
        return sum(self._counts.get(o, 0) for o in outcomes)


def status_box(label: str, headline: str, applied: bool, failed: bool, attention: bool = False) -> str:
    """The green (all done), red (something failed), amber (needs a look) or blue (dry run) box."""
    if not applied:
        colour, border, state = "#e3f2fd", "#1565c0", "ops-sync-dry-run"
    elif failed:
        colour, border, state = "#ffebee", "#c62828", "ops-sync-failed"
    elif attention:
        colour, border, state = "#fff3e0", "#ef6c00", "ops-sync-attention"
    else:
        colour, border, state = "#e8f5e9", "#2e7d32", "ops-sync-ok"
    return (f"<div class='ops-sync-box {state}' style='background:{colour};border:2px solid {border};"
            f"padding:8px;margin:4px 0'><b>{html.escape(label)}</b>: {html.escape(headline)}</div>")
