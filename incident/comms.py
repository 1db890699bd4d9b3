"""Communication drafts from the playbook's templates, and the update cadence.

A placeholder whose value is not known stays visible as ``[service]``, ``[issue]`` or
``[time]``: a draft never invents a fact, and the IC sees what is left to fill in.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from incident.playbook import load_playbook
from incident.state import IncidentState

TEMPLATES = ("initial", "progress", "resolution")
AUDIENCES = ("status-page", "internal", "executives")
WARN_BEFORE = timedelta(minutes=3)


def cadence(state: IncidentState) -> timedelta:
    """How often updates are due at the incident's current severity."""
    return timedelta(minutes=load_playbook().severity(state.severity).update_minutes)


def next_update_due(state: IncidentState, audience: str | None = None) -> datetime | None:
    """When the next update is due: the last one sent (or the declaration) plus the cadence.

    A resolved incident owes no more updates.
    """
    if state.status.value == "RESOLVED":
        return None
    last = state.last_sent(audience)
    since = last.at if last else state.declared_at
    return since + cadence(state)


def due_state(due: datetime | None, now: datetime) -> str:
    """``none``, ``ok``, ``soon`` (within three minutes) or ``overdue``."""
    if due is None:
        return "none"
    if now >= due:
        return "overdue"
    if due - now <= WARN_BEFORE:
        return "soon"
    return "ok"


def _hhmm(at: datetime, local: tzinfo | None) -> str:
    utc = f"{at:%H:%M} UTC"
    if local is None:
        return utc
    there = at.astimezone(local)
    if there.utcoffset() == timedelta(0):
        return utc
    return f"{utc} ({there:%H:%M} {there.tzname() or 'local'})"


def render(template: str, state: IncidentState, now: datetime, *,
           eta: str | None = None, local: tzinfo | None = None,
           text: str | None = None) -> str:
    """A draft of ``template`` for ``state``; ``text`` overrides the playbook template."""
    body = text if text is not None else getattr(load_playbook().templates, template)
    values = {
        "[service]": state.service,
        "[issue]": state.root_cause.what,
        "[time]": eta,
    }
    for placeholder, value in values.items():
        if value:
            body = body.replace(placeholder, value)
    if template != "resolution":
        # Sending this draft restarts the cadence, so the promise is counted from now.
        nxt = (now + cadence(state)).replace(second=0, microsecond=0) + timedelta(minutes=1)
        body += f" Next update by {_hhmm(nxt, local)}."
    return body
