"""The booking notebook's last step: the sync's approval step, on a booking session.

An :class:`~ops_lib.booking.session.BookingSession` plans and runs like a
sync session, so booking shows the same Approve button headless or not.
"""

from __future__ import annotations

from ops_lib.forms.sync import sync_panel

booking_panel = sync_panel

__all__ = ["booking_panel"]
