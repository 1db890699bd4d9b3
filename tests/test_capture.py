"""Captured log output: batched writes, a bound per source, a bounded queue, reads."""

from __future__ import annotations

import random
import sqlite3
import sys
import threading
import time
import tracemalloc
from contextlib import closing
from datetime import UTC, datetime

from incident import commands as c
from incident.clock import FrozenClock
from incident.model import Severity
from storage.capture import BATCH_LINES, CaptureWriter
from storage.capture_budget import RowModel
from storage.store import Store
from tests.waiting import until_sync

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
        lines = await s.captures.read(inc, "s1")
        assert [(x.no, x.err, x.text) for x in lines] == [
            (1, False, "a"),
            (2, False, "b"),
            (3, True, "oops"),
        ]
        assert [x.no for x in await s.captures.read(inc, "s1", after_no=1)] == [2, 3]
        assert [x.no for x in await s.captures.read(inc, "s1", limit=2)] == [2, 3]
        assert await s.captures.last_no(inc, "s1") == 3
        assert await s.captures.read(inc, "other") == []


async def test_each_source_keeps_only_its_last_lines(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, limit=1000)
    for k in range(20):
        w.submit(
            inc,
            "s1",
            k * 500 + 1,
            [f"l{k * 500 + i + 1}" for i in range(500)],
            err=False,
            read_at=AT,
        )
    w.submit(inc, "s2", 1, ["kept"], err=False, read_at=AT)
    w.close()
    async with await Store.open(db, read_only=True) as s:
        lines = await s.captures.read(inc, "s1", limit=100_000)
        assert 1000 <= len(lines) <= 1100  # trimmed in steps of a tenth of the limit
        assert lines[-1].text == "l10000"
        assert [x.text for x in await s.captures.read(inc, "s2")] == ["kept"]


