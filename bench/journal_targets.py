"""The two backends the journal benchmark runs on, each with its baselines in the same run.

A target makes a fresh database with one declared incident (``fresh``: where it is, as
``--db`` would name it, and the incident's id), measures the raw driver on it (one commit
per row; every row in one transaction: the same rows the store writes, without the store),
and reads back what was stored (``stored``: id and text of every event), for the check that
nothing acknowledged was lost or written twice.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident import commands
from incident.clock import FrozenClock
from incident.journal import Event, Note
from incident.model import Severity
from storage.dsn import is_server
from storage.paths import resolve_db
from storage.sql import event_values
from tui.cli_store import open_store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
COLUMNS = "incident_id, occurred_at, recorded_at, kind, text, action, owner, payload, corrects"


def make_events(incident_id: int, n: int, tag: str = "bench") -> list[Event]:
    """``n`` notes of a realistic size (a line of text, an action, an owner)."""
    return [
        Event(
            incident_id=incident_id,
            occurred_at=T0 + timedelta(seconds=i),
            recorded_at=T0 + timedelta(seconds=i),
            text=f"{tag} {i}: p99 latency on checkout-api back under 300 ms after rollback",
            action="Watching the error rate",
            owner="ana",
            payload=Note(),
        )
        for i in range(n)
    ]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def declare_in(where: str) -> int:
    """A new incident in the database ``where`` names (made by the store: its schema)."""
    async with await open_store(resolve_db(where)) as s:
        d = await s.declare(commands.declare(FrozenClock(T0), "Benchmark", Severity.SEV2))
    return d.incident_id


def _per_row(append: Callable[[tuple[Any, ...]], None], data: list[tuple[Any, ...]]) -> dict:
    lat = []
    start = time.perf_counter()
    for row in data:
        t = time.perf_counter()
        append(row)
        lat.append(time.perf_counter() - t)
    took = time.perf_counter() - start
    return {
        "rate": len(data) / took,
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
    }


class SqliteTarget:
    name = "sqlite"
    driver = "sqlite3"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def fresh(self) -> tuple[str, int]:
        path = Path(tempfile.mkdtemp(prefix="run-", dir=self.directory)) / "bench.db"
        return str(path), await declare_in(str(path))

    def _raw(self, where: str) -> sqlite3.Connection:
        c = sqlite3.connect(where, isolation_level=None, timeout=60)
        c.execute("PRAGMA synchronous=FULL")  # as the store sets it (the file is in WAL already)
        c.execute("PRAGMA foreign_keys=ON")
        return c

    def bare(self, where: str) -> tuple[Callable[[tuple[Any, ...]], None], Callable[[], None]]:
        """The bare driver's append of one row (a transaction of its own), and its close."""
        sql = f"INSERT INTO events({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)"
        c = self._raw(where)

        def append(row: tuple[Any, ...]) -> None:
            c.execute("BEGIN IMMEDIATE")
            c.execute(sql, row)
            c.execute("COMMIT")

        return append, c.close

    def raw_per_row(self, where: str, iid: int, n: int) -> dict[str, float]:
        append, close = self.bare(where)
        try:
            return _per_row(append, [event_values(e) for e in make_events(iid, n)])
        finally:
            close()

    def raw_batch(self, where: str, iid: int, n: int) -> dict[str, float]:
        data = [event_values(e) for e in make_events(iid, n)]
        sql = f"INSERT INTO events({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)"
        with closing(self._raw(where)) as c:
            start = time.perf_counter()
            c.execute("BEGIN IMMEDIATE")
            c.executemany(sql, data)
            c.execute("COMMIT")
            return {"rate": n / (time.perf_counter() - start)}

    def stored(self, where: str, iid: int) -> list[tuple[int, str]]:
        with closing(sqlite3.connect(where, timeout=60)) as c:
            return list(c.execute("SELECT id, text FROM events WHERE incident_id=?", (iid,)))


class PgTarget:
    name = "postgres"
    driver = "psycopg"

    def __init__(self, server: Any) -> None:  # bench.pg_server.Server
        self.server = server

    async def fresh(self) -> tuple[str, int]:
        dsn = self.server.new_database()
        return dsn, await declare_in(dsn)

    def bare(self, where: str) -> tuple[Callable[[tuple[Any, ...]], None], Callable[[], None]]:
        """The bare driver's append of one row (a transaction of its own), and its close."""
        import psycopg

        sql = f"INSERT INTO events({COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)"
        c = psycopg.connect(where)

        def append(row: tuple[Any, ...]) -> None:
            c.execute(sql, row)
            c.commit()

        return append, c.close

    def raw_per_row(self, where: str, iid: int, n: int) -> dict[str, float]:
        append, close = self.bare(where)
        try:
            return _per_row(append, [event_values(e) for e in make_events(iid, n)])
        finally:
            close()

    def raw_batch(self, where: str, iid: int, n: int) -> dict[str, float]:
        import psycopg

        data = [event_values(e) for e in make_events(iid, n)]
        sql = f"INSERT INTO events({COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)"
        with psycopg.connect(where) as c:
            start = time.perf_counter()
            with c.cursor() as cur:
                cur.executemany(sql, data)
            c.commit()
            return {"rate": n / (time.perf_counter() - start)}

    def stored(self, where: str, iid: int) -> list[tuple[int, str]]:
        import psycopg

        with psycopg.connect(where) as c:
            rows = c.execute("SELECT id, text FROM events WHERE incident_id=%s", (iid,))
            return [(r[0], r[1]) for r in rows.fetchall()]


def target_for(where: str) -> SqliteTarget | PgTarget:
    """The backend of the database ``where`` names (for a writer process: its bare driver)."""
    if is_server(where):
        return PgTarget(None)
    return SqliteTarget(Path(where).parent)
