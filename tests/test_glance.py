"""The console's first frame before the domain is loaded: the glance the store keeps, the
peek that reads it back (storage/peek.py), the remembered theme, and the console that paints
the peek and then hands over to the journal without losing a key typed in between."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from incident import commands as cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.glance import Glance
from incident.glance_of import glance_of
from incident.journal import timeline
from incident.kinds import STATE_KINDS
from incident.model import PhaseId, Severity, Status
from storage.peek import peek
from storage.store import Store
from tests.console_support import FROZEN, hold_journal, seed
from tests.waiting import until
from tui.cli import Launch, build_app
from tui.screens.console import FIRST_PAGE, ConsoleScreen
from tui.screens.note import NoteDialog
from tui.themes import builtin, recall, remember
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelinePane

ROOT = Path(__file__).resolve().parents[1]


async def _incident(db: Path, notes: int = 5) -> int:
    """An incident with notes, a correction, a retraction and state changes."""
    clock = FrozenClock(FROZEN)
    store = await Store.open(db)
    try:
        d = await store.declare(cmd.declare(clock, "Checkout 500s", Severity.SEV2))
        iid = d.incident_id
        for n in range(notes):
            clock.advance(minutes=1)
            state = await store.load_state(iid)
            await store.append(cmd.note(clock, state, f"note {n}", owner="@alice"))
        state = await store.load_state(iid)
        first_note = (await store.page(iid))[1]
        clock.advance(minutes=1)
        await store.append(
            timeline_cmd.correct(clock, state, first_note, text="note 0, corrected", owner="@bob")
        )
        second = (await store.page(iid))[2]
        await store.append(timeline_cmd.correct(clock, state, second, retract=True, owner="@bob"))
        clock.advance(minutes=2)
        await store.append(
            cmd.set_phase(clock, await store.load_state(iid), PhaseId.ROOT_CAUSE, owner="@alice")
        )
        await store.append(
            cmd.set_status(clock, await store.load_state(iid), Status.MITIGATED, owner="@alice")
        )
        return iid
    finally:
        await store.close()


async def _folded(db: Path, iid: int):
    store = await Store.open(db, read_only=True)
    try:
        state = await store.load_state(iid)
        events = await store.page(iid, limit=FIRST_PAGE)
        fixes = await store.corrections_of([e.id for e in events if e.id])
        seen = {e.id for e in events}
        return state, timeline(events + [f for f in fixes if f.id not in seen])
    finally:
        await store.close()


def _glance_row(db: Path, iid: int):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT upto, body FROM glances WHERE incident_id=?", (iid,)).fetchone()


# ------------------------------------------------------------------ the glance kept
def test_the_glance_is_written_with_each_state_event_and_only_then(tmp_path):
    db = tmp_path / "w.db"
    iid = asyncio.run(_incident(db, notes=2))
    upto, body = _glance_row(db, iid)
    state, _ = asyncio.run(_folded(db, iid))
    with sqlite3.connect(db) as conn:
        newest_state = conn.execute(
            f"SELECT max(id) FROM events WHERE incident_id=? AND kind IN "
            f"({','.join('?' * len(STATE_KINDS))})",
            (iid, *STATE_KINDS),
        ).fetchone()[0]
    assert upto == newest_state
    assert Glance.from_json(body) == glance_of(state, upto)
    assert Glance.from_json(body).status == "MITIGATED"

    async def note() -> None:  # a note does not change the state: the glance stays
        store = await Store.open(db)
        try:
            await store.append(cmd.note(FrozenClock(FROZEN), await store.load_state(iid), "x"))
        finally:
            await store.close()

    asyncio.run(note())
    assert _glance_row(db, iid) == (upto, body)


def test_the_peek_is_what_the_store_folds(tmp_path):
    db = tmp_path / "w.db"
    iid = asyncio.run(_incident(db))
    state, entries = asyncio.run(_folded(db, iid))
    first = peek(db, iid, FIRST_PAGE)
    assert first is not None
    assert first.glance == glance_of(state, first.glance.upto)
    shown = [
        (r.id, str(r.kind), r.occurred_at, r.text, r.action, r.owner, r.corrected, r.retracted)
        for r in first.rows
    ]
    assert shown == [
        (e.id, e.kind.value, e.occurred_at, e.text, e.action, e.owner, e.corrected, e.retracted)
        for e in entries
    ]
    assert any(r.corrected and r.text == "note 0, corrected" for r in first.rows)
    assert any(r.retracted for r in first.rows)
    assert peek(db, None, FIRST_PAGE) == first  # the newest active incident


def test_the_peek_reads_only_a_page_of_a_long_incident(tmp_path):
    db = tmp_path / "w.db"
    iid = asyncio.run(_incident(db, notes=120))
    first = peek(db, iid, 30)
    assert first is not None and len(first.rows) >= 30
    assert first.rows[-1].text == "Status → MITIGATED" or first.rows[-1].kind == "status"


@pytest.mark.parametrize(
    "damage",
    [
        "missing",
        "not-sqlite",
        "older-schema",
        "newer-schema",
        "stale",
        "no-glance",
        "garbage-body",
        "wrong-types",
        "other-incident",
        "naive-time",
        "bad-edit",
    ],
)
def test_the_peek_answers_none_when_it_cannot_be_trusted(tmp_path, damage):
    db = tmp_path / "w.db"
    iid = asyncio.run(_incident(db))
    assert peek(db, iid, FIRST_PAGE) is not None

    def sql(*statements: str) -> None:
        conn = sqlite3.connect(db)
        for s in statements:
            conn.execute(s)
        conn.commit()
        conn.close()

    body = _glance_row(db, iid)[1]
    if damage == "missing":
        db = tmp_path / "nothing-here.db"
    elif damage == "not-sqlite":
        db = tmp_path / "junk.db"
        db.write_bytes(b"not a database at all" * 100)
    elif damage == "older-schema":
        sql("PRAGMA user_version=5")
    elif damage == "newer-schema":
        sql("PRAGMA user_version=99")
    elif damage == "stale":  # a state event written by something that kept no glance
        sql("DROP TRIGGER events_append_only_update", "UPDATE glances SET upto = upto - 1")
    elif damage == "no-glance":
        sql("DELETE FROM glances")
    elif damage == "garbage-body":
        sql("UPDATE glances SET body = '{not json'")
    elif damage == "wrong-types":
        data = json.loads(body)
        data["title"] = ["\x1b]52;c;aGk=\x07"]
        sql(f"UPDATE glances SET body = '{json.dumps(data)}'")
    elif damage == "other-incident":
        data = json.loads(body)
        data["incident_id"] = iid + 1
        sql(f"UPDATE glances SET body = '{json.dumps(data)}'")
    elif damage == "naive-time":
        data = json.loads(body)
        data["started_at"] = "2026-11-25T15:08:00"
        sql(f"UPDATE glances SET body = '{json.dumps(data)}'")
    elif damage == "bad-edit":
        sql(
            "DROP TRIGGER events_append_only_update",
            'UPDATE events SET payload = \'{"kind": "edit", "text": 7}\' WHERE kind = \'edit\'',
        )
    assert peek(db, iid, FIRST_PAGE) is None


def test_no_peek_for_the_latest_incident_when_the_newest_is_resolved(tmp_path):
    db = tmp_path / "w.db"
    iid = asyncio.run(_incident(db))

    async def resolve() -> None:
        store = await Store.open(db)
        try:
            await store.append(
                cmd.set_status(
                    FrozenClock(FROZEN + timedelta(hours=1)),
                    await store.load_state(iid),
                    Status.RESOLVED,
                )
            )
        finally:
            await store.close()

    asyncio.run(resolve())
    assert peek(db, None, FIRST_PAGE) is None  # the store finds the latest active one
    assert peek(db, iid, FIRST_PAGE).glance.status == "RESOLVED"  # named: shown as it is


# ------------------------------------------------------------------ nothing heavy first
def test_the_console_path_imports_no_model_before_its_first_frame():
    code = """
