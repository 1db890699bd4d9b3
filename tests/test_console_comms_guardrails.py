"""The comms guard-rails in the console, driven with Pilot: a draft with ``[placeholders]``
asks before it is marked sent, the resolution notices owed once resolved (status bar and
comms pane), and the incident clock stopped at the resolution."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Label, TextArea

from incident import commands as cmd
from incident.clock import FrozenClock
from incident.journal import CommsSent
from incident.model import Severity, Status
from storage.store import Store
from tests.console_support import FROZEN, make_app, seed, stored, wait_ready
from tests.waiting import until
from tui.widgets.checklist import ChecklistPane
from tui.widgets.comms import CommsPane
from tui.widgets.confirm import ConfirmSend
from tui.widgets.status_bar import Part, StatusBar

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    """No user templates."""
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))


async def declared(db: Path) -> int:
    """An incident whose service is known, and nothing else yet (no root cause)."""
    store = await Store.open(db)
    try:
        event = await store.declare(
            cmd.declare(FrozenClock(FROZEN), "Checkout down", Severity.SEV2, service="checkout-api")
        )
        return event.incident_id
    finally:
        await store.close()


def sent(events) -> list[CommsSent]:
    return [e.payload for e in events if isinstance(e.payload, CommsSent)]


# ---------------------------------------------------------------------- placeholders
async def test_marking_a_draft_with_placeholders_sent_asks_first_and_names_them(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        area = screen.query_one("#comms-draft", TextArea)
        await pilot.click("#comms-draft")
        await pilot.press("ctrl+t")  # the progress update: no root cause, no ETA yet
        await until(lambda: "[issue]" in area.text, pilot=pilot, what="the progress draft")
        draft = area.text
        await pilot.press("ctrl+s")
        dialog = await until(
            lambda: isinstance(app.screen, ConfirmSend) and app.screen,
            pilot=pilot,
            what="the question",
        )
        question = dialog.query_one("#confirm-send-question", Label)
        assert str(question.render()) == "Send with [issue], [time] unfilled?"
        await pilot.press("enter")  # No is the default
        await until(lambda: app.screen is screen, pilot=pilot, what="back to the console")
        await pilot.press("ctrl+s")
        await until(lambda: isinstance(app.screen, ConfirmSend), pilot=pilot, what="asked again")
        await pilot.press("escape")  # No too
        await until(lambda: app.screen is screen, pilot=pilot, what="back again")
        assert area.text == draft and pane.template == "progress"
        assert sent((await stored(db, incident))[0]) == []
        await pilot.press("ctrl+s")
        await until(
            lambda: isinstance(app.screen, ConfirmSend), pilot=pilot, what="asked a third time"
        )
        await pilot.press("y")
        rows = screen.query_one("#timeline").entries
        await until(lambda: rows[-1].text == "Update sent to status-page", pilot=pilot)
    assert sent((await stored(db, incident))[0]) == [
        CommsSent(audience="status-page", template="progress", message=draft.strip())
    ]


async def test_a_draft_with_every_fact_filled_is_marked_sent_at_once(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        area = screen.query_one("#comms-draft", TextArea)
        assert "[" not in area.text  # the initial response: the service is known
        await pilot.click("#comms-draft")
        await pilot.press("ctrl+s")
        rows = screen.query_one("#timeline").entries
        await until(lambda: rows[-1].text == "Update sent to status-page", pilot=pilot)
        assert not isinstance(app.screen, ConfirmSend)


# ---------------------------------------------------------------------- resolution owed
async def test_after_resolving_a_resolution_notice_is_owed_until_sent(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)  # the demo: the status page had two updates, nobody else any
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        bar = screen.query_one(StatusBar)
        pane = screen.query_one(CommsPane)
        page = screen.query_one("#cad-status-page", Label)
        await pilot.click("#comms-draft")
        await pilot.press("ctrl+n")  # the internal audience, then back: the pane has chosen
        await pilot.press("ctrl+n", "ctrl+n")
        await until(lambda: pane.audience == "status-page", pilot=pilot)
        assert pane.template == "progress"
        await screen.session.set_status(Status.RESOLVED)
        await until(
            lambda: bar.parts["update"] == Part("✉ resolution owed: page", "-owed"),
            pilot=pilot,
            what="the status bar says a resolution notice is owed",
        )
        await until(lambda: str(page.render()) == "page owed", pilot=pilot)
        assert "✉ resolution owed" in bar.fitted(80)["update"]  # (at 80x24 it stays, shorter)
        assert bar.fitted(40)["update"]
        assert pane.border_subtitle == "RESOLUTION OWED: Status page"
        due = screen.query_one("#comms-due", Label)  # (beside the selects, in a narrow pane)
        assert str(due.render()) == "owed" and due.has_class("-owed")
        assert str(screen.query_one("#cad-internal", Label).render()) == "int -"  # none sent
        # Resolved: the pane is on the resolution notice, which settles what is owed.
        await until(lambda: pane.template == "resolution", pilot=pilot)
        await pilot.press("ctrl+s")
        await until(
            lambda: bar.parts["update"] == Part("✉ no updates due"),
            pilot=pilot,
            what="nothing owed once the notice is sent",
        )
        assert pane.border_subtitle == "" and not pane.has_class("-owed")
        assert str(page.render()) == "page -"


# ---------------------------------------------------------------------- the clock
async def test_the_incident_clock_stops_at_resolution_and_resumes_when_reopened(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)  # started 38 minutes before FROZEN, in phase 2 since minute 12
    clock = FrozenClock(FROZEN)
    app = make_app(db, incident, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        bar = screen.query_one(StatusBar)
        checklist = screen.query_one(ChecklistPane)

        async def at(moment):
            clock.set(moment)
            await until(lambda: bar.now == moment, pilot=pilot, what=f"the console at {moment}")

        await at(FROZEN)
        elapsed, phase = bar.parts["elapsed"], bar.parts["phase"]
        assert elapsed == Part("⏱ 38:00")
        await screen.session.set_status(Status.RESOLVED)
        await until(lambda: bar.parts["status"].text.endswith("RESOLVED"), pilot=pilot)
        await at(FROZEN + timedelta(hours=2))
        assert bar.parts["elapsed"] == elapsed  # stopped at the resolution
        assert bar.parts["phase"] == phase  # and the phase budget with it
        heading = str(checklist.get_option("h:root_cause").prompt)
        assert "26:00/30m" in phase.text and "26:00" in heading and "OVER" not in heading
        await screen.session.set_status(Status.ACTIVE)  # reopened: the clock runs again
        await until(lambda: bar.parts["elapsed"] == Part("⏱ 2:38:00"), pilot=pilot)
