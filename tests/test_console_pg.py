"""The console on a PostgreSQL server: the session room unchanged over the server store.
A note typed in the console is saved on the server; a note from another process (the CLI)
shows up in the console through LISTEN/NOTIFY; the demo's log source is captured to the
server."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from incident.clock import FrozenClock
from incident.demo import seed_demo
from storage.dsn import ServerDsn
from tests.console_support import DEMO_LOG, FROZEN, make_app, wait_ready
from tests.waiting import until
from tui.screens.note import NoteDialog

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("psycopg")
from storage.pg.store import PgStore  # noqa: E402


async def cli(dsn: str, *argv: str) -> None:
    """A verb in a process of its own (another responder's script)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui.cli", "--db", dsn, *argv,
        env={**os.environ, "PYTHONPATH": str(ROOT), "WARROOM_USER": "@cli"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


async def test_the_console_works_on_the_server(pg_dsn):
    async with await PgStore.open(pg_dsn) as store:
        incident = await seed_demo(store, FrozenClock(FROZEN), log_command=DEMO_LOG, owner="@a")
    app = make_app(ServerDsn(pg_dsn), incident, run_sources=True)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        timeline = screen.query_one("#timeline")
        await pilot.press("n")
        await until(lambda: isinstance(app.screen, NoteDialog), pilot=pilot, what="note dialog")
        app.screen.query_one("#note-text").value = ""
        await pilot.press(*"typed on the server")
        await pilot.press("enter")
        await until(
            lambda: "typed on the server" in [e.text for e in timeline.entries],
            pilot=pilot,
            what="the typed note in the timeline",
        )
        await cli(pg_dsn, "note", str(incident), "from a script")
        await until(
            lambda: "from a script" in [e.text for e in timeline.entries],
            pilot=pilot,
            what="the CLI's note in the console",
        )
        await cli(pg_dsn, "tail", str(incident), "--name", "echo", "--cmd",
                  "echo captured-on-the-server; sleep 30")  # fmt: skip
        async with await PgStore.open(pg_dsn, read_only=True) as viewer:

            async def captured() -> bool:
                sources = (await viewer.load_state(incident)).sources
                lines = [x for s in sources for x in await viewer.captures.read(incident, s)]
                return any(x.text == "captured-on-the-server" for x in lines)

            await until(captured, pilot=pilot, timeout=20, what="the source's line captured")
    async with await PgStore.open(pg_dsn, read_only=True) as store:
        texts = [e.text for e in await store.events(incident)]
    assert "typed on the server" in texts and "from a script" in texts


async def test_review_replays_a_server_incident_and_writes_nothing(pg_dsn):
    from tests.test_review import ready

    async with await PgStore.open(pg_dsn) as store:
        incident = await seed_demo(store, FrozenClock(FROZEN), log_command=DEMO_LOG, owner="@a")
        events = await store.events(incident)
    app = make_app(ServerDsn(pg_dsn), incident, read_only=True)  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.at == max(e.occurred_at for e in events)
        assert app.session.journal.read_only
    async with await PgStore.open(pg_dsn, read_only=True) as store:
        assert await store.events(incident) == events


async def test_a_role_that_may_only_read_is_enough_for_review_report_and_list(
    pg_cluster, pg_dsn, capsys, tmp_path
):
    """The README's promise: a read-only role (SELECT only) reviews an incident, writes its
    report and lists the incidents; a verb that writes is refused in one line. (The verbs run
    in a thread: each runs its own event loop, as from a shell.)"""
    from tui.cli import main

    async with await PgStore.open(pg_dsn) as store:
        incident = await seed_demo(store, FrozenClock(FROZEN), log_command=DEMO_LOG, owner="@a")
        events = await store.events(incident)
    dbname = pg_dsn.rsplit("/", 1)[1]
    pg_cluster.psql(
        "DO $$ BEGIN CREATE ROLE warroom_reader LOGIN; EXCEPTION WHEN duplicate_object "
        "THEN NULL; END $$;"
    )
    pg_cluster.psql(
        "GRANT USAGE ON SCHEMA public TO warroom_reader; "
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO warroom_reader;",
        dbname=dbname,
    )
    reader = pg_cluster.dsn(dbname, user="warroom_reader")
    assert await asyncio.to_thread(main, ["--db", reader, "report", str(incident)]) == 0
    out, err = capsys.readouterr()
    assert "## Timeline" in out or "Timeline" in out, out[:300]
    assert err == ""
    assert await asyncio.to_thread(main, ["--db", reader, "list", "--all"]) == 0
    assert capsys.readouterr().err == ""
    export = ["--db", reader, "export", str(incident), "--output", str(tmp_path / "x.db")]
    assert await asyncio.to_thread(main, export) == 0
    assert capsys.readouterr().err == "" and (tmp_path / "x.db").exists()
    note = ["--db", reader, "note", str(incident), "from the reader"]
    assert await asyncio.to_thread(main, note) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "permission denied" in err
    app = make_app(ServerDsn(reader), incident, read_only=True)  # type: ignore[arg-type]
    from tests.test_review import ready

    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.at == max(e.occurred_at for e in events)
    async with await PgStore.open(pg_dsn, read_only=True) as store:
        assert await store.events(incident) == events
