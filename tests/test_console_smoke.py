"""A first walk through the console with Pilot: attach, add a note, see it saved."""

from __future__ import annotations

from storage.store import Store
from tests.console_support import make_app, seed, wait_ready
from tests.waiting import until
from tui.screens.note import NoteDialog


async def test_note_is_saved_then_shown(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        shown = len(screen.query_one("#timeline").entries)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        app.screen.query_one("#note-text").value = ""
        await pilot.press(*"Rollback started [bold]x[/]")
        await pilot.press("enter")
        timeline = screen.query_one("#timeline")
        await until(
            lambda: len(timeline.entries) > shown,
            pilot=pilot,
            what="the note in the timeline",
            seen=lambda: [e.text for e in timeline.entries[-3:]],
        )
        texts = [e.text for e in timeline.entries]
        assert "Rollback started [bold]x[/]" in texts
    store = await Store.open(db, read_only=True)
    try:
        events = await store.events(incident)
    finally:
        await store.close()
    assert any(e.text == "Rollback started [bold]x[/]" and e.owner == "@alice" for e in events)
