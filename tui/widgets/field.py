"""A dialog text field that does not select its text on focus.

Textual's Input selects everything when focused, so the first key typed replaces it. In
warroom a field often holds an autosaved draft restored after a dropped connection: typing
must add to it, never wipe it.
"""

from __future__ import annotations

from textual.widgets import Input


class Field(Input):
    """An Input for restored text: the cursor goes to the end, nothing is selected."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
