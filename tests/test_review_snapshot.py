"""Snapshot of the review screen: the demo incident replayed a few events back."""

from __future__ import annotations

from tests.console_support import make_app, seed_sync
from tests.test_review import at_row, ready


def test_review_screen(snap_compare, tmp_path):
    db = tmp_path / "w.db"
    app = make_app(db, seed_sync(db), read_only=True)

    async def run_before(pilot) -> None:
        screen = await ready(pilot)
        row = screen.query_one("#timeline").table.cursor_row - 5
        for _ in range(5):
            await pilot.press("left")
        await at_row(pilot, screen, row)

    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)
