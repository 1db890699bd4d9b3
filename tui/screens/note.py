"""The note dialog: event text, optional action taken and owner. Enter saves, Escape cancels.

What is typed is autosaved (``Drafted`` messages, saved by the app within a second), so a
dropped connection loses nothing: the next attach opens the dialog with the text restored.
The same dialog corrects an existing entry, which records an ``edit`` event.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label

from tui.messages import Drafted
from tui.widgets.field import Field


@dataclass(frozen=True)
class NoteResult:
    text: str
    action: str
    owner: str
    retract: bool = False


class NoteDialog(ModalScreen[NoteResult | None]):
    """Add a timeline note, or correct the entry ``correcting``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    FIELDS = ("text", "action", "owner")

    def __init__(
        self,
        *,
        drafts: dict[str, str],
        owner: str,
        draft_prefix: str = "note",
        title: str = "Add timeline note",
        initial: NoteResult | None = None,
        correcting: bool = False,
        restored: bool = False,
    ) -> None:
        super().__init__()
        self._drafts = drafts
        self._owner = owner
        self._prefix = draft_prefix
        self._title = title
        self._initial = initial
        self._correcting = correcting
        self._restored = restored  # left unsaved earlier (a dropped link), opened again

    def key(self, field: str) -> str:
        return f"{self._prefix}.{field}"

    def compose(self) -> ComposeResult:
        init = self._initial
        self._defaults = {
            "text": init.text if init else "",
            "action": init.action if init else "",
            "owner": init.owner if init else self._owner,
        }
        values = {f: self._drafts.get(self.key(f), self._defaults[f]) for f in self.FIELDS}
        with Vertical(classes="dialog", id="note-dialog") as box:
            box.border_title = self._title + (
                " · restored, not saved yet" if self._restored else ""
            )
            yield Label("Event (what happened)")
            yield Field(
                values["text"],
                placeholder="e.g. Alert fired: API 500 errors",
                id="note-text",
                max_length=20_000,
            )
            yield Label("Action taken (optional)")
            yield Field(
                values["action"],
                placeholder="e.g. Acknowledged, began investigation",
                id="note-action",
            )
            yield Label("Owner")
            yield Field(values["owner"], placeholder="@name", id="note-owner", max_length=200)
            if self._correcting:
                yield Checkbox(
                    "Retract this entry (it stays in the journal, struck out)", id="note-retract"
                )
            yield Label(
                Content("Enter saves · Escape cancels · typing is autosaved"), classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    @on(Input.Changed)
    def _autosave(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("note-")
        if field in self.FIELDS:  # (a field as it opened is no draft: "" clears it)
            typed = "" if event.value == self._defaults[field] else event.value
            self.post_message(Drafted(self.key(field), typed))

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        text = self.query_one("#note-text", Input).value.strip()
        retract = self._correcting and self.query_one("#note-retract", Checkbox).value
        if not text and not retract:
            self.notify("The event text cannot be empty", severity="warning")
            return
        self.dismiss(
            NoteResult(
                text=text,
                action=self.query_one("#note-action", Input).value.strip(),
                owner=self.query_one("#note-owner", Input).value.strip(),
                retract=retract,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
