"""Captured log output to the server: the SQLite writer's bounded queue and batching
(``storage/capture.py``: never blocks, drops the oldest when behind, one transaction per
interval at most), with a connection of its own in its own thread.

Each source keeps at most ``limit`` lines and ``max_bytes``, counted as the UTF-8 length of
a line plus ``ROW_EXTRA`` (what a row takes besides its text, about, on the server);
``capture_totals`` holds what a source has, read under a row lock and rewritten in the
transaction that changes its lines. The lines go in with ``COPY``.

While the server is away the batches that cannot be written are dropped (counted, as when
the queue overflows: the pane says so), a new connection is tried at most once per
``RETRY_S``, and capture goes on once the server is back: a log's output is not the journal.
A batch has the store's deadline and more per line (``deadline_for``): unanswered by then (a
network cut), its connection is abandoned and the batch dropped as above.

Lines submitted with the epoch of their source's lease are fenced: in the transaction that
would store them, the lease is read under a share lock (a takeover waits for the commit) and
they are stored only while it still has that epoch; otherwise they are refused, not stored
(counted by :meth:`PgCaptureWriter.refused`), since another console runs the source now
(``storage/pg/leases.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import psycopg

from storage.capture import CaptureWriter, Queued
from storage.capture_budget import Lines, text_bytes
from storage.dsn import redact_dsn
from storage.pg.deadline import abandon, deadline_for, session_settings
from storage.pg.plumbing import conninfo, one_line, unreachable

RETRY_S = 1.0  # the least time between two attempts to reach a server that went away

ROW_EXTRA = 64
_COST = f"(octet_length(text) + {ROW_EXTRA})"
_KEY = "incident_id=%s AND source_id=%s"


class PgRowModel:
    """What a line costs on the server (``capture_budget.Lines`` counts with it)."""

    def cost(self, n: int) -> int:
        return n + ROW_EXTRA

    def lines(self, texts: Sequence[str]) -> int:
        return sum(text_bytes(t) for t in texts) + ROW_EXTRA * len(texts)


class PgCaptureWriter(CaptureWriter):
    """``incident.ports.CaptureSink`` onto the server named by ``dsn``."""

    def __init__(self, dsn: str, **kw: Any) -> None:
        self.dsn = dsn
        super().__init__(redact_dsn(dsn), **kw)  # type: ignore[arg-type]
        self._model = PgRowModel()  # type: ignore[assignment]
        self._refused: dict[tuple[int, str], int] = {}

    def refused(self, incident_id: int, source_id: str) -> int:
        """Lines not stored: their source's lease had been taken over (a new epoch)."""
        return self._refused.get((incident_id, source_id), 0)

    def _run(self) -> None:
        conn: psycopg.Connection | None = None
        tried = float("-inf")  # when a connection was last tried after one was lost
        try:
            while True:
                batch, stop = self._take()
                if batch:
                    if conn is None or conn.closed:
                        if time.monotonic() - tried < RETRY_S:
                            self._lose(batch)  # (the server is away: not tried again yet)
                            continue
                        tried = time.monotonic()
                        try:
                            conn = psycopg.Connection.connect(
                                conninfo(self.dsn, "warroom-capture"), autocommit=True
                            )
                            conn.execute(*session_settings())
                        except psycopg.Error as e:
                            if unreachable(e) or not _refused_us(e):
                                self._lose(batch)  # (tried again, RETRY_S on)
                                continue
                            self.error = "capture store unavailable: " + one_line(
                                e, str(self.path), self.dsn
                            )
                            self._settle(batch)
                            return
                    self._write(conn, batch)
                if stop:
                    return
        finally:
            if conn is not None:
                conn.close()

    def _lose(self, batch: list[Queued]) -> None:
        """Lines that could not be written while the server was away: counted as dropped."""
        with self._lock:
            for inc, sid, _first, texts, *_ in batch:
                self._count_drop(inc, sid, len(texts))
        self._settle(batch)

    def _settle(self, batch: list[Queued], written: int = 0) -> None:
        with self._lock:
            self._last_commit = time.monotonic()
            self.pending -= sum(len(b[3]) for b in batch)
            self.pending_bytes -= sum(b[6] for b in batch)
            self.written += written

    def _write(self, conn: psycopg.Connection, batch: list[Queued]) -> None:  # type: ignore[override]
        sources: dict[tuple[int, str, int | None], Lines] = {}
        for inc, sid, first, texts, err, read_at, _size, epoch in batch:
            key = (inc, sid, epoch)
            if key not in sources:
                sources[key] = Lines(self._model, inc, sid)
            sources[key].add(first, texts, err, read_at)
        refused: dict[tuple[int, str], int] = {}
        watch = threading.Timer(deadline_for(sum(len(b[3]) for b in batch)) or 0, abandon, (conn,))
        watch.daemon = True
        watch.start()
        try:
            with conn.transaction():
                for (inc, sid, epoch), source in sources.items():
                    if epoch is not None and not _holds(conn, inc, sid, epoch):
                        refused[(inc, sid)] = refused.get((inc, sid), 0) + len(source.rows)
                        continue
                    store_lines(conn, source, limit=self.limit, budget=self.max_bytes)
            self.transactions += 1
        except psycopg.Error as e:
            if lost_link(conn, e):  # (the server went away: these lines are lost, the rest
                conn.close()  # is not; the next batch connects again)
                self._lose(batch)
                return
            self.error = "capture not stored: " + one_line(e, str(self.path), self.dsn)
        finally:
            watch.cancel()
        with self._lock:
            for where, n in refused.items():
                self._refused[where] = self._refused.get(where, 0) + n
        stored = sum(len(b[3]) for b in batch) - sum(refused.values())
        self._settle(batch, written=stored if self.error is None else 0)


