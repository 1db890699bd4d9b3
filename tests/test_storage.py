"""The store's guarantees, proved on real SQLite files in temporary directories.

Single-process tests; the multi-process ones (other writers, SIGKILL) are in
``test_storage_concurrency.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage.plumbing
import storage.sql
import storage.store
from incident import commands
from incident import comms_commands as comms_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.errors import IncidentNotFound, ReadOnly
from incident.journal import Event, Evidence, Note
from incident.kinds import STATE_KINDS, EventKind
from incident.model import PhaseId, Severity, Status
from incident.state import fold
from storage import schema
from storage.errors import NotAWarroomDatabase, SchemaTooNew, StoreBusy, StoreError
from storage.store import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MIGRATIONS_DIR = Path(storage.store.__file__).with_name("migrations")


# ---------------------------------------------------------------------------- helpers
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, tuple[int, int, str | None]]:
    """Every path under ``root`` with its type, permission bits and content hash."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        digest = sha256(p) if stat.S_ISREG(st.st_mode) else None
        out[str(p.relative_to(root))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), digest)
    return out


def raw(path: Path, sql: str) -> object:
    """One value read through a plain sqlite3 connection (not the store's)."""
    with closing(sqlite3.connect(path)) as c:
        return c.execute(sql).fetchone()[0]


def checkpoint(path: Path) -> None:
    with closing(sqlite3.connect(path)) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def assert_one_line(err: BaseException, path: Path) -> None:
    msg = str(err)
    assert msg and "\n" not in msg and "Traceback" not in msg, msg
    assert path.name in msg, msg


def note(incident_id: int, text: str, at: datetime = T0, **kw: object) -> Event:
    return Event(
        incident_id=incident_id, occurred_at=at, recorded_at=at, text=text, payload=Note(), **kw
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "w.db")
    yield s
    await s.close()


async def declare(store: Store, clock: FrozenClock, title: str = "Checkout 502s") -> Event:
    return await store.declare(commands.declare(clock, title, Severity.SEV2, commander="ana"))


# ---------------------------------------------------------------------------- 1. opening
async def test_open_creates_private_file_in_private_dirs_with_wal_fk_and_schema(tmp_path):
    path = tmp_path / "a" / "b" / "w.db"
    old_umask = os.umask(0)  # the modes must not depend on a lenient umask
    try:
        store = await Store.open(path)
        try:
            assert mode(path) == 0o600
            assert mode(tmp_path / "a") == 0o700
            assert mode(tmp_path / "a" / "b") == 0o700
            # Per-connection settings, read on the store's own connection.
            assert await store.scalar("PRAGMA journal_mode") == "wal"
            assert await store.scalar("PRAGMA foreign_keys") == 1
            assert await store.scalar("PRAGMA synchronous") == 2  # FULL
            await declare(store, FrozenClock(T0))
            wal = path.with_name("w.db-wal")
            assert wal.exists() and mode(wal) == 0o600
        finally:
            await store.close()
    finally:
        os.umask(old_umask)

    n_migrations = len(list(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")))
    assert n_migrations >= 1
    assert raw(path, "PRAGMA user_version") == n_migrations == schema.latest_version()
    assert raw(path, "PRAGMA application_id") == schema.APPLICATION_ID == 0x57524F4D
    assert raw(path, "PRAGMA journal_mode") == "wal"  # persistent in the file


async def test_reopening_is_idempotent(tmp_path, clock):
    path = tmp_path / "w.db"
    async with await Store.open(path) as s:
        first = await declare(s, clock)
    # (``PRAGMA optimize`` on close may add sqlite_stat* tables: statistics, not schema)
    master = (
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name"
    )
    with closing(sqlite3.connect(path)) as c:
        schema_before = c.execute(master).fetchall()
    for _ in range(3):
        async with await Store.open(path) as s:
            assert [e.id for e in await s.events(first.incident_id)] == [first.id]
    with closing(sqlite3.connect(path)) as c:
        assert c.execute(master).fetchall() == schema_before
        assert c.execute("PRAGMA user_version").fetchone()[0] == schema.latest_version()
    assert mode(path) == 0o600
    # Two stores on one file at once are fine too.
    a, b = await Store.open(path), await Store.open(path)
    try:
        saved = await a.append(note(first.incident_id, "from a"))
        assert (await b.event(saved.id)).text == "from a"
    finally:
        await a.close()
        await b.close()


async def test_existing_database_readable_by_others_is_made_owner_only(tmp_path):
    path = tmp_path / "w.db"
    async with await Store.open(path):
        pass
    os.chmod(path, 0o664)
    async with await Store.open(path):
        assert mode(path) == 0o600


@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "read-only"])
async def test_closing_twice_is_closing_once(tmp_path, read_only):
    """The console's app closes the store it took over, then the CLI closes it again on its
    way out: the second close (and one racing the first) does nothing. It was
    ``ValueError: no active connection`` after a session that wrote (``warroom demo``,
    ``q``), a traceback and exit 1 every time."""
    path = tmp_path / "w.db"
    async with await Store.open(path) as writer:
        await declare(writer, FrozenClock(T0))
    store = await Store.open(path, read_only=read_only)
    if not read_only:
        await store.append(note(1, "written in this session"))
        assert store.local_commits
    await store.close()
    await store.close()
    racing = await Store.open(path, read_only=read_only)
    await asyncio.gather(racing.close(), racing.close())
    async with await Store.open(path, read_only=True) as again:
        assert [e.text for e in await again.events(1)][-1] == (
            "Incident declared SEV-2: Checkout 502s" if read_only else "written in this session"
        )


