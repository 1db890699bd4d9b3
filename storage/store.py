"""The incident store: aiosqlite over one SQLite file, the only code that speaks SQL.

Guarantees (docs/reliability.md states them with their tests):
- A write returns only after its transaction is committed (``synchronous=FULL`` in WAL mode,
  so an acknowledged event survives a crash of the process and of the machine).
- Writers in several processes take turns: ``BEGIN IMMEDIATE`` with a busy timeout, and a
  retry loop with back-off on top, so ordinary contention never fails a write.
- A database from a newer warroom is refused and left untouched; one opened read-only is
  never written (the connection is ``mode=ro``, or ``immutable=1`` on read-only media).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from incident.errors import IncidentNotFound
from incident.journal import Event
from incident.kinds import STATE_KINDS
from incident.model import Status
from incident.ports import IncidentSummary
from incident.state import IncidentState, fold
from storage import schema
from storage.capture_reads import CaptureReads
from storage.contacts import Contacts
from storage.copies import Copies
from storage.drafts import Drafts, delete_drafts
from storage.errors import NotAWarroomDatabase, StoreError, translate
from storage.feed import Watcher
from storage.leases import Leases
from storage.paths import ensure_private_file, read_only_uri
from storage.plumbing import Plumbing
from storage.sql import (
    COLUMNS as _COLUMNS,
)
from storage.sql import (
    check_header,
    check_identity,
    connect,
    dt,
    insert,
    preflight,
    row_event,
    split_sql,
    ts,
    write_glance,
)

CLOSE_WAIT_S = 5.0  # for reads and writes still under way when the store is closed
_STATE_KINDS = tuple(sorted(STATE_KINDS))
_IN_STATE = ",".join("?" * len(_STATE_KINDS))
_MAX_ID = 2**63 - 1


async def _insert_all(conn: aiosqlite.Connection, events: Sequence[Event]) -> list[Event]:
    """Insert ``events``; the glance of each incident whose state they change follows."""
    saved = [await insert(conn, e) for e in events]
    for incident_id in sorted({e.incident_id for e in saved if e.kind.value in STATE_KINDS}):
        await write_glance(conn, incident_id)
    return saved


class Store(Plumbing):
    """One open warroom database. Build it with :meth:`open`; close it when done.

    The journal itself is read and written here; the other parts of the schema each have
    a part of their own over the same plumbing (the queries and transactions of the one
    connection): ``drafts``, ``contacts``, ``captures``, ``leases`` and ``copies``."""

    def __init__(self, path: Path, conn: aiosqlite.Connection, read_only: bool) -> None:
        super().__init__(path, conn, read_only)
        self.drafts = Drafts(self)
        self.contacts = Contacts(self)
        self.captures = CaptureReads(self)
        self.leases = Leases(self)
        self.copies = Copies(self)

    # ----------------------------------------------------------------- opening
    @classmethod
    async def open(cls, path: Path | str, *, read_only: bool = False, create: bool = True) -> Store:
        """Open (and for writing, migrate) the database at ``path``; ``create`` makes it
        (and its directories) when it is not there. An empty file is refused: it is not a
        warroom database, and making one of it hides a typo."""
        path = Path(path)
        if path.is_file() and path.stat().st_size == 0:
            raise NotAWarroomDatabase(
                f"{path}: an empty file, not a warroom database; remove it, or choose another --db"
            )
        if read_only:
            conn = await cls._connect_read_only(path)
        else:
            if not create and not path.exists():
                raise StoreError(
                    f"{path}: no such database file (`warroom declare` makes "
                    "one; check --db and $WARROOM_DB)"
                )
            preflight(path)  # refuse what is not ours, or too new, through a read-only look
            ensure_private_file(path, tighten=False)  # tightened in _prepare, once known ours
            conn = await connect(str(path), path)
        store = cls(path, conn, read_only)
        try:
            await store._prepare()
        except BaseException:
            await conn.close()
            raise
        return store

    @staticmethod
    async def _connect_read_only(path: Path) -> aiosqlite.Connection:
        if not path.is_file():
            raise StoreError(f"{path}: no such database file")
        check_header(path)
        uri = read_only_uri(path)  # (nothing made beside the file)
        if uri.endswith("?immutable=1"):
            return await connect(uri, path, uri=True)
        try:
            conn: aiosqlite.Connection | None = await connect(uri, path, uri=True)
        except StoreError:
            conn = None
        if conn is not None:
            try:
                await conn.execute("SELECT count(*) FROM sqlite_master")
                return conn
            except sqlite3.Error as e:
                await conn.close()  # a connection left open keeps the process from exiting
                msg = str(e).lower()
                if "unable to open" not in msg and "readonly" not in msg:
                    raise translate(e, str(path)) from None
        # Read-only media (no -shm can be made): read the file as an immutable snapshot.
        return await connect(uri.replace("?mode=ro", "?immutable=1"), path, uri=True)

    async def _prepare(self) -> None:
        c = self._conn
        app_id = await self.scalar("PRAGMA application_id")
        version = await self.scalar("PRAGMA user_version")
        tables = await self.scalar("SELECT count(*) FROM sqlite_master WHERE type='table'")
        check_identity(self.path, app_id, version, tables)
        latest = schema.latest_version()
        if self.read_only:
            if version < latest:
                raise StoreError(
                    f"{self.path}: schema {version} is older than {latest}; "
                    "open it once for writing to upgrade it"
                )
            return
        ensure_private_file(self.path)  # ours (or new): now take others' permission bits away
        if await self.scalar("PRAGMA journal_mode=WAL") != "wal":
            raise StoreError(f"{self.path}: cannot switch the database to WAL mode")
        await c.execute("PRAGMA synchronous=FULL")
        for number, sql in schema.migrations()[version:]:

            async def migrate(conn: aiosqlite.Connection, sql: str = sql, n: int = number):
                if await self.scalar("PRAGMA user_version") >= n:
                    return  # another process migrated first
                for statement in split_sql(sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version={n}")
                await conn.execute(f"PRAGMA application_id={schema.APPLICATION_ID}")

            await self.write(migrate)

    async def close(self, timeout: float = CLOSE_WAIT_S) -> None:
        """Close the connection; planner statistics are refreshed only after real writes, so
        a session that only read leaves the file's bytes alone. Writes still waiting on
        another process's lock stop retrying (and fail: nothing is saved by them).

        Closing again (the console's app closes the store it took over, then the CLI on its
        way out) waits for the first close and does nothing more; a caller cancelled while
        it waits does not cut the close short."""
        if self._closed is None:
            self._closed = asyncio.ensure_future(self._close(timeout))
        await asyncio.shield(self._closed)

    async def _close(self, timeout: float) -> None:
        self.closing = True
        if self._running:  # (their callers may be gone: they finish first, or are cut off)
            await asyncio.wait(self._running, timeout=max(timeout, 0.0))
        try:
            if not self.read_only and self.local_commits:
                await self._conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        await self._conn.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----------------------------------------------------------------- writes
    async def declare(self, event: Event) -> Event:
        """Create a new incident from its ``declared`` event; returns the saved event."""

        async def tx(conn: aiosqlite.Connection) -> Event:
            cur = await conn.execute(
                "INSERT INTO incidents(created_at) VALUES (?)", (ts(event.recorded_at),)
            )
            saved = event.model_copy(update={"incident_id": cur.lastrowid})
            return (await _insert_all(conn, [saved]))[0]

        return await self.write(tx)

    async def append(self, event: Event, *, drafts_done: str | None = None) -> Event:
        """Append one event; returns it with its id once it is committed.

        ``drafts_done`` names the dialog whose autosaved drafts this event saves (their key
        prefix): they are deleted in the same transaction, so a console that dies right
        after cannot offer the saved text again.
        """
        return (await self.append_many([event], drafts_done=drafts_done))[0]

    async def append_many(
        self, events: Sequence[Event], *, drafts_done: str | None = None
    ) -> list[Event]:
        """Append several events in one transaction (all or none)."""

        async def tx(conn: aiosqlite.Connection) -> list[Event]:
            saved = await _insert_all(conn, events)
            if drafts_done is not None:
                for incident_id in sorted({e.incident_id for e in saved}):
                    await delete_drafts(conn, incident_id, drafts_done)
            return saved

        return await self.write(tx)

    async def refresh_glance(self, incident_id: int) -> bool:
        """Write the incident's glance if it has not seen its newest state event (a file from
        before schema 6 has none until then); True if it was written."""
        newest = await self.scalar(
            f"SELECT max(id) FROM events INDEXED BY events_by_kind WHERE incident_id=? "
            f"AND kind IN ({_IN_STATE})",
            (incident_id, *_STATE_KINDS),
        )
        if newest is None or newest == await self.scalar(
            "SELECT upto FROM glances WHERE incident_id=?", (incident_id,)
        ):
            return False  # (no write lock taken for nothing)
        return await self.write(lambda conn: write_glance(conn, incident_id))

    # ----------------------------------------------------------------- reads
    async def exists(self, incident_id: int) -> bool:
        return bool(await self.scalar("SELECT 1 FROM incidents WHERE id=?", (incident_id,)))

    async def _require(self, incident_id: int) -> None:
        if not await self.exists(incident_id):
            raise IncidentNotFound(f"no incident INC-{incident_id} in {self.path}")

    async def state_events(self, incident_id: int, *, upto: int | None = None) -> list[Event]:
        """The events that shape the state (not notes, evidence or edits), in journal order.

        Read through ``events_by_kind`` whatever the planner's statistics say: they average
        over kinds, and an incident of 100,000 notes would otherwise be scanned whole.
        """
        rows = await self.rows(
            f"SELECT {_COLUMNS} FROM events INDEXED BY events_by_kind WHERE incident_id=? "
            f"AND kind IN ({_IN_STATE}) AND id<=? ORDER BY id",
            (incident_id, *_STATE_KINDS, upto if upto is not None else _MAX_ID),
        )
        return [row_event(r) for r in rows]

    async def load_state(self, incident_id: int) -> IncidentState:
        """The incident as it stands now, folded from its journal.

        The newest event is read first and the fold stops there, so an event written in
        between is neither folded nor skipped: the change feed starts after that id. Both
        lookups are index seeks, so the cost follows the state events, not the journal.
        """
        await self._require(incident_id)
        last_id = (
            await self.scalar("SELECT max(id) FROM events WHERE incident_id=?", (incident_id,)) or 0
        )
        try:
            state = fold(await self.state_events(incident_id, upto=last_id))
        except ValueError:  # (its 'declared' event is not found: a page or index is damaged)
            raise NotAWarroomDatabase(
                f"{self.path}: INC-{incident_id} cannot be read: the database file is damaged"
            ) from None
        # Notes, evidence and edits were not folded, but they are events: the last of them
        # counts, as it does in fold() of the whole journal.
        last_at = await self.scalar(
            "SELECT occurred_at FROM events INDEXED BY events_by_time WHERE incident_id=? "
            "AND id<=? ORDER BY incident_id DESC, occurred_at DESC LIMIT 1",
            (incident_id, last_id),
        )
        state.last_event_id = last_id or state.last_event_id
        state.last_event_at = dt(last_at) if last_at else state.last_event_at
        return state

    async def events(
        self, incident_id: int, *, after_id: int = 0, limit: int | None = None
    ) -> list[Event]:
        """Every event of the incident (after ``after_id``) in the order they were written."""
        sql = f"SELECT {_COLUMNS} FROM events WHERE incident_id=? AND id>? ORDER BY id"
        params: tuple[Any, ...] = (incident_id, after_id)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        events = [row_event(r) for r in await self.rows(sql, params)]
        if not events and not after_id:
            await self._require(incident_id)  # none at all: is there such an incident?
        return events

    async def page(
        self, incident_id: int, *, before: Event | None = None, limit: int = 200
    ) -> list[Event]:
        """Up to ``limit`` events just before ``before`` (or the newest), oldest first."""
        if before is None:
            rows = await self.rows(
                f"SELECT {_COLUMNS} FROM events WHERE incident_id=? "
                "ORDER BY occurred_at DESC, id DESC LIMIT ?",
                (incident_id, limit),
            )
        else:
            rows = await self.rows(
                f"SELECT {_COLUMNS} FROM events WHERE incident_id=? AND "
                "(occurred_at, id) < (?, ?) ORDER BY occurred_at DESC, id DESC LIMIT ?",
                (incident_id, ts(before.occurred_at), before.id or 0, limit),
            )
        return [row_event(r) for r in reversed(rows)]

    async def corrections_of(self, event_ids: Sequence[int]) -> list[Event]:
        """The ``edit`` events that correct any of ``event_ids``."""
        if not event_ids:
            return []
        marks = ",".join("?" * len(event_ids))
        rows = await self.rows(
            f"SELECT {_COLUMNS} FROM events WHERE corrects IN ({marks}) ORDER BY id",
            tuple(event_ids),
        )
        return [row_event(r) for r in rows]

    async def event(self, event_id: int) -> Event:
        rows = await self.rows(f"SELECT {_COLUMNS} FROM events WHERE id=?", (event_id,))
        if not rows:
            raise IncidentNotFound(f"no event #{event_id} in {self.path}")
        return row_event(rows[0])

    async def latest_active(self) -> int | None:
        """The newest incident that is not resolved, if any."""
        for summary in await self.list_incidents():
            if summary.status is not Status.RESOLVED:
                return summary.id
        return None

    async def list_incidents(self, include_closed: bool = True) -> list[IncidentSummary]:
        """Every incident, newest first (resolved ones only with ``include_closed``)."""
        rows = await self.rows(
            f"SELECT {_COLUMNS} FROM events WHERE kind IN ({_IN_STATE}) "
            "ORDER BY incident_id DESC, id",
            _STATE_KINDS,
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
    async def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it moves when another connection commits."""
        return await self.scalar("PRAGMA data_version")

    def watch(self, incident_id: int, after_id: int) -> Watcher:
        """A change feed of the incident's new events, from this process or any other."""
        return Watcher(self, incident_id, after_id)

    async def integrity_check(self) -> str:
        return await self.scalar("PRAGMA integrity_check")
