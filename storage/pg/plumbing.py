"""The server store's plumbing: every query and transaction on its one connection.

As for the SQLite file (``storage/plumbing.py``), reads and writes run to their end whatever
happens to their caller (a console cancels its workers as it goes away), and take turns on
the connection: a read never runs inside another task's transaction. Errors become one line
each, with any password of the connection string left out.

The server can go away (stopped, the network cut, a failover, a backend terminated). A
connection found lost is made again, at once and then at most once per ``backoff`` (0.2 s,
doubling to 2 s) while the server stays away; meanwhile every read and write fails at once
with :class:`~storage.errors.StoreUnreachable` (``down`` says why), and nothing is said to
be saved that was not committed. A read or write cut off by a lost connection is run again
on the new one: a write that was cut off before its COMMIT committed nothing; one cut off
during its COMMIT (its outcome unknown) is run again too, which is why every write must be
idempotent (appends carry keys: ``storage/pg/store.py``), and waits up to ``IN_DOUBT_S``
for the server to answer which it was.

A network cut sends nothing back (no reset): a statement on a connection whose packets are
dropped would wait for the kernel to give up. So every read and write has a deadline
(:func:`deadline`, 5 s, ``WARROOM_PG_DEADLINE``; a write of many rows gets
``PER_ROW_S`` more per row, :func:`deadline_for`), and so has every connection attempt:
when it passes, the connection's socket is shut (:func:`abandon`), the statement fails as
on a lost connection, the store is ``down`` ("no answer in 5 s") and the next connection is
tried after the backoff, not at once (a silent network would only be silent again). A
COMMIT cut off by the deadline is a commit in doubt, as above.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from incident.errors import IncidentNotFound, InvalidInput, ReadOnly
from incident.sanitize import visible
from storage.dsn import redact_dsn
from storage.errors import StoreBusy, StoreError, StoreUnreachable
from storage.pg.deadline import abandon, deadline, deadline_for, session_settings

T = TypeVar("T")
CONNECT_TIMEOUT_S = 10
WRITE_ATTEMPTS = 5  # a serialization failure or deadlock is retried, then reported
BACKOFF_MIN_S = 0.2  # the first wait before connecting again to a server that went away
BACKOFF_MAX_S = 2.0
IN_DOUBT_S = 15.0  # how long a write whose COMMIT went unanswered waits for the server
KEEPALIVES = {
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
}  # (ms: sent data unacknowledged that long: lost)


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


def servers(dsn: str) -> str:
    """The ``host:port`` of each server the connection string names (never a password)."""
    try:
        given = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "?"
    hosts = str(given.get("host") or given.get("hostaddr") or os.environ.get("PGHOST", ""))
    ports = str(given.get("port") or os.environ.get("PGPORT", "") or "5432").split(",")
    names = hosts.split(",") if hosts else ["localhost"]
    if len(ports) == 1:
        ports = ports * len(names)
    return ", ".join(
        f"{h or 'localhost'}:{p or '5432'}" for h, p in zip(names, ports, strict=False)
    )


def unreachable(err: psycopg.Error) -> bool:
    """Whether a connection attempt failed because no server answered (refused, timed out,
    no such host, starting up or shutting down), not because it refused us."""
    text = str(err)
    if "the database system is" in text:  # starting up, shutting down, in recovery
        return True
    return err.sqlstate is None and "FATAL" not in text and "authentication" not in text


def reason(err: BaseException, dsn: str) -> str:
    """Why a server could not be reached, in a few words: ``connection refused``."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    last = re.split(r"failed: ", first)[-1].strip() or first
    for secret in secrets_of(dsn):
        last = last.replace(secret, "***")
    return visible(last[:1].lower() + last[1:])


def cannot_reach(err: BaseException, dsn: str, outcome: str = "nothing was saved") -> str:
    return f"cannot reach the server {servers(dsn)}: {reason(err, dsn)}; {outcome}"


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
    for key, value in KEEPALIVES.items():  # (a network cut is noticed on an idle connection)
        if key not in given:
            extra[key] = value
    return make_conninfo(dsn, **extra)