# ---------------------------------------------------------------------------- 2. too new
@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
async def test_newer_schema_is_refused_and_the_file_left_untouched(tmp_path, clock, read_only):
    path = tmp_path / "w.db"
    async with await Store.open(path) as s:
        await declare(s, clock)
    with closing(sqlite3.connect(path)) as c:
        c.execute("PRAGMA user_version=99")
    checkpoint(path)
    assert not path.with_name("w.db-wal").exists() or path.with_name("w.db-wal").stat().st_size == 0
    digest, perms = sha256(path), mode(path)

    with pytest.raises(SchemaTooNew) as ei:
        await Store.open(path, read_only=read_only)

    assert_one_line(ei.value, path)
    numbers = set(re.findall(r"\d+", str(ei.value).replace(str(path), "")))
    assert {"99", str(schema.latest_version())} <= numbers, str(ei.value)
    assert sha256(path) == digest
    assert mode(path) == perms
    assert raw(path, "PRAGMA user_version") == 99


async def test_newer_schema_with_a_pending_wal_is_left_byte_for_byte(tmp_path):
    src, path = tmp_path / "src.db", tmp_path / "w.db"
    async with await Store.open(src):
        pass
    with closing(sqlite3.connect(src)) as c:
        c.execute("PRAGMA wal_autocheckpoint=0")
        c.execute("PRAGMA user_version=99")
        c.commit()
        for suffix in ("", "-wal"):  # copied while open: what a crash leaves behind
            shutil.copyfile(f"{src}{suffix}", f"{path}{suffix}")
    before = {p: sha256(tmp_path / p) for p in ("w.db", "w.db-wal")}

    with pytest.raises(SchemaTooNew):
        await Store.open(path)

    assert {p: sha256(tmp_path / p) for p in before if (tmp_path / p).exists()} == before


# ---------------------------------------------------------------------------- 3. refused files
def _garbage(tmp: Path) -> Path:
    p = tmp / "w.db"
    p.write_bytes(b"#!/bin/sh\necho this is not a database\n" + bytes(range(256)) * 16)
    os.chmod(p, 0o644)
    return p


def _corrupt(tmp: Path) -> Path:
    p = tmp / "w.db"
    p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)  # the magic, then nonsense
    os.chmod(p, 0o644)
    return p


