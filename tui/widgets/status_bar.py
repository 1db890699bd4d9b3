"""The status bar: the incident at a glance, always on screen.

``INC-7  SEV-1  🚨 ACTIVE  ⏱ 0:42:13  P2 Root Cause 12:03/30m  ✉ exec 03:12  Title…``

The update countdown is the most urgent audience's (status page, internal, executives).
Below 100 columns the title gets a second line of its own.

One widget drawing one ``Content`` (it is redrawn every second, and is part of the first
frame): each part is plain text (the title is untrusted and never markup) with a style
made of theme variables, so severity, status, the phase budget and the update countdown
take the theme's colours. ``parts`` holds what is shown, by name, with its state class.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from incident.comms import most_urgent
from incident.playbook import load_playbook
from incident.sanitize import visible
from incident.state import IncidentState
from incident.timeparse import clock_delta


class Part(NamedTuple):
    text: str
    state: str = ""  # "-sev1", "-status-active", "-over", "-soon", "-overdue", "-readonly"


STYLES = {  # by part, then by state; solid blocks read well on a projector
    "id": {"": "bold"},
    "sev": {f"-sev{n}": f"bold $sev-text on $sev{n}" for n in (1, 2, 3)},
    "status": {f"-status-{s}": f"bold $status-{s}" for s in ("active", "mitigated",
                                                              "resolved")},
    "phase": {"-over": "bold $sev-text on $overdue"},
    "update": {"-soon": "bold $due-soon", "-overdue": "bold blink $sev-text on $overdue"},
    "mode": {"-readonly": "bold $sev-text on $warning"},
}
ROW = ("id", "sev", "status", "elapsed", "phase", "update")


class StatusBar(Widget):
    """One line (two when narrow): id, severity, status, elapsed, phase budget, next
    update, title, and READ-ONLY in review."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar.-narrow { height: 2; }
    """
    NARROW = 100  # below this width the title gets a line of its own

    state: reactive[IncidentState | None] = reactive(None, always_update=True)
    now: reactive[datetime | None] = reactive(None, always_update=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.parts: dict[str, Part] = {}

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < self.NARROW, "-narrow")  # before the first layout

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")

    def watch_state(self) -> None:
        self._update_parts()

    def watch_now(self) -> None:
        self._update_parts()

    def _update_parts(self) -> None:
        s, now = self.state, self.now
        if s is None or now is None:
            return
        parts = {"id": Part(s.number),
                 "sev": Part(s.severity.value, f"-sev{s.severity.rank}"),
                 "status": Part(f"{s.status.emoji} {s.status.value}",
                                f"-status-{s.status.value.lower()}"),
                 "elapsed": Part(f"⏱ {clock_delta(now - s.started_at)}")}
        phase = load_playbook().phase(s.phase)
        spent = now - s.phase_started_at
        text, state = f"P{phase.number} {phase.name.split(' ')[0]} {clock_delta(spent)}", ""
        if phase.budget_minutes:
            over = spent - timedelta(minutes=phase.budget_minutes)
            text += f"/{phase.budget_minutes}m"
            if over.total_seconds() > 0:
                text += f" +{clock_delta(over)} over"
                state = "-over"
        parts["phase"] = Part(text, state)
        urgent = most_urgent(s, now)  # the audience whose update is due first
        if urgent is None or urgent.due is None:
            parts["update"] = Part("✉ no updates due")
        elif urgent.state == "overdue":
            parts["update"] = Part(f"✉ {urgent.short} OVERDUE {clock_delta(now - urgent.due)}",
                                   "-overdue")
        else:
            parts["update"] = Part(f"✉ {urgent.short} {clock_delta(urgent.due - now)}",
                                   "-soon" if urgent.state == "soon" else "")
        parts["title"] = Part(visible(s.title))
        read_only = bool(getattr(self.app, "read_only", False))
        parts["mode"] = Part("READ-ONLY" if read_only else "", "-readonly" if read_only else "")
        if parts != self.parts:
            self.parts = parts
            self.refresh()

    def _piece(self, name: str) -> Content:
        text, state = self.parts[name]
        style = STYLES.get(name, {}).get(state, "")
        return Content.styled(f" {text} ", style) if style else Content(f" {text} ")

    def render(self) -> Content:
        if not self.parts:
            return Content("")
        width = self.size.width
        row = Content("").join(self._piece(name) for name in ROW)
        mode = self._piece("mode") if self.parts["mode"].text else Content("")
        title = Content(f" {self.parts['title'].text}")
        if width < self.NARROW:  # the title on a line of its own
            gap = max(0, width - row.cell_length - mode.cell_length)
            return Content("\n").join([row + Content(" " * gap) + mode,
                                       title.truncate(width, ellipsis=True)])
        room = max(0, width - row.cell_length - mode.cell_length)
        return row + title.truncate(room, ellipsis=True, pad=True) + mode
