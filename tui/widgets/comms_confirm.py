"""Asked before a draft that still holds ``[placeholders]`` is marked sent: "Send with
[issue], [time] unfilled?" Yes or No, No by default (Enter right away keeps the draft).

The placeholders are shown as plain text (square brackets are Rich markup, never parsed).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


def question(placeholders: list[str]) -> str:
    return f"Send with {', '.join(placeholders)} unfilled?"


class ConfirmSend(ModalScreen[bool]):
    """Dismissed with True only for Yes (y, or Enter on Yes); No, n and Escape: False."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, placeholders: list[str], audience: str) -> None:
        super().__init__()
        self.placeholders = placeholders
        self.audience = audience

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-send") as box:
            box.border_title = Content(f"Mark sent to {self.audience}")
            yield Label(Content(question(self.placeholders)), id="confirm-send-question")
            yield OptionList(
                Option("No, keep editing the draft", id="no"),
                Option("Yes, mark it sent as it is", id="yes"),
                id="confirm-send-answer",
            )
            yield Label(
                "y sends · n or Escape keeps editing · Enter: the highlighted answer",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        answers = self.query_one(OptionList)
        answers.highlighted = 0  # No
        answers.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
