"""The status bar: the incident at a glance, always on screen.

``INC-7  SEV-1  🚨 ACTIVE  ⏱ 0:42:13  P2 Root Cause 12:03/30m  ✉ exec 03:12  Title…``

The update countdown is the most urgent audience's (status page, internal, executives).

Severity, status, the phase budget and the update countdown take theme colours through CSS
classes; the title is untrusted text and is shown as plain text, never markup.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Label

from incident.comms import most_urgent
from incident.playbook import load_playbook
from incident.sanitize import visible
from incident.state import IncidentState
from incident.timeparse import clock_delta


class StatusBar(Vertical):
    """One line: id, severity, status, elapsed, phase budget, next update, title."""

    DEFAULT_CSS = """
    StatusBar { height: auto; background: $panel; }
    StatusBar Horizontal { height: 1; }
    StatusBar Label { padding: 0 1; height: 1; }
    StatusBar .sb-title { width: 1fr; text-overflow: ellipsis; text-wrap: nowrap; }
    StatusBar #sb-row2 { display: none; }
    StatusBar.-narrow #sb-row2 { display: block; }
    StatusBar.-narrow #sb-title { display: none; }
    """
    NARROW = 100  # below this width the title gets a line of its own

    state: reactive[IncidentState | None] = reactive(None, always_update=True)
    now: reactive[datetime | None] = reactive(None, always_update=True)

    def compose(self) -> ComposeResult:
        with Horizontal(id="sb-row1"):
            for part in ("id", "sev", "status", "elapsed", "phase", "update", "title", "mode"):
                yield Label(id=f"sb-{part}", classes="sb-title" if part == "title" else "")
        with Horizontal(id="sb-row2"):
            yield Label(id="sb-title2", classes="sb-title")

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")

    def watch_state(self) -> None:
        self._render_parts()

    def watch_now(self) -> None:
        self._render_parts()

    def _render_parts(self) -> None:
        s, now = self.state, self.now
        if s is None or now is None or not self.is_mounted:
            return
        self._set("id", s.number, "")
        self._set("sev", s.severity.value, f"-sev{s.severity.rank}")
        self._set("status", f"{s.status.emoji} {s.status.value}",
                  f"-status-{s.status.value.lower()}")
        self._set("elapsed", f"⏱ {clock_delta(now - s.started_at)}", "")
        phase = load_playbook().phase(s.phase)
        spent = now - s.phase_started_at
        text, cls = f"P{phase.number} {phase.name.split(' ')[0]} {clock_delta(spent)}", ""
        if phase.budget_minutes:
            over = spent - timedelta(minutes=phase.budget_minutes)
            text += f"/{phase.budget_minutes}m"
            if over.total_seconds() > 0:
                text += f" +{clock_delta(over)} over"
                cls = "-over"
        self._set("phase", text, cls)
        urgent = most_urgent(s, now)  # the audience whose update is due first
        if urgent is None or urgent.due is None:
            self._set("update", "✉ no updates due", "")
        elif urgent.state == "overdue":
            self._set("update", f"✉ {urgent.short} OVERDUE {clock_delta(now - urgent.due)}",
                      "-overdue")
        else:
            self._set("update", f"✉ {urgent.short} {clock_delta(urgent.due - now)}",
                      "-soon" if urgent.state == "soon" else "")
        self._set("title", visible(s.title), "sb-title")
        self._set("title2", visible(s.title), "sb-title")
        self._set("mode", "READ-ONLY" if getattr(self.app, "read_only", False) else "",
                  "-readonly" if getattr(self.app, "read_only", False) else "")

    def _set(self, part: str, text: str, cls: str) -> None:
        label = self.query_one(f"#sb-{part}", Label)
        label.update(Content(text))  # plain text: a title like "[b]x" stays literal
        label.set_classes(cls)
        if part == "mode":
            label.display = bool(text)
