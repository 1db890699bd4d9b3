"""Review's ``g``: from an evidence entry to the moment its line says it happened.

The review's cursor is per timeline entry, and the state it shows is the fold of the journal
up to a moment. ``g`` on a pinned log line takes the line's own time (UTC, read in the zone
the line names or its source's): the timeline's cursor goes to the last entry at or before
that time, and the state, checklist and captured output show the incident at the line time
itself, until the cursor moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident.evidence_text import utc_text, zone_note
from incident.journal import Evidence, TimelineEntry
from tui.widgets.timeline import TimelinePane


@dataclass(frozen=True)
class Jump:
    evidence_id: int
    row_id: int  # the entry the cursor goes to: the last at or before ``at`` (or the first)
    at: datetime  # the line time
    said: str  # what the review says of it (plain text: it holds journal text)


def line_time_jump(pane: TimelinePane) -> Jump | str:
    """Where ``g`` goes from the selected entry; a string says why it cannot."""
    entry = pane.selected()
    if not isinstance(entry, TimelineEntry) or not isinstance(entry.event.payload, Evidence):
        return "g works on an evidence entry: it moves to the time its pinned line says"
    evidence = entry.event.payload
    at = evidence.line_time
    if at is None:
        return f"Evidence #{entry.id}: its line has no time of its own; nothing to move to"
    rows = pane.table.rows
    shown = [r for r in pane.entries if str(r.id) in rows]
    before = [r for r in shown if r.occurred_at <= at]
    target = before[-1] if before else shown[0]
    where = (
        f"the cursor is on the last entry at or before it, #{target.id}"
        if before
        else f"that is before the first entry, #{target.id}"
    )
    return Jump(
        entry.id,
        target.id,
        at,
        f"At the line time of evidence #{entry.id}, {utc_text(at)} ({zone_note(evidence)}): "
        f"the incident as it was then; {where}",
    )
