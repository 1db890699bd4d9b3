"""Keys that arrive in one read (a paste, a laggy SSH link, a console busy with a flood)
act exactly as if typed slowly: a key that opens a dialog or an inline field is followed by
the next only once that dialog or field has the focus. And a pane's number key puts the
focus in that pane's main widget, so its own keys act at once.

``burst`` queues every key before the app handles the first (``pilot.press`` lets the app
go idle between keys, which hides the problem)."""

from __future__ import annotations

from textual.widgets import OptionList, Select

from tests.console_support import (
    make_app,
    seed,
    stored,
    wait_ready,
)
from tests.test_console_sources import add_source, ready_source
from tests.waiting import until
from tui.widgets.timeline_table import TimelineTable

WIDE = (140, 40)
LINES = "printf 'line 1 exception\\nline 2 exception\\nan error here\\n'; sleep 300"


async def last_note(db, incident) -> tuple[str, str | None]:
    events, _, _ = await stored(db, incident)
    return events[-1].text, events[-1].action


NOTE_BURST = ("n", *"Pool gone", "tab", *"restarted db1", "enter")


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
