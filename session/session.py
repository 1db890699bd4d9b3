"""IncidentSession: one incident, live, for the console and the command line alike.

The session holds the journal port (``incident/ports.py``: it never imports ``storage``),
the incident, the clock and the actor. :meth:`open` folds the incident; the change feed
(:meth:`poll`) folds every new event, its own or another process's, and publishes a new
state per fold to its listeners (:meth:`subscribe`): a state object is never changed after
it is published. The typed verbs (:meth:`note`, :meth:`set_severity`, ...) build the
domain's event from the current state and append it; a verb returns only once the store has
committed, or raises :class:`~incident.errors.WarroomError` and nothing is saved.
A server that went away is told through ``link`` (``session/link.py``), drafts kept meanwhile.

The console's first frame comes before the domain is loaded: a peek (``Peek``, read straight
from the file) is painted first, then :meth:`open` folds: no pydantic model imported here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from incident.errors import IncidentNotFound, ReadOnly, WarroomError
from incident.kinds import ROW_ONLY_KINDS
from session.changes import Change, Problem
from session.drafts import Drafts
from session.link import Link

if TYPE_CHECKING:
    from datetime import datetime

    from incident.clock import Clock
    from incident.evidence import Evidence
    from incident.glance import Peek
    from incident.journal import Event, SourceSpec
    from incident.model import PhaseId, Resolution, Severity, Status
    from incident.playbook import Contact
    from incident.ports import Journal, Watch
    from incident.state import IncidentState

Spawn = Callable[[Coroutine[Any, Any, Any], str], object]
"""Runs a coroutine in the background under a name (the console hands a Textual worker)."""

NO_ACTIVE = (
    "no active incident: declare one with `warroom declare TITLE --severity SEV-2`, "
    "or try `warroom demo`"
)


class IncidentSession:
    """One incident's live session: open, fold, change feed, typed verbs, drafts."""

    def __init__(
        self,
        open_journal: Callable[[], Awaitable[Journal]],
        incident_id: int | None,
        clock: Clock,
        actor: str,
        *,
        read_only: bool = False,
        peek: Peek | None = None,
        spawn: Spawn | None = None,
    ) -> None:
        self._open_journal = open_journal
        self.incident_id = incident_id if peek is None else peek.glance.incident_id
        self.clock = clock
        self.actor = actor
        self.read_only = read_only
        self.peek = peek
        """The incident as it was last folded, read straight from the file (first frame)."""
        self.journal: Journal | None = None
        self.state: IncidentState | None = None
        self._watch: Watch | None = None
        self._opening: asyncio.Future[Journal] | None = None
        self._listeners: list[Callable[[Change], None]] = []
        self._problem_listeners: list[Callable[[Problem], None]] = []
        self.link = Link(lambda: self.drafts.back())  # (the store can be reached, or not)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._polling: asyncio.Lock | None = None
        self.spawn: Spawn = spawn or self._spawn_task
        self.drafts = Drafts(self._later, lambda text: self.warn("Draft", text), self.link.seen)

    # ------------------------------------------------------------------ plumbing
    def _spawn_task(self, coro: Coroutine[Any, Any, Any], name: str) -> object:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _later(self, delay: float, run: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        # (a task of its own: a write waiting on another process's lock holds nothing else)
        asyncio.get_running_loop().call_later(delay, lambda: self.spawn(run(), "drafts"))

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        """``listener(change)`` after every fold that brought events."""
        self._listeners.append(listener)

    def on_problem(self, listener: Callable[[Problem], None]) -> None:
        self._problem_listeners.append(listener)

    def on_time(self, listener: Callable[[datetime], None]) -> Callable[[], None]:
        """``listener(now)`` each time the clock is moved by hand; returns what stops it."""
        return self.clock.watch(listener)

    def warn(self, title: str, text: str) -> None:
        for listener in self._problem_listeners:
            listener(Problem(title, text))

    # ------------------------------------------------------------------ open, fold
    async def open(self) -> IncidentState:
        """Open the journal and fold the incident (the latest active one if none was
        named). A :class:`WarroomError` says why it cannot be opened."""
        # (opened to the end even if the caller is cancelled, e.g. by a SIGHUP: close() closes it)
        self._opening = self._opening or asyncio.ensure_future(self._open_journal())
        self.journal = journal = await asyncio.shield(self._opening)
        if self.incident_id is None:
            self.incident_id = await journal.latest_active()
        if self.incident_id is None:
            raise IncidentNotFound(NO_ACTIVE)
        state = await journal.load_state(self.incident_id)
        if not self.read_only:
            self.drafts.attach(journal, self.incident_id, await journal.drafts.of(self.incident_id))
        self._watch = journal.watch(self.incident_id, state.last_event_id)
        self.state = state
        return state

    async def poll(self) -> Change | None:
        """Fold what the change feed brings (this session's writes and other processes')
        and tell the listeners."""
        if self._watch is None or self.state is None:
            return None
        self._polling = self._polling or asyncio.Lock()
        async with self._polling:  # (one look at a time: each event is folded once)
            change = await self.link.ask(self._watch.poll())
            if change is None or not change.events:
                return None
            return await self.ingest(change.events)

    async def ingest(self, events: Sequence[Event]) -> Change:
        from incident.state import apply

        state = self.state
        assert state is not None and self.journal is not None and self.incident_id is not None
        reshaping = [e for e in events if e.kind.value not in ROW_ONLY_KINDS]
        late = any(
            state.last_event_at is not None and e.occurred_at < state.last_event_at
            for e in reshaping
        )
        if late:  # a backdated change: fold the journal again, in time order
            state = await self.journal.load_state(self.incident_id)
        else:
            state = state.model_copy(deep=True)  # (a published state is never changed)
            for event in events:
                apply(state, event)
        state.last_event_id = max(state.last_event_id, *(e.id or 0 for e in events))
        self.state = state
        change = Change(state, tuple(events), reshaped=bool(late or reshaping))
        for listener in self._listeners:
            listener(change)
        return change

    async def refresh_glance(self) -> None:
        """Best effort: an older file gets its glance (a cache) written for the next start."""
        if self.journal is not None and self.incident_id is not None and not self.read_only:
            try:
                await self.journal.refresh_glance(self.incident_id)
            except WarroomError:
                pass

    async def page(self, before: Event | None, limit: int = 200) -> list[Event]:
        """A page of the timeline (the newest, or the one before ``before``) with the
        corrections of its entries, so they read as they stand now."""
        journal, incident = self._journal()
        events = await journal.page(incident, before=before, limit=limit)
        fixes = await journal.corrections_of([e.id for e in events if e.id])
        seen = {e.id for e in events}
        return events + [f for f in fixes if f.id not in seen]

    async def contacts(self) -> list[Contact]:
        """The emergency contacts (the playbook's, until the team keeps its own)."""
        journal, _ = self._journal()
        return await journal.contacts.roster()

    async def put_contacts(self, roster: Sequence[Contact], *, expected: Sequence[Contact]) -> None:
        """Replace the roster, unless someone else changed it since ``expected`` was read."""
        if self.read_only:
            raise ReadOnly("read-only review: nothing can be changed here")
        journal, _ = self._journal()
        await journal.contacts.put(roster, expected=expected, by=self.actor)

    async def entry(self, entry_id: int) -> list[Event]:
        """A timeline entry's event and its corrections (one not on a loaded page)."""
        journal, _ = self._journal()
        event = await journal.event(entry_id)
        return [event, *await journal.corrections_of([entry_id])]

    async def capture_between(self, start: datetime, end: datetime) -> list[tuple[str, Any]]:
        """What the log sources captured between two moments: (source id, line)."""
        journal, incident = self._journal()
        return await journal.captures.between(incident, start, end)

    async def events(self) -> list[Event]:
        journal, incident = self._journal()
        return await journal.events(incident)

    def _journal(self) -> tuple[Journal, int]:
        if self.journal is None or self.incident_id is None:
            raise WarroomError("the incident is not open yet")
        return self.journal, self.incident_id

    async def close(self, timeout: float = 5.0) -> None:
        """Let go of the journal (whether or not it finished opening)."""
        for task in list(self._tasks):
            task.cancel()
        journal, self.journal = self.journal, None
        if journal is None and self._opening is not None:
            try:
                journal = await self._opening
            except (Exception, asyncio.CancelledError):
                journal = None  # it did not open: nothing to close
        if journal is not None:
            await journal.close(timeout=timeout)

    # ------------------------------------------------------------------ writing
    async def commit(
        self, build: Callable[[IncidentState], Event], *, drafts_done: str | None = None
    ) -> Event:
        """Build an event from the current state, append it, and fold it in.

        ``drafts_done`` is the key prefix of the dialog whose text this saves: its drafts
        are deleted in the same transaction (and not written again by an autosave still
        under way). A refusal raises; the dialog's drafts are then kept.
        """
        if self.read_only:
            raise ReadOnly("read-only review: nothing can be changed here")
        journal, _ = self._journal()
        assert self.state is not None
        event = build(self.state)
        with self.drafts.saving(drafts_done):
            saved = await self.link.reach(journal.append(event, drafts_done=drafts_done))
        await self._fold_in()
        return saved

    async def commit_many(self, build: Callable[[IncidentState], Sequence[Event]]) -> list[Event]:
        """Like :meth:`commit`, for events saved together in one transaction (all or none)."""
        if self.read_only:
            raise ReadOnly("read-only review: nothing can be changed here")
        journal, _ = self._journal()
        assert self.state is not None
        saved = await self.link.reach(journal.append_many(build(self.state)))
        await self._fold_in()
        return saved

    async def _fold_in(self) -> None:
        try:
            await self.poll()
        except WarroomError:
            pass  # (saved: the next poll shows it)

    async def note(
        self,
        text: str,
        *,
        action: str | None = None,
        owner: str | None = None,
        at: datetime | None = None,
        drafts_done: str | None = None,
    ) -> Event:
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.note(self.clock, s, text, action=action, owner=owner or self.actor, at=at),
            drafts_done=drafts_done,
        )

    async def correct(self, target: Event, *, drafts_done: str | None = None, **what: Any) -> Event:
        """A correction of ``target`` (text, action, owner_field, occurred_at, retract)."""
        from incident import timeline_commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.correct(self.clock, s, target, owner=self.actor, **what),
            drafts_done=drafts_done,
        )

    async def set_status(self, status: Status, resolution: Resolution | None = None) -> Event:
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.set_status(self.clock, s, status, resolution=resolution, owner=self.actor)
        )

    async def set_severity(self, severity: Severity, reason: str | None = None) -> Event:
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.set_severity(self.clock, s, severity, reason=reason, owner=self.actor)
        )

    async def set_phase(self, phase: PhaseId) -> Event:
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(lambda s: c.set_phase(self.clock, s, phase, owner=self.actor))

    async def tick(self, item: str, done: bool = True) -> Event:
        """A checklist action done (or undone)."""
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(lambda s: c.tick(self.clock, s, item, done, owner=self.actor))

    async def assign(self, name: str, role: str) -> Event:
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(lambda s: c.assign(self.clock, s, name, role, owner=self.actor))

    async def set_field(
        self, field: str, value: str | None, *, drafts_done: str | None = None
    ) -> Event:
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.set_field(self.clock, s, field, value, owner=self.actor),
            drafts_done=drafts_done,
        )

    async def add_action_item(self, text: str, **what: Any) -> Event:
        """An action item, with its owner (``item_owner``) and ``due`` date if given."""
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.add_action_item(self.clock, s, text, owner=self.actor, **what)
        )

    async def update_action_item(self, item_id: int, **what: Any) -> Event:
        """An action item's text, owner (``item_owner``), ``due`` date or ``done``."""
        from incident import commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.update_action_item(self.clock, s, item_id, owner=self.actor, **what)
        )

    async def send_update(
        self,
        audience: str,
        message: str,
        *,
        template: str | None = None,
        drafts_done: str | None = None,
        unfilled_ok: bool = False,  # refused while it holds [placeholders], unless confirmed
    ) -> Event:
        from incident import comms_commands as c  # (not needed for the first frame)

        ok, by = unfilled_ok, self.actor
        return await self.commit(
            lambda s: c.send_update(
                self.clock, s, audience, message, template=template, owner=by, unfilled_ok=ok
            ),
            drafts_done=drafts_done,
        )

    async def notify(self, party: str, done: bool = True, *, contact: str | None = None) -> Event:
        """A party of the notification checklist told (or not)."""
        from incident import comms_commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.notify(self.clock, s, party, done, contact=contact, owner=self.actor)
        )

    async def set_cadence(self, audience: str, minutes: int | None) -> Event:
        from incident import comms_commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.set_cadence(self.clock, s, audience, minutes, owner=self.actor)
        )

    async def add_source(self, spec: SourceSpec) -> Event:
        from incident import source_commands as c  # (not needed for the first frame)

        return await self.commit(lambda s: c.add_source(self.clock, s, spec, owner=self.actor))

    async def stop_source(self, which: str) -> Event:
        """A stop in the ledger: the console that runs the source obeys it."""
        from incident import source_commands as c  # (not needed for the first frame)

        return await self.commit(lambda s: c.stop_source(self.clock, s, which, owner=self.actor))

    async def source_ledger(self, source_id: str, op: str, **what: Any) -> Event:
        """A source started, restarted, exited, stopped or failed (pid, exit_code, reason,
        env)."""
        from incident import source_commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.source_ledger(self.clock, s, source_id, op, owner=self.actor, **what)
        )

    async def pin(self, evidence: Evidence, *, note_text: str | None = None) -> Event:
        """A log line pinned to the timeline as evidence."""
        from incident import timeline_commands as c  # (not needed for the first frame)

        return await self.commit(
            lambda s: c.pin(self.clock, s, evidence, owner=self.actor, note_text=note_text)
        )
