"""Review mode: replay equals the fold at each moment, nothing is written, no command runs,
and a key that would change something says why it cannot."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from contextlib import closing
from datetime import timedelta

from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.journal import SourceSpec
from incident.model import Status
from incident.state import fold
from storage.store import Store
from tests.console_support import FROZEN, make_app, said, seed
from tests.waiting import until
from tui.screens.review import ReviewScreen, state_at
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelinePane


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def ready(pilot) -> ReviewScreen:
    return await until(
        lambda: (
            pilot.app.screen
            if isinstance(pilot.app.screen, ReviewScreen) and pilot.app.screen.at is not None
            else None
        ),
        pilot=pilot,
        timeout=10.0,
        what="the review screen came up",
    )


async def at_row(pilot, screen: ReviewScreen, row: int) -> None:
    """Wait until the cursor is on ``row`` and the screen shows that moment (the state at
    it, and the output captured around it)."""
    pane = screen.query_one(TimelinePane)

    def there() -> bool:
        entry = pane.selected()
        return (
            pane.table.cursor_row == row
            and entry is not None
            and screen.at == entry.occurred_at
            and not any(w.group == "review-logs" for w in pilot.app.workers)
        )

    await until(
        there,
        pilot=pilot,
        what=f"the review at row {row}",
        seen=lambda: (pane.table.cursor_row, screen.at),
    )


async def test_replay_shows_the_state_as_it_was(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    async with await Store.open(db) as store:
        events = await store.events(incident)
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.at == max(e.occurred_at for e in events)
        ordered = sorted(events, key=lambda e: e.sort_key)
        table = screen.query_one(TimelinePane).table
        for steps in (3, 7, 11):
            row = max(table.cursor_row - steps, 0)
            for _ in range(steps):
                await pilot.press("left")
            await at_row(pilot, screen, row)
            expected = fold([e for e in ordered if e.occurred_at <= screen.at])
            shown = screen.query_one("#status-bar").state
            assert shown.model_dump() == expected.model_dump()
            assert shown.model_dump() == state_at(ordered, screen.at).model_dump()
        await pilot.press("home")
        await at_row(pilot, screen, 0)
        first = screen.query_one("#status-bar").state
        assert first.status is Status.ACTIVE and not first.checklist
        assert "event 1/" in str(screen.query_one("#scrubber").render())


async def test_review_never_writes_and_never_starts_a_command(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    marker = tmp_path / "ran"
    async with await Store.open(db) as store:
        state = await store.load_state(incident)
        await store.append(
            source_cmd.add_source(
                FrozenClock(FROZEN),
                state,
                SourceSpec(kind="cmd", name="m", command=f"touch {marker}", cwd=os.getcwd()),
            )
        )
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = sha(db)
    app = make_app(db, incident, read_only=True, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        for key in ("n", "s", "t", "a", "p", "e", "plus", "left", "right", "end"):
            await pilot.press(key)
            await pilot.pause()
        await until(lambda: said(app, "read-only review"), pilot=pilot, what="a refusal")
        assert isinstance(app.screen, ReviewScreen)  # no dialog opened
        assert screen.query_one(StatusBar).parts["mode"].text == "READ-ONLY"
    assert sha(db) == before
    assert not marker.exists()


async def test_review_opens_an_exported_copy_on_read_only_media(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ro = tmp_path / "ro"
    ro.mkdir()
    copy = ro / "copy.db"
    copy.write_bytes(db.read_bytes())
    os.chmod(copy, 0o400)
    os.chmod(ro, 0o500)
    try:
        before = sha(copy)
        app = make_app(copy, incident, read_only=True)
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await ready(pilot)
            assert screen.events
        assert sha(copy) == before
    finally:
        os.chmod(ro, 0o700)


async def test_captured_output_around_the_cursor_is_shown(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    async with await Store.open(db) as store:
        events = await store.events(incident)
    last = max(e.occurred_at for e in events)
    with closing(sqlite3.connect(db)) as conn:
        for n, delta in enumerate((-600, -10, 5), 1):
            at = (last + timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            conn.execute(
                "INSERT INTO captured_lines VALUES (?, 's1', ?, 0, ?, ?)",
                (incident, n, at, f"line-{n}"),
            )
        conn.commit()
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        logs = screen.query_one("#logs-text")
        await until(
            lambda: "line-2" in str(logs.render()),
            pilot=pilot,
            what="the output around the cursor",
            seen=lambda: str(logs.render()),
        )
        text = str(logs.render())
        assert "line-2" in text and "line-3" in text and "line-1" not in text


async def test_the_footer_says_each_thing_once_and_q_quits(tmp_path):
    """Review's footer had "q Quit ^q Quit"; quit is said once, and ``q`` still quits."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        footer = screen.query_one("Footer")
        keys = await until(
            lambda: list(footer.query("FooterKey")), pilot=pilot, what="the footer's keys"
        )
        said = [k.description for k in keys]
        assert said.count("Quit") == 1 and len(said) == len(set(said)), said
        await pilot.press("q")
        await until(lambda: app.return_code is not None, pilot=pilot, what="q quit")
    assert app.return_code == 0 and not app.is_running
