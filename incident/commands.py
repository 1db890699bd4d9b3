"""Everything a person can do to an incident, as functions that return journal events.

These check the change against the current state and write the timeline columns (event,
action taken, owner) so that every row explains itself. They do not save anything: the
caller hands the event to a :class:`incident.ports.Journal`, and only its answer means saved.
The CLI and the console both come through here: there is one way in.

The other commands are beside this module: ``incident/source_commands.py`` (log sources and
their ledger), ``incident/comms_commands.py`` (updates, notifications, cadences) and
``incident/timeline_commands.py`` (evidence pinned, entries corrected).
"""

from __future__ import annotations

from datetime import datetime

from incident.checks import checked_date, checked_url
from incident.checks import checked_text as _text
from incident.checks import optional_text as _opt
from incident.clock import Clock
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import (
    FIELD_NAMES,
    ActionItemChanged,
    ChecklistTicked,
    Declared,
    Event,
    FieldSet,
    Note,
    ParticipantChanged,
    PhaseChanged,
    SeverityChanged,
    StatusChanged,
)
from incident.model import PhaseId, Resolution, Severity, Status, StatusPage, role_label
from incident.playbook import load_playbook
from incident.state import IncidentState

MAX_TITLE = 300


def new_event(
    clock: Clock,
    incident_id: int,
    text: str,
    payload,
    *,
    action: str = "",
    owner: str = "",
    at: datetime | None = None,
    corrects: int | None = None,
) -> Event:
    """An event of the incident, happening now unless ``at`` says when (the other command
    modules make theirs here too)."""
    now = clock.now()
    return Event(
        incident_id=incident_id,
        occurred_at=at or now,
        recorded_at=now,
        text=text,
        action=action,
        owner=owner,
        payload=payload,
        corrects=corrects,
    )


def declare(
    clock: Clock,
    title: str,
    severity: Severity,
    *,
    service: str | None = None,
    impact: str | None = None,
    detected_by: str | None = None,
    commander: str | None = None,
    owner: str = "",
    started_at: datetime | None = None,
) -> Event:
    """The first event of every incident. The store gives it its incident id."""
    title = _text(title, "the title", limit=MAX_TITLE)
    now = clock.now()
    payload = Declared(
        title=title,
        severity=severity,
        started_at=started_at or now,
        service=_opt(service, "the service"),
        impact=_opt(impact, "the impact"),
        detected_by=_opt(detected_by, "'detected by'"),
        commander=_opt(commander, "the commander"),
    )
    sev = load_playbook().severity(severity)
    return new_event(
        clock,
        0,
        f"Incident declared {severity.value}: {title}",
        payload,
        action=f"Response: {sev.response}",
        owner=commander or owner,
        at=started_at,
    )


def note(
    clock: Clock,
    state: IncidentState,
    text: str,
    *,
    action: str | None = None,
    owner: str | None = None,
    at: datetime | None = None,
) -> Event:
    return new_event(
        clock,
        state.id,
        _text(text, "the note"),
        Note(),
        action=_text(action, "the action", required=False),
        owner=_text(owner, "the owner", limit=200, required=False),
        at=at,
    )


def set_status(
    clock: Clock,
    state: IncidentState,
    status: Status,
    *,
    owner: str = "",
    resolution: Resolution | None = None,
    at: datetime | None = None,
) -> Event:
    if status is state.status:
        raise InvalidTransition(f"{state.number} is already {status.value}")
    action = {
        Status.MITIGATED: "Impact mitigated; monitoring",
        Status.RESOLVED: "Resolved; post-incident procedures begin",
        Status.ACTIVE: "Reopened; response resumes",
    }[status]
    if resolution and resolution.immediate and status is not Status.ACTIVE:
        action = resolution.immediate
    return new_event(
        clock,
        state.id,
        f"Status {state.status.value} → {status.value} {status.emoji}",
        StatusChanged(status=status, previous=state.status, resolution=resolution),
        action=action,
        owner=owner,
        at=at,
    )


def set_severity(
    clock: Clock,
    state: IncidentState,
    severity: Severity,
    *,
    owner: str = "",
    reason: str | None = None,
    at: datetime | None = None,
) -> Event:
    if severity is state.severity:
        raise InvalidTransition(f"{state.number} is already {severity.value}")
    verb = "raised" if severity.rank < state.severity.rank else "lowered"
    sev = load_playbook().severity(severity)
    reason = _opt(reason, "the reason")
    return new_event(
        clock,
        state.id,
        f"Severity {verb} {state.severity.value} → {severity.value}"
        + (f": {reason}" if reason else ""),
        SeverityChanged(severity=severity, previous=state.severity, reason=reason),
        action=f"Response: {sev.response}",
        owner=owner,
        at=at,
    )


