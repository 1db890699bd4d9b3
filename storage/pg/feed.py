"""The server's change feed: LISTEN/NOTIFY wakes the readers; the journal tells them what.

Each append transaction notifies channel ``warroom`` with its incident's id (delivered at
commit). A notification carries nothing a reader relies on: on a wake-up (or its own
commit, or every ``FALLBACK_S`` without either) a :class:`PgWatcher` reads the incident's
events after its cursor. Appends of an incident are serialised under an advisory lock
(``storage/pg/store.py``), so ids are committed in order and ``id > cursor`` skips nothing;
a notification lost with a dropped connection costs at most ``FALLBACK_S``.

When the LISTEN connection is lost the listener connects again, at once and then after
``RECONNECT_MIN_S`` doubling to ``RECONNECT_MAX_S``, and LISTENs again; each loss is
counted (``drops``), which makes every reader read at once: so a server gone away is noticed
by the store within a poll, and the events committed while the listener was away are read
from each reader's cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from typing import Protocol

import psycopg

from incident.journal import Event
from incident.ports import Change
from storage.pg.deadline import abandon, deadline

CHANNEL = "warroom"
FALLBACK_S = 1.0  # a reader reads anyway after this long without a notification
RECONNECT_MIN_S = 0.2
RECONNECT_MAX_S = 2.0
PING_S = 2.0  # the listener asks the server whether it is there after this long in silence


class Listener:
    """One LISTEN connection per store; counts the notifications of each incident."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.seen: Counter[int] = Counter()
        self.up = False  # listening now (else readers rely on the fallback poll)
        self.drops = 0  # LISTEN connections lost (or refused) so far
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        from storage.pg.plumbing import connect

        wait = RECONNECT_MIN_S
        while True:
            try:
                conn = await connect(self.dsn, read_only=False)
                try:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.up, wait = True, RECONNECT_MIN_S
                    self.drops += 1  # (listening again: read what came meanwhile)
                    while True:
                        async for note in conn.notifies(timeout=PING_S):
                            with contextlib.suppress(ValueError):
                                self.seen[int(note.payload)] += 1
                        watch = asyncio.get_running_loop().call_later(deadline(), abandon, conn)
                        try:
                            await conn.execute("SELECT 1")  # (no answer: the network is cut)
                        finally:
                            watch.cancel()
                finally:
                    self.up = False
                    with contextlib.suppress(psycopg.Error):
                        await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception:  # (the server went away: read on the fallback, try again)
                self.up = False
            self.drops += 1
            await asyncio.sleep(wait)
            wait = min(wait * 2, RECONNECT_MAX_S)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None


class Journaled(Protocol):
    local_commits: int
    listener: Listener
    down: str | None

    async def events(
        self, incident_id: int, *, after_id: int = 0, limit: int | None = None
    ) -> list[Event]: ...


class PgWatcher:
    """The change feed of one incident on the server (``incident.ports.Watch``)."""

    def __init__(self, store: Journaled, incident_id: int, after_id: int) -> None:
        self._store = store
        self.incident_id = incident_id
        self.last_id = after_id
        self._version: tuple[int, int, int] | None = None
        self._read_at = 0.0
        store.listener.start()

    async def poll(self, limit: int = 5_000) -> Change | None:
        """New events since the last poll, or ``None`` when nothing woke it."""
        listener = self._store.listener
        version = (listener.seen[self.incident_id], self._store.local_commits, listener.drops)
        # (while the server is away every poll asks: the store answers at once until it is
        # time to connect again, and the first answer after that is the whole catch-up)
        due = time.monotonic() - self._read_at >= FALLBACK_S or self._store.down is not None
        if version == self._version and not due:
            return None
        self._version = version
        self._read_at = time.monotonic()
        try:
            events = await self._store.events(self.incident_id, after_id=self.last_id, limit=limit)
        except Exception:
            self._version = None  # (not read: the next poll asks again)
            raise
        if len(events) == limit:
            self._version = None
        if not events:
            return None
        self.last_id = events[-1].id or self.last_id
        return Change(events=events, last_id=self.last_id)