async def test_a_store_that_falls_behind_keeps_the_newest_and_counts(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, max_pending=1000)
    with closing(sqlite3.connect(db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # the writer cannot commit meanwhile
        for k in range(30):
            assert w.submit(
                inc,
                "s1",
                1 + k * 100,
                [f"x{1 + k * 100 + i}" for i in range(100)],
                err=False,
                read_at=AT,
            )
        assert w.pending <= 1000  # bounded: the oldest queued lines made room
        dropped = w.dropped(inc, "s1")
        assert dropped >= 30 * 100 - 1000 - 200  # (one batch may be in the writer's hands)
        assert not w.submit(inc, "s1", 9000, ["y"] * 1001, err=False, read_at=AT)
        holder.execute("COMMIT")
    until_sync(lambda: w.pending == 0, timeout=10, what="the queue written")
    w.close()
    async with await Store.open(db, read_only=True) as s:
        lines = await s.captures.read(inc, "s1", limit=10_000)
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
    until_sync(lambda: w.transactions >= 1, timeout=10, what="the first line stored")
    assert w.transactions == 1  # a line after a quiet spell is stored at once
    for k in range(2, 52):  # a flood's reads, a few milliseconds apart
        assert w.submit(inc, "s1", k, [f"line {k}"], err=False, read_at=AT)
        time.sleep(0.005)  # (not a wait: a flood's pace, reads a few milliseconds apart)
    assert w.transactions == 1  # within the interval: queued, not committed
    w.close()  # closing writes what is queued, at once
    assert w.transactions == 2
    async with await Store.open(db, read_only=True) as s:
        assert [x.no for x in await s.captures.read(inc, "s1")] == list(range(1, 52))


async def test_a_full_batch_is_written_without_waiting_for_the_interval(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, interval=3600)
    w.submit(inc, "s1", 1, ["first"], err=False, read_at=AT)
    n = BATCH_LINES
    assert w.submit(inc, "s1", 2, [f"l{i}" for i in range(n)], err=False, read_at=AT)
    until_sync(lambda: w.written >= n + 1, timeout=30, what="the full batch written")
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


def stored(db, inc: int, source: str) -> tuple[int, int, tuple[int, int] | None, list[int]]:
    """(lines, bytes) as counted from the rows themselves, the capture_totals row, and the
    numbers stored."""
    cost = RowModel().cost
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT no, text FROM captured_lines WHERE incident_id=? AND source_id=? ORDER BY no",
            (inc, source),
        ).fetchall()
        totals = conn.execute(
            "SELECT lines, bytes FROM capture_totals WHERE incident_id=? AND source_id=?",
            (inc, source),
        ).fetchone()
    return (len(rows), sum(cost(len(t.encode())) for _, t in rows), totals, [no for no, _ in rows])


def db_bytes(db) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def long_line(no: int, size: int = 65_536) -> str:
    return f"{no:08d} " + "x" * (size - 9) + "... [983,040 bytes cut]"


async def test_each_source_keeps_no_more_than_its_byte_budget(tmp_path):
    """1 MiB lines (cut to 64 KiB) used to be kept 100,000 deep: 6.5 GB for one source.
    Now the source keeps its newest lines within its budget, and the file grows by no more
    than that budget, however much is written through it."""
    db = tmp_path / "w.db"
    inc = await _incident(db)
    before = db_bytes(db)
    budget = 2 << 20
    w = CaptureWriter(db, max_bytes=budget)
    for no in range(1, 321):  # 20 MiB
        assert w.submit(inc, "s1", no, [long_line(no)], err=False, read_at=AT)
    w.submit(inc, "s2", 1, ["small"], err=False, read_at=AT)
    w.close()
    lines, size, totals, numbers = stored(db, inc, "s1")
    assert size <= budget and (lines, size) == totals
    assert numbers == list(range(321 - lines, 321)) and lines >= 29  # the newest, 64 KiB each
    assert stored(db, inc, "s2")[3] == [1]
    assert db_bytes(db) - before <= budget + (256 << 10), db_bytes(db) - before


async def test_lines_of_1_to_4_kib_are_counted_for_the_pages_they_take(tmp_path):
    """SQLite keeps about 1,000 bytes of a row of this table in its page and the rest on
    whole overflow pages: a 1,100-byte line takes 4.7 KB of file. Counted by its length,
    a source of such lines took almost 5 times its budget."""
    db = tmp_path / "w.db"
    inc = await _incident(db)
    before = db_bytes(db)
    budget = 1 << 20
    w = CaptureWriter(db, max_bytes=budget)
    for k in range(40):
        w.submit(
            inc,
            "s1",
            1 + k * 100,
            [f"{k:04d}{i:04d}" + "y" * 1_092 for i in range(100)],
            err=False,
            read_at=AT,
        )
    w.close()
    lines, size, totals, _ = stored(db, inc, "s1")
    assert (lines, size) == totals and size <= budget
    assert lines < budget // 4_000  # (it was 953 lines of 1,100 bytes: 4.5 MB of file)
    assert db_bytes(db) - before <= budget * 1.1, db_bytes(db) - before


def is_scan(statement: str) -> bool:
    """A statement that counts everything a source holds (what a writer does only when the
    source has no totals)."""
    return "coalesce(sum(" in statement and not any(
        w in statement for w in ("BETWEEN", "LIMIT", "ORDER BY")
    )


async def test_a_new_writer_learns_what_a_source_holds_from_one_row(tmp_path):
    """A console that starts again (or another console taking a source over) reads the
    source's totals, not its lines; a file without them (an export, schema 7) is counted
    once."""
    db = tmp_path / "w.db"
    inc = await _incident(db)
    budget = 1 << 20
    first = CaptureWriter(db, max_bytes=budget)
    for no in range(1, 11):
        first.submit(inc, "s1", no, [long_line(no)], err=False, read_at=AT)
    first.close()
    assert stored(db, inc, "s1")[0] == 10
    statements: list[str] = []
    again = CaptureWriter(db, max_bytes=budget, trace=statements.append)
    for no in range(11, 21):
        again.submit(inc, "s1", no, [long_line(no)], err=False, read_at=AT)
    again.close()
    lines, size, totals, numbers = stored(db, inc, "s1")
    assert (lines, size) == totals and size <= budget and numbers[-1] == 20
    assert lines < 20  # the first writer's oldest lines made room
    scans = [s for s in statements if is_scan(s)]
    assert scans == [], scans
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM capture_totals")  # as in a file from before schema 8
    statements.clear()
    third = CaptureWriter(db, max_bytes=budget, trace=statements.append)
    third.submit(inc, "s1", 21, [long_line(21)], err=False, read_at=AT)
    third.close()
    lines, size, totals, numbers = stored(db, inc, "s1")
    assert (lines, size) == totals and size <= budget and numbers[-1] == 21
    assert len([s for s in statements if is_scan(s)]) == 1


async def test_consoles_writing_one_source_keep_its_budget_and_its_count(tmp_path):
    """Two writers (two consoles: one ran the source, the other took it over while the
    first still flushed, or both ran it unclaimed) on one source, at once, with numbers
    that collide: the totals stay exact and the budget is kept."""
    db = tmp_path / "w.db"
    inc = await _incident(db)
    budget = 1 << 20
    a = CaptureWriter(db, max_bytes=budget, interval=0.0)
    b = CaptureWriter(db, max_bytes=budget // 2, interval=0.0)  # its own budget: smaller

    def run(w: CaptureWriter, start: int) -> None:
        for k in range(30):
            first = start + k * 4
            w.submit(
                inc,
                "s1",
                first,
                [long_line(first + i, 20_000) for i in range(6)],
                err=False,
                read_at=AT,
            )  # overlapping: 6 lines every 4 numbers
            time.sleep(0.002)  # (not a wait: the two writers' reads interleave)

    threads = [threading.Thread(target=run, args=(w, s)) for w, s in ((a, 1), (b, 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a.close()
    b.close()
    lines, size, totals, numbers = stored(db, inc, "s1")
    assert (lines, size) == totals and size <= budget
    assert numbers == sorted(set(numbers)) and numbers[-1] in (122, 124)
    assert a.error is None and b.error is None


async def test_the_queue_is_bounded_in_bytes_too(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    w = CaptureWriter(db, max_pending_bytes=1 << 20)
    with closing(sqlite3.connect(db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # the writer cannot commit meanwhile
        for no in range(1, 101):  # 6.4 MiB of 64 KiB lines: the line bound alone held them
            assert w.submit(inc, "s1", no, [long_line(no)], err=False, read_at=AT)
            assert w.pending_bytes <= 1 << 20
        dropped = w.dropped(inc, "s1")
        assert dropped >= 100 - 16 - 16  # (some may be in the writer's hands)
        assert not w.submit(inc, "s1", 200, [long_line(200, 2 << 20)], err=False, read_at=AT)
        holder.execute("COMMIT")
    w.close()
    assert (w.pending, w.pending_bytes) == (0, 0)
    numbers = stored(db, inc, "s1")[3]
    assert numbers[-1] == 100 and len(numbers) + dropped == 100


async def test_a_read_within_a_byte_budget_reads_the_newest_and_stops(tmp_path):
    db = tmp_path / "w.db"
    inc = await _incident(db)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT INTO captured_lines VALUES (?, 's1', ?, 0, ?, ?)",
            [(inc, no, "2026-11-25T14:30:00.000000Z", long_line(no)) for no in range(1, 301)],
        )  # 19.7 MB
    each = sys.getsizeof(long_line(1))
    async with await Store.open(db, read_only=True) as s:
        tracemalloc.start()
        try:
            lines = await s.captures.read(inc, "s1", limit=10_000, max_bytes=2 << 20)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert [x.no for x in lines] == list(range(301 - (2 << 20) // each, 301))
        assert peak < 3 * (2 << 20), peak  # not the 19.7 MB stored
        assert lines[-1].text == long_line(300)
        later = await s.captures.read(inc, "s1", after_no=295, max_bytes=2 << 20)
        assert [x.no for x in later] == [296, 297, 298, 299, 300]
        assert await s.captures.read(inc, "s1", max_bytes=each - 1) == []
        assert len(await s.captures.read(inc, "s1", limit=5, max_bytes=1 << 30)) == 5


def test_a_batch_costs_what_its_lines_cost_one_by_one():
    """The writer counts a batch at C speed when its lines fit in their pages; the count
    must be the one SQLite's ``warroom_row_cost`` gives each row, or the totals drift."""
    model = RowModel()
    rng = random.Random(5)
    pieces = ["a", "é", "🔥", "x" * 900, "y" * 2000, "z" * 70_000]
    for _ in range(300):
        texts = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
            for _ in range(rng.randint(0, 20))
        ]
        assert model.lines(texts) == sum(model.cost(len(t.encode())) for t in texts)
    assert model.cost(100) == 164 and model.cost(1_100) > 4_096
