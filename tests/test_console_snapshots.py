"""Snapshots of the console on the demo incident at a frozen time: the main screen wide and
at 80x24, each theme, and the severity and note dialogs at 80x24.

Regenerate with ``pytest tests/test_console_snapshots.py --snapshot-update`` and look at the
SVGs before committing them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.console_support import make_app, seed_sync, wait_ready
from tests.waiting import until
from tui.screens.note import NoteDialog
from tui.screens.pickers import SeverityDialog

WIDE, NARROW = (120, 36), (80, 24)


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    """The user's own themes and settings must not change the pictures."""
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))


async def ready(pilot) -> None:
    screen = await wait_ready(pilot)
    table = screen.query_one("#timeline").table
    await until(
        lambda: table.scroll_y == table.max_scroll_y,
        pilot=pilot,
        what="the timeline at its newest row",
    )
    await pilot.pause()


def opens(key: str, dialog: type):
    async def run_before(pilot) -> None:
        await wait_ready(pilot)
        await pilot.press(key)
        await until(lambda: isinstance(pilot.app.screen, dialog), pilot=pilot, what=dialog.__name__)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture flaky
        box = pilot.app.screen.query_one(".dialog")
        await until(lambda: box.region, pilot=pilot, what="the dialog laid out")
        await pilot.pause()

    return run_before


def test_main_screen_wide(snap_compare, tmp_path):
    db = tmp_path / "w.db"
    app = make_app(db, seed_sync(db))
    assert snap_compare(app, terminal_size=WIDE, run_before=ready)


def test_main_screen_80x24(snap_compare, tmp_path):
    db = tmp_path / "w.db"
    app = make_app(db, seed_sync(db))
    assert snap_compare(app, terminal_size=NARROW, run_before=ready)


@pytest.mark.parametrize("theme", ["warroom-light", "warroom-high-contrast"])
def test_main_screen_theme(snap_compare, tmp_path, theme):
    db = tmp_path / "w.db"
    app = make_app(db, seed_sync(db), theme=theme)
    assert app.theme == theme
    assert snap_compare(app, terminal_size=WIDE, run_before=ready)


def test_severity_dialog_80x24(snap_compare, tmp_path):
    db = tmp_path / "w.db"
    app = make_app(db, seed_sync(db))
    assert snap_compare(app, terminal_size=NARROW, run_before=opens("s", SeverityDialog))


def test_note_dialog_80x24(snap_compare, tmp_path):
    db = tmp_path / "w.db"
    app = make_app(db, seed_sync(db))
    assert snap_compare(app, terminal_size=NARROW, run_before=opens("n", NoteDialog))