import sys
from tui.cli import build_parser
build_parser().parse_args(["attach", "1"])
import storage.peek, tui.app, tui.screens.console, tui.themes
import tui.widgets.status_bar, tui.widgets.timeline, tui.widgets.timeline_table
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "aiosqlite"))
print(",".join(heavy))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


# ------------------------------------------------------------------ the remembered theme
def _theme(tmp_path: Path, primary: str = "#0178D4") -> Path:
    d = tmp_path / "themes"
    d.mkdir(exist_ok=True)
    f = d / "mine.toml"
    f.write_text(
        f'name = "mine"\nprimary = "{primary}"\n[variables]\n'
        + "\n".join(
            f'{k} = "#FF0000"'
            for k in (
                "sev1",
                "sev2",
                "sev3",
                "sev-text",
                "status-active",
                "status-mitigated",
                "status-resolved",
                "overdue",
                "due-soon",
            )
        )
    )
    return f


def test_a_remembered_theme_comes_back_until_its_file_changes(tmp_path):
    from tui.theme_schema import load_themes

    cache = tmp_path / "themes.cache.json"
    f = _theme(tmp_path)
    themes, problems = load_themes([f.parent], cache=cache)
    assert not problems
    mine = recall(cache, "mine")
    assert mine is not None and mine == next(t for t in themes if t.name == "mine")
    assert recall(cache, "warroom-high-contrast") is not None
    assert recall(cache, "nope") is None
    _theme(tmp_path, primary="#123456")  # edited since: validated again, not recalled
    assert recall(cache, "mine") is None


