"""What a live session publishes: a :class:`Change` per fold of the journal, and a
:class:`Problem` the IC must hear about that no verb's caller is waiting for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incident.journal import Event
    from incident.state import IncidentState


@dataclass(frozen=True, slots=True)
class Change:
    """What one fold brought: the state after it, the new events, and whether anything
    but the timeline changed (a note alone changes only the timeline)."""

    state: IncidentState
    events: tuple[Event, ...]
    reshaped: bool


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the IC must hear about that no verb's caller is waiting for."""

    title: str
    text: str
