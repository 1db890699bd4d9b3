"""A dialog text field that does not select its text on focus, and never draws a control.

Textual's Input selects everything when focused, so the first key typed replaces it. In
warroom a field often holds an autosaved draft restored after a dropped connection: typing
must add to it, never wipe it.

Textual's Input also draws its value as it is: an escape sequence pasted into a field (a
bracketed paste of a log line), or restored from a draft in a database file, would reach the
terminal. The field keeps the value exactly (it is saved as typed) and draws each control,
bidi or invisible character as one visible symbol, one for one, so the cursor stays put.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from incident.sanitize import LINE_TABLE

# one character for one character: C0 as control pictures (as incident.sanitize shows them),
# DEL as ␡, C1, bidi and invisible formatting characters as ⍰
SHOWN = {c: (v if len(v) == 1 else "⍰") for c, v in LINE_TABLE.items()}
SHOWN[0x09] = "→"


class Field(Input):
    """An Input for restored text: the cursor goes to the end, nothing is selected, and
    nothing in the value is drawn as terminal control."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        return Text(self.value.translate(SHOWN), no_wrap=True, overflow="ignore", end="")
