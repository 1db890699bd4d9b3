"""The comms pane: the playbook's three messages as drafts, and the update countdown.

A draft starts from its template filled from the incident (unknown facts stay as visible
``[placeholders]``), is edited in place, and is autosaved as you type. Sending records the
exact text on the timeline and restarts the cadence.
"""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, Select, TextArea

from incident.comms import TEMPLATES, due_state, next_update_due, render
from incident.state import IncidentState
from incident.timeparse import clock_delta

LABELS = {"initial": "Initial response", "progress": "Progress update",
          "resolution": "Resolution notice"}
AUDIENCE = "status-page"


class CommsPane(Vertical):
    """Drafts of the initial, progress and resolution messages."""

    ALLOW_MAXIMIZE = True
    BORDER_TITLE = "Comms"
    BINDINGS = [
        Binding("ctrl+s", "send", "Mark sent"),
        Binding("ctrl+r", "reset", "From template"),
    ]

    state: reactive[IncidentState | None] = reactive(None, always_update=True)
    now: reactive[datetime | None] = reactive(None, always_update=True)

    class DraftChanged(Message):
        """The text of a draft changed: autosave it under ``key``."""

        def __init__(self, key: str, text: str) -> None:
            super().__init__()
            self.key = key
            self.text = text

    class Send(Message):
        """Record ``text`` as sent to ``audience``."""

        def __init__(self, audience: str, template: str, text: str) -> None:
            super().__init__()
            self.audience = audience
            self.template = template
            self.text = text

    def __init__(self, drafts: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._drafts = dict(drafts or {})
        self._template = "initial"
        self._loading = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="comms-head"):
            yield Select([(LABELS[t], t) for t in TEMPLATES], value="initial",
                         allow_blank=False, id="comms-template", compact=True)
            yield Label(id="comms-due")
        yield TextArea(id="comms-draft", soft_wrap=True, show_line_numbers=False)

    def key_for(self, template: str) -> str:
        return f"comms.{AUDIENCE}.{template}"

    def on_mount(self) -> None:
        self._load()

    def watch_state(self) -> None:
        if self.is_mounted and self.key_for(self._template) not in self._drafts:
            self._load()  # an untouched draft follows the incident (service, root cause...)
        self._countdown()

    def watch_now(self) -> None:
        if self.is_mounted and not self.query_one(TextArea).text:
            self._load()
        self._countdown()

    def _countdown(self) -> None:
        s, now = self.state, self.now
        if s is None or now is None or not self.is_mounted:
            return
        label = self.query_one("#comms-due", Label)
        due = next_update_due(s)
        state = due_state(due, now)
        if due is None:
            label.update(Content("resolved: no updates due"))
        elif state == "overdue":
            label.update(Content(f"OVERDUE {clock_delta(now - due)} (was due {due:%H:%M}Z)"))
        else:
            label.update(Content(f"next {due:%H:%M}Z, in {clock_delta(due - now)}"))
        label.set_classes(f"-{state}")

    def _load(self) -> None:
        s, now = self.state, self.now
        if s is None or now is None:
            return
        key = self.key_for(self._template)
        text = self._drafts.get(key)
        if text is None:
            text = render(self._template, s, now, local=getattr(self.app, "local_tz", None))
        area = self.query_one(TextArea)
        if area.text != text:
            self._loading = True
            area.load_text(text)

    @on(Select.Changed, "#comms-template")
    def _template_changed(self, event: Select.Changed) -> None:
        self._template = str(event.value)
        self._load()

    @on(TextArea.Changed)
    def _edited(self, event: TextArea.Changed) -> None:
        if self._loading:
            self._loading = False
            return
        key = self.key_for(self._template)
        self._drafts[key] = event.text_area.text
        self.post_message(self.DraftChanged(key, event.text_area.text))

    def action_send(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if text:
            self.post_message(self.Send(AUDIENCE, self._template, text))

    def sent(self, template: str) -> None:
        """The store recorded the update: the draft starts afresh from its template."""
        key = self.key_for(template)
        self._drafts.pop(key, None)
        # Called from the screen's handler: without this sender the message would stop at
        # the screen (Textual does not bubble past the sender) and the app would keep the
        # sent text as the draft.
        self.post_message(self.DraftChanged(key, "").set_sender(self))
        self._load()

    def action_reset(self) -> None:
        key = self.key_for(self._template)
        self._drafts.pop(key, None)
        self.post_message(self.DraftChanged(key, ""))
        self._load()
