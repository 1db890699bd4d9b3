"""What a person can do to the timeline's entries, as functions that return journal events:
pin a log line as evidence, correct or retract an entry (the original stays in the journal).

Like ``incident/commands.py``, nothing here saves anything: the caller hands the event to a
:class:`incident.ports.Journal`.
"""

from __future__ import annotations

from datetime import datetime

from incident.checks import checked_text as _text
from incident.clock import Clock
from incident.commands import new_event
from incident.errors import InvalidInput
from incident.journal import Edit, Event, Evidence
from incident.state import IncidentState


def pin(
    clock: Clock,
    state: IncidentState,
    evidence: Evidence,
    *,
    owner: str = "",
    note_text: str | None = None,
) -> Event:
    line = evidence.line if len(evidence.line) <= 200 else evidence.line[:199] + "…"
    return new_event(
        clock,
        state.id,
        note_text or f"Evidence from {evidence.source}: {line}",
        evidence,
        action="Pinned as evidence",
        owner=owner,
    )


def correct(
    clock: Clock,
    state: IncidentState,
    target: Event,
    *,
    text: str | None = None,
    action: str | None = None,
    owner_field: str | None = None,
    occurred_at: datetime | None = None,
    retract: bool = False,
    owner: str = "",
) -> Event:
    """A correction of ``target``: the original stays in the journal, the timeline shows this."""
    if target.id is None or target.incident_id != state.id:
        raise InvalidInput("only a saved event of this incident can be corrected")
    if target.kind.value == "edit":
        raise InvalidInput("correct the original entry, not a correction")
    if (
        not retract
        and text is None
        and action is None
        and owner_field is None
        and occurred_at is None
    ):
        raise InvalidInput("a correction needs a new value or a retraction")
    # an empty text is refused (retract instead); an empty action or owner clears that column
    payload = Edit(
        text=_text(text, "the text") if text is not None else None,
        action=_text(action, "the action", required=False) if action is not None else None,
        owner=_text(owner_field, "the owner", limit=200, required=False)
        if owner_field is not None
        else None,
        occurred_at=occurred_at,
        retracted=retract,
    )
    verb = "Retracted" if retract else "Corrected"
    return new_event(
        clock,
        state.id,
        f"{verb} entry #{target.id}",
        payload,
        action="Timeline corrected",
        owner=owner,
        corrects=target.id,
    )
