"""Provenance of copied incidents (schema 9), and a copy's one transaction.

A part of :class:`storage.store.Store` (``store.copies``), over its plumbing. What to carry
is decided by ``session/copy.py``; this part answers where an incident and its events came
from and appends what it is handed: the incident (new, or the one it lands on), its events
with their original times and texts, the captured lines not there yet, the provenance of
each, and the copy's own ledger entry, all or nothing.
"""

from __future__ import annotations

import aiosqlite

from incident.errors import IncidentNotFound, InvalidInput
from incident.kinds import STATE_KINDS, EventKind
from incident.ports import Origin, Provenance, Take, Taken
from storage.plumbing import Plumbing
from storage.sql import insert, ts, write_glance

DATABASE_ID = "database_id"


class Copies:
    """The copy's reads and its one write, over the store's plumbing."""

    def __init__(self, db: Plumbing) -> None:
        self.db = db
        self._id: str | None = None

    async def database_id(self) -> str:
        """This database's own id: random, made once by its migration to schema 9 (a file
        copied byte for byte keeps it, and is then the same database to ``warroom copy``)."""
        if self._id is None:
            self._id = await self.db.scalar(
                "SELECT value FROM store_meta WHERE key=?", (DATABASE_ID,)
            )
            if not self._id:
                raise InvalidInput(f"{self.db.path}: the database has no id; open it for writing")
        return self._id

    async def provenance(self, incident_id: int) -> Provenance:
        me = await self.database_id()
        if not await self.db.scalar("SELECT 1 FROM incidents WHERE id=?", (incident_id,)):
            raise IncidentNotFound(f"no incident INC-{incident_id} in {self.db.path}")
        row = await self.db.rows(
            "SELECT origin_db, origin_incident FROM copies WHERE incident_id=?", (incident_id,)
        )
        rows = await self.db.rows(
            "SELECT c.event_id, c.origin_db, c.origin_event FROM events e JOIN copied_events c "
            "ON c.event_id = e.id WHERE e.incident_id=?",
            (incident_id,),
        )
        return Provenance(
            database=me,
            incident=(row[0][0], row[0][1]) if row else (me, incident_id),
            events={event_id: (db, origin) for event_id, db, origin in rows},
        )

    async def find(self, origin: Origin) -> int | None:
        db, incident_id = origin
        if db == await self.database_id():
            found = await self.db.scalar("SELECT id FROM incidents WHERE id=?", (incident_id,))
        else:
            found = await self.db.scalar(
                "SELECT incident_id FROM copies WHERE origin_db=? AND origin_incident=?",
                (db, incident_id),
            )
        return found

    async def take(self, take: Take) -> Taken:
        """Append ``take`` in one transaction; returns where it landed and what it added."""

        async def tx(conn: aiosqlite.Connection) -> Taken:
            incident_id = take.incident_id
            events = list(take.events)
            if incident_id is None:
                if not events or events[0].event.kind is not EventKind.DECLARED:
                    raise InvalidInput("a new copy must begin with the incident's declaration")
                cur = await conn.execute(
                    "INSERT INTO incidents(created_at) VALUES (?)",
                    (ts(events[0].event.recorded_at),),
                )
                incident_id = cur.lastrowid
                await conn.execute(
                    "INSERT INTO copies(incident_id, origin_db, origin_incident) VALUES (?,?,?)",
                    (incident_id, *take.origin),
                )
            assert incident_id is not None
            saved: list[int] = []
            state = incident_id != take.incident_id  # a new incident: its glance too
            for carried in events:
                corrects = (
                    saved[carried.corrects_at]
                    if carried.corrects_at is not None
                    else carried.event.corrects
                )
                event = carried.event.model_copy(
                    update={"id": None, "incident_id": incident_id, "corrects": corrects}
                )
                new = await insert(conn, event)
                saved.append(new.id or 0)
                state = state or event.kind.value in STATE_KINDS
                await conn.execute(
                    "INSERT INTO copied_events(event_id, origin_db, origin_event) VALUES (?,?,?)",
                    (new.id, *carried.origin),
                )
            lines = 0
            for source_id, texts in sorted(take.lines.items()):
                cur = await conn.executemany(
                    "INSERT OR IGNORE INTO captured_lines(incident_id, source_id, no, err, "
                    "read_at, text) VALUES (?,?,?,?,?,?)",
                    [(incident_id, source_id, t.no, int(t.err), t.read_at, t.text) for t in texts],
                )
                added = max(cur.rowcount, 0)
                lines += added
                if added:  # the capture writer counts the source again (capture_budget.py)
                    await conn.execute(
                        "DELETE FROM capture_totals WHERE incident_id=? AND source_id=?",
                        (incident_id, source_id),
                    )
            if take.ledger is not None:
                await insert(conn, take.ledger.model_copy(update={"incident_id": incident_id}))
            if state:
                await write_glance(conn, incident_id)
            return Taken(incident_id, len(saved), lines)

        return await self.db.write(tx)
