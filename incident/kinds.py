"""The kinds of journal event, and which of them change the incident's state.

Standard library only: ``storage/peek.py`` reads the first frame with these before the
pydantic models are imported.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    DECLARED = "declared"
    NOTE = "note"
    STATUS = "status"
    SEVERITY = "severity"
    PHASE = "phase"
    CHECKLIST = "checklist"
    PARTICIPANT = "participant"
    FIELD = "field"
    ACTION_ITEM = "action_item"
    COMMS = "comms"
    NOTIFY = "notify"
    CADENCE = "cadence"
    COMMAND = "command"
    EVIDENCE = "evidence"
    EDIT = "edit"


# Notes, evidence and edits only add (or correct) timeline rows; every other kind changes
# the state: it is folded (incident.state.fold), and the glance is written with it.
ROW_ONLY_KINDS: frozenset[str] = frozenset(
    k.value for k in (EventKind.NOTE, EventKind.EVIDENCE, EventKind.EDIT)
)
STATE_KINDS: frozenset[str] = frozenset(k.value for k in EventKind) - ROW_ONLY_KINDS
