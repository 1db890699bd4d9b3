"""The timeline as an append-only journal of typed events.

An :class:`Event` records one thing that happened: when it happened (``occurred_at``), when
it was written down (``recorded_at``), the timeline columns (event text, action taken, owner)
and a typed payload whose ``kind`` says what sort of fact it is. Nothing is ever updated: a
correction is a new ``edit`` event whose ``corrects`` names the event it amends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from incident.glance import Fix, Row, corrected
from incident.kinds import EventKind
from incident.model import (
    PhaseId,
    Resolution,
    Severity,
    Status,
)


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Declared(_Payload):
    kind: Literal["declared"] = "declared"
    title: str
    severity: Severity
    started_at: AwareDatetime
    service: str | None = None
    impact: str | None = None
    detected_by: str | None = None
    commander: str | None = None


class Note(_Payload):
    kind: Literal["note"] = "note"


class StatusChanged(_Payload):
    kind: Literal["status"] = "status"
    status: Status
    previous: Status
    resolution: Resolution | None = None


class SeverityChanged(_Payload):
    kind: Literal["severity"] = "severity"
    severity: Severity
    previous: Severity
    reason: str | None = None


class PhaseChanged(_Payload):
    kind: Literal["phase"] = "phase"
    phase: PhaseId
    previous: PhaseId


class ChecklistTicked(_Payload):
    kind: Literal["checklist"] = "checklist"
    item: str
    done: bool


class ParticipantChanged(_Payload):
    kind: Literal["participant"] = "participant"
    name: str
    role: str
    op: Literal["join", "leave"] = "join"


# Incident fields that can be set after the fact; dotted names address nested findings.
FIELD_NAMES = (
    "title",
    "service",
    "impact",
    "detected_by",
    "status_page",
    "status_page_url",
    "eta",
    "root_cause.what",
    "root_cause.why",
    "root_cause.where",
    "resolution.immediate",
    "resolution.permanent",
    "resolution.deployed",
    "impact_summary.users_affected",
    "impact_summary.failed_requests",
    "impact_summary.revenue_impact",
    "postmortem.went_well",
    "postmortem.went_wrong",
    "postmortem.lucky",
)
# (a Literal built from the tuple at run time, for pydantic: mypy takes it for Any)
FieldName = Literal[FIELD_NAMES]  # type: ignore[valid-type]


class FieldSet(_Payload):
    kind: Literal["field"] = "field"
    field: FieldName
    value: str | None


class ActionItemChanged(_Payload):
    kind: Literal["action_item"] = "action_item"
    op: Literal["add", "update"]
    item_id: int
    text: str | None = None
    owner: str | None = None
    done: bool | None = None
    due: str | None = None  # a date, YYYY-MM-DD


class CommsSent(_Payload):
    kind: Literal["comms"] = "comms"
    audience: str
    template: str | None = None
    message: str


class Notified(_Payload):
    kind: Literal["notify"] = "notify"
    party: str
    done: bool = True
    contact: str | None = None


class CadenceSet(_Payload):
    """A per-incident update cadence for one audience at one severity.

    ``minutes`` 0 means no scheduled updates; ``None`` goes back to the playbook's default.
    """

    kind: Literal["cadence"] = "cadence"
    audience: str
    severity: Severity
    minutes: int | None = Field(default=None, ge=0, le=24 * 60)


class SourceSpec(_Payload):
    """What a log source runs: a shell command, or a grep over paths."""

    kind: Literal["cmd", "grep"]
    name: str
    command: str | None = None
    pattern: str | None = None
    paths: tuple[str, ...] = ()
    fixed: bool = False
    ignore_case: bool = False
    invert: bool = False
    cwd: str | None = None
    # the zone of the times its lines carry without one (an IANA name, UTC or +HH:MM);
    # None (a journal from before zones): the host's zone where a line is pinned
    zone: str | None = None


class CommandEvent(_Payload):
    """The ledger of log sources: added, started, exited, restarted, stopped, failed."""

    kind: Literal["command"] = "command"
    source_id: str
    op: Literal["added", "started", "exited", "restarted", "stopped", "failed"]
    spec: SourceSpec | None = None
    pid: int | None = None
    exit_code: int | None = None
    reason: str | None = None
    env: dict[str, str] | None = None  # started/restarted: the environment, secrets masked


class Evidence(_Payload):
    """A log line or host snapshot pinned to the timeline, with its provenance."""

    kind: Literal["evidence"] = "evidence"
    source: str
    source_id: str | None = None
    line_no: int | None = None  # a grep's: the line number in ``path`` (not the pane's)
    path: str | None = None  # a grep's: the file the line is in (as the grep shows it)
    read_at: AwareDatetime | None = None
    line_time: AwareDatetime | None = None  # the line's own time, as UTC
    line_zone: str | None = None  # the zone it was read in: the line's, or its source's
    zone_assumed: bool = False  # True: the line names no zone, ``line_zone`` was assumed
    line: str = ""
    context: tuple[str, ...] = ()
    sha256: str | None = None
    snapshot: dict[str, Any] | None = None
    # True in a redacted report or export when redaction changed this evidence: its sha256
    # is then over the redacted context it carries (the original digest, over what was
    # redacted, is kept only in the unredacted store: it would be a guessing oracle)
    redacted: bool = False


class Edit(_Payload):
    """A correction of the event named by ``Event.corrects``: new values, or a retraction."""

    kind: Literal["edit"] = "edit"
    text: str | None = None
    action: str | None = None
    owner: str | None = None
    occurred_at: AwareDatetime | None = None
    retracted: bool = False


Payload = Annotated[
    Declared
    | Note
    | StatusChanged
    | SeverityChanged
    | PhaseChanged
    | ChecklistTicked
    | ParticipantChanged
    | FieldSet
    | ActionItemChanged
    | CommsSent
    | Notified
    | CadenceSet
    | CommandEvent
    | Evidence
    | Edit,
    Field(discriminator="kind"),
]
PAYLOAD_ADAPTER: TypeAdapter[Any] = TypeAdapter(Payload)


class Event(BaseModel):
    """One entry of the journal. ``id`` is given by the store when it is committed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int | None = None
    incident_id: int = 0
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    text: str
    action: str = ""
    owner: str = ""
    payload: Payload
    corrects: int | None = None

    @property
    def kind(self) -> EventKind:
        return EventKind(self.payload.kind)

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.occurred_at, self.id or 0)