def test_a_tampered_theme_cache_is_not_used(tmp_path):
    from tui.theme_schema import parse_theme

    cache = tmp_path / "themes.cache.json"
    f = _theme(tmp_path)
    remember(cache, [(parse_theme(f), f)])
    data = json.loads(cache.read_text())
    data["mine"]["theme"]["primary"] = "not a colour"
    cache.write_text(json.dumps(data))
    assert recall(cache, "mine") is None
    cache.write_text("{}")
    assert recall(cache, "mine") is None
    cache.write_text("[1, 2")
    assert recall(cache, "mine") is None


def test_a_built_in_theme_is_read_directly_when_nothing_is_remembered(tmp_path):
    from tui.theme_schema import load_themes

    themes, problems = load_themes()
    assert not problems
    for theme in themes:  # as the schema validates it, field for field
        assert builtin(theme.name) == theme
    assert builtin("nope") is None and builtin("../pyproject") is None
    _theme(tmp_path)  # the user has theme files: one of them may take a built-in's name
    assert builtin("warroom-dark", [tmp_path / "themes"]) is None
    assert builtin("warroom-dark", [tmp_path / "no-such-dir"]) is not None


def test_a_first_start_paints_a_built_in_theme_without_loading_the_schema(tmp_path):
    db = tmp_path / "w.db"
    iid = asyncio.run(seed(db))
    code = f"""
import sys
from pathlib import Path
from storage.peek import peek
from tui.cli import Launch, build_app
from incident.clock import SystemClock
db = Path({str(db)!r})
app = build_app(Launch(db, {iid}, SystemClock(), theme="warroom-high-contrast",
                peek=peek(db, {iid}, 40), run_sources=False))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "aiosqlite"))
print(",".join(heavy), app.theme, app.options.more_themes is not None)
"""
    env = {**os.environ, "WARROOM_CONFIG_DIR": str(tmp_path / "fresh-cfg")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    assert out == "warroom-high-contrast True"  # (the others are validated after attach)


# ------------------------------------------------------------------ the hand-over
async def test_the_console_paints_the_peek_then_the_journal_and_keeps_a_key_typed_between(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "cfg"))
    db = tmp_path / "w.db"
    iid = await seed(db)
    first = peek(db, iid, FIRST_PAGE)
    assert first is not None
    # what was peeked is shown as peeked: a title the journal does not have (yet) proves it
    first = replace(first, glance=replace(first.glance, title="PEEKED TITLE"))
    app = build_app(
        Launch(
            db,
            iid,
            FrozenClock(FROZEN),
            theme="warroom-dark",
            actor="@alice",
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            peek=first,
        )
    )
    gate = hold_journal(app)
    async with app.run_test(size=(120, 36)) as pilot:
        try:
            await _hand_over(pilot, app, first, gate)
        finally:
            gate.set()  # (a failure above must not leave the app waiting for its journal)


