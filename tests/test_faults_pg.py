"""Server faults: the PostgreSQL server stopped mid-incident (``pg_ctl stop -m immediate``)
and started again, a console's connections killed (``pg_terminate_backend``), a COMMIT
whose answer is lost, eight writers at once, a failover between two servers, and a server
that is not there at all for the CLI. Nothing acknowledged is lost, nothing is stored twice,
the console says at once that the server is away and is whole again when it is back.

The tests that stop a server use a cluster of their own (``own_cluster``, made for this
module), with ``synchronous_commit`` on in their databases: the shared test cluster runs
without it for speed, and then a commit acknowledged just before an immediate stop may be
lost, which is the setting, not warroom.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident import commands as c
from incident.clock import FrozenClock
from incident.errors import Unreachable, WarroomError
from incident.journal import Event, Note
from incident.model import Severity
from storage.dsn import ServerDsn
from tests.conftest_pg import unavailable
from tests.console_support import DEMO_LOG, FROZEN, make_app, notices, wait_ready
from tests.pg_cluster import (
    PASSWORD,
    PASSWORD_ROLE,
    Cluster,
    free_port,
    make_cluster,
    remove_cluster,
)
from tests.waiting import until
from tui.cli import main

psycopg = pytest.importorskip("psycopg")
from storage.pg.store import PgStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- clusters
@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A cluster of this module's own, which its tests stop and start again."""
    try:
        cluster = make_cluster()
    except (OSError, RuntimeError) as e:
        unavailable(f"no PostgreSQL server to test on: {e}")
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


def durable_db(cluster: Cluster, name: str | None = None) -> str:
    """A new database on ``cluster`` whose commits are on disk when acknowledged."""
    if name is None:
        name = cluster.new_database()
    else:
        cluster.psql(f"CREATE DATABASE {name} TEMPLATE t_template")
    cluster.psql(f"ALTER DATABASE {name} SET synchronous_commit = on")
    return name


def crash(cluster: Cluster) -> None:
    """The server dies at once (``pg_ctl stop -m immediate``): no shutdown checkpoint,
    every connection cut."""
    cluster.run(str(cluster.bindir / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate",
                "stop")  # fmt: skip


def up(cluster: Cluster) -> None:
    if not cluster.ready():
        cluster.start()


def note(incident: int, text: str) -> Event:
    now = datetime.now(UTC)
    return Event(incident_id=incident, occurred_at=now, recorded_at=now, text=text, payload=Note())


async def texts(dsn: str, incident: int) -> list[str]:
    async with await PgStore.open(dsn, read_only=True) as store:
        return [e.text for e in await store.events(incident)]


async def declare(dsn: str) -> int:
    async with await PgStore.open(dsn) as store:
        d = await store.declare(c.declare(FrozenClock(T0), "Checkout 502s", Severity.SEV1))
    return d.incident_id


# ---------------------------------------------------------------------------- CLI
def test_a_verb_says_in_one_line_that_the_server_cannot_be_reached(capsys):
    port = free_port()  # (nothing listens there)
    url = f"postgresql://{PASSWORD_ROLE}:{PASSWORD}@127.0.0.1:{port}/warroom"
    for argv in (("note", "1", "x"), ("list",), ("declare", "t", "-s", "1"), ("attach", "1")):
        rc = main(["--db", url, *argv])
        out, err = capsys.readouterr()
        assert rc == 6 and out == "", (argv, out, err)
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith(f"warroom: cannot reach the server 127.0.0.1:{port}: "), err
        assert "connection refused" in err and PASSWORD not in err


# ---------------------------------------------------------------------------- commit lost
async def test_a_commit_whose_answer_is_lost_is_stored_once(pg_dsn, monkeypatch):
    """The connection is lost right after the server committed, before the answer came
    back: the store connects again and runs the append again, which finds the event by its
    key instead of storing it a second time (without the key, the note is there twice)."""
    incident = await declare(pg_dsn)
    real_exit = psycopg.AsyncTransaction.__aexit__
    cut: list[int] = []

    async def commit_then_cut(self, exc_type, exc, tb):
        done = await real_exit(self, exc_type, exc, tb)
        if exc_type is None and not cut:  # committed: the answer is "lost" with the link
            cut.append(1)
            await self.connection.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return done

    async with await PgStore.open(pg_dsn) as store:
        monkeypatch.setattr(psycopg.AsyncTransaction, "__aexit__", commit_then_cut)
        saved = await store.append(note(incident, "pods restarted"))
        monkeypatch.undo()
        assert cut and store.reconnects == 1
        cut.clear()
        monkeypatch.setattr(psycopg.AsyncTransaction, "__aexit__", commit_then_cut)
        other = await store.declare(c.declare(FrozenClock(T0), "Second", Severity.SEV3))
        monkeypatch.undo()
        assert cut and store.reconnects == 2
        assert await store.event(saved.id) == saved
    assert Counter(await texts(pg_dsn, incident))["pods restarted"] == 1
    async with await PgStore.open(pg_dsn, read_only=True) as store:
        assert [s.id for s in await store.list_incidents()] == [other.incident_id, incident]


# ---------------------------------------------------------------------------- terminated
def terminate(cluster: Cluster, dbname: str) -> int:
    """``pg_terminate_backend`` every connection to ``dbname`` but psql's own."""
    return int(
        cluster.psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            f"WHERE datname = '{dbname}' AND pid <> pg_backend_pid()"
        )
    )