class TimelineEntry(BaseModel):
    """A timeline row as it reads now: the event with its corrections applied."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: EventKind
    occurred_at: datetime
    text: str
    action: str
    owner: str
    corrected: bool = False
    retracted: bool = False
    event: Event


def timeline(events: list[Event]) -> list[TimelineEntry]:
    """The timeline rows of ``events``, with every ``edit`` applied to the entry it corrects.

    A correction is itself a row (it happened, and the post-mortem should see it); the row it
    corrects shows the new values and is marked corrected or retracted. Rows are ordered by
    their (possibly corrected) time, then by id.
    """
    fixes: dict[int, list[Fix]] = {}
    for e in events:
        if isinstance(e.payload, Edit) and e.corrects is not None:
            p = e.payload
            fixes.setdefault(e.corrects, []).append(
                Fix(e.id or 0, p.text, p.action, p.owner, p.occurred_at, p.retracted)
            )
    rows = []
    for e in events:
        row = corrected(
            Row(e.id or 0, e.kind.value, e.occurred_at, e.text, e.action, e.owner),
            fixes.get(e.id, []) if e.id is not None else [],
        )
        rows.append(
            TimelineEntry(
                id=row.id,
                kind=e.kind,
                occurred_at=row.occurred_at,
                text=row.text,
                action=row.action,
                owner=row.owner,
                corrected=row.corrected,
                retracted=row.retracted,
                event=e,
            )
        )
    rows.sort(key=lambda r: (r.occurred_at, r.id))
    return rows