async def _hand_over(pilot, app, first, gate) -> None:
    await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
    screen = app.screen
    bar = screen.query_one(StatusBar)
    await until(lambda: bar.parts.get("title") is not None, pilot=pilot)
    assert bar.parts["title"].text == "PEEKED TITLE" and app.state is None
    pane = screen.query_one(TimelinePane)
    assert [r.id for r in pane.entries] == [r.id for r in first.rows]
    assert pane.table.row_count == len(first.rows)
    await pilot.press("n")  # before the journal is open: kept, not lost
    await pilot.pause()  # (the key is handled: press waits for it)
    assert not isinstance(app.screen, NoteDialog) and not screen.ready
    gate.set()
    await until(lambda: isinstance(app.screen, NoteDialog), timeout=10, pilot=pilot)
    assert screen.ready and app.state is not None
    assert bar.parts["title"].text == app.state.title != "PEEKED TITLE"
    assert pane.table.row_count == len(pane.entries)  # replaced, not appended to
    assert {e.id for e in pane.entries} >= {r.id for r in first.rows}
    await pilot.press(*"kept")
    await pilot.press("enter")
    # (the demo's autosaved draft is restored first: the keys typed go after it)
    await until(lambda: pane.entries[-1].text.endswith("kept"), timeout=10, pilot=pilot)


async def test_a_console_closed_while_its_journal_opens_closes_the_journal(tmp_path, monkeypatch):
    """SIGHUP right after the first frame lands while the store is opening: the attach is
    cancelled, but the store it was opening is closed all the same (its thread would keep
    the process alive)."""
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "cfg"))
    db = tmp_path / "w.db"
    iid = await seed(db)
    app = build_app(
        Launch(
            db,
            iid,
            FrozenClock(FROZEN),
            actor="@alice",
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            peek=peek(db, iid, FIRST_PAGE),
        )
    )
    gate, opened = asyncio.Event(), []
    opener = app.session._open_journal

    async def open_then_wait():
        opened.append(await opener())  # the store's thread runs from here
        await gate.wait()
        return opened[-1]

    app.session._open_journal = open_then_wait
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: bool(opened), pilot=pilot)
        asyncio.get_running_loop().call_later(0.2, gate.set)
        app.exit()
    assert opened and opened[0]._conn._connection is None  # closed
    opened[0]._conn._thread.join(timeout=5)
    assert not opened[0]._conn._thread.is_alive()


async def test_an_incident_without_a_glance_gets_one_when_a_console_attaches(tmp_path):
    """A file from before the glance (or a glance a state event written by hand overtook):
    the console starts from the journal, and writes the glance for the next start."""
    from tests.console_support import make_app, wait_ready

    db = tmp_path / "w.db"
    iid = await seed(db)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM glances")
    assert peek(db, iid, FIRST_PAGE) is None
    app = make_app(db, iid)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await until(lambda: peek(db, iid, FIRST_PAGE) is not None, pilot=pilot)
        assert peek(db, iid, FIRST_PAGE).glance == glance_of(
            app.state, peek(db, iid, 1).glance.upto
        )
        async with await Store.open(db) as store:  # current now: nothing to write
            assert await store.refresh_glance(iid) is False
