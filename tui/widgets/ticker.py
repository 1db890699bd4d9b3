"""A one-line label for text that changes every second (a countdown)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Label


class Ticker(Label):
    """A label of one line whose size the layout gives it (``width: 1fr``).

    ``Label.update`` asks for a layout pass of the whole screen, since a new text may need a
    new size; a countdown's text changes every second and its size never does, so setting
    ``text`` repaints this label alone.
    """

    DEFAULT_CSS = "Ticker { height: 1; }"

    text: reactive[Content] = reactive(Content(""), layout=False)

    def render(self) -> Content:
        return self.text
