"""The export notebook's booking step: the sync's approval step, on an export session.

An :class:`~ops_lib.booking.session.ExportSession` plans and runs like a
sync session, so booking shows the same Approve button headless or not.
"""

from __future__ import annotations

from ops_lib.forms.sync import sync_panel

export_panel = sync_panel

__all__ = ["export_panel"]
