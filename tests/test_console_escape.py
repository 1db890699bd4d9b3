"""Escape closes the innermost thing first: an open dropdown before the zoom, the draft
editor (focus leaves it) before the zoom, and the zoom last."""

from __future__ import annotations

import pytest
from textual.widgets import Select, TextArea

from tests.console_support import make_app, seed, wait_ready
from tests.waiting import until
from tui.widgets.comms import CommsPane

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))


async def test_escape_closes_an_open_dropdown_before_the_zoom(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        audience = screen.query_one("#comms-audience", Select)
        audience.focus()
        await pilot.press("z")
        await until(lambda: screen.maximized is screen.query_one("#comms"), pilot=pilot)
        await pilot.press("enter")  # the dropdown opens
        await until(lambda: audience.expanded, pilot=pilot, what="the dropdown open")
        await pilot.press("escape")  # closes the dropdown only
        await until(lambda: not audience.expanded, pilot=pilot, what="the dropdown closed")
        assert screen.maximized is screen.query_one("#comms"), "Escape un-zoomed first"
        assert audience.value == "status-page"  # nothing chosen
        await pilot.press("escape")  # then the zoom
        await until(lambda: screen.maximized is None, pilot=pilot, what="un-zoomed")


async def test_escape_leaves_the_draft_editor(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        area = screen.query_one("#comms-draft", TextArea)
        screen.query_one("#comms-audience", Select).focus()
        await pilot.press("z")  # (in the editor z is a letter)
        await until(lambda: screen.maximized is pane, pilot=pilot)
        area.focus()
        await until(lambda: area.has_focus, pilot=pilot)
        before = area.text
        await pilot.press("escape")  # out of the editor, still zoomed
        await until(lambda: not area.has_focus, pilot=pilot, what="focus out of the editor")
        assert app.focused is screen.query_one("#comms-audience", Select)
        assert screen.maximized is pane
        await pilot.press("escape")  # then the zoom
        await until(lambda: screen.maximized is None, pilot=pilot, what="un-zoomed")
        assert area.text == before  # Escape typed nothing into the draft
        await pilot.press("escape")  # not zoomed, not editing: nothing happens
        assert screen.maximized is None and area.text == before