def set_phase(
    clock: Clock,
    state: IncidentState,
    phase: PhaseId,
    *,
    owner: str = "",
    at: datetime | None = None,
) -> Event:
    if phase is state.phase:
        raise InvalidTransition(f"{state.number} is already in that phase")
    p = load_playbook().phase(phase)
    budget = f" ({p.budget_minutes} min budget)" if p.budget_minutes else ""
    return new_event(
        clock,
        state.id,
        f"Phase {p.number}: {p.name}{budget}",
        PhaseChanged(phase=phase, previous=state.phase),
        action=f"Lead: {p.lead}",
        owner=owner,
        at=at,
    )


def tick(
    clock: Clock,
    state: IncidentState,
    item: str,
    done: bool = True,
    *,
    owner: str = "",
    at: datetime | None = None,
) -> Event:
    try:
        label = load_playbook().checklist_label(item)
    except KeyError:
        raise InvalidInput(f"unknown checklist item {item!r}") from None
    mark = state.checklist.get(item)
    if (mark.done if mark else False) == done:
        raise InvalidTransition(f"'{label}' is already {'done' if done else 'not done'}")
    return new_event(
        clock,
        state.id,
        f"{'✔' if done else '✘ Unchecked'} {label}",
        ChecklistTicked(item=item, done=done),
        action="Checklist item done" if done else "Checklist item reopened",
        owner=owner,
        at=at,
    )


def assign(
    clock: Clock,
    state: IncidentState,
    name: str,
    role: str,
    *,
    owner: str = "",
    at: datetime | None = None,
) -> Event:
    name = _text(name, "the participant's name", limit=200)
    role = _text(role, "the role", limit=200)
    return new_event(
        clock,
        state.id,
        f"{name} joined as {role_label(role)}",
        ParticipantChanged(name=name, role=role),
        action=f"Role assigned: {role_label(role)}",
        owner=owner,
        at=at,
    )


def release(clock: Clock, state: IncidentState, name: str, *, owner: str = "") -> Event:
    who = state.participants.get(name)
    if who is None:
        raise InvalidInput(f"{name!r} is not a participant of {state.number}")
    return new_event(
        clock,
        state.id,
        f"{name} left ({role_label(who.role)})",
        ParticipantChanged(name=name, role=who.role, op="leave"),
        action="Role released",
        owner=owner,
    )


def set_field(
    clock: Clock, state: IncidentState, field: str, value: str | None, *, owner: str = ""
) -> Event:
    if field not in FIELD_NAMES:
        raise InvalidInput(f"unknown field {field!r}")
    value = _opt(value, field)
    if field == "title" and value is None:
        raise InvalidInput("the title cannot be empty")
    if field == "status_page" and value is not None:
        # fold() reads this as a StatusPage: an unknown value would break the whole journal
        known = {p.value.lower(): p.value for p in StatusPage if p is not StatusPage.UNKNOWN}
        if value.lower() not in known:
            raise InvalidInput(
                f"unknown status page state {value!r}: use " + ", ".join(known.values())
            )
        value = known[value.lower()]
    if field == "status_page_url" and value is not None:
        value = checked_url(value, "the status page link")
    label = {"status_page_url": "status page link", "eta": "ETA"}.get(
        field, field.replace("_", " ").replace(".", ": ")
    )
    return new_event(
        clock,
        state.id,
        f"Set {label}: {value}" if value else f"Cleared {label}",
        FieldSet(field=field, value=value),
        action="Incident record updated",
        owner=owner,
    )


def add_action_item(
    clock: Clock,
    state: IncidentState,
    text: str,
    *,
    item_owner: str | None = None,
    due: str | None = None,
    owner: str = "",
) -> Event:
    text = _text(text, "the action item")
    item_id = max(state.action_items, default=0) + 1
    return new_event(
        clock,
        state.id,
        f"Action item {item_id}: {text}",
        ActionItemChanged(
            op="add",
            item_id=item_id,
            text=text,
            owner=_opt(item_owner, "the owner"),
            done=False,
            due=checked_date(due, "the due date"),
        ),
        action="Action item added",
        owner=owner,
    )


def update_action_item(
    clock: Clock,
    state: IncidentState,
    item_id: int,
    *,
    text: str | None = None,
    item_owner: str | None = None,
    done: bool | None = None,
    due: str | None = None,
    owner: str = "",
) -> Event:
    item = state.action_items.get(item_id)
    if item is None:
        raise InvalidInput(f"no action item {item_id} in {state.number}")
    if done is not None and item.done == done and (text, item_owner, due) == (None, None, None):
        raise InvalidTransition(f"action item {item_id} is already {'done' if done else 'open'}")
    what = "done" if done else "reopened" if done is False else "updated"
    return new_event(
        clock,
        state.id,
        f"Action item {item_id} {what}",
        ActionItemChanged(
            op="update",
            item_id=item_id,
            text=_opt(text, "the text"),
            owner=_opt(item_owner, "the owner"),
            done=done,
            due=checked_date(due, "the due date"),
        ),
        action="Action item changed",
        owner=owner,
    )
