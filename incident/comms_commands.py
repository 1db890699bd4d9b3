"""What a person can do about an incident's communications, as functions that return
journal events: an update sent to an audience, a party notified, an update cadence set.

Like ``incident/commands.py``, nothing here saves anything: the caller hands the event to a
:class:`incident.ports.Journal`. What is due when is ``incident/comms.py``.
"""

from __future__ import annotations

from incident import comms
from incident.checks import checked_text as _text
from incident.clock import Clock
from incident.commands import new_event
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import CadenceSet, CommsSent, Event, Notified
from incident.model import Severity
from incident.playbook import load_playbook
from incident.state import IncidentState
from incident.words import plural


def send_update(
    clock: Clock,
    state: IncidentState,
    audience: str,
    message: str,
    *,
    template: str | None = None,
    owner: str = "",
    unfilled_ok: bool = False,
) -> Event:
    """``message`` recorded as sent to ``audience``. A message that still holds
    ``[placeholders]`` (a fact the draft did not know) is refused unless ``unfilled_ok``:
    the person sending it has seen them and confirmed."""
    message = _text(message, "the message")
    left = comms.unfilled(message)
    if left and not unfilled_ok:
        raise InvalidInput(
            f"the message still holds {comms.named(left)} unfilled: fill "
            f"{'it' if len(left) == 1 else 'them'} in, or confirm sending it as it is"
        )
    return new_event(
        clock,
        state.id,
        f"Update sent to {audience}",
        CommsSent(audience=audience, template=template, message=message),
        action=message,
        owner=owner,
    )


def notify(
    clock: Clock,
    state: IncidentState,
    party: str,
    done: bool = True,
    *,
    contact: str | None = None,
    owner: str = "",
) -> Event:
    party = _text(party, "the party", limit=200)
    return new_event(
        clock,
        state.id,
        f"{'Notified' if done else 'Un-notified'}: {party}",
        Notified(party=party, done=done, contact=contact),
        action=f"Contacted {contact}" if contact else "Notification checklist",
        owner=owner,
    )


def set_cadence(
    clock: Clock,
    state: IncidentState,
    audience: str,
    minutes: int | None,
    *,
    severity: Severity | None = None,
    owner: str = "",
) -> Event:
    """Updates to ``audience`` every ``minutes`` at ``severity`` (default: the current one) in
    this incident; 0: none scheduled; None: back to the playbook's default."""
    if audience not in comms.AUDIENCES:
        raise InvalidInput(f"unknown audience {audience!r}: use " + ", ".join(comms.AUDIENCES))
    if minutes is not None and not 0 <= minutes <= 24 * 60:
        raise InvalidInput("the cadence is a number of minutes from 0 (none) to 1440")
    sev = severity or state.severity
    current = state.cadence.get(sev.value, {}).get(audience)
    if current == minutes:
        raise InvalidTransition(f"the cadence for {audience} at {sev.value} is already that")
    default = comms.default_minutes(sev)
    label = comms.AUDIENCE_LABELS[audience]
    if minutes is None:
        what = f"back to the playbook's {plural(default, 'minute')}"
    elif minutes == 0:
        what = "no scheduled updates"
    else:
        what = f"every {plural(minutes, 'minute')}"
    low, high = load_playbook().procedures.status_page_minutes
    action = f"Playbook default: every {plural(default, 'minute')}"
    if audience == "status-page" and minutes and not low <= minutes <= high:
        action += f" (status page: every {low}-{high} minutes)"
    return new_event(
        clock,
        state.id,
        f"Update cadence for {label} at {sev.value}: {what}",
        CadenceSet(audience=audience, severity=sev, minutes=minutes),
        action=action,
        owner=owner,
    )