def _refused_us(err: psycopg.Error) -> bool:
    """Whether a connection attempt was refused for who we are or what we asked for (no
    such database or role, a password, pg_hba.conf): that will not pass by itself. A server
    starting up, shutting down or out of connection slots will."""
    text = str(err)
    return any(
        words in text
        for words in ("authentication", "password", "pg_hba.conf", "does not exist", "permission")
    )


def lost_link(conn: psycopg.Connection, err: psycopg.Error) -> bool:
    """Whether ``err`` ended the connection rather than refused these lines: the connection
    closed or broken, or any operational error (a server shutting down or an administrator's
    ``pg_terminate_backend`` says so, 57P01-57P03, before the socket is seen closed; a
    network error has no SQLSTATE). A refusal of the lines themselves (a constraint, a
    permission) is not: that is the writer's error, said in the pane."""
    return conn.closed or conn.broken or isinstance(err, psycopg.OperationalError)


def _holds(conn: psycopg.Connection, incident_id: int, source_id: str, epoch: int) -> bool:
    """Whether the source's lease still has ``epoch`` (locked until the commit)."""
    row = conn.execute(
        f"SELECT epoch FROM source_leases WHERE {_KEY} FOR SHARE", (incident_id, source_id)
    ).fetchone()
    return row is not None and row[0] == epoch


def store_lines(conn: psycopg.Connection, lines: Lines, *, limit: int, budget: int) -> int:
    """Store one source's ``lines`` in the caller's transaction, keeping it within ``limit``
    lines and ``budget`` bytes: lines under the same numbers are replaced, the oldest make
    room, and when the new lines alone are too many, their oldest are not stored."""
    key = (lines.incident_id, lines.source_id)
    conn.execute(
        "INSERT INTO capture_totals(incident_id, source_id, lines, bytes) SELECT %s, %s, "
        f"count(*), coalesce(sum({_COST}), 0) FROM captured_lines WHERE {_KEY} "
        "ON CONFLICT DO NOTHING",
        (*key, *key),
    )
    row = conn.execute(
        f"SELECT lines, bytes FROM capture_totals WHERE {_KEY} FOR UPDATE", key
    ).fetchone()
    assert row is not None
    total_lines, total_bytes = row
    for first, last in lines.ranges:
        n, size = conn.execute(
            f"WITH gone AS (DELETE FROM captured_lines WHERE {_KEY} AND no BETWEEN %s AND %s "
            f"RETURNING {_COST} AS c) SELECT count(*), coalesce(sum(c), 0) FROM gone",
            (*key, first, last),
        ).fetchone() or (0, 0)
        total_lines, total_bytes = total_lines - n, total_bytes - size
    rows, size = lines.rows, lines.size
    need_lines = total_lines + len(rows) - limit
    need_bytes = total_bytes + size - budget
    if need_lines > 0 or need_bytes > 0:
        gone_lines, gone_bytes, cut = _oldest(conn, key, need_lines, need_bytes)
        if cut is not None:
            conn.execute(f"DELETE FROM captured_lines WHERE {_KEY} AND no <= %s", (*key, cut))
        total_lines, total_bytes = total_lines - gone_lines, total_bytes - gone_bytes
        skip = 0
        while skip < len(rows) and (
            total_lines + len(rows) - skip > limit or total_bytes + size > budget
        ):
            size -= text_bytes(rows[skip][5]) + ROW_EXTRA
            skip += 1
        rows = rows[skip:]
    with conn.cursor() as cur:
        copy = "COPY captured_lines (incident_id, source_id, no, err, read_at, text) FROM STDIN"
        with cur.copy(copy) as out:
            for r in rows:
                out.write_row(r)
    conn.execute(
        f"UPDATE capture_totals SET lines=%s, bytes=%s WHERE {_KEY}",
        (total_lines + len(rows), total_bytes + size, *key),
    )
    return len(rows)


def _oldest(
    conn: psycopg.Connection, key: tuple[int, str], lines: int, size: int
) -> tuple[int, int, int | None]:
    """How many of the oldest stored lines make room: (lines, bytes, last number to go)."""
    if size <= 0:
        row = conn.execute(
            f"SELECT count(*), coalesce(sum(c), 0), max(no) FROM (SELECT no, {_COST} AS c "
            f"FROM captured_lines WHERE {_KEY} ORDER BY no LIMIT %s) AS o",
            (*key, lines),
        ).fetchone()
        assert row is not None
        return row[0], row[1], row[2]
    n = freed = 0
    cut = None
    with conn.cursor(name="warroom_oldest") as cur:
        cur.execute(f"SELECT no, {_COST} FROM captured_lines WHERE {_KEY} ORDER BY no", key)
        for no, cost in cur:
            if n >= lines and freed >= size:
                break
            n, freed, cut = n + 1, freed + cost, no
    return n, freed, cut
