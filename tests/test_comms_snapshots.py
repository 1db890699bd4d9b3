"""Snapshots of the comms pane at 80x24 on the demo incident at a frozen time, in its three
states: every update due later, one due soon (and one late), and every audience overdue.
Also the notification contact picker and the contacts dialog.

Regenerate with ``pytest tests/test_comms_snapshots.py --snapshot-update`` and look at the
SVGs before committing them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, TextArea

from incident import comms_commands as comms_cmd
from incident.clock import FrozenClock
from storage.store import Store
from tests.console_support import FROZEN, make_app, seed_sync, wait_ready
from tests.waiting import until
from tui.screens.contacts import ContactPicker, ContactsDialog

NARROW = (80, 24)


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))


async def sent(db, incident: int, minutes_ago: dict[str, float]) -> None:
    """Updates sent to each audience, ``minutes_ago`` before the frozen time."""
    store = await Store.open(db)
    try:
        state = await store.load_state(incident)
        for audience, ago in minutes_ago.items():
            clock = FrozenClock(FROZEN - timedelta(minutes=ago))
            await store.append(
                comms_cmd.send_update(
                    clock,
                    state,
                    audience,
                    f"Update to {audience}",
                    template="progress",
                    owner="@alice",
                )
            )
    finally:
        await store.close()


def app_with(tmp_path, minutes_ago: dict[str, float] | None = None):
    import asyncio

    db = tmp_path / "w.db"
    incident = seed_sync(db)
    if minutes_ago:
        asyncio.run(sent(db, incident, minutes_ago))
    return make_app(db, incident)


async def comms_tab(pilot) -> None:
    screen = await wait_ready(pilot)
    await pilot.press("4")
    area = screen.query_one("#comms-draft", TextArea)
    area.cursor_blink = False
    await until(lambda: area.region, pilot=pilot, what="the comms tab in front")
    await pilot.pause()


def test_comms_pane_nothing_due_yet(snap_compare, tmp_path):
    app = app_with(tmp_path, {"status-page": 0, "internal": 1, "executives": 2})
    assert snap_compare(app, terminal_size=NARROW, run_before=comms_tab)


def test_comms_pane_due_soon(snap_compare, tmp_path):
    # status page due in 02:00 (soon), internal in 10:00, executives never updated (late)
    app = app_with(tmp_path, {"status-page": 13, "internal": 5})
    assert snap_compare(app, terminal_size=NARROW, run_before=comms_tab)


def test_comms_pane_overdue(snap_compare, tmp_path):
    app = app_with(tmp_path)  # the demo: every audience late
    assert snap_compare(app, terminal_size=NARROW, run_before=comms_tab)


def opens(key: str, dialog: type, *keys: str):
    async def run_before(pilot) -> None:
        await wait_ready(pilot)
        await pilot.press(*keys, key)
        await until(lambda: isinstance(pilot.app.screen, dialog), pilot=pilot, what=dialog.__name__)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        box = pilot.app.screen.query_one(".dialog")
        await until(lambda: box.region, pilot=pilot, what="the dialog laid out")
        await pilot.pause()

    return run_before


def test_contacts_dialog_80x24(snap_compare, tmp_path):
    assert snap_compare(
        app_with(tmp_path), terminal_size=NARROW, run_before=opens("c", ContactsDialog)
    )


def test_notify_contact_picker_80x24(snap_compare, tmp_path):
    assert snap_compare(
        app_with(tmp_path), terminal_size=NARROW, run_before=opens("space", ContactPicker, "i")
    )