def _foreign(tmp: Path) -> Path:
    p = tmp / "w.db"
    with closing(sqlite3.connect(p)) as c:
        c.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
        c.execute("INSERT INTO notes(body) VALUES ('someone else''s data')")
        c.commit()
    assert raw(p, "PRAGMA user_version") == 0
    os.chmod(p, 0o644)
    return p


def _foreign_app_id(tmp: Path) -> Path:
    p = tmp / "w.db"
    with closing(sqlite3.connect(p)) as c:
        c.execute("PRAGMA application_id=1234")
        c.commit()
    os.chmod(p, 0o644)
    return p


def _directory(tmp: Path) -> Path:
    p = tmp / "w.db"
    p.mkdir()
    (p / "keep.txt").write_text("a directory, not a database\n")
    return p


def _under_a_file(tmp: Path) -> Path:
    (tmp / "file.txt").write_text("a regular file\n")
    return tmp / "file.txt" / "sub" / "w.db"


REFUSED = {
    "garbage": (_garbage, NotAWarroomDatabase),
    "corrupt": (_corrupt, NotAWarroomDatabase),
    "foreign": (_foreign, NotAWarroomDatabase),
    "foreign-app-id": (_foreign_app_id, NotAWarroomDatabase),
    "directory": (_directory, StoreError),
    "under-a-file": (_under_a_file, StoreError),
}


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
@pytest.mark.parametrize("case", list(REFUSED))
async def test_unusable_paths_are_refused_with_one_line_and_left_alone(tmp_path, case, read_only):
    make, expected = REFUSED[case]
    path = make(tmp_path)
    before = snapshot(tmp_path)

    with pytest.raises(StoreError) as ei:
        await Store.open(path, read_only=read_only)

    assert isinstance(ei.value, expected), repr(ei.value)
    assert_one_line(ei.value, path)
    assert snapshot(tmp_path) == before


async def test_read_only_open_of_a_missing_file_creates_nothing(tmp_path):
    with pytest.raises(StoreError) as ei:
        await Store.open(tmp_path / "nope" / "w.db", read_only=True)
    assert_one_line(ei.value, tmp_path / "w.db")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- 4. append-only
