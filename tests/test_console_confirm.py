"""Destructive single keys ask first: ``x`` (stop a running log source) and ``ctrl+r``
(discard an edited comms draft for its template). No is the default: n, Escape or Enter
right away keep the source running and the draft as it is; y does it."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, TextArea

from tests.console_support import make_app, seed, wait_ready
from tests.test_console_sources import add_source, ready_source
from tests.waiting import until
from tui.widgets.comms import CommsPane
from tui.widgets.confirm import Confirm

SIZE = (140, 40)


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("EDITOR", raising=False)


async def asked(pilot) -> Confirm:
    dialog = await until(
        lambda: isinstance(pilot.app.screen, Confirm) and pilot.app.screen,
        pilot=pilot,
        what="the question asked",
    )
    await until(lambda: dialog.query_one(OptionList).has_focus, pilot=pilot)
    assert dialog.query_one(OptionList).highlighted_option.id == "no"  # the safe answer
    return dialog


async def gone(pilot, dialog: Confirm) -> None:
    await until(lambda: dialog not in pilot.app.screen_stack, pilot=pilot, what="answered")


async def test_x_asks_before_stopping_a_running_source(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "sleep 300")
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await ready_source(pilot, sid)
        await until(lambda: app.state.sources[sid].state == "started", pilot=pilot)
        for no in ("n", "escape", "enter"):  # each keeps it running
            pane.view.focus()
            await pilot.press("x")
            dialog = await asked(pilot)
            assert "sleep 300" in str(dialog.query_one("#confirm-stop-question").render())
            await pilot.press(no)
            await gone(pilot, dialog)
            assert sid in app.runner.live and app.state.sources[sid].state == "started", no
        pane.view.focus()
        await pilot.press("x", "x")  # the second x goes to the question, not a second one
        dialog = await asked(pilot)
        assert sum(isinstance(s, Confirm) for s in app.screen_stack) == 1
        await pilot.press("y")
        await gone(pilot, dialog)
        await until(lambda: app.state.sources[sid].state == "stopped", pilot=pilot)


async def test_ctrl_r_asks_before_discarding_an_edited_draft(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        area = screen.query_one("#comms-draft", TextArea)
        template = area.text
        area.focus()
        await pilot.press("ctrl+r")  # the template as it is: nothing to lose, no question
        await pilot.pause()
        assert not isinstance(app.screen, Confirm) and area.text == template
        area.move_cursor(area.document.end)
        await pilot.press(*" kept")
        edited = template + " kept"
        await until(lambda: area.text == edited, pilot=pilot)
        for no in ("n", "escape", "enter"):
            area.focus()
            await pilot.press("ctrl+r")
            dialog = await asked(pilot)
            assert "status page progress" in str(
                dialog.query_one("#confirm-discard-question").render()
            )
            await pilot.press(no)
            await gone(pilot, dialog)
            assert area.text == edited, no
        area.focus()
        await pilot.press("ctrl+r")
        dialog = await asked(pilot)
        await pilot.press("y")
        await gone(pilot, dialog)
        await until(lambda: area.text == template, pilot=pilot, seen=lambda: area.text)
        assert pane.template == "progress"
