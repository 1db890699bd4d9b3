"""The incident store on a PostgreSQL server: the same journal port as the SQLite file
(``storage/store.py``), for a team whose consoles are on several machines.

Guarantees:
- A write returns only after its transaction is committed on the server.
- Appends to one incident take ``pg_advisory_xact_lock(<incident id>)`` before their ids
  are drawn, and hold it to the commit: ids are committed in id order per incident, so a
  change feed that reads ``id > cursor`` never skips an event (``storage/pg/feed.py``).
- Appends are idempotent: each event carries a key made here once per call
  (``append_key``, unique), so a transaction run again after its COMMIT went unanswered
  (``storage/pg/plumbing.py``) finds the events it stored instead of storing them twice.
- A schema from a newer warroom is refused before anything is written; one opened
  read-only is never written (``default_transaction_read_only`` on its connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg

from incident.errors import IncidentNotFound
from incident.glance_of import glance_of
from incident.journal import Event
from incident.kinds import STATE_KINDS
from incident.model import Status
from incident.ports import IncidentSummary
from incident.state import IncidentState, fold
from storage.errors import NotAWarroomDatabase, SchemaTooNew, StoreError
from storage.pg import schema
from storage.pg.copies import PgCopies
from storage.pg.feed import CHANNEL, Listener, PgWatcher
from storage.pg.leases import Leases
from storage.pg.parts import Contacts, Drafts
from storage.pg.plumbing import PgPlumbing, connect
from storage.pg.reads import CaptureReads
from storage.sql import COLUMNS, dt, event_values, row_event, ts

CLOSE_WAIT_S = 5.0
_STATE_KINDS = sorted(STATE_KINDS)
_OURS = ("incidents", "events", "drafts")  # tables that mark a database as warroom's


def new_keys(n: int) -> list[str]:
    """One append key per event, made once per call (its re-runs reuse them)."""
    return [uuid.uuid4().hex for _ in range(n)]


async def _insert_all(
    conn: psycopg.AsyncConnection, events: Sequence[Event], keys: Sequence[str] | None = None
) -> list[Event]:
    """Insert ``events`` under their incidents' append locks (taken in id order, so two
    writers never wait on each other in a circle); glances follow, then the wake-ups. An
    event whose key is stored already (this call's earlier run committed) is not stored
    again: its id is read back."""
    keys = new_keys(len(events)) if keys is None else keys
    incidents = sorted({e.incident_id for e in events})
    for incident_id in incidents:
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (incident_id,))
    saved = []
    for event, key in zip(events, keys, strict=True):
        cur = await conn.execute(
            "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, action, "
            "owner, payload, corrects, append_key) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (append_key) DO NOTHING RETURNING id",
            (*event_values(event), key),
        )
        row = await cur.fetchone()
        if row is None:
            cur = await conn.execute("SELECT id FROM events WHERE append_key=%s", (key,))
            row = await cur.fetchone()
        assert row is not None
        saved.append(event.model_copy(update={"id": row[0]}))
    for incident_id in sorted({e.incident_id for e in saved if e.kind.value in STATE_KINDS}):
        await write_glance(conn, incident_id)
    for incident_id in incidents:
        await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(incident_id)))
    return saved


async def write_glance(conn: psycopg.AsyncConnection, incident_id: int) -> bool:
    """The incident's glance (its status bar), in the transaction of a state event."""
    cur = await conn.execute(
        f"SELECT {COLUMNS} FROM events WHERE incident_id=%s AND kind = ANY(%s) ORDER BY id",
        (incident_id, _STATE_KINDS),
    )
    rows = await cur.fetchall()
    try:
        events = [row_event(r) for r in rows]
        glance = glance_of(fold(events), upto=events[-1].id or 0)
    except (StoreError, ValueError, IndexError):
        return False
    await conn.execute(
        "INSERT INTO glances(incident_id, upto, body) VALUES (%s,%s,%s) ON CONFLICT"
        "(incident_id) DO UPDATE SET upto=excluded.upto, body=excluded.body",
        (incident_id, glance.upto, glance.to_json()),
    )
    return True


class PgStore(PgPlumbing):
    """One warroom database on a PostgreSQL server. Build it with :meth:`open`."""

    def __init__(self, dsn: str, conn: psycopg.AsyncConnection, read_only: bool) -> None:
        super().__init__(dsn, conn, read_only)
        self.listener = Listener(dsn)
        self.drafts = Drafts(self)
        self.contacts = Contacts(self)
        self.captures = CaptureReads(self)
        self.leases = Leases(self)
        self.copies = PgCopies(self, write_glance)

    # ----------------------------------------------------------------- opening
    @classmethod
    async def open(cls, dsn: str, *, read_only: bool = False, create: bool = True) -> PgStore:
        """Connect, then check the schema (and for writing, migrate it). ``create=False``
        refuses a database without warroom's schema instead of making it (only ``declare``
        makes it, as only ``declare`` makes a SQLite file)."""
        conn = await connect(dsn, read_only=read_only)
        store = cls(dsn, conn, read_only)
        try:
            await store._prepare(create)
        except BaseException:
            await conn.close()
            raise
        return store

    async def version(self) -> int | None:
        """The schema's version, or None where warroom's schema is not there."""
        if await self.scalar("SELECT to_regclass(%s)", (schema.VERSION_TABLE,)) is None:
            return None
        return await self.scalar(f"SELECT max(version) FROM {schema.VERSION_TABLE}") or 0

    async def _prepare(self, create: bool) -> None:
        version = await self.version()
        latest = schema.latest_version()
        if version is None:
            foreign = await self.scalar(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s)",
                (list(_OURS),),
            )
            if foreign:
                raise NotAWarroomDatabase(
                    f"{self.path}: has tables named like warroom's but is not a warroom database"
                )
            if self.read_only or not create:
                raise StoreError(
                    f"{self.path}: no warroom database here yet (`warroom declare` makes one; "
                    "check --db and $WARROOM_DB)"
                )
        self._refuse_newer(version)
        if self.read_only:
            if (version or 0) < latest:
                raise StoreError(
                    f"{self.path}: schema {version} is older than {latest}; "
                    "open it once for writing to upgrade it"
                )
            return
        if version == latest:
            return
        await self.write(self._migrate, rows=None)  # (no deadline: it may take long)

    def _refuse_newer(self, version: int | None) -> None:
        latest = schema.latest_version()
        if version is not None and version > latest:
            raise SchemaTooNew(
                f"{self.path}: made by a newer warroom (schema {version}, this one knows "
                f"{latest}); upgrade warroom to open it - the database was not changed"
            )

    async def _migrate(self, conn: psycopg.AsyncConnection) -> None:
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (-schema.SCHEMA_LOCK,))
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema.VERSION_TABLE} (version INTEGER NOT NULL)"
        )
        cur = await conn.execute(f"SELECT coalesce(max(version), 0) FROM {schema.VERSION_TABLE}")
        row = await cur.fetchone()
        version = row[0] if row else 0
        self._refuse_newer(version)  # (another, newer warroom migrated first)
        for number, sql in schema.migrations()[version:]:
            await conn.execute(sql.encode())
            await conn.execute(f"DELETE FROM {schema.VERSION_TABLE}")
            await conn.execute(f"INSERT INTO {schema.VERSION_TABLE} VALUES (%s)", (number,))

    async def close(self, timeout: float = CLOSE_WAIT_S) -> None:
        """Close the connections (once; a second close waits for the first)."""
        if self._closed is None:
            self._closed = asyncio.ensure_future(self._close(timeout))
        await asyncio.shield(self._closed)

    async def _close(self, timeout: float) -> None:
        self.closing = True
        if self._running:
            await asyncio.wait(self._running, timeout=max(timeout, 0.0))
        await self.listener.close()
        with contextlib.suppress(psycopg.Error):
            await self._conn.close()  # (the one open now: a lost one was replaced)

    async def __aenter__(self) -> PgStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----------------------------------------------------------------- writes
    async def declare(self, event: Event) -> Event:
        """Create a new incident from its ``declared`` event; returns the saved event."""

        keys = new_keys(1)

        async def tx(conn: psycopg.AsyncConnection) -> Event:
            cur = await conn.execute(
                "SELECT incident_id, id FROM events WHERE append_key=%s", (keys[0],)
            )
            if done := await cur.fetchone():  # (an earlier run committed it)
                return event.model_copy(update={"incident_id": done[0], "id": done[1]})
            cur = await conn.execute(
                "INSERT INTO incidents(created_at) VALUES (%s) RETURNING id",
                (ts(event.recorded_at),),
            )
            row = await cur.fetchone()
            assert row is not None
            saved = event.model_copy(update={"incident_id": row[0]})
            return (await _insert_all(conn, [saved], keys))[0]

        return await self.write(tx)

    async def append(self, event: Event, *, drafts_done: str | None = None) -> Event:
        return (await self.append_many([event], drafts_done=drafts_done))[0]

    async def append_many(
        self, events: Sequence[Event], *, drafts_done: str | None = None
    ) -> list[Event]:
        """Append several events in one transaction (all or none)."""
        keys = new_keys(len(events))

        async def tx(conn: psycopg.AsyncConnection) -> list[Event]:
            saved = await _insert_all(conn, events, keys)
            if drafts_done is not None:
                for incident_id in sorted({e.incident_id for e in saved}):
                    await conn.execute(
                        "DELETE FROM drafts WHERE incident_id=%s AND starts_with(key, %s)",
                        (incident_id, drafts_done + "."),
                    )
            return saved

        return await self.write(tx, rows=len(events))

    async def refresh_glance(self, incident_id: int) -> bool:
        newest = await self.scalar(
            "SELECT max(id) FROM events WHERE incident_id=%s AND kind = ANY(%s)",
            (incident_id, _STATE_KINDS),
        )
        if newest is None or newest == await self.scalar(
            "SELECT upto FROM glances WHERE incident_id=%s", (incident_id,)
        ):
            return False
        return await self.write(lambda conn: write_glance(conn, incident_id))

    # ----------------------------------------------------------------- reads
    async def exists(self, incident_id: int) -> bool:
        return bool(await self.scalar("SELECT 1 FROM incidents WHERE id=%s", (incident_id,)))

    async def _require(self, incident_id: int) -> None:
        if not await self.exists(incident_id):
            raise IncidentNotFound(f"no incident INC-{incident_id} in {self.path}")

    async def state_events(self, incident_id: int, *, upto: int | None = None) -> list[Event]:
        rows = await self.rows(
            f"SELECT {COLUMNS} FROM events WHERE incident_id=%s AND kind = ANY(%s) "
            "AND (%s::bigint IS NULL OR id <= %s) ORDER BY id",
            (incident_id, _STATE_KINDS, upto, upto),
        )
        return [row_event(r) for r in rows]

    async def load_state(self, incident_id: int) -> IncidentState:
        """The incident as it stands now, folded up to its newest event (read first, so the
        change feed starts right after what was folded)."""
        await self._require(incident_id)
        last_id = (
            await self.scalar("SELECT max(id) FROM events WHERE incident_id=%s", (incident_id,))
            or 0
        )
        try:
            state = fold(await self.state_events(incident_id, upto=last_id))
        except ValueError:
            raise NotAWarroomDatabase(
                f"{self.path}: INC-{incident_id} cannot be read: its journal is damaged"
            ) from None
        last_at = await self.scalar(
            "SELECT max(occurred_at) FROM events WHERE incident_id=%s AND id<=%s",
            (incident_id, last_id),
        )
        state.last_event_id = last_id or state.last_event_id
        state.last_event_at = dt(last_at) if last_at else state.last_event_at
        return state

    async def events(
        self, incident_id: int, *, after_id: int = 0, limit: int | None = None
    ) -> list[Event]:
        sql = f"SELECT {COLUMNS} FROM events WHERE incident_id=%s AND id>%s ORDER BY id"
        params: tuple[Any, ...] = (incident_id, after_id)
        if limit is not None:
            sql += " LIMIT %s"
            params += (limit,)
        events = [row_event(r) for r in await self.rows(sql, params)]
        if not events and not after_id:
            await self._require(incident_id)
        return events

    async def page(
        self, incident_id: int, *, before: Event | None = None, limit: int = 200
    ) -> list[Event]:
        """Up to ``limit`` events just before ``before`` (or the newest), oldest first."""
        if before is None:
            rows = await self.rows(
                f"SELECT {COLUMNS} FROM events WHERE incident_id=%s "
                "ORDER BY occurred_at DESC, id DESC LIMIT %s",
                (incident_id, limit),
            )
        else:
            rows = await self.rows(
                f"SELECT {COLUMNS} FROM events WHERE incident_id=%s AND "
                "(occurred_at, id) < (%s, %s) ORDER BY occurred_at DESC, id DESC LIMIT %s",
                (incident_id, ts(before.occurred_at), before.id or 0, limit),
            )
        return [row_event(r) for r in reversed(rows)]

    async def corrections_of(self, event_ids: Sequence[int]) -> list[Event]:
        if not event_ids:
            return []
        rows = await self.rows(
            f"SELECT {COLUMNS} FROM events WHERE corrects = ANY(%s) ORDER BY id",
            (list(event_ids),),
        )
        return [row_event(r) for r in rows]

    async def event(self, event_id: int) -> Event:
        rows = await self.rows(f"SELECT {COLUMNS} FROM events WHERE id=%s", (event_id,))
        if not rows:
            raise IncidentNotFound(f"no event #{event_id} in {self.path}")
        return row_event(rows[0])

    async def latest_active(self) -> int | None:
        for summary in await self.list_incidents():
            if summary.status is not Status.RESOLVED:
                return summary.id
        return None

    async def list_incidents(self, include_closed: bool = True) -> list[IncidentSummary]:
        """Every incident, newest first (resolved ones only with ``include_closed``)."""
        rows = await self.rows(
            f"SELECT {COLUMNS} FROM events WHERE kind = ANY(%s) ORDER BY incident_id DESC, id",
            (_STATE_KINDS,),
        )
        counts = dict(
            await self.rows("SELECT incident_id, count(*) FROM events GROUP BY incident_id")
        )
        grouped: dict[int, list[Event]] = {}
        for r in rows:
            grouped.setdefault(r[1], []).append(row_event(r))
        out = []
        for incident_id, events in grouped.items():
            s = fold(events)
            if include_closed or s.status is not Status.RESOLVED:
                out.append(
                    IncidentSummary(
                        id=incident_id,
                        title=s.title,
                        severity=s.severity,
                        status=s.status,
                        started_at=s.started_at,
                        resolved_at=s.resolved_at,
                        event_count=counts.get(incident_id, 0),
                    )
                )
        return out

    # ----------------------------------------------------------------- change feed
    def watch(self, incident_id: int, after_id: int) -> PgWatcher:
        """A change feed of the incident's new events, from any console on the server."""
        return PgWatcher(self, incident_id, after_id)
