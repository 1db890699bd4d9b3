"""The store with other processes: writers at once, a writer killed mid-write, the change feed.

The other processes run ``tests/storage_writer.py``, which prints an event id only after
``Store.append`` returned it: a printed id is an acknowledged write, and must be in the file.

The writers at once, the killed writer and the change feed run on both backends
(``db_target``: the SQLite file, then a database on the test server), held to the same
assertions; the server's run is shorter (fewer writers, fewer kills: its own eight-writer
test is in test_faults_pg.py).
SQLite's own ``PRAGMA integrity_check`` has no counterpart on the server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident import commands
from incident.clock import FrozenClock
from incident.journal import Event, Note
from incident.model import Severity
from storage.dsn import ServerDsn
from storage.store import Store
from tests.journal_backends import on_server
from tui.cli_store import open_store

WRITER = Path(__file__).with_name("storage_writer.py")
ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PER_WRITER = 300

pytestmark = pytest.mark.slow


async def new_incident(path: Path | ServerDsn) -> int:
    async with await open_store(path) as s:
        d = await s.declare(commands.declare(FrozenClock(T0), "Checkout 502s", Severity.SEV1))
    return d.incident_id


def argument(path: Path | ServerDsn) -> str:
    """What ``--db`` would say (a ServerDsn's ``str`` hides its password: not this)."""
    return path.dsn if isinstance(path, ServerDsn) else str(path)


async def spawn(
    path: Path | ServerDsn, incident: int, count: int, tag: str, *flags: str
) -> asyncio.subprocess.Process:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(WRITER),
        argument(path),
        str(incident),
        str(count),
        tag,
        *flags,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )


async def ready(proc: asyncio.subprocess.Process) -> None:
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    if line != b"ready\n":
        err = await proc.stderr.read()
        raise AssertionError(f"writer did not start: {line!r} {err.decode()[-2000:]}")


async def reap(procs: list[asyncio.subprocess.Process]) -> None:
    for p in procs:
        if p.returncode is None:
            p.kill()
            await p.wait()


def acknowledged(out: bytes) -> list[int]:
    """The ids of complete lines (a line cut short by a kill acknowledges nothing)."""
    lines = out.decode().split("\n")[:-1]
    return [int(x) for x in lines if x != "ready"]


def raw_integrity(path: Path | ServerDsn) -> str:
    """SQLite's own check of the file; "ok" on the server (it has no such check)."""
    if on_server(path):
        return "ok"
    with closing(sqlite3.connect(path)) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


async def store_integrity(store) -> str:
    return "ok" if not isinstance(store, Store) else await store.integrity_check()


