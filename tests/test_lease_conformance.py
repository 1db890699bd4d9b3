"""Log-source leases across machines (issue #15): a time-to-live on the server's clock, a
heartbeat (``renew``) and an epoch that fences a holder that was taken over. The port's
shape is the same on both backends (``tests/journal_backends.py``); the SQLite file is on
one machine, so there a holder's process alone says whether it is there (no expiry) and the
epoch is always 0; the server's leases expire and fence."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from incident.clock import FrozenClock
from incident.ports import Holder
from tests.conftest import T0
from tests.journal_backends import Backend, declare
from tests.waiting import until

TTL = 1.5


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


def everyone_dead(_h: Holder) -> bool:
    """What a console on another machine sees when it looks the holder's pid up in its own
    process table: nothing (the pid is not there, or is another process)."""
    return False


async def test_renew_says_whose_the_lease_is(journal, clock):
    inc = await declare(journal, clock)
    a = Holder("a", 100, 1.0, "@alice", "laptop-a")
    b = Holder("b", 200, 2.0, "@bob", "laptop-a")
    leases = journal.leases
    assert leases.ttl > 0
    assert await leases.renew(inc, "s", a) is None  # nobody holds it
    assert await leases.claim(inc, "s", a, lambda h: True) is None
    mine = await leases.renew(inc, "s", a)
    assert mine == a and mine.token == "a"
    assert await leases.claim(inc, "s", b, everyone_dead) is None  # same machine, a is gone
    taken = await leases.renew(inc, "s", a)
    assert taken == b and taken.host == "laptop-a"
    assert await leases.renew(inc, "s", b) == b


async def test_a_same_machine_holder_whose_process_is_gone_is_taken_over_at_once(
    journal, backend, clock
):
    inc = await declare(journal, clock)
    a, b = Holder("a", 100, 1.0, "@alice", "box"), Holder("b", 200, 2.0, "@bob", "box")
    assert await journal.leases.claim(inc, "s", a, lambda h: True) is None
    first = (await journal.leases.renew(inc, "s", a)).epoch
    started = time.monotonic()
    assert await journal.leases.claim(inc, "s", b, lambda h: h.token != "a") is None
    assert time.monotonic() - started < 1.0
    assert await journal.leases.holders(inc) == {"s": b}
    now = (await journal.leases.renew(inc, "s", b)).epoch
    assert now > first if backend.name == "postgres" else now == first == 0


# ------------------------------------------------------------------ the server's
@pytest.fixture
async def server(pg_dsn) -> AsyncIterator[Any]:
    from storage.pg.store import PgStore

    store = await PgStore.open(pg_dsn)
    store.leases.ttl = TTL
    try:
        yield store
    finally:
        await store.close()


async def test_a_holder_on_another_machine_is_trusted_until_its_lease_expires(server, clock):
    """Before: a console on machine B looked machine A's pid up in B's process table, found
    it "dead", and ran the source a second time. Now A's lease holds until it expires (A's
    machine is gone: it never renews), and B takes over within TTL + 1 s."""
    inc = await declare(server, clock)
    a = Holder("a", 100, 1.0, "@alice", "laptop-a")
    b = Holder("b", 100, 1.0, "@bob", "laptop-b")  # (the same pid, on another machine)
    assert await server.leases.claim(inc, "s", a, everyone_dead) is None
    claimed = time.monotonic()
    assert await server.leases.claim(inc, "s", b, everyone_dead) == a  # not expired: held
    assert await server.leases.holders(inc) == {"s": a}

    async def taken() -> bool:
        return await server.leases.claim(inc, "s", b, everyone_dead) is None

    await until(taken, timeout=TTL + 5, what="b's claim after a's lease expired")
    took = time.monotonic() - claimed
    assert TTL - 0.2 < took < TTL + 1, f"taken over after {took:.2f} s (ttl {TTL} s)"
    assert await server.leases.holders(inc) == {"s": b}


async def test_a_renewed_lease_is_not_taken_over(server, clock):
    inc = await declare(server, clock)
    a = Holder("a", 100, 1.0, "@alice", "laptop-a")
    b = Holder("b", 200, 2.0, "@bob", "laptop-b")
    assert await server.leases.claim(inc, "s", a, everyone_dead) is None
    beat = time.monotonic()
    for _ in range(7):  # (a heartbeat: renewals TTL/3 apart, for more than twice the TTL)
        beat += TTL / 3
        await until(lambda: time.monotonic() >= beat, timeout=TTL, what="the next beat")  # noqa: B023
        assert await server.leases.renew(inc, "s", a) == a
        assert await server.leases.claim(inc, "s", b, everyone_dead) == a
    assert await server.leases.holders(inc) == {"s": a}


async def test_an_expired_lease_is_nobody_s_and_epochs_only_grow(server, clock):
    inc = await declare(server, clock)
    a = Holder("a", 100, 1.0, "@alice", "laptop-a")
    b = Holder("b", 200, 2.0, "@bob", "laptop-b")
    await server.leases.claim(inc, "s", a, everyone_dead)
    e1 = (await server.leases.renew(inc, "s", a)).epoch
    assert await server.leases.claim(inc, "s", a, everyone_dead) is None  # ours: same epoch
    assert (await server.leases.renew(inc, "s", a)).epoch == e1
    await server.leases.release(inc, "a")
    await server.leases.claim(inc, "s", b, everyone_dead)  # let go of, claimed again
    e2 = (await server.leases.renew(inc, "s", b)).epoch
    assert e2 > e1
    server.leases.ttl = 0.2
    await server.leases.renew(inc, "s", b)  # b's last renewal: 0.2 s

    async def expired() -> bool:
        return await server.leases.holders(inc) == {}

    await until(expired, timeout=5, what="b's lease expired")
    await server.leases.claim(inc, "s", a, everyone_dead)
    assert (await server.leases.renew(inc, "s", a)).epoch > e2


async def test_a_stale_holder_cannot_add_lines_after_the_takeover(server, pg_dsn, clock):
    """A holder paused past its lease (SIGSTOP, a laptop's lid shut), then resumed: its
    queued lines, under its old epoch, are refused; the new holder's are stored."""
    from storage.pg.capture import PgCaptureWriter

    inc = await declare(server, clock)
    a = Holder("a", 100, 1.0, "@alice", "laptop-a")
    b = Holder("b", 200, 2.0, "@bob", "laptop-b")
    assert await server.leases.claim(inc, "s", a, everyone_dead) is None
    ea = (await server.leases.renew(inc, "s", a)).epoch
    stale, fresh = PgCaptureWriter(pg_dsn, interval=0.0), PgCaptureWriter(pg_dsn, interval=0.0)
    try:
        stale.submit(inc, "s", 1, ["a1", "a2"], err=False, read_at=T0, epoch=ea)
        await until(lambda: stale.written == 2, what="a's lines while it holds the lease")
        # a is paused: no renewal; b (another machine) takes over once the lease expires

        async def taken() -> bool:
            return await server.leases.claim(inc, "s", b, everyone_dead) is None

        await until(taken, timeout=TTL + 5, what="b's takeover")
        eb = (await server.leases.renew(inc, "s", b)).epoch
        assert eb > ea
        fresh.submit(inc, "s", 3, ["b3"], err=False, read_at=T0 + timedelta(seconds=1), epoch=eb)
        await until(lambda: fresh.written == 1, what="b's line")
        # a resumes: what it read before it noticed goes to the store under its old epoch
        stale.submit(inc, "s", 3, ["a3 (stale)"], err=False, read_at=T0, epoch=ea)
        stale.submit(inc, "s", 4, ["a4 (stale)"], err=False, read_at=T0, epoch=ea)
        await until(lambda: stale.refused(inc, "s") == 2, what="a's stale lines refused")
        assert stale.error is None and stale.written == 2
        assert (await server.leases.renew(inc, "s", a)) == b  # a learns it was fenced
    finally:
        stale.close()
        fresh.close()
    assert [x.text for x in await server.captures.read(inc, "s")] == ["a1", "a2", "b3"]


async def test_lines_without_an_epoch_are_not_fenced(server, pg_dsn, clock):
    """(a source that runs unclaimed, the store having refused the claim, still captures)"""
    from storage.pg.capture import PgCaptureWriter

    inc = await declare(server, clock)
    w = PgCaptureWriter(pg_dsn, interval=0.0)
    try:
        w.submit(inc, "s", 1, ["x"], err=False, read_at=T0)
        await until(lambda: w.written == 1)
    finally:
        w.close()
    assert [x.text for x in await server.captures.read(inc, "s")] == ["x"]


async def test_capture_goes_on_after_the_server_says_it_is_going_away(
    server, pg_dsn, clock, monkeypatch
):
    """A server shutting down (or an administrator ending the backend) answers a write with
    an error (57P01-57P03) before its socket is seen closed: those lines are lost, as while
    the server is away, but the writer connects again and goes on storing; it is not a
    failure of the capture for the rest of the incident (found: a console whose server was
    stopped and started captured nothing more)."""
    import psycopg

    from storage.pg import capture

    inc = await declare(server, clock)
    real, calls = capture.store_lines, []

    def shutting_down_once(*args, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise psycopg.errors.AdminShutdown("terminating connection due to administrator")
        return real(*args, **kw)

    monkeypatch.setattr(capture, "store_lines", shutting_down_once)
    monkeypatch.setattr(capture, "RETRY_S", 0.0)
    w = capture.PgCaptureWriter(pg_dsn, interval=0.0)
    try:
        w.submit(inc, "s", 1, ["lost"], err=False, read_at=T0)
        await until(lambda: calls and w.pending == 0, what="the first batch tried")
        assert w.error is None
        assert w.submit(inc, "s", 2, ["kept"], err=False, read_at=T0)
        await until(lambda: w.written == 1, what="the next batch stored")
    finally:
        w.close()
    assert [x.text for x in await server.captures.read(inc, "s")] == ["kept"]
    assert w.dropped(inc, "s") == 1
