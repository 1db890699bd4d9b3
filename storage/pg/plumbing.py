"""The server store's plumbing: every query and transaction on its one connection.

As for the SQLite file (``storage/plumbing.py``), reads and writes run to their end whatever
happens to their caller (a console cancels its workers as it goes away), and take turns on
the connection: a read never runs inside another task's transaction. Errors become one line
each, with any password of the connection string left out.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from incident.errors import IncidentNotFound, InvalidInput, ReadOnly
from incident.sanitize import visible
from storage.dsn import redact_dsn
from storage.errors import StoreBusy, StoreError

T = TypeVar("T")
CONNECT_TIMEOUT_S = 10
WRITE_ATTEMPTS = 5  # a serialization failure or deadlock is retried, then reported


def secrets_of(dsn: str) -> list[str]:
    """The passwords that must never be shown: the connection string's and $PGPASSWORD."""
    found = [os.environ.get("PGPASSWORD", "")]
    try:
        found.append(str(conninfo_to_dict(dsn).get("password") or ""))
    except psycopg.Error:
        pass
    return [s for s in found if s]


def one_line(err: BaseException, where: str, dsn: str) -> str:
    """The first line of a driver error, its controls made visible, any password hidden."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    for secret in secrets_of(dsn):
        text = text.replace(secret, "***")
    return f"{where}: {visible(text)}"


def translate(err: psycopg.Error, where: str, dsn: str) -> Exception:
    """The one-line error warroom reports for a driver error."""
    if isinstance(err, pg_errors.ForeignKeyViolation):
        return IncidentNotFound("no such incident in this database")
    if isinstance(err, pg_errors.ReadOnlySqlTransaction):
        return ReadOnly(f"{where} is open read-only: nothing can be changed")
    if isinstance(err, pg_errors.UntranslatableCharacter | pg_errors.CharacterNotInRepertoire):
        return InvalidInput("the text cannot be stored on the server; nothing was saved")
    if isinstance(err, pg_errors.DataError) and "0x00" in str(err):
        return InvalidInput("the text holds a NUL character, which the server cannot store")
    if isinstance(err, pg_errors.LockNotAvailable | pg_errors.QueryCanceled):
        return StoreBusy(one_line(err, where, dsn) + "; nothing was saved")
    if isinstance(err, psycopg.OperationalError):
        return StoreError(one_line(err, where, dsn) + " (the server cannot be reached)")
    return StoreError(one_line(err, where, dsn))


def conninfo(dsn: str, application_name: str = "warroom") -> str:
    """``dsn`` with warroom's defaults where neither it nor libpq's environment sets them."""
    try:
        given = conninfo_to_dict(dsn)
    except psycopg.Error as e:
        raise InvalidInput(f"--db {redact_dsn(dsn)}: not a connection string libpq reads") from e
    extra: dict[str, Any] = {}
    if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
        extra["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in given and "PGAPPNAME" not in os.environ:
        extra["application_name"] = application_name
    return make_conninfo(dsn, **extra)


async def connect(dsn: str, *, read_only: bool) -> psycopg.AsyncConnection:
    """A connection in autocommit (transactions are explicit), read-only when asked."""
    info = conninfo(dsn)
    try:
        conn = await psycopg.AsyncConnection.connect(info, autocommit=True)
        if read_only:
            await conn.execute("SET default_transaction_read_only = on")
    except psycopg.Error as e:
        raise StoreError(one_line(e, redact_dsn(dsn), dsn)) from None
    return conn


class PgPlumbing:
    """Queries and transactions over one psycopg connection."""

    def __init__(self, dsn: str, conn: psycopg.AsyncConnection, read_only: bool) -> None:
        self.dsn = dsn
        self.path = redact_dsn(dsn)  # what messages name (never the password)
        self.read_only = read_only
        self._conn = conn
        self._turn = asyncio.Lock()  # one statement or transaction at a time
        self._running: set[asyncio.Task] = set()
        self.local_commits = 0
        self.closing = False
        self._closed: asyncio.Future[None] | None = None

    def _error(self, e: psycopg.Error) -> Exception:
        return translate(e, self.path, self.dsn)

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self.rows(sql, params)
        return rows[0][0] if rows else None

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async def read() -> list[Any]:
            async with self._turn:
                try:
                    cur = await self._conn.execute(sql, params)
                    return list(await cur.fetchall())
                except psycopg.Error as e:
                    raise self._error(e) from None

        return await self._whole(read())

    async def rows_within(
        self, sql: str, params: Sequence[Any], cost: Callable[[Any], int], budget: int
    ) -> list[Any]:
        """The first rows whose ``cost`` adds up to no more than ``budget`` (read in steps,
        so a query newest first stops near the budget)."""

        async def read() -> list[Any]:
            out: list[Any] = []
            spent = 0
            async with self._turn:
                try:
                    async with self._conn.cursor() as cur:
                        await cur.execute(sql, params)
                        while rows := await cur.fetchmany(64):
                            for row in rows:
                                spent += cost(row)
                                if spent > budget:
                                    return out
                                out.append(row)
                except psycopg.Error as e:
                    raise self._error(e) from None
            return out

        return await self._whole(read())

    def _whole(self, work: Awaitable[T]) -> Awaitable[T]:
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._done)
        return asyncio.shield(task)

    async def write(self, fn: Callable[[psycopg.AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn`` in one transaction; return after COMMIT. A serialization failure or a
        deadlock is retried; anything else rolls back and is raised as one line."""
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only: nothing can be changed")
        return await self._whole(self._transaction(fn))

    async def _transaction(self, fn: Callable[[psycopg.AsyncConnection], Awaitable[T]]) -> T:
        async with self._turn:
            for attempt in range(WRITE_ATTEMPTS):
                try:
                    async with self._conn.transaction():
                        result = await fn(self._conn)
                    self.local_commits += 1
                    return result
                except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected) as e:
                    if attempt == WRITE_ATTEMPTS - 1 or self.closing:
                        raise self._error(e) from None
                    await asyncio.sleep(0.01 * 2**attempt)
                except psycopg.Error as e:
                    raise self._error(e) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def settled(self) -> None:
        """Return once every read and write under way has ended."""
        while self._running:
            await asyncio.wait(set(self._running))

    def _done(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()