async def connect(dsn: str, *, read_only: bool) -> psycopg.AsyncConnection:
    """A connection in autocommit (transactions are explicit), read-only when asked."""
    info = conninfo(dsn)
    limit = deadline()
    try:
        async with asyncio.timeout(limit):
            conn = await psycopg.AsyncConnection.connect(info, autocommit=True)
            await conn.execute(*session_settings())
            if read_only:
                await conn.execute("SET default_transaction_read_only = on")
    except TimeoutError:
        why = f"no answer in {limit:.3g} s"
        raise StoreUnreachable(
            f"cannot reach the server {servers(dsn)}: {why}; nothing was read or saved"
        ) from None
    except psycopg.Error as e:
        if unreachable(e):
            raise StoreUnreachable(cannot_reach(e, dsn, "nothing was read or saved")) from None
        raise StoreError(one_line(e, redact_dsn(dsn), dsn)) from None
    return conn


class PgPlumbing:
    """Queries and transactions over one psycopg connection, made again when it is lost."""

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
        self.down: str | None = None
        """Why the server cannot be reached now (None: it could be, last time we asked)."""
        self.reconnects = 0  # connections made again after one was lost
        self._backoff = BACKOFF_MIN_S
        self._next_try = 0.0  # time.monotonic() before which no new connection is tried
        self._silenced: tuple[psycopg.AsyncConnection, float] | None = None
        """The connection last abandoned at its deadline, and that deadline."""

    def _error(self, e: psycopg.Error) -> Exception:
        return translate(e, self.path, self.dsn)

    # ------------------------------------------------------------------ the connection
    def _lost(self, why: str) -> None:
        """The server went away: say so, and wait ``_backoff`` before trying again."""
        self.down = why
        self._next_try = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, BACKOFF_MAX_S)

    async def _connection(self, *, now: bool = False) -> psycopg.AsyncConnection:
        """The open connection, made again if it was lost (``now``: whatever the backoff)."""
        if not self._conn.closed:
            return self._conn
        if self.closing:
            raise StoreUnreachable(f"{self.path}: the store is closing; nothing was saved")
        if not now and time.monotonic() < self._next_try and self.down is not None:
            raise StoreUnreachable(self.down)
        try:
            self._conn = await connect(self.dsn, read_only=self.read_only)
        except StoreUnreachable as e:
            self._lost(str(e))
            raise
        self.reconnects += 1
        self.down, self._backoff, self._next_try = None, BACKOFF_MIN_S, 0.0
        return self._conn

    def _gone(self, conn: psycopg.AsyncConnection, e: psycopg.Error, outcome: str) -> bool:
        """Whether ``e`` lost the connection (then it is marked down, the error kept)."""
        if not conn.closed:
            return False
        if self._silent(conn):  # the network is silent: connect again after the backoff
            limit = self._silenced[1] if self._silenced else deadline()
            self._lost(f"cannot reach the server {servers(self.dsn)}: no answer in "
                       f"{limit:.3g} s; {outcome}")  # fmt: skip
            return True
        self.down = cannot_reach(e, self.dsn, outcome)  # (then connected again at once)
        return True

    def _silent(self, conn: psycopg.AsyncConnection) -> bool:
        """Whether ``conn`` was abandoned at its deadline (no answer, not a refusal)."""
        return self._silenced is not None and self._silenced[0] is conn

    def _watch(self, conn: psycopg.AsyncConnection, limit: float | None) -> asyncio.TimerHandle:
        """Abandon ``conn`` if what runs on it now is not over within ``limit`` seconds."""

        def cut_off() -> None:
            self._silenced = (conn, limit or 0.0)
            abandon(conn)

        return asyncio.get_running_loop().call_later(limit if limit is not None else 1e9, cut_off)

    async def _run(self, op: Callable[[psycopg.AsyncConnection], Awaitable[T]]) -> T:
        """``op`` on the connection under the turn, within the deadline; run again on a new
        connection if the old one was found lost (once: a server still away fails at once;
        not at all after a silence: the network may be cut)."""
        if self.down is not None and self._turn.locked():
            raise StoreUnreachable(self.down)  # (a write is waiting for the server)
        async with self._turn:
            for attempt in (0, 1):
                conn = await self._connection(now=attempt == 1)
                watch = self._watch(conn, deadline())
                try:
                    return await op(conn)
                except psycopg.Error as e:
                    lost = self._gone(conn, e, "nothing was read")
                    if not lost or attempt == 1 or self._silent(conn):
                        if conn.closed:
                            raise StoreUnreachable(self.down or str(e)) from None
                        raise self._error(e) from None
                finally:
                    watch.cancel()
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ reads
    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self.rows(sql, params)
        return rows[0][0] if rows else None

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async def read(conn: psycopg.AsyncConnection) -> list[Any]:
            cur = await conn.execute(sql, params)
            return list(await cur.fetchall())

        return await self._whole(self._run(read))

    async def rows_within(
        self, sql: str, params: Sequence[Any], cost: Callable[[Any], int], budget: int
    ) -> list[Any]:
        """The first rows whose ``cost`` adds up to no more than ``budget`` (read in steps,
        so a query newest first stops near the budget)."""

        async def read(conn: psycopg.AsyncConnection) -> list[Any]:
            out: list[Any] = []
            spent = 0
            async with conn.cursor() as cur:
                await cur.execute(sql, params)
                while rows := await cur.fetchmany(64):
                    for row in rows:
                        spent += cost(row)
                        if spent > budget:
                            return out
                        out.append(row)
            return out

        return await self._whole(self._run(read))

    def _whole(self, work: Awaitable[T]) -> Awaitable[T]:
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._done)
        return asyncio.shield(task)

    # ------------------------------------------------------------------ writes
    async def write(
        self, fn: Callable[[psycopg.AsyncConnection], Awaitable[T]], *, rows: int | None = 1
    ) -> T:
        """Run ``fn`` in one transaction; return after COMMIT. A serialization failure or a
        deadlock is retried; a lost connection too (``fn`` must be idempotent: it may have
        committed); anything else rolls back and is raised as one line. ``rows``: about how
        many rows it writes (its deadline grows with them, :func:`deadline_for`)."""
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only: nothing can be changed")
        return await self._whole(self._transaction(fn, deadline_for(rows)))

    async def _transaction(
        self, fn: Callable[[psycopg.AsyncConnection], Awaitable[T]], limit: float | None
    ) -> T:
        if self.down is not None and self._turn.locked():
            raise self._unsaved(None)  # (another write is waiting for the server)
        async with self._turn:
            attempt = 0
            in_doubt_until: float | None = None  # a COMMIT went unanswered: find out
            while True:
                try:
                    conn = await self._connection(now=attempt < 2)
                except StoreUnreachable:
                    if in_doubt_until is None or time.monotonic() >= in_doubt_until:
                        raise self._unsaved(in_doubt_until) from None
                    await asyncio.sleep(max(self._next_try - time.monotonic(), 0.05))
                    continue
                attempt += 1
                committing = False
                watch = self._watch(conn, limit)
                try:
                    async with conn.transaction():
                        result = await fn(conn)
                        committing = True  # (leaving the block sends COMMIT)
                    self.local_commits += 1
                    return result
                except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected) as e:
                    if attempt >= WRITE_ATTEMPTS or self.closing:
                        raise self._error(e) from None
                    await asyncio.sleep(0.01 * 2**attempt)
                except psycopg.Error as e:
                    outcome = "it may have been saved" if committing else "nothing was saved"
                    if not self._gone(conn, e, outcome):
                        raise self._error(e) from None
                    if committing and in_doubt_until is None:
                        in_doubt_until = time.monotonic() + IN_DOUBT_S
                    if in_doubt_until is None and (attempt >= 2 or self._silent(conn)):
                        raise StoreUnreachable(self.down or str(e)) from None
                finally:
                    watch.cancel()

    def _unsaved(self, in_doubt_until: float | None) -> StoreUnreachable:
        why = (self.down or f"cannot reach the server {servers(self.dsn)}").rsplit("; ", 1)[0]
        if in_doubt_until is None:
            return StoreUnreachable(f"{why}; nothing was saved")
        return StoreUnreachable(
            f"{why}: it went away during the commit, so it is not known whether this was "
            "saved (the timeline shows it once the server is back)"
        )

    async def settled(self) -> None:
        """Return once every read and write under way has ended."""
        while self._running:
            await asyncio.wait(set(self._running))

    def _done(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()
