"""Keys that arrive in one read (a paste, a laggy SSH link, a console busy with a flood)
act exactly as if typed slowly: a key that opens a dialog or an inline field is followed by
the next only once that dialog or field has the focus. And a pane's number key puts the
focus in that pane's main widget, so its own keys act at once.

``burst`` queues every key before the app handles the first (``pilot.press`` lets the app
go idle between keys, which hides the problem)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Select

from incident.clock import FrozenClock
from storage.peek import peek
from tests.console_support import (
    FROZEN,
    burst,
    hold_journal,
    make_app,
    notices,
    seed,
    stored,
    wait_ready,
)
from tests.test_console_sources import add_source, ledger, ready_source
from tests.waiting import until
from tui.cli import Launch, build_app
from tui.screens.console import FIRST_PAGE, ConsoleScreen
from tui.widgets.log_view import LogView
from tui.widgets.timeline_table import TimelineTable

WIDE = (140, 40)
LINES = "printf 'line 1 exception\\nline 2 exception\\nan error here\\n'; sleep 300"


async def last_note(db, incident) -> tuple[str, str | None]:
    events, _, _ = await stored(db, incident)
    return events[-1].text, events[-1].action


NOTE_BURST = ("n", *"Pool gone", "tab", *"restarted db1", "enter")


async def test_a_note_typed_in_one_burst_fills_each_field(tmp_path):
    """``n``, text, Tab, text, Enter in one read: the first text is the event, the second
    the action taken (both used to land in the event field, or nowhere)."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    before, _, _ = await stored(db, incident)
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        burst(app, *NOTE_BURST)
        await until(
            lambda: app.screen is screen and app.state.last_event_id > len(before), pilot=pilot
        )
    assert await last_note(db, incident) == ("Pool gone", "restarted db1")


async def test_a_note_burst_typed_as_the_console_appears_fills_each_field(tmp_path):
    """The same burst while the console is still starting (held, then played)."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = build_app(
        Launch(
            db,
            incident,
            FrozenClock(FROZEN),
            theme="warroom-dark",
            actor="@alice",
            remember_theme=False,
            run_sources=False,
            peek=peek(db, incident, FIRST_PAGE),
        )
    )  # as `warroom attach` starts
    gate = hold_journal(app)
    async with app.run_test(size=WIDE) as pilot:
        try:
            await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
            burst(app, *NOTE_BURST)
        finally:
            gate.set()
        screen = await wait_ready(pilot)
        await until(lambda: app.screen is screen and app.state.last_event_id > 1, pilot=pilot)
        await until(lambda: not app.workers, pilot=pilot, what="the note saved")
    assert await last_note(db, incident) == ("Pool gone", "restarted db1")


@pytest.mark.parametrize(
    ("keys", "applied"),
    [
        (("/", *"exception", "enter"), lambda view: view.search is not None),
        (("&", *"error", "enter"), lambda view: view.buffer.filtered),
    ],
    ids=["search", "filter"],
)
async def test_a_search_or_filter_typed_in_one_burst_goes_into_its_field(tmp_path, keys, applied):
    """``/exception`` Enter (or ``&error`` Enter) in one read in a log pane: the pattern goes
    into the search (filter) field; its letters never reach the pane's keys (``x`` stop,
    ``r`` rerun) nor the console's (``c`` contacts, ``e`` correct)."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, LINES)
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 3, pilot=pilot)
        await until(lambda: app.state.sources[sid].state == "started", pilot=pilot)
        pane.view.focus()
        await until(lambda: isinstance(app.focused, LogView), pilot=pilot)
        burst(app, *keys)
        await until(lambda: applied(pane.view), pilot=pilot, what="the pattern applied")
        await until(lambda: app.focused is pane.view, pilot=pilot, what="back in the view")
        assert app.screen is screen
        assert pane.query_one("#src-query", Input).value == "".join(keys[1:-1])
        assert app.state.sources[sid].state == "started"
        said = [str(n) for n in notices(app)]
        assert not [n for n in said if "running" in n], said
    assert [p.op for p in await ledger(db, incident) if p.source_id == sid] == [
        "added",
        "started",
    ]


async def test_keys_after_a_dialog_closes_in_the_same_burst_reach_the_console(tmp_path):
    """A burst that saves a note and goes on: the keys after Enter act on the console
    (here ``3``: the logs), not in the dialog that is closing."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        burst(app, "n", *"db1 restarted", "enter", "2")
        await until(lambda: isinstance(app.focused, OptionList), pilot=pilot, what="checklist")
        assert app.screen is screen
    assert (await last_note(db, incident))[0] == "db1 restarted"


# ---------------------------------------------------------------------- 1-4
async def test_a_pane_key_puts_the_focus_in_the_pane_s_main_widget(tmp_path):
    """After ``3`` the log pane's keys act at once (the focus used to stay on its tab
    strip until Tab); likewise 1, 2 and 4 for their panes."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, LINES)
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=WIDE) as pilot:
        await wait_ready(pilot)
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 3, pilot=pilot)
        await pilot.press("3")
        await until(lambda: app.focused is pane.view, pilot=pilot, seen=lambda: app.focused)
        await pilot.press("w")  # a key of the log pane, at once
        await until(lambda: pane.view.wrap, pilot=pilot)
        await pilot.press("2")
        await until(lambda: isinstance(app.focused, OptionList), pilot=pilot)
        await pilot.press("4")
        await until(lambda: isinstance(app.focused, Select), pilot=pilot, seen=lambda: app.focused)
        await pilot.press("1")
        await until(lambda: isinstance(app.focused, TimelineTable), pilot=pilot)


async def test_a_pane_key_and_the_pane_s_keys_in_one_burst(tmp_path):
    """``3`` and ``/error`` Enter in one read: the search is the log pane's."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, LINES)
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=WIDE) as pilot:
        await wait_ready(pilot)
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 3, pilot=pilot)
        burst(app, "3", "/", *"error", "enter")
        await until(lambda: pane.view.search is not None, pilot=pilot)
        assert app.focused is pane.view
