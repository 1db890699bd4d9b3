"""Comms dialogs: the history of sent updates, the update cadence per audience, and the file
a draft is written to.

Sent messages are untrusted text (anyone with the database can write one): they are shown
as plain text with control characters made visible, and copied exactly as sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from incident import comms
from incident.errors import InvalidInput
from incident.playbook import load_playbook
from incident.sanitize import visible, visible_text
from incident.state import IncidentState, SentUpdate
from incident.words import plural
from tui.widgets.field import Field

ALL = "__all__"


def sent_prompt(s: SentUpdate) -> Content:
    template = comms.TEMPLATE_LABELS.get(s.template or "", s.template or "free text")
    return Content.assemble(
        (f"{s.at:%Y-%m-%d %H:%M:%S}Z ", "bold"),
        (comms.AUDIENCE_LABELS.get(s.audience, visible(s.audience)), "bold $accent"),
        (f" · {template} · {visible(s.by) or 'unknown'}\n", "dim"),
        visible_text(s.message),
    )


class SentHistory(ModalScreen[None]):
    """Every update sent, newest first; enter copies the highlighted one again."""

    CSS = """
    #history-dialog { height: 90%; }
    #history-dialog OptionList { height: 1fr; max-height: 100%; }
    """
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close"), Binding("c", "copy", "Copy")]

    def __init__(self, sent: Sequence[SentUpdate], audience: str | None = None) -> None:
        super().__init__()
        self.sent = list(reversed(sent))
        self.audience = audience if audience in comms.AUDIENCES else ALL
        self.shown: list[SentUpdate] = []

    def compose(self) -> ComposeResult:
        choices = [("Every audience", ALL)] + [
            (comms.AUDIENCE_LABELS[a], a) for a in comms.AUDIENCES
        ]
        with Vertical(classes="dialog", id="history-dialog") as box:
            box.border_title = f"Sent updates ({len(self.sent)})"
            yield Select(
                choices, value=self.audience, allow_blank=False, id="history-audience", compact=True
            )
            yield OptionList(id="history-list")
            yield Label(
                "Enter or c copies the highlighted message · Escape closes", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    @on(Select.Changed, "#history-audience")
    def _filter(self, event: Select.Changed) -> None:
        self.audience = str(event.value)
        self._fill()

    def _fill(self) -> None:
        self.shown = [s for s in self.sent if self.audience in (ALL, s.audience)]
        ol = self.query_one(OptionList)
        ol.clear_options()
        if self.shown:
            ol.add_options([Option(sent_prompt(s), id=f"h{n}") for n, s in enumerate(self.shown)])
            ol.highlighted = 0
        else:
            ol.add_option(Option(Content.styled("Nothing sent yet.", "dim italic"), disabled=True))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_copy()

    def action_copy(self) -> None:
        n = self.query_one(OptionList).highlighted
        if n is None or not self.shown:
            return
        sent = self.shown[n]
        self.app.copy_to_clipboard(sent.message)
        self.notify(
            f"Copied the update sent at {sent.at:%H:%M}Z "
            f"({plural(len(sent.message), 'character')})",
            markup=False,
            timeout=4,
        )


def parse_minutes(text: str) -> int | None:
    """``""``: the playbook's default (None); ``off``/``0``: none scheduled; else minutes."""
    t = text.strip().lower().removesuffix("min").removesuffix("m").strip()
    if not t:
        return None
    if t in ("off", "none", "0"):
        return 0
    if not (t.isascii() and t.isdigit()) or not 0 < int(t) <= 24 * 60:
        raise InvalidInput(
            f"{text.strip()!r}: give minutes from 1 to 1440, 'off', or "
            "nothing for the playbook's default"
        )
    return int(t)


class CadenceDialog(ModalScreen[dict[str, int | None] | None]):
    """How often each audience gets an update at the incident's current severity.

    Dismissed with the audiences whose setting changed: minutes, 0 (off) or None (the
    playbook's default)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, state: IncidentState) -> None:
        super().__init__()
        self.state = state
        self.current = dict(state.cadence.get(state.severity.value, {}))

    def compose(self) -> ComposeResult:
        sev = self.state.severity
        default = comms.default_minutes(sev)
        low, high = load_playbook().procedures.status_page_minutes
        with Vertical(classes="dialog", id="cadence-dialog") as box:
            box.border_title = f"Update cadence at {sev.value}"
            yield Label(
                f"Playbook: every {plural(default, 'minute')} at {sev.value}; the status page "
                f"every {low}-{high} minutes. Empty: the playbook's default; off: no "
                "scheduled updates. Other severities keep their own setting."
            )
            for a in comms.AUDIENCES:
                now = comms.cadence_minutes(self.state, a)
                yield Label(
                    f"{comms.AUDIENCE_LABELS[a]} "
                    f"(now: {'every ' + plural(now, 'minute') if now else 'off'})"
                )
                value = self.current.get(a)
                yield Field(
                    "" if value is None else ("off" if value == 0 else str(value)),
                    placeholder=f"{default} (playbook)",
                    id=f"cadence-{a}",
                    max_length=8,
                )
            yield Label("Enter saves · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(f"#cadence-{comms.AUDIENCES[0]}", Input).focus()

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        event.stop()
        changes: dict[str, int | None] = {}
        for a in comms.AUDIENCES:
            try:
                minutes = parse_minutes(self.query_one(f"#cadence-{a}", Input).value)
            except InvalidInput as e:
                self.notify(f"{comms.AUDIENCE_LABELS[a]}: {e}", severity="warning", markup=False)
                return
            if minutes != self.current.get(a):
                changes[a] = minutes
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WriteFileDialog(ModalScreen[str | None]):
    """The file a draft is written to (created owner-only; an existing file is kept)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str, what: str) -> None:
        super().__init__()
        self.default = default
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="file-dialog") as box:
            box.border_title = "Write draft to a file"
            yield Label(Content(f"The {self.what} draft, as a new file readable only by you"))
            yield Field(self.default, id="file-path", max_length=4096)
            yield Label("Enter writes · Escape cancels", classes="dialog-hint")

    @on(Input.Submitted)
    def _write(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
