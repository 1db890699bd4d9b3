"""The incident's facts as they stand, kept current during the response: title, service,
impact, how it was detected, the status page link, the root cause as known so far, the ETA
of the fix and the incident commander.

:func:`edit` turns a set of changes into journal events, one per fact that changed (a
``field`` event, or a ``participant`` event for the commander): the old values stay in the
journal and the fold shows the latest. Everything is checked before anything is built, so a
bad value changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from incident import commands
from incident.checks import checked_text, checked_url
from incident.clock import Clock
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import Event
from incident.state import IncidentState, apply

# fact -> (the incident field it sets, its label); in the order the CLI and the dialog list them
FACTS: dict[str, tuple[str, str]] = {
    "title": ("title", "Title"),
    "service": ("service", "Service"),
    "impact": ("impact", "Impact"),
    "detected_by": ("detected_by", "Detected by"),
    "status_page": ("status_page_url", "Status page link"),
    "root_cause": ("root_cause.what", "Root cause"),
    "eta": ("eta", "ETA"),
    "commander": ("commander", "Commander"),
}
LIMITS = {"title": commands.MAX_TITLE, "commander": 200}


def current(state: IncidentState, fact: str) -> str | None:
    """The fact's value as the incident stands (None: not known)."""
    if fact == "commander":
        return state.commander
    group, _, name = FACTS[fact][0].partition(".")
    value = getattr(state, group)
    return getattr(value, name) if name else value


def checked(fact: str, value: str) -> str:
    """The value to record for ``fact``, or :class:`InvalidInput` saying why not."""
    if fact not in FACTS:
        raise InvalidInput(f"unknown fact {fact!r}: use one of {', '.join(FACTS)}")
    what = FACTS[fact][1].lower()
    if fact == "status_page":
        return checked_url(value, f"the {what}")
    return checked_text(value, f"the {what}", limit=LIMITS.get(fact, 2_000))


def edit(
    clock: Clock, state: IncidentState, changes: Mapping[str, str], *, owner: str = ""
) -> list[Event]:
    """An event for each fact in ``changes`` whose value differs from the current one.

    No change, an unknown fact, an empty or bad value: :class:`InvalidInput`; values that
    are all as they already stand: :class:`InvalidTransition`. Either way, no event.
    """
    if not changes:
        raise InvalidInput("nothing to change: give at least one fact, e.g. --service NAME")
    values = {fact: checked(fact, value) for fact, value in changes.items()}
    work = state.model_copy(deep=True)  # each event is built on the one before it
    events = []
    for fact in (f for f in FACTS if f in values):
        value = values[fact]
        if value == current(work, fact):
            continue
        if fact == "commander":
            event = commands.assign(clock, work, value, "commander", owner=owner)
        else:
            event = commands.set_field(clock, work, FACTS[fact][0], value, owner=owner)
        apply(work, event)
        events.append(event)
    if not events:
        raise InvalidTransition(f"nothing changed: {state.number} already has these values")
    return events
