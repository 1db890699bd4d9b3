"""What the source runner says and knows when a log source runs again: why (on attach, or
taken over from a console that went away), the marker line it puts in the pane and the
capture, and where a grep resumes so that the matches it captured are not shown again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from incident.errors import WarroomError
from incident.sanitize import visible

if TYPE_CHECKING:
    from incident.grep_lines import ResumePoints
    from incident.ports import Holder
    from incident.state import SourceState
    from session.session import IncidentSession

LEFT_RUNNING = "on attach: it was running when its console went away"


def taken_over(holder: Holder) -> str:
    who = f"{holder.actor}'s console" if holder.actor else "the console"
    where = f"pid {holder.pid} on {holder.host}" if holder.host else f"pid {holder.pid}"
    return f"taken over: {who} that ran it ({where}) went away"


def restart_marker(at: datetime, reason: str | None, *, resumed: bool) -> str:
    """``⟳ restarted 2026-12-05 19:05:47 UTC, on attach: ...``: a line of the source's own."""
    text = f"⟳ restarted {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, {reason or 'run again'}"
    if resumed:
        text += "; the matches captured before are not shown again"
    return visible(text)


async def resume_points(session: IncidentSession, src: SourceState) -> ResumePoints | None:
    """A grep run again resumes, file by file, after the matches it captured (else it
    shows every one of them again as new lines); None for a command."""
    journal, incident_id = session.journal, session.incident_id
    if src.spec.kind != "grep" or journal is None or incident_id is None:
        return None
    try:
        return await journal.captures.grep_resume_points(incident_id, src.id)
    except WarroomError:
        return None  # (the store cannot say: every match again, after the marker)