async def test_raw_update_and_delete_of_events_are_refused(store, clock):
    d = await declare(store, clock)
    await store.append(note(d.incident_id, "original"))
    with closing(sqlite3.connect(store.path)) as c:
        before = c.execute("SELECT * FROM events ORDER BY id").fetchall()
        for sql in (
            "UPDATE events SET text='rewritten'",
            "DELETE FROM events",
            f"DELETE FROM events WHERE id={d.id}",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                c.execute(sql)
            c.rollback()
        assert c.execute("SELECT * FROM events ORDER BY id").fetchall() == before


async def test_event_for_an_unknown_incident_is_refused(store, clock):
    d = await declare(store, clock)
    with pytest.raises(IncidentNotFound):
        await store.append(note(d.incident_id + 100, "lost"))
    with pytest.raises(IncidentNotFound):
        await store.drafts.put(d.incident_id + 100, "note", "lost")
    for read in (store.load_state, store.events):
        with pytest.raises(IncidentNotFound):
            await read(d.incident_id + 100)
    assert raw(store.path, "SELECT count(*) FROM events") == 1
    # ...and the store is still usable after the refusal
    assert (await store.append(note(d.incident_id, "fine"))).id == d.id + 1


async def test_append_many_is_all_or_nothing(store, clock):
    d = await declare(store, clock)
    batch = [note(d.incident_id, f"n{i}") for i in range(3)]
    with pytest.raises(IncidentNotFound):
        await store.append_many([*batch, note(d.incident_id + 1, "bad")])
    with pytest.raises(IncidentNotFound):  # a correction of an event that does not exist
        await store.append_many([*batch, note(d.incident_id, "bad", corrects=10_000)])
    assert len(await store.events(d.incident_id)) == 1
    assert raw(store.path, "SELECT count(*) FROM events") == 1

    saved = await store.append_many(batch)
    assert [e.id for e in saved] == [d.id + 1, d.id + 2, d.id + 3]
    assert [e.text for e in await store.events(d.incident_id, after_id=d.id)] == ["n0", "n1", "n2"]
    assert await store.append_many([]) == []


# ---------------------------------------------------------------------------- 5. reads
async def test_page_walks_back_newest_first_with_keyset_on_equal_timestamps(store, clock):
    a = await declare(store, clock, "a")
    b = await declare(store, clock, "b")
    # Groups of three events share a timestamp, written out of time order, two incidents
    # interleaved; the declarations share T0 with the minute-0 group.
    for i, minutes in enumerate((5, 1, 3, 3, 0, 7, 2, 5, -10)):
        at = T0 + timedelta(minutes=minutes)
        for k in range(3):
            await store.append(note(a.incident_id, f"a{i}.{k}", at))
            await store.append(note(b.incident_id, f"b{i}.{k}", at))
    everything = await store.events(a.incident_id)
    expected = [e.id for e in sorted(everything, key=lambda e: (e.occurred_at, e.id))]
    assert len(expected) == 1 + 9 * 3

    pages, before = [], None
    while page := await store.page(a.incident_id, before=before, limit=5):
        assert len(page) <= 5
        assert page == sorted(page, key=lambda e: (e.occurred_at, e.id))  # oldest first
        assert {e.incident_id for e in page} == {a.incident_id}
        pages.append(page)
        before = page[0]
    assert pages[0][-1].id == expected[-1]  # the first page holds the newest
    walked = [e.id for p in reversed(pages) for e in p]
    assert walked == expected  # nothing skipped or repeated at the page boundaries
    assert len(pages) == -(-len(expected) // 5)

    assert [e.id for e in await store.page(a.incident_id, limit=1000)] == expected
    oldest = next(e for e in everything if e.id == expected[0])
    assert await store.page(a.incident_id, before=oldest) == []


async def test_the_list_counts_each_incidents_events(store, clock):
    a = await declare(store, clock, "a")
    b = await declare(store, clock, "b")
    await store.append_many([note(a.incident_id, str(i)) for i in range(7)])
    await store.append(note(b.incident_id, "b"))
    counts = {s.id: s.event_count for s in await store.list_incidents()}
    assert counts == {a.incident_id: 8, b.incident_id: 2}


async def _busy_incident(store: Store, clock: FrozenClock) -> int:
    """An incident with every sort of event, some backdated, the newest one a note."""
    d = await declare(store, clock)
    iid = d.incident_id

    async def add(make, *args, **kw) -> Event:
        clock.advance(45)
        return await store.append(make(clock, await store.load_state(iid), *args, **kw))

    first = await add(commands.note, "looking at dashboards")
    await add(commands.set_severity, Severity.SEV1, reason="all regions")
    await add(commands.assign, "bo", "technical_lead")
    await add(commands.tick, "immediate:0")
    await add(commands.set_phase, PhaseId.ROOT_CAUSE)
    await add(commands.set_field, "root_cause.what", "bad deploy")
    await add(commands.add_action_item, "add a canary stage")
    await add(comms_cmd.notify, "support", contact="#support")
    await add(comms_cmd.send_update, "internal", "we are on it")
    await add(timeline_cmd.pin, Evidence(source="app.log", line="502 upstream reset"))
    await add(timeline_cmd.correct, first, text="looking at the checkout dashboards")
    await add(commands.note, "alert fired", at=T0 - timedelta(minutes=10))  # backdated
    await add(commands.set_status, Status.MITIGATED)
    await add(commands.note, "watching error rate")  # newest
    return iid


async def test_load_state_folds_only_state_kinds_and_equals_fold_of_everything(
    store, clock, monkeypatch
):
    iid = await _busy_incident(store, clock)
    folded: list[list[Event]] = []

    def spy(events):
        events = list(events)
        folded.append(events)
        return fold(events)

    monkeypatch.setattr(storage.store, "fold", spy)
    state = await store.load_state(iid)
    monkeypatch.undo()

    everything = await store.events(iid)
    kinds = {e.kind.value for e in everything}
    assert {"note", "evidence", "edit"} <= kinds
    assert len(folded) == 1
    assert {e.kind.value for e in folded[0]} <= STATE_KINDS  # notes etc. are not read
    assert len(folded[0]) == sum(e.kind.value in STATE_KINDS for e in everything)

    expected = fold(everything)
    assert state.model_dump() == expected.model_dump()
    assert state.last_event_id == everything[-1].id
    assert state.last_event_at == max(e.occurred_at for e in everything)
    # the fold is not trivial
    assert (state.severity, state.status, state.phase) == (
        Severity.SEV1,
        Status.MITIGATED,
        PhaseId.ROOT_CAUSE,
    )
    assert state.root_cause.what == "bad deploy" and "bo" in state.participants


async def _attach_cost(path: Path, clock: FrozenClock, notes: int) -> int:
    """SQLite VM steps of what attach reads (load_state, the first page, its corrections) for
    a busy incident with ``notes`` notes more, after ANALYZE (as ``PRAGMA optimize`` leaves
    it: statistics averaged over kinds, which invite the planner to scan)."""
    store = await Store.open(path)
    try:
        iid = await _busy_incident(store, clock)
        other = await declare(store, clock, "another incident")
        for start in range(0, notes, 5000):
            await store.append_many(
                [
                    note(iid, f"n{i}", at=T0 - timedelta(seconds=i))
                    for i in range(start, min(notes, start + 5000))
                ]
            )
        await store.append(note(other.incident_id, "later, elsewhere"))
        await store.write(lambda conn: conn.execute("ANALYZE"))
        seen: list[tuple[str, tuple]] = []
        rows, scalar = store.rows, store.scalar

        async def rec_rows(sql, params=()):
            seen.append((sql, tuple(params)))
            return await rows(sql, params)

        async def rec_scalar(sql, params=()):
            seen.append((sql, tuple(params)))
            return await scalar(sql, params)

        store.rows, store.scalar = rec_rows, rec_scalar
        state = await store.load_state(iid)
        page = await store.page(iid, limit=80)
        await store.corrections_of([e.id for e in page])
        store.rows, store.scalar = rows, scalar
        everything = await store.events(iid)
        assert state.model_dump() == fold(everything).model_dump()
        assert state.last_event_id == everything[-1].id  # its newest, not the other's
        assert [e.id for e in page] == [
            e.id for e in sorted(everything, key=lambda e: (e.occurred_at, e.id))
        ][-80:]
    finally:
        await store.close()
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 100
        return 0

    with closing(sqlite3.connect(path)) as conn:
        conn.set_progress_handler(count, 100)
        for sql, params in seen:
            conn.execute(sql, params).fetchall()
    return steps


async def test_attach_reads_cost_what_is_shown_not_what_is_stored(tmp_path):
    """An incident with 20,000 notes opens with the reads of one with 500: every read of
    attach is an index seek (before: 100,000 notes took 30 ms to fold, now 0.6 ms)."""
    small = await _attach_cost(tmp_path / "small.db", FrozenClock(T0), 500)
    big = await _attach_cost(tmp_path / "big.db", FrozenClock(T0), 20_000)
    assert big < small * 1.5 + 2_000, (small, big)


async def test_corrections_incidents_and_drafts(store, clock):
    a = await declare(store, clock, "older")
    clock.advance(60)
    b = await declare(store, clock, "newer")
    target = await store.append(note(a.incident_id, "typo"))
    fix = await store.append(
        timeline_cmd.correct(clock, await store.load_state(a.incident_id), target, text="fixed")
    )
    assert fix.kind is EventKind.EDIT
    assert [e.id for e in await store.corrections_of([target.id, b.id])] == [fix.id]
    assert await store.corrections_of([]) == []

    assert [s.id for s in await store.list_incidents()] == [b.incident_id, a.incident_id]
    assert await store.latest_active() == b.incident_id
    await store.append(
        commands.set_status(clock, await store.load_state(b.incident_id), Status.RESOLVED)
    )
    assert await store.latest_active() == a.incident_id
    assert [s.id for s in await store.list_incidents(include_closed=False)] == [a.incident_id]
    assert {s.id: s.event_count for s in await store.list_incidents()} == {
        a.incident_id: 3,
        b.incident_id: 2,
    }

    assert (await store.drafts.of(a.incident_id)).get("note") is None
    await store.drafts.put(a.incident_id, "note", "half a sen")
    await store.drafts.put(a.incident_id, "note", "half a sentence")
    assert (await store.drafts.of(a.incident_id)).get("note") == "half a sentence"
    assert await store.drafts.of(a.incident_id) == {"note": "half a sentence"}
    await store.drafts.put(a.incident_id, "note", "")
    assert (await store.drafts.of(a.incident_id)).get("note") is None


# ---------------------------------------------------------------------------- 6. change feed
async def _poll_until(watcher, want: int, timeout: float = 5.0) -> tuple[list[Event], float]:
    """Poll every 50 ms until event ``want`` shows up; the events seen and the wait."""
    seen: list[Event] = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        change = await watcher.poll()
        if change is not None:
            seen.extend(change.events)
            if any(e.id == want for e in change.events):
                return seen, time.monotonic() - t0
        await asyncio.sleep(0.05)  # (a poll: the latency measured is the watcher's own)
    raise AssertionError(f"event {want} not seen in {timeout} s (saw {[e.id for e in seen]})")


async def test_watch_sees_commits_of_another_store_within_a_second(tmp_path, clock):
    path = tmp_path / "w.db"
    async with await Store.open(path) as mine, await Store.open(path) as other:
        d = await declare(mine, clock)
        w = mine.watch(d.incident_id, d.id)
        await w.poll()  # the first look reads unconditionally
        assert await w.poll() is None
        assert await w.poll() is None

        elsewhere = await declare(other, clock, "another incident")
        change = await w.poll()  # something was committed, nothing for this incident
        assert change is None or list(change.events) == []

        for i in range(3):
            saved = await other.append(note(d.incident_id, f"from the other store {i}"))
            seen, waited = await _poll_until(w, saved.id)
            assert [e.id for e in seen] == [saved.id]
            assert waited < 1.0
            assert w.last_id == saved.id
        assert await w.poll() is None
        assert elsewhere.incident_id != d.incident_id


async def test_watch_sees_commits_of_its_own_store(store, clock):
    d = await declare(store, clock)
    w = store.watch(d.incident_id, d.id)
    await w.poll()
    assert await w.poll() is None
    saved = await store.append(note(d.incident_id, "mine"))
    seen, waited = await _poll_until(w, saved.id)
    assert [e.id for e in seen] == [saved.id] and waited < 1.0
    assert await w.poll() is None


async def test_watch_reads_a_long_backlog_in_slices(tmp_path, clock):
    path = tmp_path / "w.db"
    async with await Store.open(path) as mine, await Store.open(path) as other:
        d = await declare(mine, clock)
        w = mine.watch(d.incident_id, d.id)
        await w.poll()
        saved = await other.append_many([note(d.incident_id, str(i)) for i in range(10)])
        slices = []
        while (change := await w.poll(limit=4)) is not None and change.events:
            slices.append([e.id for e in change.events])
        assert slices == [[e.id for e in saved[i : i + 4]] for i in (0, 4, 8)]
        assert await w.poll(limit=4) is None


# ---------------------------------------------------------------------------- 7. read-only
async def _written_then_checkpointed(path: Path, clock: FrozenClock) -> int:
    async with await Store.open(path) as s:
        d = await declare(s, clock)
        await s.append(note(d.incident_id, "before the review"))
        await s.drafts.put(d.incident_id, "note", "unsaved words")
    checkpoint(path)
    return d.incident_id


async def test_read_only_reads_but_never_writes_and_leaves_the_bytes(tmp_path, clock):
    path = tmp_path / "w.db"
    iid = await _written_then_checkpointed(path, clock)
    digest = sha256(path)

    ro = await Store.open(path, read_only=True)
    try:
        assert ro.read_only
        state = await ro.load_state(iid)
        assert state.title == "Checkout 502s"
        assert [e.text for e in await ro.events(iid)][-1] == "before the review"
        assert len(await ro.page(iid)) == 2
        assert len(await ro.events(iid)) == 2
        assert [s.id for s in await ro.list_incidents()] == [iid]
        assert (await ro.drafts.of(iid)).get("note") == "unsaved words"
        assert (await ro.watch(iid, 0).poll()) is not None
        assert await ro.integrity_check() == "ok"

        writes = [
            ro.append(note(iid, "nope")),
            ro.append_many([note(iid, "nope")]),
            ro.declare(commands.declare(clock, "nope", Severity.SEV3)),
            ro.drafts.put(iid, "note", "nope"),
            ro.drafts.put(iid, "note", None),
        ]
        for w in writes:
            with pytest.raises(ReadOnly):
                await w
        # Even SQL that bypasses the store's checks cannot write through this connection.
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await ro._conn.execute("INSERT INTO incidents(created_at) VALUES ('x')")
    finally:
        await ro.close()

    assert sha256(path) == digest
    assert raw(path, "SELECT count(*) FROM events") == 2


async def test_read_only_refuses_an_empty_file_without_touching_it(tmp_path):
    path = tmp_path / "w.db"
    path.touch()
    with pytest.raises(StoreError, match="an empty file, not a warroom database"):
        await Store.open(path, read_only=True)
    assert path.stat().st_size == 0


@pytest.fixture
def immutable_dir(tmp_path):
    """A directory nothing can be created in, even by root: read-only media, in effect."""
    d = tmp_path / "media"
    d.mkdir()
    yield d
    subprocess.run(["chattr", "-i", str(d)], capture_output=True, check=False)


async def test_read_only_on_read_only_media(immutable_dir, clock):
    path = immutable_dir / "w.db"
    iid = await _written_then_checkpointed(path, clock)
    assert sorted(p.name for p in immutable_dir.iterdir()) == ["w.db"]
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(immutable_dir)], capture_output=True).returncode != 0
    ):
        pytest.skip("chattr +i is not available here")
    try:
        (immutable_dir / "probe").touch()
    except OSError:
        pass
    else:
        pytest.skip("chattr +i did not make the directory read-only")
    before = snapshot(immutable_dir)

    async with await Store.open(path, read_only=True) as ro:  # no -shm can be made here
        assert (await ro.load_state(iid)).title == "Checkout 502s"
        assert len(await ro.events(iid)) == 2
        with pytest.raises(ReadOnly):
            await ro.append(note(iid, "nope"))

    assert snapshot(immutable_dir) == before


