"""One suite for the journal port (``incident.ports.Journal``), run against both backends:
the SQLite file (``storage/store.py``) and the PostgreSQL server (``storage/pg/``). What the
SQLite store promises (tests/test_storage.py, test_capture.py, test_source_leases.py,
test_contacts.py, test_drafts.py), the server keeps too.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest

from incident import commands as c
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.errors import IncidentNotFound, ReadOnly
from incident.journal import Event
from incident.kinds import EventKind
from incident.model import Severity, Status
from storage import schema as sqlite_schema
from storage.errors import SchemaTooNew, StoreError
from tests.conftest import T0
from tests.journal_backends import Backend, declare
from tests.journal_backends import note as note_at
from tests.waiting import until


@pytest.fixture
async def journal(backend: Backend) -> AsyncIterator[Any]:
    store = await backend.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def note(incident_id: int, text: str, **kw: Any) -> Event:
    return note_at(incident_id, text, T0, **kw)


# ------------------------------------------------------------------ the journal itself
async def test_declare_append_read_and_fold(journal, clock):
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    assert state.title == "Checkout 502s" and state.severity is Severity.SEV2
    clock.advance(60)
    a = await journal.append(c.note(clock, state, "pods restarted"))
    b = await journal.append(c.set_severity(clock, state, Severity.SEV1, owner="@ic"))
    assert a.id and b.id and a.id < b.id
    events = await journal.events(inc)
    assert [e.id for e in events] == sorted(e.id for e in events) and len(events) == 3
    assert [e.text for e in await journal.events(inc, after_id=a.id)] == [b.text]
    assert (await journal.event(a.id)).text == "pods restarted"
    state = await journal.load_state(inc)
    assert state.severity is Severity.SEV1 and state.last_event_id == b.id
    assert await journal.exists(inc) and not await journal.exists(inc + 1000)
    assert await journal.latest_active() == inc
    [summary] = await journal.list_incidents()
    assert (summary.id, summary.event_count, summary.title) == (inc, 3, "Checkout 502s")
    await journal.append(c.set_status(clock, state, Status.RESOLVED, owner="@ic"))
    assert await journal.latest_active() is None
    assert await journal.list_incidents(include_closed=False) == []
    with pytest.raises(IncidentNotFound):
        await journal.load_state(inc + 1000)
    with pytest.raises(IncidentNotFound):
        await journal.event(10_000)


async def test_page_walks_back_newest_first_on_equal_times(journal, clock):
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    saved = [await journal.append(c.note(clock, state, f"n{i}")) for i in range(5)]
    first = await journal.page(inc, limit=3)
    assert [e.text for e in first] == ["n2", "n3", "n4"]
    rest = await journal.page(inc, before=first[0], limit=10)
    assert [e.id for e in rest][-2:] == [saved[0].id, saved[1].id] and len(rest) == 3


async def test_an_event_for_an_unknown_incident_is_refused(journal, clock):
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    stray = c.note(clock, state, "x").model_copy(update={"incident_id": inc + 1000})
    with pytest.raises(IncidentNotFound):
        await journal.append(stray)


async def test_append_many_is_all_or_nothing(journal, clock):
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    good = c.note(clock, state, "kept?")
    stray = good.model_copy(update={"incident_id": inc + 1000})
    with pytest.raises(IncidentNotFound):
        await journal.append_many([good, stray])
    with pytest.raises(IncidentNotFound):  # (a correction of an event that is not there)
        await journal.append_many([good, note(inc, "bad", corrects=10_000)])
    assert len(await journal.events(inc)) == 1
    saved = await journal.append_many([good, c.note(clock, state, "second")])
    assert [e.text for e in await journal.events(inc)][1:] == ["kept?", "second"]
    assert saved[0].id < saved[1].id


async def test_a_correction_is_a_new_event_pointing_at_the_original(journal, clock):
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    original = await journal.append(c.note(clock, state, "db at 90%"))
    fix = await journal.append(timeline_cmd.correct(clock, state, original, text="db at 95%"))
    assert fix.kind is EventKind.EDIT and fix.corrects == original.id
    assert [e.id for e in await journal.corrections_of([original.id])] == [fix.id]
    assert await journal.corrections_of([]) == []
    assert (await journal.event(original.id)).text == "db at 90%"  # the original stays


async def test_incidents_are_listed_newest_first(journal, clock):
    a = await declare(journal, clock, "older")
    b = await declare(journal, clock, "newer")
    await journal.append(note(a, "typo"))
    assert [s.id for s in await journal.list_incidents()] == [b, a]
    assert {s.id: s.event_count for s in await journal.list_incidents()} == {a: 2, b: 1}
    state = await journal.load_state(b)
    await journal.append(c.set_status(clock, state, Status.RESOLVED))
    assert await journal.latest_active() == a


async def test_the_glance_is_kept_and_refreshed_only_when_behind(journal, clock):
    inc = await declare(journal, clock)
    assert await journal.refresh_glance(inc) is False  # written with the declaration


# ------------------------------------------------------------------ read-only, schema
async def test_read_only_reads_and_never_writes(journal, backend, clock):
    inc = await declare(journal, clock)
    viewer = await backend.open(read_only=True)
    try:
        assert (await viewer.load_state(inc)).title == "Checkout 502s"
        with pytest.raises(ReadOnly):
            await viewer.append(note(inc, "no"))
        with pytest.raises(ReadOnly):
            await viewer.drafts.put(inc, "k", "v")
    finally:
        await viewer.close()
    assert len(await journal.events(inc)) == 1


async def _set_version(backend: Backend, version: int) -> None:
    if backend.name == "sqlite":
        conn = sqlite3.connect(backend.where)
        conn.execute(f"PRAGMA user_version={version}")
        conn.commit()
        conn.close()
        return
    import psycopg

    async with await psycopg.AsyncConnection.connect(backend.where, autocommit=True) as conn:
        await conn.execute("UPDATE warroom_schema SET version=%s", (version,))


async def _version(backend: Backend) -> int:
    if backend.name == "sqlite":
        conn = sqlite3.connect(backend.where)
        try:
            return conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    import psycopg

    async with await psycopg.AsyncConnection.connect(backend.where, autocommit=True) as conn:
        row = await (await conn.execute("SELECT version FROM warroom_schema")).fetchone()
        assert row is not None
        return row[0]


@pytest.mark.parametrize("read_only", [False, True])
async def test_a_newer_schema_is_refused_and_left_untouched(backend, clock, read_only):
    store = await backend.open()
    inc = await declare(store, clock)
    await store.close()
    newer = sqlite_schema.latest_version() + 1
    await _set_version(backend, newer)
    with pytest.raises(SchemaTooNew) as refused:
        await backend.open(read_only=read_only)
    assert "newer warroom" in str(refused.value) and "\n" not in str(refused.value)
    assert await _version(backend) == newer
    await _set_version(backend, newer - 1)
    async with await backend.open(read_only=True) as store:
        assert (await store.load_state(inc)).title == "Checkout 502s"


async def test_a_verb_other_than_declare_makes_no_database(backend):
    with pytest.raises(StoreError):
        await backend.open(create=False)
    with pytest.raises(StoreError):
        await backend.open(read_only=True)


# ------------------------------------------------------------------ the change feed
async def test_another_connection_sees_an_append(journal, backend, clock):
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    other = await backend.open()
    try:
        watch = other.watch(inc, state.last_event_id)
        seen: list[Event] = []

        async def arrived() -> bool:
            change = await watch.poll()
            seen.extend(change.events if change else ())
            return bool(seen)

        assert not await arrived()
        saved = await journal.append(c.note(clock, state, "from the other console"))
        await until(arrived, what="the append seen on the other connection")
        assert [e.id for e in seen] == [saved.id] and watch.last_id == saved.id
        mine = watch  # its own store's commits wake it too
        own = await other.append(c.note(clock, state, "mine"))
        await until(arrived, what="its own append")
        await until(lambda: seen[-1].id == own.id, what="its own append, last")
        assert mine.last_id == own.id
    finally:
        await other.close()


async def test_two_writers_at_once_keep_seq_order_equal_to_commit_order(journal, backend, clock):
    """Two writers append to one incident while a reader follows with ``id > cursor``: the
    reader sees every event once, none skipped (a lower id committed after a higher one
    would be skipped for good)."""
    inc = await declare(journal, clock)
    state = await journal.load_state(inc)
    second = await backend.open()
    reader = await backend.open()
    try:
        watch = reader.watch(inc, state.last_event_id)
        seen: list[int] = []
        done = asyncio.Event()

        async def follow() -> None:
            while True:
                finished = done.is_set()
                change = await watch.poll()
                seen.extend(e.id for e in change.events if e.id) if change else None
                if finished and change is None:
                    return
                await asyncio.sleep(0)

        async def write(store: Any, who: str) -> list[int]:
            return [(await store.append(c.note(clock, state, f"{who}{i}"))).id for i in range(40)]

        follower = asyncio.ensure_future(follow())
        try:
            ids = await asyncio.gather(write(journal, "a"), write(second, "b"))
            await until(
                lambda: len(seen) >= 80 or follower.done(), what="the reader caught up", timeout=10
            )
            done.set()
            await until(lambda: follower.done(), timeout=10, what="the reader's last look")
            follower.result()
        finally:
            follower.cancel()
        written = sorted(ids[0] + ids[1])
        assert seen == written  # all of them, each once, in order
    finally:
        await second.close()
        await reader.close()


def test_both_backends_migrate_through_the_same_numbers():
    from importlib import resources

    from storage.pg import schema as pg_schema

    def names(package: str) -> list[str]:
        found = resources.files(package).iterdir()
        return sorted(f.name for f in found if f.name.endswith(".sql"))

    assert names("storage.migrations") == names("storage.migrations.pg")
    assert [n for n, _ in sqlite_schema.migrations()] == [n for n, _ in pg_schema.migrations()]
    assert pg_schema.latest_version() == sqlite_schema.latest_version()
