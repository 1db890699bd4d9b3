"""The phase checklist: the playbook's immediate actions and five phases, as checkboxes.

Each phase shows its lead, supporting roles, time budget and, for the current phase, the
time spent against the budget. Ticking an item (space or enter) asks the app to record a
``checklist`` event; the box shows ticked only once the store has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from incident.model import PhaseId
from incident.playbook import load_playbook
from incident.state import IncidentState
from incident.timeparse import clock_delta


class ChecklistPane(OptionList):
    """Immediate actions and phases; space/enter ticks, ``p`` changes phase."""

    DEFAULT_CSS = "ChecklistPane { padding: 0; }"
    ALLOW_MAXIMIZE = True
    BORDER_TITLE = "Phase checklist"
    BINDINGS = [
        Binding(
            "space",
            "toggle",
            "Tick",
            tooltip="Tick or untick the item (enter too); on a phase heading, move to that phase",
        ),
    ]

    state: reactive[IncidentState | None] = reactive(None, always_update=True)
    now: reactive[datetime | None] = reactive(None, always_update=True)

    @dataclass
    class Toggled(Message):
        """Tick (``done``) or untick a checklist item."""

        pane: ChecklistPane
        item: str
        done: bool

        @property
        def control(self) -> ChecklistPane:
            return self.pane

    @dataclass
    class PhaseChosen(Message):
        """Enter on a phase heading: move the incident to that phase."""

        phase: PhaseId

    def watch_state(self) -> None:
        self._rebuild()

    def on_resize(self) -> None:
        # Lines wrap anew at a new width (the first layout included): keep the item in view.
        self.call_after_refresh(self.scroll_to_highlight)

    def watch_now(self, now: datetime | None) -> None:
        # Each second only the current phase's heading (its budget clock) changes.
        s = self.state
        if s is None or now is None:
            return
        if self.option_count == 0:
            self._rebuild()
            return
        pb = load_playbook()
        phase = pb.phase(s.phase)
        try:
            self.replace_option_prompt(f"h:{phase.id}", self._heading(s, now, phase, phase.number))
        except Exception:
            self._rebuild()

    def _rebuild(self) -> None:
        s, now = self.state, self.now
        if s is None or now is None:
            return
        pb = load_playbook()
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option | None] = [
            Option(
                Content.styled("Immediate actions", "bold $accent"), id="h:immediate", disabled=True
            )
        ]
        for i, a in enumerate(pb.immediate_actions):
            options.append(self._item(s, f"immediate:{i}", f"{a.name} - {a.description}"))
        current = pb.phase(s.phase).number
        for phase in pb.phases:
            options.append(None)
            options.append(Option(self._heading(s, now, phase, current), id=f"h:{phase.id}"))
            for i, action in enumerate(phase.actions):
                options.append(self._item(s, f"{phase.id.value}:{i}", action))
        self.set_options(options)
        self.border_subtitle = f"phase {current}/5"
        if highlighted is None:
            # First view: the first open item of the current phase.
            todo = [
                f"i:{s.phase.value}:{i}"
                for i in range(len(pb.phase(s.phase).actions))
                if not (
                    s.checklist.get(f"{s.phase.value}:{i}")
                    and s.checklist[f"{s.phase.value}:{i}"].done
                )
            ]
            highlighted = todo[0] if todo else f"h:{s.phase.value}"
        if highlighted is not None:
            try:
                self.highlighted = self.get_option_index(highlighted)
            except Exception:
                pass

    def _heading(self, s: IncidentState, now: datetime, phase, current: int) -> Content:
        here = phase.number == current
        marker = "▶" if here else ("✓" if phase.number < current else " ")
        budget = f" · {phase.budget_minutes} min" if phase.budget_minutes else ""
        style = "bold reverse $accent" if here else ("dim" if phase.number < current else "bold")
        parts: list[str | tuple[str, str]] = [
            (f"{marker} {phase.number}. {phase.name}{budget}", style)
        ]
        if here:
            spent = s.clock_at(now) - s.phase_started_at  # (stopped at the resolution)
            over = phase.budget_minutes and spent.total_seconds() > phase.budget_minutes * 60
            parts.append((f"  {clock_delta(spent)}", "bold $error" if over else "$success"))
            if over:
                parts.append((" OVER BUDGET", "bold $error"))
        parts.append(("\n   lead ", "dim"))
        parts.append(phase.lead)
        parts.append(("\n   with ", "dim"))
        parts.append(", ".join(phase.supporting))
        return Content.assemble(*parts)

    def _item(self, s: IncidentState, key: str, label: str) -> Option:
        tick = s.checklist.get(key)
        done = bool(tick and tick.done)
        parts: list[str | tuple[str, str]] = [
            ("  ☑ " if done else "  ☐ ", "$success" if done else ""),
            (label, "dim" if done else ""),
        ]
        if tick and tick.done:
            parts.append((f"  {tick.at:%H:%M}", "dim"))
        return Option(Content.assemble(*parts), id=f"i:{key}")

    def action_toggle(self) -> None:
        option = self.highlighted_option
        if option is None or option.id is None or self.state is None:
            return
        kind, _, key = option.id.partition(":")
        if kind == "i":
            tick = self.state.checklist.get(key)
            self.post_message(self.Toggled(self, key, not (tick and tick.done)))
        elif kind == "h" and key != "immediate":
            self.post_message(self.PhaseChosen(PhaseId(key)))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle()
