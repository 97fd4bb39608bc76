"""What every notebook form shares: the message line and the CSS classes tests and the browser find.

The forms are the only code that touches ipywidgets; each imports it
inside the function that builds a form, so a headless panel (scheduled
runs set ``interactive`` false) never loads a widget library.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

COLOURS = {"error": "#b00020", "info": "#1a5e20", "wait": "#444"}


def message(kind: str, text: str) -> str:
    """The HTML of one message: ``kind`` is error, info or wait; the text is escaped, never a traceback."""
    body = html.escape(text).replace("\n", "<br>")
    return f"<div class='ops-message ops-{kind}' style='color:{COLOURS[kind]};white-space:normal'>{body}</div>"


def add_classes(named: Iterable[tuple[Any, str]]) -> None:
    """Give each widget its ``ops-*`` class: the names the tests and the browser tests look for."""
    for widget, name in named:
        widget.add_class(name)