# ---------------------------------------------------------------------------- 8. writers at once
@pytest.mark.parametrize(
    ("db_target", "writers"),
    [("sqlite", 2), ("sqlite", 4), ("postgres", 4)],
    indirect=["db_target"],
)
async def test_parallel_writers_lose_nothing(db_target, writers):
    path = db_target
    iid = await new_incident(path)
    tags = [f"w{i}" for i in range(writers)]
    procs = [await spawn(path, iid, PER_WRITER, tag, "--wait") for tag in tags]
    try:
        for p in procs:
            await ready(p)
        outs = await asyncio.wait_for(asyncio.gather(*(p.communicate(b"go\n") for p in procs)), 90)
    finally:
        await reap(procs)

    acked: dict[str, list[int]] = {}
    for tag, p, (out, err) in zip(tags, procs, outs, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
        assert b"error" not in err, err.decode()[-2000:]
        ids = acknowledged(out)
        assert len(ids) == PER_WRITER
        assert ids == sorted(ids)  # acknowledged in commit order
        acked[tag] = ids
    every = [i for ids in acked.values() for i in ids]
    assert len(set(every)) == writers * PER_WRITER

    async with await open_store(path) as s:
        saved = {e.id: e for e in await s.events(iid)}
        assert len(await s.events(iid)) == 1 + writers * PER_WRITER == len(saved)
        for tag, ids in acked.items():  # each acknowledged id holds that writer's note
            assert [saved[i].text for i in ids] == [f"{tag} {n}" for n in range(1, PER_WRITER + 1)]
        assert await store_integrity(s) == "ok"
        # They did contend: each writer was already trying to append (recorded_at is set just
        # before the append) while another was still writing. Their ids need not interleave:
        # SQLite's lock is not fair, a writer may wait in the busy handler for another's run.
        # (On the server they queue on the incident's advisory lock: ids in commit order.)
        windows = [
            (saved[ids[0]].recorded_at, saved[ids[-1]].recorded_at) for ids in acked.values()
        ]
    for i, (start, end) in enumerate(windows):
        assert any(
            start < o_end and o_start < end for j, (o_start, o_end) in enumerate(windows) if j != i
        ), windows
    assert raw_integrity(path) == "ok"


# ---------------------------------------------------------------------------- 9. SIGKILL
async def test_a_killed_writer_loses_no_acknowledged_event(db_target):
    """A writer SIGKILLed mid-write: everything it acknowledged is stored, once. Five kills
    on SQLite, three on the server (each kill costs a process start: the suite's time)."""
    path = db_target
    iid = await new_incident(path)
    for round_ in range(3 if on_server(path) else 5):
        tag = f"crash{round_}"
        proc = await spawn(path, iid, 0, tag)  # 0: append until killed
        try:
            await ready(proc)
            first = await asyncio.wait_for(proc.stdout.readline(), 30)
            await asyncio.sleep(0.5)  # (not a wait: it appends a while before the kill)
            proc.send_signal(signal.SIGKILL)
            rest = await asyncio.wait_for(proc.stdout.read(), 30)
            await proc.wait()
        finally:
            await reap([proc])
        assert proc.returncode == -signal.SIGKILL
        acked = acknowledged(first + rest)
        assert len(acked) >= 10, "the writer hardly wrote before it was killed"

        assert raw_integrity(path) == "ok"
        async with await open_store(path) as s:
            events = await s.events(iid)
            mine = {e.id for e in events if e.owner == tag}
            assert set(acked) <= mine, sorted(set(acked) - mine)
            # at most the one append in flight was committed without being acknowledged
            assert len(mine - set(acked)) <= 1
            texts = [e.text for e in events if e.owner == tag]  # each stored once, in order
            assert texts == [f"{tag} {n}" for n in range(1, len(texts) + 1)], texts[-5:]
            assert await store_integrity(s) == "ok"
            after = await s.append(
                Event(
                    incident_id=iid,
                    occurred_at=T0,
                    recorded_at=T0,
                    text=f"after {tag}",
                    payload=Note(),
                )
            )
            assert after.id > max(mine)


# ---------------------------------------------------------------------------- 6. change feed
async def test_watch_sees_another_process_within_a_second(db_target):
    path = db_target
    iid = await new_incident(path)
    async with await open_store(path) as s:
        w = s.watch(iid, (await s.events(iid))[-1].id)
        await w.poll()  # the first look reads unconditionally
        assert await w.poll() is None

        proc = await spawn(path, iid, 5, "other", "--interval", "0.25")
        latency: dict[int, float] = {}
        nones = 0
        try:
            await ready(proc)
            reading = asyncio.create_task(proc.stdout.read())
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(latency) < 5:
                change = await w.poll()
                now = datetime.now(UTC)
                if change is None:
                    nones += 1
                else:
                    for e in change.events:
                        # recorded_at is set just before the writer's append: an upper bound
                        latency[e.id] = (now - e.recorded_at).total_seconds()
                await asyncio.sleep(0.05)  # (a console's poll pace: the latency measured)
            out = await asyncio.wait_for(reading, 30)
            await asyncio.wait_for(proc.wait(), 30)
        finally:
            await reap([proc])
        assert proc.returncode == 0, (await proc.stderr.read()).decode()[-2000:]

    acked = acknowledged(out)
    assert len(acked) == 5
    assert sorted(latency) == acked
    assert max(latency.values()) < 1.0, latency
    # between the writes, a poll that finds nothing reads nothing (SQLite: a PRAGMA only;
    # the server: no notification and no fallback read due)
    assert nones > 0


async def cancel_after(call, turns: int) -> None:
    """Run the store ``call`` and cancel it after ``turns`` turns of the loop."""
    task = asyncio.ensure_future(call)
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


@pytest.mark.parametrize("turns", [0, 1, 2, 3, 5, 8])
async def test_a_write_cancelled_midway_neither_holds_the_lock_nor_spoils_the_next(tmp_path, turns):
    """A console cancels its workers as it goes away: a write cancelled after its ``BEGIN
    IMMEDIATE`` went to SQLite used to leave the connection inside that transaction. It held
    the database's write lock (every other console and CLI call waited, then failed), and
    the console's next write (its drafts, flushed on the way out) failed with "cannot start a
    transaction within a transaction"."""
    path = tmp_path / "w.db"
    iid = await new_incident(path)
    async with await Store.open(path) as store:
        await cancel_after(store.drafts.put(iid, "note", "typed before the drop"), turns)
        await asyncio.wait_for(store.settled(), 10)  # the cancelled write ran to its end
        with closing(sqlite3.connect(path, timeout=0)) as other:  # nobody holds the lock
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        await store.drafts.put(iid, "note", "flushed on the way out")  # the next write works
        assert (await store.drafts.of(iid)).get("note") == "flushed on the way out"


@pytest.mark.parametrize("turns", [0, 1, 2, 3, 5, 8])
async def test_a_read_cancelled_midway_does_not_keep_the_next_write_out(
    tmp_path, turns, monkeypatch
):
    """A read cancelled midway (a console's change-feed poll as it goes away) must not leave
    its statement open: an open statement holds a read snapshot, and once another process
    has written, this connection cannot begin a write again ("database is locked", retried
    until the deadline): the console's lease release and draft flush failed after 60 s."""
    import storage.plumbing

    monkeypatch.setattr(storage.plumbing, "WRITE_DEADLINE_S", 2.0)
    path = tmp_path / "w.db"
    iid = await new_incident(path)
    async with await Store.open(path) as store:
        for n in range(20):
            await store.drafts.put(iid, f"k{n}", "x" * 100)
        await cancel_after(store.drafts.of(iid), turns)
        with closing(sqlite3.connect(path, timeout=5)) as other:  # another process writes
            other.execute(
                "INSERT INTO drafts(incident_id, key, text, updated_at) "
                "VALUES (?, 'other', 'y', '2026-01-01')",
                (iid,),
            )
            other.commit()
        await store.drafts.put(iid, "note", "flushed on the way out")
        assert (await store.drafts.of(iid)).get("note") == "flushed on the way out"
