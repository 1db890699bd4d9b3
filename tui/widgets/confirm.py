"""Yes or No before something that cannot be taken back, No by default.

``Confirm`` is the one such question of the console: before a draft that still holds
``[placeholders]`` is marked sent ("Send with [issue], [time] unfilled?", ``ConfirmSend``),
before a running log source is stopped (``x``) and before a draft is thrown away for its
template (``ctrl+r``). Keyboard first: ``y`` answers Yes, ``n`` and Escape answer No, and
Enter the highlighted answer, which is No when it opens (Enter right away keeps things as
they are).

The texts are shown as plain text (square brackets are Rich markup, never parsed).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


def question(placeholders: list[str]) -> str:
    return f"Send with {', '.join(placeholders)} unfilled?"


class Confirm(ModalScreen[bool]):
    """Dismissed with True only for Yes (y, or Enter on Yes); No, n and Escape: False."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(
        self, title: str, asked: str, *, no: str, yes: str, hint: str, ident: str = "confirm"
    ) -> None:
        super().__init__()
        self.title_text, self.asked = title, asked
        self.no, self.yes, self.hint, self.box_id = no, yes, hint, ident

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=self.box_id) as box:
            box.border_title = Content(self.title_text)
            yield Label(Content(self.asked), id=f"{self.box_id}-question")
            yield OptionList(
                Option(Content(self.no), id="no"),
                Option(Content(self.yes), id="yes"),
                id=f"{self.box_id}-answer",
            )
            yield Label(Content(self.hint), classes="dialog-hint")

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


class ConfirmSend(Confirm):
    """Mark sent a draft that still holds ``[placeholders]``?"""

    def __init__(self, placeholders: list[str], audience: str) -> None:
        super().__init__(
            f"Mark sent to {audience}",
            question(placeholders),
            no="No, keep editing the draft",
            yes="Yes, mark it sent as it is",
            hint="y sends · n or Escape keeps editing · Enter: the highlighted answer",
            ident="confirm-send",
        )
        self.placeholders = placeholders
        self.audience = audience


def ask(widget: Widget, dialog: Confirm, then: Callable[[], object]) -> None:
    """Ask ``dialog`` over ``widget``'s screen; ``then`` runs on Yes only. Not twice: a key
    pressed again while it is up goes to the dialog (y, n or Escape answer it)."""
    widget.app.push_screen(dialog, lambda yes: then() if yes else None)


def confirm_discard(draft: str) -> Confirm:
    """ctrl+r on a draft that was edited: back to its template?"""
    return Confirm(
        "Start again from the template",
        f"Discard your edits to the {draft} draft?",
        no="No, keep my draft",
        yes="Yes, discard it for the template",
        hint="y discards · n or Escape keeps the draft · Enter: the highlighted answer",
        ident="confirm-discard",
    )


def confirm_stop(name: str, command: str) -> Confirm:
    """x on a running log source: stop it (its whole process tree)?"""
    return Confirm(
        f"Stop {name}",
        f"Stop the running source {name}?\n$ {command}",
        no="No, keep it running",
        yes="Yes, stop it",
        hint="y stops · n or Escape keeps it running · Enter: the highlighted answer",
        ident="confirm-stop",
    )
