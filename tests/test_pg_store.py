"""What only the server store has to prove: appends of an incident wait for each other's
commit (so ids are committed in order), a lost notification costs nothing, and a password
is never shown. The journal port itself: tests/test_journal_conformance.py."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest

from incident import commands as c
from incident.clock import FrozenClock
from incident.model import Severity
from storage.errors import StoreError
from tests.conftest import T0
from tests.pg_cluster import PASSWORD, PASSWORD_ROLE, Cluster
from tests.waiting import until

psycopg = pytest.importorskip("psycopg")
from storage.pg.store import PgStore, _insert_all  # noqa: E402


async def _declare(store: PgStore) -> int:
    clock = FrozenClock(T0)
    return (await store.declare(c.declare(clock, "t", Severity.SEV2))).incident_id


async def _waiting_on_advisory_lock(dsn: str) -> int:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND NOT granted"
        )
        row = await cur.fetchone()
        return row[0] if row else 0


async def test_an_append_waits_for_the_commit_of_the_one_before(pg_dsn):
    """Writer A has drawn its id and not committed; writer B appends. B must wait for A,
    else B commits the higher id first, a reader moves its cursor past it, and A's event,
    committed next, is never read. (Without the advisory lock, B's append completes at once
    and the reader skips A's event: this test fails.)"""
    a, b, reader = [await PgStore.open(pg_dsn) for _ in range(3)]
    try:
        inc = await _declare(a)
        state = await a.load_state(inc)
        watch = reader.watch(inc, state.last_event_id)
        clock = FrozenClock(T0)
        held, go = asyncio.Event(), asyncio.Event()

        async def slow(conn):
            saved = await _insert_all(conn, [c.note(clock, state, "A")])
            held.set()
            await go.wait()  # (the transaction stays open: its id drawn, not committed)
            return saved

        first = asyncio.ensure_future(a.write(slow))
        await until(held.is_set, what="A has drawn its id")
        second = asyncio.ensure_future(b.append(c.note(clock, state, "B")))
        await until(
            lambda: second.done() or _waiting_on_advisory_lock(pg_dsn),
            what="B done, or waiting on the incident's lock",
        )
        seen = []
        change = await watch.poll()
        seen += change.events if change else []
        go.set()
        [saved_a], saved_b = await first, await second
        assert saved_a.id < saved_b.id

        async def caught_up() -> bool:
            change = await watch.poll()
            seen.extend(change.events if change else ())
            return watch.last_id == saved_b.id

        await until(caught_up, what="the reader caught up")
        assert [e.text for e in seen] == ["A", "B"]
    finally:
        for store in (a, b, reader):
            await store.close()


async def test_a_lost_notification_costs_nothing(pg_dsn, pg_cluster: Cluster):
    """The LISTEN connection is cut: the reader still sees the append (its fallback look),
    and listens again."""
    writer, reader = await PgStore.open(pg_dsn), await PgStore.open(pg_dsn)
    try:
        inc = await _declare(writer)
        state = await writer.load_state(inc)
        watch = reader.watch(inc, state.last_event_id)
        await until(lambda: reader.listener.up, what="the reader listens")
        dbname = urlsplit(pg_dsn).path.lstrip("/")
        pg_cluster.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            f"datname='{dbname}' AND query LIKE 'LISTEN%'"
        )
        await until(lambda: not reader.listener.up, what="the listener noticed its loss")
        saved = await writer.append(c.note(FrozenClock(T0), state, "while deaf"))

        async def seen() -> bool:
            change = await watch.poll()
            return bool(change and change.events[-1].id == saved.id)

        await until(seen, what="the append seen without its notification")
        await until(lambda: reader.listener.up, what="listening again")
    finally:
        await writer.close()
        await reader.close()


async def test_a_password_is_never_in_an_error(pg_cluster: Cluster, monkeypatch):
    db = pg_cluster.new_database()
    base = f"127.0.0.1:{pg_cluster.port}/{db}"
    with pytest.raises(StoreError) as refused:
        await PgStore.open(f"postgresql://{PASSWORD_ROLE}:wrong-Pa55word@{base}")
    assert "wrong-Pa55word" not in str(refused.value) and "\n" not in str(refused.value)
    monkeypatch.setenv("PGPASSWORD", "env-Pa55word")
    with pytest.raises(StoreError) as refused:
        await PgStore.open(f"postgresql://{PASSWORD_ROLE}@{base}")
    assert "env-Pa55word" not in str(refused.value)
    monkeypatch.delenv("PGPASSWORD")
    kv = f"host=127.0.0.1 port={pg_cluster.port} dbname={db} user={PASSWORD_ROLE} password=x-y"
    with pytest.raises(StoreError) as refused:
        await PgStore.open(kv)
    assert "x-y" not in str(refused.value)
    async with await PgStore.open(f"postgresql://{PASSWORD_ROLE}:{PASSWORD}@{base}") as store:
        assert PASSWORD not in store.path and PASSWORD not in str(store.path)
        await _declare(store)
        with pytest.raises(Exception) as failed:
            await store.event(-1)
        assert PASSWORD not in str(failed.value)


def test_a_driver_message_never_carries_the_password(monkeypatch):
    from storage.pg.plumbing import one_line

    monkeypatch.setenv("PGPASSWORD", "env-Pa55word")
    dsn = "postgresql://ic:url-Pa55word@db1/w"
    said = one_line(Exception("auth url-Pa55word env-Pa55word\nDETAIL: more"), "db1", dsn)
    assert said == "db1: auth *** ***"
    kv = one_line(Exception("bad kv-Pa55word"), "db1", "host=db1 password=kv-Pa55word")
    assert kv == "db1: bad ***"


async def test_text_the_server_cannot_store_is_refused_in_one_line(pg_dsn):
    from incident.errors import InvalidInput

    async with await PgStore.open(pg_dsn) as store:
        inc = await _declare(store)
        state = await store.load_state(inc)
        event = c.note(FrozenClock(T0), state, "x").model_copy(update={"text": "nul\x00here"})
        with pytest.raises(InvalidInput):
            await store.append(event)
        assert len(await store.events(inc)) == 1
