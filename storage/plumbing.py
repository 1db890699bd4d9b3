"""The store's plumbing: every query and transaction on its one connection goes through here.

Reads and writes run to their end whatever happens to their caller. A console cancels its
workers and timers as it goes away; a read cancelled midway left its statement open, with
its read snapshot, and once another process had written, the connection could not begin a
write again; a write cancelled once its ``BEGIN IMMEDIATE`` had gone to SQLite left the
connection inside the transaction, holding the database's write lock for every process.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from incident.errors import IncidentNotFound, ReadOnly
from storage.errors import StoreBusy, translate

T = TypeVar("T")
WRITE_DEADLINE_S = 60.0


class Plumbing:
    """Queries and transactions over one aiosqlite connection."""

    def __init__(self, path: Path, conn: aiosqlite.Connection, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self._conn = conn
        self._write_lock = asyncio.Lock()
        self._running: set[asyncio.Task] = set()  # reads and writes under way (_whole)
        self.local_commits = 0  # data_version does not move for this connection's own commits
        self.closing = False  # set by close(): a write waiting on a lock stops retrying
        self._closed: asyncio.Future[None] | None = None  # the close, once begun (close())

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self.rows(sql, params)
        return rows[0][0] if rows else None

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of one query, read to the end even if the caller is cancelled: an open
        statement holds a read snapshot, and this connection could not write again."""

        async def read() -> list[Any]:
            try:
                async with self._conn.execute(sql, params) as cur:
                    return list(await cur.fetchall())
            except sqlite3.Error as e:
                raise translate(e, str(self.path)) from None

        return await self._whole(read())

    async def rows_within(
        self, sql: str, params: Sequence[Any], cost: Callable[[Any], int], budget: int
    ) -> list[Any]:
        """The first rows of one query whose ``cost`` adds up to no more than ``budget``;
        the rows after them are never read (a query newest first stops at the budget).
        Rows are fetched as many at a time as the budget left would hold were they as large
        as the largest seen (at most 256), so little is read past the budget."""

        async def read() -> list[Any]:
            out: list[Any] = []
            spent = largest = 0
            try:
                async with self._conn.execute(sql, params) as cur:
                    step = 16
                    while rows := await cur.fetchmany(step):
                        for row in rows:
                            size = cost(row)
                            spent += size
                            if spent > budget:
                                return out
                            largest = max(largest, size)
                            out.append(row)
                        step = max(1, min(256, (budget - spent) // max(largest, 1)))
            except sqlite3.Error as e:
                raise translate(e, str(self.path)) from None
            return out

        return await self._whole(read())

    def _whole(self, work: Awaitable[T]) -> Awaitable[T]:
        """``work`` as a task that runs to its end whatever happens to its caller."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._done)
        return asyncio.shield(task)

    async def write(self, fn: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run ``fn`` in one ``BEGIN IMMEDIATE`` transaction; return after COMMIT.

        Lock contention is retried with jittered back-off for up to ``WRITE_DEADLINE_S``;
        any other error rolls back and is raised as a one-line :class:`StoreError`. It runs
        to its end even if its caller is cancelled (a console cancels its workers as it
        goes away): else the connection stays in the transaction, holding the write lock.
        """
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only: nothing can be changed")
        return await self._whole(self._transaction(fn))

    async def _transaction(self, fn: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        deadline = time.monotonic() + WRITE_DEADLINE_S
        delay = 0.01
        async with self._write_lock:
            while True:
                try:
                    if self._conn.in_transaction:  # (left by a transaction cancelled itself)
                        await self._conn.execute("ROLLBACK")
                    await self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        result = await fn(self._conn)
                        await self._conn.execute("COMMIT")
                        self.local_commits += 1
                        return result
                    except BaseException:
                        if self._conn.in_transaction:
                            await self._conn.execute("ROLLBACK")
                        raise
                except sqlite3.OperationalError as e:
                    locked = "locked" in str(e) or "busy" in str(e)
                    if locked and time.monotonic() < deadline and not self.closing:
                        await asyncio.sleep(delay * (0.5 + random.random()))
                        delay = min(delay * 2, 0.5)
                        continue
                    if locked:
                        raise StoreBusy(
                            f"{self.path}: locked by another process for over "
                            f"{WRITE_DEADLINE_S:.0f} s; nothing was saved"
                        ) from None
                    raise translate(e, str(self.path)) from None
                except sqlite3.IntegrityError as e:
                    if "FOREIGN KEY" in str(e):
                        raise IncidentNotFound("no such incident in this database") from None
                    raise translate(e, str(self.path)) from None
                except sqlite3.Error as e:
                    raise translate(e, str(self.path)) from None

    async def settled(self) -> None:
        """Return once every read and write under way has ended (a cancelled caller's too)."""
        while self._running:
            await asyncio.wait(set(self._running))

    def _done(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # (retrieved: a caller that was cancelled never will)
