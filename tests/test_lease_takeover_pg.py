"""Log-source leases on the server, as consoles live them (issue #15): a console on another
machine is trusted until its lease expires, then taken over within TTL + 1 s; a console
taken over while it still runs (paused past its lease, then resumed) stops the source at
once, says so in the pane and follows the console that runs it now."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.demo import seed_demo
from incident.journal import CommandEvent, SourceSpec
from storage.dsn import ServerDsn
from tests.console_support import DEMO_LOG, FROZEN, make_app, notices
from tests.test_source_leases import TICKS, runs
from tests.waiting import until

pytest.importorskip("psycopg")
from storage.pg.store import PgStore

ROOT = Path(__file__).resolve().parent.parent
TTL = 1.5

# A console in a process of its own, on "machine-a": it runs the incident's sources, says
# so, and runs on until it is killed.
CONSOLE = """
import asyncio, sys
from storage.dsn import ServerDsn
from tests.console_support import make_app
from tests.waiting import until

async def main(dsn, incident, sid):
    app = make_app(ServerDsn(dsn), incident, run_sources=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: sid in app.runner.held and app.runner.buffer(sid).total > 5,
                    pilot=pilot, timeout=60)
        print("holding", flush=True)
        await asyncio.Event().wait()  # (until killed)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
"""


async def seeded(dsn: str, mark: str) -> tuple[int, str]:
    async with await PgStore.open(dsn) as store:
        incident = await seed_demo(store, FrozenClock(FROZEN), log_command=DEMO_LOG, owner="@a")
        state = await store.load_state(incident)
        spec = SourceSpec(kind="cmd", name="ticks", command=TICKS.format(mark=mark), cwd="/")
        ev = source_cmd.add_source(FrozenClock(FROZEN), state, spec)
        await store.append(ev)
        return incident, ev.payload.source_id


async def captured(dsn: str, incident: int, sid: str) -> list[str]:
    async with await PgStore.open(dsn, read_only=True) as store:
        return [x.text for x in await store.captures.read(incident, sid)]


async def ops(dsn: str, incident: int, sid: str) -> list[str]:
    async with await PgStore.open(dsn, read_only=True) as store:
        events = await store.events(incident)
    return [
        e.payload.op
        for e in events
        if isinstance(e.payload, CommandEvent) and e.payload.source_id == sid
    ]


def runs_of(texts: list[str], mark: str) -> list[list[int]]:
    """The tick numbers of each run, split at the restart markers."""
    out: list[list[int]] = [[]]
    for t in texts:
        if t.startswith("⟳ restarted"):
            out.append([])
        elif mark in t:
            out[-1].append(int(t.split()[1]))
    return out


async def test_a_console_killed_on_another_machine_is_taken_over_within_the_ttl(
    pg_dsn, monkeypatch
):
    mark = f"mark-{os.urandom(8).hex()}"
    incident, sid = await seeded(pg_dsn, mark)
    monkeypatch.setenv("WARROOM_LEASE_TTL", str(TTL))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WARROOM_HOST": "machine-a"}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CONSOLE, pg_dsn, str(incident), sid,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        said = await asyncio.wait_for(child.stdout.readline(), 60)
        assert said.strip() == b"holding"
        app = make_app(ServerDsn(pg_dsn), incident, run_sources=True)  # type: ignore[arg-type]
        async with app.run_test(size=(120, 36)) as pilot:
            runner = app.runner
            await until(lambda: sid in runner.following, pilot=pilot, timeout=20)
            assert runner.following[sid].host == "machine-a"
            assert "(on machine-a)" in runner.stats_line(sid)
            await until(lambda: runner.buffer(sid).total > 10, pilot=pilot, timeout=20)
            assert sid not in runner.live  # (its pid is not ours to look up: it is trusted)
            before = await captured(pg_dsn, incident, sid)
            child.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            await until(lambda: sid in runner.held, pilot=pilot, timeout=TTL + 10)
            took = time.monotonic() - killed
            await until(lambda: sid in runner.live, pilot=pilot, timeout=10)
            assert took < TTL + 1, f"taken over {took:.2f} s after the kill (ttl {TTL} s)"
            await until(lambda: runs(mark) == 1, pilot=pilot, timeout=10, seen=lambda: runs(mark))
            after = before

            async def more() -> bool:
                nonlocal after
                after = await captured(pg_dsn, incident, sid)
                ran = runs_of(after, mark)
                return len(ran) > 1 and len(ran[-1]) >= 5

            await until(more, pilot=pilot, timeout=20, what="the new run's lines captured")
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()
    assert after[: len(before)] == before  # the killed console's lines are all kept
    first, second = runs_of(after, mark)
    assert first == list(range(1, len(first) + 1))  # nothing captured twice or over
    assert second == list(range(1, len(second) + 1))
    assert await ops(pg_dsn, incident, sid) == ["added", "started", "restarted"]


async def test_a_console_taken_over_while_running_stops_and_follows(pg_dsn, monkeypatch):
    """The console's lease was taken over (it was paused past its TTL, and a console on
    laptop-b took the source): its next renewal finds the new epoch, and it stops the
    source at once, without a ledger entry, says who runs it now, and follows it."""
    mark = f"mark-{os.urandom(8).hex()}"
    incident, sid = await seeded(pg_dsn, mark)
    monkeypatch.setenv("WARROOM_LEASE_TTL", str(TTL))
    app = make_app(ServerDsn(pg_dsn), incident, run_sources=True)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        runner = app.runner
        await until(lambda: sid in runner.live and runner.buffer(sid).total, pilot=pilot)
        assert runner.epochs[sid] > 0
        async with await PgStore.open(pg_dsn) as other:  # (what laptop-b's claim leaves)

            async def take(conn) -> None:
                await conn.execute(
                    "UPDATE source_leases SET token='b', pid=4242, actor='@bob', "
                    "host='laptop-b', epoch=nextval('source_lease_epochs'), "
                    "expires_at=clock_timestamp() + interval '1 hour' "
                    "WHERE incident_id=%s AND source_id=%s",
                    (incident, sid),
                )

            await other.write(take)
            taken = time.monotonic()
            await until(lambda: sid in runner.following, pilot=pilot, timeout=TTL + 5)
            assert time.monotonic() - taken < TTL / 3 + 1
            assert sid not in runner.live and sid not in runner.held
            assert runner.following[sid].actor == "@bob"
            await until(lambda: runs(mark) == 0, pilot=pilot, seen=lambda: runs(mark))
            assert any("taken over by @bob on laptop-b" in n.message for n in notices(app)), (
                notices(app)
            )
            assert "taken over by @bob on laptop-b" in runner.buffer(sid).tail(1)[0]
            stored = await captured(pg_dsn, incident, sid)
            assert all("taken over" not in t for t in stored)  # (the pane's, not the capture's)
    assert await ops(pg_dsn, incident, sid) == ["added", "started"]
