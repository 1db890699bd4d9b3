"""Provenance of copied incidents on the server, and a copy's one transaction: the part
``copies`` of :class:`storage.pg.store.PgStore`, with the SQLite file's semantics
(``storage/copies.py``). The copy's events are appended under the incident's append lock,
as every append is (``storage/pg/store.py``), and wake the consoles on it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import psycopg

from incident.errors import IncidentNotFound, InvalidInput
from incident.kinds import STATE_KINDS, EventKind
from incident.ports import Origin, Provenance, Take, Taken
from storage.copies import DATABASE_ID
from storage.pg.feed import CHANNEL
from storage.pg.plumbing import PgPlumbing
from storage.sql import event_values, ts

Glance = Callable[[psycopg.AsyncConnection, int], Awaitable[bool]]
_INSERT = (
    "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, action, owner, "
    "payload, corrects) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id"
)


class PgCopies:
    """The copy's reads and its one write, over the server store's plumbing."""

    def __init__(self, db: PgPlumbing, write_glance: Glance) -> None:
        self.db = db
        self.write_glance = write_glance  # (storage/pg/store.py's, handed in: no import circle)
        self._id: str | None = None

    async def database_id(self) -> str:
        if self._id is None:
            self._id = await self.db.scalar(
                "SELECT value FROM store_meta WHERE key=%s", (DATABASE_ID,)
            )
            if not self._id:
                raise InvalidInput(f"{self.db.path}: the database has no id; open it for writing")
        return self._id

    async def provenance(self, incident_id: int) -> Provenance:
        me = await self.database_id()
        if not await self.db.scalar("SELECT 1 FROM incidents WHERE id=%s", (incident_id,)):
            raise IncidentNotFound(f"no incident INC-{incident_id} in {self.db.path}")
        row = await self.db.rows(
            "SELECT origin_db, origin_incident FROM copies WHERE incident_id=%s", (incident_id,)
        )
        rows = await self.db.rows(
            "SELECT c.event_id, c.origin_db, c.origin_event FROM events e JOIN copied_events c "
            "ON c.event_id = e.id WHERE e.incident_id=%s",
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
            return await self.db.scalar("SELECT id FROM incidents WHERE id=%s", (incident_id,))
        return await self.db.scalar(
            "SELECT incident_id FROM copies WHERE origin_db=%s AND origin_incident=%s",
            (db, incident_id),
        )

    async def take(self, take: Take) -> Taken:
        """Append ``take`` in one transaction; returns where it landed and what it added."""

        async def one(conn: psycopg.AsyncConnection, sql: str, params: tuple) -> int:
            cur = await conn.execute(sql, params)
            row = await cur.fetchone()
            assert row is not None
            return row[0]

        async def tx(conn: psycopg.AsyncConnection) -> Taken:
            incident_id = take.incident_id
            events = list(take.events)
            if incident_id is None:
                if not events or events[0].event.kind is not EventKind.DECLARED:
                    raise InvalidInput("a new copy must begin with the incident's declaration")
                incident_id = await one(
                    conn,
                    "INSERT INTO incidents(created_at) VALUES (%s) RETURNING id",
                    (ts(events[0].event.recorded_at),),
                )
                await conn.execute(
                    "INSERT INTO copies(incident_id, origin_db, origin_incident) VALUES (%s,%s,%s)",
                    (incident_id, *take.origin),
                )
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (incident_id,))
            saved: list[int] = []
            state = incident_id != take.incident_id
            for carried in events:
                corrects = (
                    saved[carried.corrects_at]
                    if carried.corrects_at is not None
                    else carried.event.corrects
                )
                event = carried.event.model_copy(
                    update={"id": None, "incident_id": incident_id, "corrects": corrects}
                )
                event_id = await one(conn, _INSERT, event_values(event))
                saved.append(event_id)
                state = state or event.kind.value in STATE_KINDS
                await conn.execute(
                    "INSERT INTO copied_events(event_id, origin_db, origin_event) "
                    "VALUES (%s,%s,%s)",
                    (event_id, *carried.origin),
                )
            lines = 0
            for source_id, texts in sorted(take.lines.items()):
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO captured_lines(incident_id, source_id, no, err, read_at, "
                        "text) VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                        [
                            (incident_id, source_id, t.no, int(t.err), t.read_at, t.text)
                            for t in texts
                        ],
                    )
                    added = max(cur.rowcount, 0)  # (psycopg 3: of every statement)
                lines += added
                if added:  # the capture writer counts the source again (storage/pg/capture.py)
                    await conn.execute(
                        "DELETE FROM capture_totals WHERE incident_id=%s AND source_id=%s",
                        (incident_id, source_id),
                    )
            if take.ledger is not None:
                ledger = take.ledger.model_copy(update={"incident_id": incident_id})
                await one(conn, _INSERT, event_values(ledger))
            if state:
                await self.write_glance(conn, incident_id)
            await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(incident_id)))
            return Taken(incident_id, len(saved), lines)

        return await self.db.write(
            tx, rows=len(take.events) + sum(len(t) for t in take.lines.values())
        )
