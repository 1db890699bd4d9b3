"""The status bar: the incident at a glance, always on screen.

``INC-7  SEV-1  🚨 ACTIVE  ⏱ 0:42:13  P2 Root Cause 12:03/30m  ✉ exec 03:12  Title…``

The update countdown is the most urgent audience's (status page, internal, executives).
It stays one line at every width, with the title on it: when the whole does not fit, the
parts give way in order (``GIVE_WAY``): the phase gets shorter, the elapsed time goes, the
phase shrinks to its number, an update not yet late goes (a late one keeps "OVERDUE"), the
incident number goes, then the phase. Severity, status, an overdue update, READ-ONLY and
the title (at least ``TITLE_MIN`` cells of it) stay.

One widget drawing one ``Content`` (it is redrawn every second, and is part of the first
frame): each part is plain text (the title is untrusted and never markup) with a style
made of theme variables, so severity, status, the phase budget and the update countdown
take the theme's colours. ``parts`` holds what is shown, by name, with its state class.

While the store is a server that cannot be reached (``link`` holds why), the title gives
way to ``UNREACHABLE`` on the warning colour (``UNREACHABLE_SHORT`` where narrow): the IC
knows at once that what they type is kept but not saved yet; it goes when the server is back.

It draws a :class:`~incident.glance.Glance` (plain values): in the first frame one read back
from the store, before the domain is loaded; from then on the one of the folded ``state``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from incident.glance import Glance, due_state
from incident.glance_of import glance_of
from incident.sanitize import visible
from incident.timeparse import clock_delta

if TYPE_CHECKING:
    from incident.state import IncidentState


class Part(NamedTuple):
    text: str
    state: str = ""  # "-sev1", "-status-active", "-over", "-soon", "-overdue", "-readonly"


STYLES = {  # by part, then by state; solid blocks read well on a projector
    "id": {"": "bold"},
    "sev": {f"-sev{n}": f"bold $sev-text on $sev{n}" for n in (1, 2, 3)},
    "status": {f"-status-{s}": f"bold $status-{s}" for s in ("active", "mitigated", "resolved")},
    "phase": {"-over": "bold $sev-text on $overdue"},
    "update": {
        "-soon": "bold $due-soon",
        "-overdue": "bold blink $sev-text on $overdue",
        "-owed": "bold $due-soon",
    },
    "mode": {"-readonly": "bold $sev-text on $warning"},
    "title": {"-down": "bold $sev-text on $warning"},
}
UNREACHABLE = (
    "⚠ server unreachable, retrying: your typing is kept; nothing unsaved is shown as saved"
)
UNREACHABLE_SHORT = "⚠ server unreachable, retrying"
ROW = ("id", "sev", "status", "elapsed", "phase", "update")
GIVE_WAY = ("phase", "elapsed", "phase", "update", "id", "phase")
"""What gives way, in order, each time to its next shorter form, when the line is too long."""
TITLE_MIN = 16  # cells of the title kept when the rest gives way (or all of a shorter one)


class StatusBar(Widget):
    """One line: id, severity, status, elapsed, phase budget, next update, title, and
    READ-ONLY in review; the less urgent parts give way when it is narrow."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    """

    state: reactive[IncidentState | None] = reactive(None, always_update=True)
    """The folded incident: setting it sets ``glance``."""
    glance: reactive[Glance | None] = reactive(None, always_update=True)
    """What is drawn."""
    now: reactive[datetime | None] = reactive(None, always_update=True)
    link: reactive[str | None] = reactive(None)
    """Why the store (a server) cannot be reached now; None while it can."""

    def __init__(self, *, read_only: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.read_only = read_only
        self.parts: dict[str, Part] = {}
        self.shorter: dict[str, tuple[str, ...]] = {}
        """Each part's shorter forms, shortest last ("": left out), for a narrow line."""

    def watch_state(self, state: IncidentState | None) -> None:
        if state is not None:
            self.glance = glance_of(state, state.last_event_id)

    def watch_glance(self) -> None:
        self._update_parts()

    def watch_now(self) -> None:
        self._update_parts()

    def watch_link(self) -> None:
        self._update_parts()

    def _update_parts(self) -> None:
        g, now = self.glance, self.now
        if g is None or now is None:
            return
        parts = {
            "id": Part(g.number),
            "sev": Part(g.severity, f"-sev{g.severity_rank}"),
            "status": Part(f"{g.status_emoji} {g.status}", f"-status-{g.status.lower()}"),
            "elapsed": Part(f"⏱ {clock_delta(g.clock_at(now) - g.started_at)}"),
        }
        spent = g.clock_at(now) - g.phase_started_at  # (both stop at the resolution)
        number = f"P{g.phase_number}"
        text, short, state = f"{number} {g.phase_name} {clock_delta(spent)}", "", ""
        if g.phase_budget_minutes:
            over = spent - timedelta(minutes=g.phase_budget_minutes)
            text += f"/{g.phase_budget_minutes}m"
            short = f"{number} {clock_delta(spent)}/{g.phase_budget_minutes}m"
            if over.total_seconds() > 0:
                text += f" +{clock_delta(over)} over"
                short = f"{number} +{clock_delta(over)} over"
                state = "-over"
        parts["phase"] = Part(text, state)
        shorter = {
            "id": ("",),
            "elapsed": ("",),
            "phase": (short or number, f"{number} over" if state else number, ""),
        }
        due = g.update_due  # the audience whose update is due first
        if g.resolution_owed:
            parts["update"] = Part(f"✉ resolution owed: {', '.join(g.resolution_owed)}", "-owed")
            shorter["update"] = ("✉ resolution owed", "✉ owed")  # (never left out)
        elif due is None or g.update_short is None:
            parts["update"] = Part("✉ no updates due")
            shorter["update"] = ("",)
        elif (urgency := due_state(due, now)) == "overdue":
            parts["update"] = Part(
                f"✉ {g.update_short} OVERDUE {clock_delta(now - due)}", "-overdue"
            )
            shorter["update"] = (f"✉ {g.update_short} OVERDUE",)  # (never left out)
        else:
            parts["update"] = Part(
                f"✉ {g.update_short} {clock_delta(due - now)}", "-soon" if urgency == "soon" else ""
            )
            shorter["update"] = ("",)
        self.shorter = shorter
        parts["title"] = Part(UNREACHABLE, "-down") if self.link else Part(visible(g.title))
        read_only = self.read_only
        parts["mode"] = Part("READ-ONLY" if read_only else "", "-readonly" if read_only else "")
        if parts != self.parts:
            self.parts = parts
            self.refresh()

    def _piece(self, name: str, text: str | None = None) -> Content:
        own, state = self.parts[name]
        text = own if text is None else text
        if not text:
            return Content("")
        style = STYLES.get(name, {}).get(state, "")
        return Content.styled(f" {text} ", style) if style else Content(f" {text} ")

    def fitted(self, width: int) -> dict[str, str]:
        """The text of each part of the row at ``width`` cells ("": left out): the parts
        give way (``GIVE_WAY``) until the row leaves the title ``TITLE_MIN`` cells."""
        texts = {name: self.parts[name].text for name in ROW}
        title = self.parts["title"].text
        mode = self.parts["mode"].text
        need = min(TITLE_MIN, len(title) + 1) + (len(mode) + 2 if mode else 0)
        if self.parts["title"].state == "-down":  # (the warning's short form must fit)
            need += Content(f" {UNREACHABLE_SHORT} ").cell_length - TITLE_MIN
        taken = dict.fromkeys(ROW, 0)  # how many of its shorter forms each part took

        def length() -> int:
            return sum(Content(f" {t} ").cell_length for t in texts.values() if t)

        for name in GIVE_WAY:
            if length() + need <= width:
                break
            forms = self.shorter.get(name, ())
            if taken[name] < len(forms):
                texts[name] = forms[taken[name]]
                taken[name] += 1
        return texts

    def render(self) -> Content:
        if not self.parts:
            return Content("")
        width = self.size.width
        texts = self.fitted(width)
        row = Content("").join(self._piece(name, texts[name]) for name in ROW)
        mode = self._piece("mode") if self.parts["mode"].text else Content("")
        room = max(0, width - row.cell_length - mode.cell_length)
        own = self.parts["title"].text
        if self.parts["title"].state == "-down" and Content(f" {own} ").cell_length > room:
            own = UNREACHABLE_SHORT
        title = self._piece("title", own) if self.link else Content(f" {own}")
        return row + title.truncate(room, ellipsis=True, pad=True) + mode
