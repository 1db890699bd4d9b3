"""The incident as it stands: a fold of its journal.

:func:`fold` is the only way an :class:`IncidentState` comes to be. It applies events in
the order they happened (``occurred_at``, then ``id``), so a backdated entry lands where it
belongs and the state at any past moment is ``fold(e for e in events if e.occurred_at <= t)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from incident.glance import clock_at
from incident.journal import (
    ActionItemChanged,
    CadenceSet,
    ChecklistTicked,
    CommandEvent,
    CommsSent,
    Declared,
    Edit,
    Event,
    Evidence,
    FieldSet,
    Note,
    Notified,
    ParticipantChanged,
    PhaseChanged,
    SeverityChanged,
    SourceSpec,
    StatusChanged,
)
from incident.model import (
    ActionItem,
    ImpactSummary,
    Participant,
    PhaseId,
    Resolution,
    RootCause,
    Severity,
    Status,
    StatusPage,
)


class Mark(BaseModel):
    """When something changed and who did it."""

    model_config = ConfigDict(frozen=True)
    at: datetime
    by: str = ""


class Tick(Mark):
    done: bool


class Notice(Tick):
    """A tick of the notification checklist, with whom it went through."""

    contact: str | None = None


class SourceState(BaseModel):
    """A log source as the ledger tells it."""

    id: str
    spec: SourceSpec
    state: str = "added"  # added, started, exited, stopped, failed
    pid: int | None = None
    exit_code: int | None = None
    reason: str | None = None
    added_at: datetime
    changed_at: datetime


class SentUpdate(BaseModel):
    model_config = ConfigDict(frozen=True)
    audience: str
    at: datetime
    template: str | None
    message: str
    by: str


class Postmortem(BaseModel):
    went_well: str | None = None
    went_wrong: str | None = None
    lucky: str | None = None


class IncidentState(BaseModel):
    """Everything known about one incident at the time of its last folded event."""

    id: int
    title: str
    severity: Severity
    status: Status = Status.ACTIVE
    service: str | None = None
    impact: str | None = None
    detected_by: str | None = None
    status_page: StatusPage = StatusPage.UNKNOWN
    status_page_url: str | None = None
    eta: str | None = None  # when the fix is expected, as the IC put it
    started_at: datetime
    declared_at: datetime
    phase: PhaseId = PhaseId.TRIAGE
    phase_history: list[tuple[PhaseId, datetime]] = Field(default_factory=list)
    severity_history: list[tuple[Severity, datetime]] = Field(default_factory=list)
    status_history: list[tuple[Status, datetime]] = Field(default_factory=list)
    checklist: dict[str, Tick] = Field(default_factory=dict)
    participants: dict[str, Participant] = Field(default_factory=dict)
    root_cause: RootCause = RootCause()
    resolution: Resolution = Resolution()
    impact_summary: ImpactSummary = ImpactSummary()
    postmortem: Postmortem = Field(default_factory=Postmortem)
    action_items: dict[int, ActionItem] = Field(default_factory=dict)
    sources: dict[str, SourceState] = Field(default_factory=dict)
    comms: list[SentUpdate] = Field(default_factory=list)
    notified: dict[str, Notice] = Field(default_factory=dict)
    # per-incident update cadence overrides: severity -> audience -> minutes (0: none due)
    cadence: dict[str, dict[str, int]] = Field(default_factory=dict)
    last_event_id: int = 0
    last_event_at: datetime | None = None

    @property
    def number(self) -> str:
        return f"INC-{self.id}"

    @property
    def phase_started_at(self) -> datetime:
        return self.phase_history[-1][1] if self.phase_history else self.started_at

    @property
    def mitigated_at(self) -> datetime | None:
        return _first(self.status_history, Status.MITIGATED)

    @property
    def resolved_at(self) -> datetime | None:
        """When the incident was last resolved (a reopened incident is not resolved)."""
        if self.status is not Status.RESOLVED:
            return None
        return self.status_history[-1][1]

    def clock_at(self, now: datetime) -> datetime:
        """The moment the incident clock reads: ``now``, or the resolution while resolved."""
        return clock_at(now, self.resolved_at)

    @property
    def commander(self) -> str | None:
        """The commander who joined last (a handover names the new one)."""
        for p in reversed(self.participants.values()):
            if p.role == "commander":
                return p.name
        return None

    def last_sent(self, audience: str | None = None) -> SentUpdate | None:
        for sent in reversed(self.comms):
            if audience is None or sent.audience == audience:
                return sent
        return None


def _first(history: list[tuple[Status, datetime]], status: Status) -> datetime | None:
    return next((at for s, at in history if s is status), None)


def fold(events: Iterable[Event]) -> IncidentState:
    """Fold a journal into the state it describes.

    The ``declared`` event founds the state; the others apply in time order, including
    entries backdated to before the declaration (the alert that fired first).
    """
    ordered = sorted(events, key=lambda e: e.sort_key)
    declared = next((e for e in ordered if isinstance(e.payload, Declared)), None)
    if declared is None:
        raise ValueError("a journal starts with its 'declared' event")
    state = _declared(declared)
    for event in ordered:
        if event is not declared:
            apply(state, event)
    return state


def _declared(event: Event) -> IncidentState:
    d = event.payload
    assert isinstance(d, Declared)
    state = IncidentState(
        id=event.incident_id,
        title=d.title,
        severity=d.severity,
        service=d.service,
        impact=d.impact,
        detected_by=d.detected_by,
        started_at=d.started_at,
        declared_at=event.recorded_at,  # when it was declared (a start can be backdated)
        phase_history=[(PhaseId.TRIAGE, event.occurred_at)],
        severity_history=[(d.severity, event.occurred_at)],
        status_history=[(Status.ACTIVE, event.occurred_at)],
        last_event_id=event.id or 0,
        last_event_at=event.occurred_at,
    )
    if d.commander:
        state.participants[d.commander] = Participant(name=d.commander, role="commander")
    return state


def apply(state: IncidentState, event: Event) -> None:
    """Apply one event to ``state`` in place (the caller keeps the time order)."""
    p, at, by = event.payload, event.occurred_at, event.owner
    state.last_event_id = max(state.last_event_id, event.id or 0)
    state.last_event_at = max(state.last_event_at or at, at)
    match p:
        case Note() | Evidence() | Edit() | Declared():
            pass
        case StatusChanged():
            state.status = p.status
            state.status_history.append((p.status, at))
            if p.resolution:
                state.resolution = _merge(state.resolution, p.resolution)
        case SeverityChanged():
            state.severity = p.severity
            state.severity_history.append((p.severity, at))
        case PhaseChanged():
            state.phase = p.phase
            state.phase_history.append((p.phase, at))
        case ChecklistTicked():
            state.checklist[p.item] = Tick(at=at, by=by, done=p.done)
        case ParticipantChanged():
            if p.op == "join":  # (a new role moves the name last: the latest commander)
                state.participants.pop(p.name, None)
                state.participants[p.name] = Participant(name=p.name, role=p.role)
            else:
                state.participants.pop(p.name, None)
        case FieldSet():
            _set_field(state, p.field, p.value)
        case ActionItemChanged():
            old = state.action_items.get(p.item_id)
            if p.op == "add" or old is None:
                state.action_items[p.item_id] = ActionItem(
                    id=p.item_id, text=p.text or "", owner=p.owner, done=bool(p.done), due=p.due
                )
            else:
                state.action_items[p.item_id] = old.model_copy(
                    update={
                        k: v
                        for k, v in (
                            ("text", p.text),
                            ("owner", p.owner),
                            ("done", p.done),
                            ("due", p.due),
                        )
                        if v is not None
                    }
                )
        case CommsSent():
            state.comms.append(
                SentUpdate(
                    audience=p.audience, at=at, template=p.template, message=p.message, by=by
                )
            )
        case Notified():
            state.notified[p.party] = Notice(at=at, by=by, done=p.done, contact=p.contact)
        case CadenceSet():
            per_audience = state.cadence.setdefault(p.severity.value, {})
            if p.minutes is None:
                per_audience.pop(p.audience, None)
            else:
                per_audience[p.audience] = p.minutes
        case CommandEvent():
            _source(state, p, at)


def _merge(old: Resolution, new: Resolution) -> Resolution:
    return old.model_copy(update={k: v for k, v in new.model_dump().items() if v})


def _set_field(state: IncidentState, field: str, value: str | None) -> None:
    group, _, name = field.partition(".")
    if not name:
        if field == "status_page":
            state.status_page = StatusPage(value) if value else StatusPage.UNKNOWN
        else:
            setattr(state, field, value)
        return
    current = getattr(state, group)
    if isinstance(current, Postmortem):
        setattr(current, name, value)
    else:
        setattr(state, group, current.model_copy(update={name: value}))


def _source(state: IncidentState, p: CommandEvent, at: datetime) -> None:
    src = state.sources.get(p.source_id)
    if src is None:
        if p.spec is None:
            return  # a ledger entry for a source this journal never added: nothing to show
        src = state.sources[p.source_id] = SourceState(
            id=p.source_id, spec=p.spec, added_at=at, changed_at=at
        )
    elif p.spec is not None:
        src.spec = p.spec
    src.changed_at = at
    if p.op in ("started", "restarted"):
        src.state, src.pid, src.exit_code, src.reason = "started", p.pid, None, None
    elif p.op in ("exited", "stopped", "failed"):
        src.state, src.exit_code, src.reason = p.op, p.exit_code, p.reason
        src.pid = None