# ---------------------------------------------------------------------------- 10. busy
async def test_append_waits_for_another_connections_lock(store, clock):
    d = await declare(store, clock)
    with closing(sqlite3.connect(store.path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        task = asyncio.create_task(store.append(note(d.incident_id, "while locked")))
        await asyncio.sleep(1.5)  # (not a wait: a window in which the append must not end)
        assert not task.done()
        holder.execute("COMMIT")
        released = time.monotonic()
        saved = await asyncio.wait_for(task, 5)
        assert time.monotonic() - released < 1.0
    assert (await store.event(saved.id)).text == "while locked"


async def test_append_gives_up_with_store_busy_and_writes_nothing(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(storage.sql, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(storage.plumbing, "WRITE_DEADLINE_S", 0.3)
    async with await Store.open(tmp_path / "w.db") as s:
        d = await declare(s, clock)
        with closing(sqlite3.connect(s.path, isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")
            t0 = time.monotonic()
            with pytest.raises(StoreBusy) as ei:
                await s.append(note(d.incident_id, "too late"))
            waited = time.monotonic() - t0
            holder.execute("COMMIT")
        assert 0.25 <= waited < 1.5, waited
        assert_one_line(ei.value, s.path)
        assert len(await s.events(d.incident_id)) == 1
        # the lock is gone: the store writes again
        await s.append(note(d.incident_id, "now"))
        assert len(await s.events(d.incident_id)) == 2
