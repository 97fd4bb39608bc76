"""What a result shows a person at a glance: the coloured status box of a sync or a booking.

Sync and booking results render the same box, so it lives below both.
"""

from __future__ import annotations

import html


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
