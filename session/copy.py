"""``warroom copy INC --from DB --to DB``: carry one incident to another database.

An incident declared on a laptop before the team's server was reachable goes to the server
(or one of the server's goes to a laptop) with its journal and its captured log output. It
works between any two backends: it uses only the journal port (``incident/ports.py``, its
``copies`` part for provenance and for the one transaction of a copy).

Identity. Incident numbers belong to their database: the copy gets the target's next number
(``INC-1 in laptop.db is INC-7 in server.db``, printed). Every database has a random id of
its own (schema 9); the target records, for the copied incident, the database and incident
it was declared in, and for each copied event the database and event it was first written
in (its *origin*). So:

- a second copy carries only the events whose origin the target does not hold yet, in
  journal order; with nothing new it says so and exits 0 (writing nothing);
- a copy back (server to laptop) lands on the original incident, and carries only the
  events written on the server: the laptop's own events are recognised by their origin;
- origins travel with the copy, so laptop to server to another laptop and back again are
  all recognised;
- a correction's ``corrects`` names the target's id of the event it corrects;
- copying an incident onto its own database is refused (a file copied byte for byte keeps
  the id, so is the same database to this verb).

What is carried: every event with its original ``occurred_at``, ``recorded_at``, kind,
texts and payload (evidence cites its source and line as before), and the captured lines of
every log source of the incident that the target does not have (by source and line number;
the target's capture writer trims them to its limits when it next writes). Not carried:
drafts (per console, unsaved), source leases (per console), and the contacts roster: it
belongs to its database (the server's is the team's, shared by every incident) and is left
as it is; each notification in the journal carries the contact it used, so the incident's
record is whole without it.

The ledger. The target's incident gets a note (action ``Copy ledger``): "Copied from DB
INC-n: N events, M capture lines"; the source's gets "Copied to DB as INC-m: ...". These
two notes describe their own database and are never carried by a copy (nor a correction of
one), so copies back and forth do not echo. A source that cannot be written (a file without
write permission, a role that may only read) still copies: then only the target records it,
and the verb says so.

Atomicity. The target's part (incident, events, provenance, capture, ledger) is one
transaction: an interrupted copy leaves nothing half done, and running it again completes
it. The source's note is written after it, on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from incident.clock import Clock
from incident.commands import new_event
from incident.errors import IncidentNotFound, InvalidInput, WarroomError
from incident.journal import Event, Note
from incident.kinds import EventKind
from incident.ports import Carried, Journal, Origin, Take
from incident.words import plural

COPY_LEDGER = "Copy ledger"
ALL_LINES = 10_000_000  # (as export reads a source's capture)


class CopyRefused(InvalidInput):
    """A copy that cannot be: one line, exit 2, nothing written."""


@dataclass(frozen=True)
class Copied:
    """What a copy did: where the incident is in the target, what was added."""

    source_incident: int
    target_incident: int | None  # None: nothing new, and no copy there yet
    events: int
    lines: int
    source_recorded: bool

    @property
    def nothing_new(self) -> bool:
        return not (self.events or self.lines)


def is_copy_ledger(event: Event) -> bool:
    return event.kind is EventKind.NOTE and event.action == COPY_LEDGER


def _counts(events: int, lines: int) -> str:
    return f"{plural(events, 'event')}, {plural(lines, 'capture line')}"


def _plan(
    events: Sequence[Event], origin_of: dict[int, Origin], local: dict[Origin, int]
) -> list[Carried]:
    """The events the target does not hold, in journal order, corrections remapped."""
    carried: list[Carried] = []
    at: dict[int, int] = {}  # source event id -> index in ``carried``
    skipped: set[int] = set()
    for e in events:
        eid = e.id or 0
        if is_copy_ledger(e) or (e.corrects is not None and e.corrects in skipped):
            skipped.add(eid)
            continue
        if origin_of[eid] in local:
            continue  # already there (a copy, or the target's own event)
        corrects, corrects_at = None, None
        if e.corrects is not None:
            if e.corrects in at:
                corrects_at = at[e.corrects]
            elif origin_of.get(e.corrects) in local:
                corrects = local[origin_of[e.corrects]]
            else:
                raise CopyRefused(
                    f"event #{eid} corrects #{e.corrects}, which is not in the incident; "
                    "nothing was copied"
                )
        at[eid] = len(carried)
        carried.append(
            Carried(e.model_copy(update={"corrects": corrects}), origin_of[eid], corrects_at)
        )
    return carried


async def copy_incident(
    source: Journal,
    source_name: str,
    incident_id: int,
    target: Journal,
    target_name: str,
    *,
    clock: Clock,
    actor: str,
) -> Copied:
    """Copy ``incident_id`` of ``source`` to ``target`` (see the module's doc)."""
    number = f"INC-{incident_id}"
    here, there = await source.copies.database_id(), await target.copies.database_id()
    if here == there:
        raise CopyRefused(
            f"{source_name} and {target_name} are the same database: {number} is already there"
        )
    try:
        prov = await source.copies.provenance(incident_id)
    except IncidentNotFound:
        raise CopyRefused(f"no incident {number} in {source_name}") from None
    events = await source.events(incident_id)
    origin_of = {e.id or 0: prov.events.get(e.id or 0, (here, e.id or 0)) for e in events}
    landing = await target.copies.find(prov.incident)
    local: dict[Origin, int] = {}
    if landing is not None:
        held = await target.copies.provenance(landing)
        local = {origin: event_id for event_id, origin in held.events.items()}
    for origin in origin_of.values():  # the target's own events are there by their own id
        if origin[0] == there:
            local[origin] = origin[1]
    carried = _plan(events, origin_of, local)
    lines: dict[str, Sequence[Any]] = {}
    for source_id in (await source.load_state(incident_id)).sources:
        after = await target.captures.last_no(landing, source_id) if landing else 0
        new = await source.captures.read(incident_id, source_id, limit=ALL_LINES, after_no=after)
        if new:
            lines[source_id] = new
    if not carried and not lines:
        return Copied(incident_id, landing, 0, 0, False)
    line_count = sum(len(v) for v in lines.values())
    ledger = new_event(
        clock,
        0,
        f"Copied from {source_name} {number}: {_counts(len(carried), line_count)}",
        Note(),
        action=COPY_LEDGER,
        owner=actor,
    )
    taken = await target.copies.take(Take(landing, prov.incident, carried, lines, ledger))
    recorded = False
    if not source.read_only:
        note = new_event(
            clock,
            incident_id,
            f"Copied to {target_name} as INC-{taken.incident_id}: "
            f"{_counts(taken.events, taken.lines)}",
            Note(),
            action=COPY_LEDGER,
            owner=actor,
        )
        try:
            await source.append(note)
            recorded = True
        except WarroomError:  # a source that may only be read: the target has the record
            pass
    return Copied(incident_id, taken.incident_id, taken.events, taken.lines, recorded)


def said(copied: Copied, source_name: str, target_name: str) -> list[str]:
    """What the verb prints."""
    number = f"INC-{copied.source_incident}"
    if copied.nothing_new:
        where = f" (INC-{copied.target_incident})" if copied.target_incident else ""
        return [f"{number} in {source_name}: nothing new to copy to {target_name}{where}"]
    out = [
        f"{number} in {source_name} is INC-{copied.target_incident} in {target_name}: "
        f"{_counts(copied.events, copied.lines)} copied"
    ]
    if not copied.source_recorded:
        out.append(
            f"{source_name} could not be written: the copy is recorded in {target_name} only"
        )
    return out
