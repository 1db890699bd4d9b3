"""The notification checklist: who the playbook says must be told at this severity.

SEV-1: all hands and executives; SEV-2: core team and stakeholders; SEV-3: the standard team
(the ``notify`` lists of the playbook). Space or enter on a party asks the screen to tick it
(it offers the emergency contacts to say who was reached) or to untick it; the box shows
ticked only once the store has the ``notify`` event.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from incident.comms import NoticeItem, notify_checklist
from incident.sanitize import visible
from incident.state import IncidentState


def item_prompt(item: NoticeItem) -> Content:
    box = ("☑ ", "bold $success") if item.done else ("☐ ", "bold $warning")
    parts: list = [box, (item.party, "bold" if item.required else "dim")]
    tick = item.tick
    if tick is not None and tick.done:
        who = f" via {visible(tick.contact)}" if tick.contact else ""
        parts.append((f"  {tick.at:%H:%M}Z{who}", "dim"))
    if not item.required:
        parts.append(("  (another severity)", "dim italic"))
    return Content.assemble(*parts)


class NotifyList(OptionList):
    """The parties to notify, ticked or not."""

    BINDINGS = [
        Binding(
            "space",
            "toggle",
            "Tick / untick",
            tooltip="A party of the notification checklist (enter too)",
        )
    ]

    state: reactive[IncidentState | None] = reactive(None, always_update=True)

    @dataclass
    class Toggled(Message):
        """Tick (``done``) or untick ``party``."""

        party: str
        done: bool

    def watch_state(self) -> None:
        s = self.state
        if s is None:
            return
        items = notify_checklist(s)
        keep = self.highlighted
        self._items = items
        self.clear_options()
        self.add_options([Option(item_prompt(i), id=f"n{n}") for n, i in enumerate(items)])
        if items:
            self.highlighted = min(keep or 0, len(items) - 1)
        self.border_title = f"Notify ({s.severity.value})"

    def action_toggle(self) -> None:
        n = self.highlighted
        items = getattr(self, "_items", [])
        if n is not None and n < len(items):
            self.post_message(self.Toggled(items[n].party, not items[n].done))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle()
