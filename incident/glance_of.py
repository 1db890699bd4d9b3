"""The glance of a folded incident: :class:`~incident.glance.Glance` made from the state.

Apart from ``incident/glance.py`` because it needs the domain (the playbook, the comms
cadence, the folded state) and ``glance.py`` must not: it is read for the console's first
frame, before the pydantic models are imported, and the journal itself imports it.

The status bar imports this module for that same first frame, so the domain is still
imported inside :func:`glance_of`, on its first call (once a folded state exists).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incident.glance import Glance

if TYPE_CHECKING:
    from incident.state import IncidentState


def glance_of(state: IncidentState, upto: int) -> Glance:
    """The glance of a folded incident (``upto``: its newest state event)."""
    # The domain is imported here, not above: this module is read before it is loaded.
    from incident.comms import AUDIENCE_SHORT, most_urgent, resolution_owed
    from incident.playbook import load_playbook

    phase = load_playbook().phase(state.phase)
    urgent = most_urgent(state, state.started_at)  # which one is due first needs no "now"
    return Glance(
        incident_id=state.id,
        upto=upto,
        title=state.title,
        severity=state.severity.value,
        status=state.status.value,
        status_emoji=state.status.emoji,
        started_at=state.started_at,
        phase_number=phase.number,
        phase_name=phase.name.split(" ")[0],
        phase_budget_minutes=phase.budget_minutes,
        phase_started_at=state.phase_started_at,
        update_short=urgent.short if urgent and urgent.due else None,
        update_due=urgent.due if urgent else None,
        resolved_at=state.resolved_at,
        resolution_owed=tuple(AUDIENCE_SHORT[a] for a in resolution_owed(state)),
    )
