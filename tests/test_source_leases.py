"""One console runs each log source; the other consoles on the incident follow it.

Before leases, every console attached to an incident ran every source itself: two consoles
meant two `tail -F`, two captures numbering lines over each other, and a "restarted" entry
in the ledger for every console that attached.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time

import psutil
import pytest

from feeds.consoles import console_alive, this_console
from incident.ports import Holder
from storage.store import Store
from tests.console_support import make_app, notices, seed
from tests.test_console_sources import add_source, ledger, ready_source
from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env
from tests.waiting import until, until_sync
from tui.widgets.confirm import Confirm

TICKS = 'i=0; while :; do i=$((i+1)); echo "tick $i {mark}"; sleep 0.05; done'


def running(mark: str) -> list[psutil.Process]:
    """The processes whose command line carries ``mark`` (the source's shell, its guard)."""
    out = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(mark in part for part in p.info["cmdline"] or ()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def runs(mark: str) -> int:
    """How many runs of the source are going: marked processes whose parent is not marked
    (a run is a tree of them, and the shell's forks carry its command line until they exec)."""
    marked = running(mark)
    pids = {p.pid for p in marked}
    n = 0
    for p in marked:
        try:
            n += p.ppid() not in pids
        except psutil.Error:
            pass
    return n


def lives(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def ops(entries, sid: str) -> list[str]:
    return [p.op for p in entries if p.source_id == sid]


async def ticking_source(tmp_path) -> tuple:
    """A seeded incident with a source ticking 20 lines a second: (db, incident, sid, mark)."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    mark = f"mark-{secrets.token_hex(8)}"  # (not the test's name: a run beside may share it)
    return db, incident, await add_source(db, incident, TICKS.format(mark=mark)), mark


# ------------------------------------------------------------------ the store's leases
async def test_a_source_is_claimed_once_and_taken_over_only_from_the_gone(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    a, b = Holder("a", 100, 1.0, "@alice"), Holder("b", 200, 2.0, "@bob")
    dead: set[str] = set()

    def alive(h: Holder) -> bool:
        return h.token not in dead

    async with await Store.open(db) as store:
        assert await store.leases.claim(incident, "s9", a, alive) is None
        assert await store.leases.claim(incident, "s9", a, alive) is None  # still a's
        assert await store.leases.claim(incident, "s9", b, alive) == a  # held: refused
        assert await store.leases.holders(incident) == {"s9": a}
        dead.add("a")
        assert await store.leases.claim(incident, "s9", b, alive) is None  # a is gone
        assert await store.leases.holders(incident) == {"s9": b}
        await store.leases.release(incident, "a")  # a lets go of nothing it does not hold
        assert await store.leases.holders(incident) == {"s9": b}
        await store.leases.claim(incident, "s8", b, alive)
        await store.leases.release(incident, "b", "s9")
        assert set(await store.leases.holders(incident)) == {"s8"}
        await store.leases.release(incident, "b")
        assert await store.leases.holders(incident) == {}
    async with await Store.open(db, read_only=True) as store:
        assert await store.leases.holders(incident) == {}


def test_a_console_is_alive_while_its_process_runs_with_the_same_start_time():
    me = this_console("@alice")
    assert console_alive(me) and me.actor == "@alice" and len(me.token) == 32
    assert this_console().token != me.token  # one per console app, even in one process
    assert not console_alive(Holder("x", me.pid, me.started - 3600))  # the pid was reused
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(child.pid).create_time()
    child.wait()
    assert not console_alive(Holder("x", child.pid, started))  # ended (and reaped)


# ------------------------------------------------------------------ two consoles
async def test_a_second_console_follows_the_source_the_first_runs(tmp_path):
    db, incident, sid, mark = await ticking_source(tmp_path)
    first, second = (make_app(db, incident, run_sources=True) for _ in range(2))
    async with first.run_test(size=(140, 40)) as p1:
        await ready_source(p1, sid)
        await until(lambda: sid in first.runner.live and first.runner.buffer(sid).total, pilot=p1)
        assert runs(mark) == 1
        async with second.run_test(size=(140, 40)) as p2:
            pane = await ready_source(p2, sid)
            await until(lambda: sid in second.runner.following, timeout=10, pilot=p2)
            shown = pane.buffer.total
            await until(lambda: pane.buffer.total >= shown + 10, timeout=10, pilot=p2)  # live
            assert sid not in second.runner.live
            assert runs(mark) == 1  # nothing started twice
            # what the follower shows is what the holder read, numbered alike
            got = {pane.buffer.number(s): pane.buffer.line(s) for s in range(pane.buffer.total)}
            held = first.runner.buffer(sid)
            ran = {held.number(s): held.line(s) for s in range(held.total)}
            assert got and all(ran.get(no, text) == text for no, text in got.items())
            await until(
                lambda: pane.live.startswith("in @alice's console (pid "), timeout=5, pilot=p2
            )
    assert ops(await ledger(db, incident), sid) == ["added", "started"]


async def test_a_follower_takes_over_when_the_holder_goes_away(tmp_path):
    db, incident, sid, mark = await ticking_source(tmp_path)
    first, second = (make_app(db, incident, run_sources=True) for _ in range(2))
    async with first.run_test(size=(140, 40)) as p1:
        await until(lambda: sid in first.runner.live, timeout=10, pilot=p1)
        async with second.run_test(size=(140, 40)) as p2:
            await until(lambda: sid in second.runner.following, timeout=10, pilot=p2)
            tree = running(mark)
            # the first console goes away, as its unmount does it (in one test process,
            # a pilot's app is unmounted only once its `async with` is left)
            await first.runner.shutdown()
            await until(lambda: not any(map(lives, tree)), timeout=10, pilot=p2)
            await _takes_over(p2, second, sid)
    entries = [p for p in await ledger(db, incident) if p.source_id == sid]
    assert [p.op for p in entries] == ["added", "started", "restarted"]
    assert "taken over" in entries[-1].reason and "went away" in entries[-1].reason


async def _takes_over(p2, second, sid: str) -> None:
    """The first console quit: its processes ended, and the second runs the source now."""
    await until(lambda: sid in second.runner.live, timeout=10, pilot=p2)
    pane = await ready_source(p2, sid)
    total = pane.buffer.total
    await until(lambda: pane.buffer.total > total + 5, timeout=10, pilot=p2)
    numbers = [pane.buffer.number(s) for s in range(pane.buffer.total)]
    assert numbers == sorted(set(numbers))  # one numbering, carried on from the capture


async def test_a_stop_asked_in_the_follower_stops_the_holder_s_process(tmp_path):
    db, incident, sid, mark = await ticking_source(tmp_path)
    first, second = (make_app(db, incident, run_sources=True) for _ in range(2))
    async with first.run_test(size=(140, 40)) as p1:
        await until(lambda: sid in first.runner.live, timeout=10, pilot=p1)
        async with second.run_test(size=(140, 40)) as p2:
            await until(lambda: sid in second.runner.following, timeout=10, pilot=p2)
            tree = running(mark)
            pane = await ready_source(p2, sid)
            pane.view.focus()
            await p2.press("x")  # it asks first (No by default): y stops it
            await until(lambda: isinstance(second.screen, Confirm), pilot=p2)
            await p2.press("y")
            await until(lambda: sid not in first.runner.live, timeout=10, pilot=p1)
            await until(lambda: second.state.sources[sid].state == "stopped", pilot=p2)
            await until(lambda: first.state.sources[sid].state == "stopped", pilot=p1)

            async def let_go() -> bool:
                return sid not in await first.session.journal.leases.holders(incident)

            await until(let_go, pilot=p1, what="the holder let go of the source")
            assert sid not in await first.session.journal.leases.holders(incident)  # let go
    _, alive = psutil.wait_procs(tree, timeout=5)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert ops(await ledger(db, incident), sid) == ["added", "started", "stopped"]


async def test_a_lease_left_by_a_killed_console_is_taken_over_on_attach(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "echo again; sleep 300")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    gone = Holder("killed", child.pid, psutil.Process(child.pid).create_time(), "@carol")
    child.wait()
    async with await Store.open(db) as store:
        assert await store.leases.claim(incident, sid, gone, lambda h: True) is None
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(lambda: sid in app.runner.live, timeout=10, pilot=pilot)
        holders = await app.session.journal.leases.holders(incident)
        assert holders[sid].token == app.runner.me.token
    assert ops(await ledger(db, incident), sid) == ["added", "started"]


# ------------------------------------------------------------------ as a person would
def _ledger_ops(db, sid: str) -> list[tuple[str, str | None]]:
    import json
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT payload FROM events WHERE kind='command' ORDER BY id")
        out = [json.loads(p) for (p,) in rows]
    return [(p["op"], p.get("reason")) for p in out if p["source_id"] == sid]


@pytest.mark.tmux
@pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")
def test_two_real_consoles_run_a_source_once_and_the_survivor_takes_it_over(tmp_path):
    env = warroom_env(tmp_path / "w.db", tmp_path / "config")
    assert run_cli(env, "declare", "Checkout 500s", "--severity", "SEV-2").returncode == 0
    mark = f"mark-{secrets.token_hex(8)}"  # (not the test's name: a run beside may share it)
    added = run_cli(env, "tail", "INC-1", "--cmd", TICKS.format(mark=mark), "--name", "ticks")
    assert added.returncode == 0, added.stderr
    first, second = Tmux(env), Tmux({**env, "WARROOM_USER": "@bob"})
    first.start([*WARROOM, "attach", "INC-1"])
    try:
        first.wait_for("● running")
        procs = first.session_processes()
        assert runs(mark) == 1
        second.start([*WARROOM, "attach", "INC-1"])
        second.wait_for("running in @ic's console (pid")
        assert [op for op, _ in _ledger_ops(env["WARROOM_DB"], "s1")] == ["added", "started"]
        assert runs(mark) == 1  # not started a second time
        procs[0].kill()  # SIGKILL: no unmount, no release; the lease stays behind
        until_sync(  # running here now: its pid, CPU and lines/s
            lambda: "'s console (pid" not in (screen := second.screen()) and "% CPU" in screen,
            timeout=20,
            poll=0.1,
            what="taken over",
            seen=second.screen,
        )
        ops = _ledger_ops(env["WARROOM_DB"], "s1")
        assert [op for op, _ in ops] == ["added", "started", "restarted"]
        assert "went away" in ops[-1][1]
    finally:
        first.kill_server()
        second.kill_server()
    _, alive = psutil.wait_procs(procs, timeout=5)
    assert [p for p in alive if lives(p)] == []


async def test_a_console_lets_go_of_its_sources_after_its_capture_is_written(tmp_path):
    """Else the console taking over would number its lines from before the last ones, and
    those, written afterwards, would land on its numbers."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "echo one; sleep 300")
    app = make_app(db, incident, run_sources=True)
    order: list[str] = []
    async with app.run_test(size=(140, 40)) as pilot:
        await until(lambda: sid in app.runner.live and app.runner.buffer(sid).total, pilot=pilot)
        close, release = app.runner.capture.close, app.session.journal.leases.release

        def closing(*args, **kwargs):
            order.append("capture written")
            return close(*args, **kwargs)

        async def releasing(incident, token, source_id=None):
            if source_id in (None, sid):  # (not the seed's own source, which may end early)
                order.append("let go")
            return await release(incident, token, source_id)

        app.runner.capture.close, app.session.journal.leases.release = closing, releasing
    assert order[:2] == ["capture written", "let go"]
    async with await Store.open(db, read_only=True) as store:
        assert await store.leases.holders(incident) == {}
        assert [x.text for x in await store.captures.read(incident, sid)] == ["one"]


async def test_a_source_runs_when_the_store_cannot_take_its_claim(tmp_path, monkeypatch):
    """A full disk is when the IC most needs the logs: the source runs, unclaimed, and the
    console says why."""
    from storage.errors import StoreError

    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "echo still here; sleep 300")

    async def full(*args, **kwargs):
        raise StoreError(f"{db}: the disk is full; nothing was saved")

    from storage.leases import Leases

    monkeypatch.setattr(Leases, "claim", full)
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(lambda: sid in app.runner.live and app.runner.buffer(sid).total, pilot=pilot)
        assert sid not in app.runner.held and app.runner.following == {}
        await until(
            lambda: any(
                "disk is full" in n.message and "it runs here, unclaimed" in n.message
                for n in notices(app)
            ),
            pilot=pilot,
            seen=lambda: notices(app),
        )


async def test_a_console_going_away_does_not_wait_out_a_locked_database(tmp_path):
    """Letting go of its sources is a write; with another process holding the database
    locked, a console going away waited for the store's 60 s deadline. It now leaves the
    lease behind after 2 s (it is taken over once this console's process is gone)."""
    import sqlite3
    from contextlib import closing

    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "echo one; sleep 300")
    app = make_app(db, incident, run_sources=True)
    # (the other process waits its turn for the lock: the console may be writing just then)
    with closing(sqlite3.connect(db, timeout=10, isolation_level=None)) as other:
        async with app.run_test(size=(140, 40)) as pilot:
            await until(
                lambda: sid in app.runner.live and app.runner.buffer(sid).total, pilot=pilot
            )

            async def captured() -> bool:
                async with await Store.open(db, read_only=True) as store:
                    return [x.text for x in await store.captures.read(incident, sid)] == ["one"]

            await until(captured, pilot=pilot, what="the capture written")
            other.execute("BEGIN IMMEDIATE")  # held until the console is gone
            started = time.monotonic()
        took = time.monotonic() - started
        other.execute("ROLLBACK")
    assert took < 20, f"the console took {took:.0f} s to go away"
    async with await Store.open(db, read_only=True) as store:
        assert sid in await store.leases.holders(incident)  # left behind, to be taken over
