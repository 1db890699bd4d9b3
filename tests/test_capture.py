"""Captured log output: batched writes, a bound per source, a bounded queue, reads."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime

from incident import commands as c
from incident.clock import FrozenClock
from incident.model import Severity
from storage.capture import BATCH_LINES, CaptureWriter
from storage.store import Store

AT = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


async def _incident(path) -> int:
    async with await Store.open(path) as s:
        return (await s.declare(c.declare(FrozenClock(AT), "t", Severity.SEV2))).incident_id


async def test_lines_are_stored_and_read_back(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db)
    assert w.submit(inc, "s1", 1, ["a", "b"], err=False, read_at=AT)
    assert w.submit(inc, "s1", 3, ["oops"], err=True, read_at=AT)
    w.close()
    async with await Store.open(db, read_only=True) as s:
        lines = await s.read_capture(inc, "s1")
        assert [(x.no, x.err, x.text) for x in lines] == [(1, False, "a"), (2, False, "b"),
                                                          (3, True, "oops")]
        assert [x.no for x in await s.capture_around(inc, "s1", 2, before=1, after=0)] == [1, 2]
        assert await s.capture_last_no(inc, "s1") == 3
        assert await s.read_capture(inc, "other") == []


async def test_each_source_keeps_only_its_last_lines(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, limit=1000)
    for k in range(20):
        w.submit(inc, "s1", k * 500 + 1, [f"l{k * 500 + i + 1}" for i in range(500)],
                 err=False, read_at=AT)
    w.submit(inc, "s2", 1, ["kept"], err=False, read_at=AT)
    w.close()
    async with await Store.open(db, read_only=True) as s:
        lines = await s.read_capture(inc, "s1", limit=100_000)
        assert 1000 <= len(lines) <= 1100  # trimmed in steps of a tenth of the limit
        assert lines[-1].text == "l10000"
        assert [x.text for x in await s.read_capture(inc, "s2")] == ["kept"]


async def test_a_store_that_falls_behind_keeps_the_newest_and_counts(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, max_pending=1000)
    with closing(sqlite3.connect(db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # the writer cannot commit meanwhile
        for k in range(30):
            assert w.submit(inc, "s1", 1 + k * 100, [f"x{1 + k * 100 + i}" for i in range(100)],
                            err=False, read_at=AT)
        assert w.pending <= 1000  # bounded: the oldest queued lines made room
        dropped = w.dropped(inc, "s1")
        assert dropped >= 30 * 100 - 1000 - 200  # (one batch may be in the writer's hands)
        assert not w.submit(inc, "s1", 9000, ["y"] * 1001, err=False, read_at=AT)
        holder.execute("COMMIT")
    deadline = time.monotonic() + 10
    while w.pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert w.pending == 0
    w.close()
    async with await Store.open(db, read_only=True) as s:
        lines = await s.read_capture(inc, "s1", limit=10_000)
    assert lines[-1].text == "x3000"  # the newest line made it
    assert len(lines) + dropped == 3000


async def test_a_trickle_of_reads_is_one_transaction_per_interval(tmp_path):
    """Every capture commit takes the database's write lock (which journal writers in other
    consoles and CLI calls wait for) and wakes every console's change feed: a source read
    every few milliseconds must not be a transaction every few milliseconds."""
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, interval=3600)
    assert w.submit(inc, "s1", 1, ["first"], err=False, read_at=AT)
    deadline = time.monotonic() + 10
    while w.transactions < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w.transactions == 1  # a line after a quiet spell is stored at once
    for k in range(2, 52):  # a flood's reads, a few milliseconds apart
        assert w.submit(inc, "s1", k, [f"line {k}"], err=False, read_at=AT)
        time.sleep(0.005)
    assert w.transactions == 1  # within the interval: queued, not committed
    w.close()  # closing writes what is queued, at once
    assert w.transactions == 2
    async with await Store.open(db, read_only=True) as s:
        assert [x.no for x in await s.read_capture(inc, "s1")] == list(range(1, 52))


async def test_a_full_batch_is_written_without_waiting_for_the_interval(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, interval=3600)
    w.submit(inc, "s1", 1, ["first"], err=False, read_at=AT)
    n = BATCH_LINES
    assert w.submit(inc, "s1", 2, [f"l{i}" for i in range(n)], err=False, read_at=AT)
    deadline = time.monotonic() + 30
    while w.written < n + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w.written == n + 1  # not held back for the hour-long interval
    w.close()


async def test_a_capture_commit_costs_the_change_feed_one_indexed_read(tmp_path):
    """Captured lines move ``PRAGMA data_version`` for every console, though they add no
    event: what a console's feed does about them is one range read of the journal, and
    when nothing at all was committed, the PRAGMA alone."""
    db = tmp_path / "w.db"
    inc = await _incident(db)
    async with await Store.open(db) as store:
        statements: list[str] = []
        watcher = store.watch(inc, 1)
        await watcher.poll()
        await store._conn.set_trace_callback(statements.append)
        assert await watcher.poll() is None
        assert statements == ["PRAGMA data_version"]
        w = CaptureWriter(db)  # another connection, as in another console
        w.submit(inc, "s1", 1, ["a log line"], err=False, read_at=AT)
        w.close()
        statements.clear()
        change = await watcher.poll()
        assert change is not None and list(change.events) == []
        assert len(statements) == 2, statements
        assert statements[0] == "PRAGMA data_version"
        assert "FROM events WHERE incident_id=" in statements[1]
        assert not any("incidents" in s for s in statements)  # no lookup of the incident
