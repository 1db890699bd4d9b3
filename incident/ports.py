"""What the domain needs from the outside world, as protocols.

The console (``tui/``) is written against these, never against ``storage/`` or ``feeds/``:
``tui/cli.py`` builds the real adapters and hands them in, and tests hand in the same ones
on a temporary file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from incident.grep_lines import ResumePoints
from incident.journal import Event, SourceSpec
from incident.model import Severity, Status
from incident.playbook import Contact
from incident.state import IncidentState


@dataclass(frozen=True)
class IncidentSummary:
    """One line of ``warroom list``."""

    id: int
    title: str
    severity: Severity
    status: Status
    started_at: datetime
    resolved_at: datetime | None
    event_count: int

    @property
    def number(self) -> str:
        return f"INC-{self.id}"


@dataclass(frozen=True)
class Change:
    """What the change feed saw: new events since the last look (any process's)."""

    events: Sequence[Event]
    last_id: int


class Watch(Protocol):
    """A change feed of one incident (see ``storage.store.Watcher``)."""

    last_id: int

    async def poll(self, limit: int = 5_000) -> Change | None: ...


@dataclass(frozen=True)
class Holder:
    """The console that runs a log source (its lease, ``storage/leases.py``): one console
    runs each source, the others show what it captures. On its own machine (``host``),
    ``pid`` and ``started`` (the process's start time, seconds since the epoch) tell whether
    it is still there; elsewhere only its lease's expiry does (a server's leases)."""

    token: str  # one per console, for the life of the process's app
    pid: int
    started: float
    actor: str = ""
    host: str = ""  # the holder's machine: its pid means nothing on another one
    epoch: int = field(default=0, compare=False)  # the lease's, as the store last said


HolderAlive = Callable[[Holder], bool]


class DraftStore(Protocol):
    """What is typed into an open input, kept by incident and key until saved or cleared."""

    async def of(self, incident_id: int) -> dict[str, str]: ...

    async def put(self, incident_id: int, key: str, text: str | None) -> None: ...


class CaptureStore(Protocol):
    """The lines the log sources read, by source and line number or by time."""

    async def read(
        self,
        incident_id: int,
        source_id: str,
        *,
        limit: int = 10_000,
        after_no: int = 0,
        max_bytes: int | None = None,
    ) -> list[Any]: ...

    async def last_no(self, incident_id: int, source_id: str) -> int: ...

    async def grep_resume_points(self, incident_id: int, source_id: str) -> ResumePoints: ...

    async def between(
        self, incident_id: int, start: datetime, end: datetime, *, limit: int = 200
    ) -> list[tuple[str, Any]]: ...


class LeaseStore(Protocol):
    """Which console runs each log source. A lease lasts ``ttl`` seconds unless its holder
    renews it (every ``ttl / 3``); a claim takes over a lease that has expired, or whose
    holder on this machine is gone. Every takeover gives the lease a new, higher ``epoch``
    (where the store fences: a server's), and captured lines go in under the epoch of the
    lease they were read under (``CaptureSink.submit``)."""

    ttl: float

    async def claim(
        self, incident_id: int, source_id: str, me: Holder, alive: HolderAlive
    ) -> Holder | None: ...

    async def renew(self, incident_id: int, source_id: str, me: Holder) -> Holder | None:
        """Extend ``me``'s lease: the source's holder afterwards, ``me`` (with the lease's
        epoch) while it is still ours, another console once it took it over, None when
        nobody holds it."""
        ...

    async def release(self, incident_id: int, token: str, source_id: str | None = None) -> None: ...

    async def holders(self, incident_id: int) -> dict[str, Holder]:
        """The sources held now (a lease that expired is held by nobody), and by whom."""
        ...


class ContactStore(Protocol):
    """The emergency contacts roster, shared by every incident of the database."""

    async def roster(self, *, seed: bool = True) -> list[Contact]: ...

    async def put(
        self,
        contacts: Sequence[Contact],
        *,
        expected: Sequence[Contact] | None = None,
        by: str = "",
    ) -> list[Contact]: ...


Origin = tuple[str, int]
"""Where an incident or an event was first written: (the database's id, its id there)."""


@dataclass(frozen=True)
class Provenance:
    """Where an incident of this database, and its events, came from (``warroom copy``)."""

    database: str  # this database's own id (random, made once: ``CopyStore.database_id``)
    incident: Origin  # (database, incident) it was declared in: this one, unless a copy
    events: dict[int, Origin]  # copied events only: event id here -> where first written


@dataclass(frozen=True)
class Carried:
    """One event a copy appends. Its ``incident_id`` and ``id`` are the store's to give;
    ``corrects`` is already this database's id of the corrected event, unless
    ``corrects_at`` names an earlier event of the same copy (its index)."""

    event: Event
    origin: Origin
    corrects_at: int | None = None


@dataclass(frozen=True)
class Take:
    """What one copy appends to this database, in one transaction (all or nothing)."""

    incident_id: int | None  # the copy (or original) here; None: a new incident
    origin: Origin  # the incident's origin (recorded for a new copy)
    events: Sequence[Carried]  # in order; a new incident's first is its ``declared``
    lines: dict[str, Sequence[Any]]  # source id -> captured lines (no, err, read_at, text)
    ledger: Event | None = None  # this database's own record of the copy, appended last


@dataclass(frozen=True)
class Taken:
    incident_id: int
    events: int  # appended (the ledger entry not counted)
    lines: int  # capture lines stored that were not there


class CopyStore(Protocol):
    """Provenance of incidents copied between databases (``session/copy.py``)."""

    async def database_id(self) -> str: ...

    async def provenance(self, incident_id: int) -> Provenance: ...

    async def find(self, origin: Origin) -> int | None:
        """The incident here that is ``origin``: itself if declared here, else its copy."""
        ...

    async def take(self, take: Take) -> Taken: ...


class Journal(Protocol):
    """The incident store as the session sees it: the journal itself, and its parts (a
    second backend implements these and nothing else)."""

    read_only: bool

    async def declare(self, event: Event) -> Event: ...

    async def append(self, event: Event, *, drafts_done: str | None = None) -> Event: ...

    async def append_many(
        self, events: Sequence[Event], *, drafts_done: str | None = None
    ) -> list[Event]: ...

    async def load_state(self, incident_id: int) -> IncidentState: ...

    async def refresh_glance(self, incident_id: int) -> bool: ...

    async def latest_active(self) -> int | None: ...

    async def list_incidents(self, include_closed: bool = False) -> list[IncidentSummary]: ...

    async def page(
        self, incident_id: int, *, before: Event | None = None, limit: int = 200
    ) -> list[Event]: ...

    async def corrections_of(self, event_ids: Sequence[int]) -> list[Event]: ...

    async def events(
        self, incident_id: int, *, after_id: int = 0, limit: int | None = None
    ) -> list[Event]: ...

    async def event(self, event_id: int) -> Event: ...

    def watch(self, incident_id: int, after_id: int) -> Watch: ...

    @property
    def drafts(self) -> DraftStore: ...

    @property
    def captures(self) -> CaptureStore: ...

    @property
    def leases(self) -> LeaseStore: ...

    @property
    def contacts(self) -> ContactStore: ...

    @property
    def copies(self) -> CopyStore: ...

    async def close(self, timeout: float = 5.0) -> None: ...


class LineBatch(Protocol):
    """Consecutive sanitised lines of one stream of a source (``feeds.source.LineBatch``)."""

    source_id: str
    stream: str  # "out" or "err"
    first_no: int
    lines: list[str]
    read_at: datetime
    provisional: int  # the last lines, unfinished: the next batch replaces them


class LogSource(Protocol):
    """A running log source (``feeds.source.RunningSource``)."""

    source_id: str
    spec: SourceSpec
    pid: int | None
    exit_code: int | None
    state: str  # new, running, exited, stopped, failed
    reason: str | None

    async def start(self) -> None: ...

    async def stop(self, timeout: float = 2.0) -> int | None: ...

    async def wait(self) -> int | None: ...

    def batches(self) -> AsyncIterator[LineBatch]: ...

    def stats(self) -> Any: ...


class SourceHost(Protocol):
    """How a console runs log sources (``tui/cli.py`` hands in the ``feeds/`` ones)."""

    def make(
        self, source_id: str, spec: SourceSpec, *, resume: ResumePoints | None = None
    ) -> LogSource:
        """The source (not started); a grep with ``resume`` leaves out, file by file, the
        matches up to those already captured (``incident.grep_lines``)."""
        ...

    def holder(self, actor: str) -> Holder:
        """This console, as the holder of the sources it runs."""
        ...

    def alive(self, holder: Holder) -> bool:
        """Whether the holder's console is still there."""
        ...


class CaptureSink(Protocol):
    """Where captured lines go (``storage.capture.CaptureWriter``); never blocks."""

    def submit(
        self,
        incident_id: int,
        source_id: str,
        first_no: int,
        lines: Sequence[str],
        *,
        err: bool,
        read_at: datetime,
        epoch: int | None = None,
    ) -> bool:
        """Queue lines; with ``epoch``, a store that fences stores them only while the
        source's lease still has that epoch (else they are refused: a console took it over)."""
        ...

    def dropped(self, incident_id: int, source_id: str) -> int: ...

    def close(self, timeout: float = 10.0) -> None: ...