async def test_a_console_whose_connections_are_killed_reconnects_and_loses_nothing(
    pg_cluster, pg_dsn
):
    incident = await declare(pg_dsn)
    dbname = pg_dsn.rsplit("/", 1)[1]
    app = make_app(ServerDsn(pg_dsn), incident)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        timeline = screen.query_one("#timeline")
        journal = app.session.journal
        await until(lambda: journal.listener.up, pilot=pilot, what="LISTEN")
        saved = [await app.session.note("before the kill")]
        assert terminate(pg_cluster, dbname) >= 2  # the console's and its LISTEN's
        saved.append(await app.session.note("right after the kill"))  # reconnects at once
        assert journal.reconnects >= 1
        await until(lambda: journal.listener.up, pilot=pilot, what="LISTEN again")
        await cli(pg_dsn, "note", str(incident), "from a script after the kill")
        await until(
            lambda: "from a script after the kill" in [e.text for e in timeline.entries],
            pilot=pilot,
            what="the CLI's note in the console (woken through the new LISTEN)",
        )
        assert app.session.link.down is None
    stored = Counter(await texts(pg_dsn, incident))
    assert [stored[e.text] for e in saved] == [1, 1]


async def cli(dsn: str, *argv: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui.cli", "--db", dsn, *argv,
        env={**os.environ, "PYTHONPATH": str(ROOT), "WARROOM_USER": "@cli"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


# ---------------------------------------------------------------------------- backoff
async def test_while_the_server_is_away_the_store_answers_at_once_and_asks_with_backoff(
    own_cluster, monkeypatch
):
    """A read while the server is away fails at once (no wait on a dead server); a new
    connection is tried at once, then after 0.2 s, 0.4 s, 0.8 s... (at most 2 s); once the
    server is back the next try gets through and the store is whole."""
    import storage.pg.plumbing as plumbing

    dsn = own_cluster.dsn(durable_db(own_cluster))
    incident = await declare(dsn)
    tries: list[float] = []
    real_connect = plumbing.connect

    async def counted(*args, **kw):
        tries.append(time.monotonic())
        return await real_connect(*args, **kw)

    async with await PgStore.open(dsn) as store:
        monkeypatch.setattr(plumbing, "connect", counted)
        await asyncio.to_thread(crash, own_cluster)
        try:
            refused, t0 = [], time.monotonic()
            while time.monotonic() - t0 < 2.0:
                try:
                    await store.events(incident)
                except Unreachable as e:
                    refused.append(str(e))
                await asyncio.sleep(0.01)  # (a poller's pace)
            assert store.down is not None
        finally:
            await asyncio.to_thread(up, own_cluster)
        assert len(refused) > 50 and all("cannot reach the server" in r for r in refused)
        gaps = [b - a for a, b in itertools.pairwise(tries)]
        assert 3 <= len(tries) <= 5 and 0.18 <= gaps[0] < gaps[1] - 0.1, gaps
        events = await until(lambda: reached(store, incident), timeout=10, what="back")
        assert events[0].id == 1 and events[0].kind.value == "declared"
        assert store.down is None


async def reached(store: PgStore, incident: int):
    try:
        return await store.events(incident)
    except Unreachable:
        return None


# ---------------------------------------------------------------------------- stopped
def bar_text(app) -> str:
    return str(app.screen_stack[1].query_one("#status-bar").render())


async def test_the_server_stopped_mid_incident_and_started_again(own_cluster):
    """While the console writes notes and a log source captures, the server dies
    (``pg_ctl stop -m immediate``): the status bar says so at once; a note saved meanwhile
    is refused (nothing shown as saved), kept in its dialog, its draft in memory; once the
    server is back the bar clears, the draft is written, the note saved; every note the
    console was told was saved is there exactly once, and capture goes on."""
    from incident.demo import seed_demo
    from tui.screens.console import ConsoleScreen
    from tui.screens.note import NoteDialog

    dsn = own_cluster.dsn(durable_db(own_cluster))
    async with await PgStore.open(dsn) as store:
        incident = await seed_demo(store, FrozenClock(FROZEN), log_command=DEMO_LOG, owner="@a")
    app = make_app(ServerDsn(dsn), incident, run_sources=True)  # type: ignore[arg-type]
    acked: list[Event] = []
    refused: list[tuple[str, str]] = []  # (text, why)
    stop = asyncio.Event()

    async def keep_writing() -> None:  # the console's own notes, one after the other
        n = 0
        while not stop.is_set():
            n += 1
            try:
                acked.append(await app.session.note(f"console note {n}"))
            except WarroomError as e:
                refused.append((f"console note {n}", str(e)))
            await asyncio.sleep(0.02)  # (a pace, not a wait)

    async def captured() -> int:
        async with await PgStore.open(dsn, read_only=True) as viewer:
            sources = (await viewer.load_state(incident)).sources
            return sum([len(await viewer.captures.read(incident, s)) for s in sources])

    async def captured_more(n: int) -> bool:
        return await captured() > n

    def capture_state() -> str:
        """What the console's sources and capture writer say (for a failure's message)."""
        runner = app.runner
        assert runner is not None
        sink = runner.capture
        inc = app.session.incident_id
        parts = [f"held {sorted(runner.held)}", f"live {sorted(runner.live)}"]
        parts += [f"following {sorted(runner.following)}"]
        for sid in sorted(set(runner.live) | set(runner.held)):
            parts.append(f"{sid}: {runner.stats_line(sid)}")
            if sink is not None and inc is not None:
                parts.append(f"dropped {sink.dropped(inc, sid)}")
        if sink is not None:
            parts.append(
                f"writer error {getattr(sink, 'error', None)!r}, written "
                f"{getattr(sink, 'written', '?')}, pending {getattr(sink, 'pending', '?')}"
            )
        return "; ".join(parts)

    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await wait_ready(pilot)
            timeline = screen.query_one("#timeline")
            writer = asyncio.ensure_future(keep_writing())
            await until(lambda: len(acked) >= 5, pilot=pilot, what="notes saved")
            await until(
                captured,
                pilot=pilot,
                timeout=20,
                what="the source's lines captured",
                seen=capture_state,
            )
            await asyncio.to_thread(crash, own_cluster)
            await until(
                lambda: "server unreachable" in bar_text(app),
                pilot=pilot,
                timeout=3,
                what="the status bar says the server is away",
                seen=lambda: bar_text(app),
            )
            assert app.session.link.down is not None
            # a note typed meanwhile: refused, kept in its dialog, its draft in memory
            await pilot.press("n")
            await until(lambda: isinstance(app.screen, NoteDialog), pilot=pilot)
            dialog = app.screen
            key = dialog.key("text")
            app.screen.query_one("#note-text").value = "typed while the server was away"
            await until(
                lambda: app.session.drafts.pending.get(key) or app.session.drafts.saved.get(key),
                pilot=pilot,
                what="the draft kept",
            )
            await pilot.press("enter")
            await until(
                lambda: any("Not saved" in str(n) for n in notices(app)),
                pilot=pilot,
                timeout=10,
                what="the refusal",
                seen=lambda: [str(n) for n in notices(app)],
            )
            shown = [e.text for e in timeline.entries]
            assert "typed while the server was away" not in shown
            await until(
                lambda: isinstance(app.screen, NoteDialog) and app.screen is not dialog,
                pilot=pilot,
                timeout=10,
                what="the dialog open again with the text",
            )
            assert app.screen.query_one("#note-text").value == "typed while the server was away"
            assert "server unreachable" in bar_text(app)
            said = [str(n) for n in notices(app)]  # the bar says it: no toast per retry
            assert not [n for n in said if "draft not saved yet" in n or n.startswith("Store")]
            before = len(acked)
            await asyncio.to_thread(own_cluster.start)
            await until(
                lambda: app.session.link.down is None and "server unreachable" not in bar_text(app),
                pilot=pilot,
                timeout=10,
                what="the status bar clear again",
                seen=lambda: bar_text(app),
            )
            await until(lambda: len(acked) > before + 3, pilot=pilot, what="notes saved again")

            async def draft_written() -> bool:
                async with await PgStore.open(dsn, read_only=True) as viewer:
                    return (await viewer.drafts.of(incident)).get(key) == (
                        "typed while the server was away"
                    )

            await until(draft_written, pilot=pilot, timeout=10, what="the kept draft written")
            await pilot.press("enter")
            await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
            await until(
                lambda: "typed while the server was away" in [e.text for e in timeline.entries],
                pilot=pilot,
                what="the note saved and shown",
            )
            lines_after_restart = await captured()
            await until(
                lambda: captured_more(lines_after_restart),
                pilot=pilot,
                timeout=20,
                what="capture going on after the restart",
                seen=capture_state,
            )
            stop.set()
            await writer
            shown = Counter(e.text for e in timeline.entries)
    finally:
        up(own_cluster)
    stored = Counter(await texts(dsn, incident))
    assert acked  # (the writer's notes refused while away, if any, are checked below)
    assert {e.text: stored[e.text] for e in acked} == {e.text: 1 for e in acked}
    twice = [t for t, n in stored.items() if t.startswith("console note") and n > 1]
    assert twice == []
    unsaved = [t for t, why in refused if "nothing was saved" in why]
    assert all(stored[t] == 0 for t in unsaved), (unsaved, refused)
    assert stored["typed while the server was away"] == 1
    assert all(shown[e.text] == 1 for e in acked)  # the console shows each one, once


# ---------------------------------------------------------------------------- 8 writers
WRITER = """
import asyncio, sys
from datetime import UTC, datetime
from incident.journal import Event, Note
from storage.pg.store import PgStore
async def run(dsn, incident, count, tag):
    async with await PgStore.open(dsn) as s:
        for n in range(count):
            now = datetime.now(UTC)
            e = await s.append(Event(incident_id=incident, occurred_at=now, recorded_at=now,
                                     text=f"{tag} {n}", payload=Note()))
            print(e.id, flush=True)  # acknowledged: committed
asyncio.run(run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
"""


async def test_eight_writers_at_once_lose_nothing_and_store_nothing_twice(pg_dsn):
    """Eight processes append to one incident at once while a reader follows the change
    feed (``id > cursor``): every acknowledged id is stored with its text, none twice, and
    the reader, which never reads an id twice, sees every event: ids are committed in order
    (sequence order = commit order), so a cursor never skips one."""
    incident = await declare(pg_dsn)
    per_writer = 60
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    async def spawn(tag: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, pg_dsn, str(incident), str(per_writer), tag,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=ROOT,
        )  # fmt: skip

    procs = [await spawn(f"w{k}") for k in range(8)]
    seen: list[int] = []
    async with await PgStore.open(pg_dsn, read_only=True) as reader:
        watch = reader.watch(incident, 1)
        results = asyncio.gather(*(p.communicate() for p in procs))
        while not results.done():
            change = await watch.poll()
            seen += [e.id for e in change.events] if change else []
            await asyncio.sleep(0.005)  # (a reader's pace)
        outs = await results
        change = await watch.poll()  # (the last commits)
        while change is not None:
            seen += [e.id for e in change.events]
            change = await watch.poll()
        stored = await reader.events(incident)
    assert [p.returncode for p in procs] == [0] * 8, [e.decode() for _, e in outs]
    acked = [int(line) for out, _ in outs for line in out.split()]
    by_id = {e.id: e.text for e in stored}
    assert len(acked) == 8 * per_writer and set(acked) <= set(by_id)  # zero lost
    assert len(stored) == 1 + 8 * per_writer  # zero stored twice
    assert sorted(Counter(by_id.values()).values()) == [1] * len(stored)
    assert seen == sorted(seen) and set(seen) == set(by_id) - {1}  # none skipped


# ---------------------------------------------------------------------------- failover
async def test_a_failover_to_another_server_is_survived_by_reconnecting(pg_cluster, own_cluster):
    """Two servers, one URL (``target_session_attrs=read-write``): the console connects to
    the writable one (the other, a "standby", is read-only); that one dies and the other is
    made writable: the console says the server is away, then reconnects to the other one,
    and a note typed there is saved and shown."""
    name = f"failover_{free_port()}"
    standby, primary = pg_cluster, own_cluster
    for cluster in (standby, primary):  # the same incident on both, as a replica holds it
        durable_db(cluster, name)
        await declare(cluster.dsn(name))
    standby.psql(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    url = (
        f"postgresql://postgres@127.0.0.1:{standby.port},127.0.0.1:{primary.port}/{name}"
        "?target_session_attrs=read-write"
    )
    app = make_app(ServerDsn(url), 1)  # type: ignore[arg-type]
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await wait_ready(pilot)
            timeline = screen.query_one("#timeline")
            journal = app.session.journal
            assert journal._conn.info.port == primary.port  # the writable one
            await asyncio.to_thread(crash, primary)
            await until(
                lambda: "server unreachable" in bar_text(app),
                pilot=pilot,
                timeout=3,
                what="the status bar says the server is away",
                seen=lambda: bar_text(app),
            )
            standby.psql(f"ALTER DATABASE {name} RESET default_transaction_read_only")
            await until(
                lambda: app.session.link.down is None,
                pilot=pilot,
                timeout=10,
                what="reconnected to the other server",
            )
            assert journal._conn.info.port == standby.port
            saved = await app.session.note("after the failover")
            await until(
                lambda: "after the failover" in [e.text for e in timeline.entries],
                pilot=pilot,
                what="the note shown",
            )
            assert "server unreachable" not in bar_text(app)
        assert "after the failover" in await texts(standby.dsn(name), 1)
        assert saved.id is not None
    finally:
        up(primary)


# ---------------------------------------------------------------------------- the bar
async def test_the_status_bar_says_the_server_is_away_at_80_columns(tmp_path):
    """The warning takes the title's place, in its short form when narrow, and goes when
    the server is back (the session's link, as the change feed sets it)."""
    from tests.console_support import seed

    db = tmp_path / "w.db"
    app = make_app(db, await seed(db))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        title = "Checkout API returning 500 errors"[:10]
        assert title in bar_text(app)
        app.session.link.seen("cannot reach the server db1:5432: connection refused")
        await until(lambda: "⚠ server unreachable, retrying" in bar_text(app), pilot=pilot)
        assert title not in bar_text(app) and len(bar_text(app)) <= 80
        app.session.link.seen(None)
        await until(lambda: title in bar_text(app), pilot=pilot, seen=lambda: bar_text(app))
        assert "unreachable" not in bar_text(app)
    app = make_app(db, 1)
    async with app.run_test(size=(200, 24)) as pilot:
        await wait_ready(pilot)
        app.session.link.seen("cannot reach the server db1:5432: connection refused")
        await until(lambda: "your typing is kept" in bar_text(app), pilot=pilot)
