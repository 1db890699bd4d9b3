"""Every console key of tui/actions.py, the command palette, the narrow layout, read-only
review, and two consoles (or a console and the CLI) on one database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Static, Tabs, TextArea

from incident import commands as cmd
from incident.clock import FrozenClock
from storage.store import Store
from tests.console_support import FROZEN, make_app, notices, said, seed, wait_ready
from tests.waiting import until
from tui.actions import ACTIONS
from tui.screens.action_items import ActionItemsDialog
from tui.screens.comms_dialogs import CadenceDialog, SentHistory, WriteFileDialog
from tui.screens.console import PANES, ConsoleScreen
from tui.screens.contacts import ContactsDialog
from tui.screens.details import DetailsDialog
from tui.screens.entry_detail import EntryDetail
from tui.screens.help import HelpScreen
from tui.screens.note import NoteDialog
from tui.screens.participants import ParticipantDialog
from tui.screens.pickers import PhaseDialog, SeverityDialog, StatusDialog
from tui.screens.source_dialog import SourceDialog
from tui.widgets.status_bar import Part, StatusBar
from tui.widgets.timeline import TimelinePane

WIDE, NARROW = (120, 36), (80, 24)


async def count(db: Path, incident: int) -> int:
    store = await Store.open(db, read_only=True)
    try:
        return len(await store.events(incident))
    finally:
        await store.close()


def pane_of(screen: ConsoleScreen) -> str | None:
    return screen._focused_pane()


def timeline_texts(screen) -> list[str]:
    table = screen.query_one(TimelinePane).table
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


# ---------------------------------------------------------------------- every key
DIALOG_OF = {
    "note": NoteDialog,
    "severity": SeverityDialog,
    "status": StatusDialog,
    "assign": ParticipantDialog,
    "phase": PhaseDialog,
    "correct": NoteDialog,
    "help": HelpScreen,
    "add_source": SourceDialog,
    "contacts": ContactsDialog,
    "cadence": CadenceDialog,
    "comms_history": SentHistory,
    "comms('file')": WriteFileDialog,
    "details": DetailsDialog,
    "action_items": ActionItemsDialog,
    "detail": EntryDetail,
}


async def test_every_action_key_does_something(tmp_path, monkeypatch):
    """A key in ACTIONS that nobody tested fails here: each one is pressed and checked."""
    monkeypatch.delenv("EDITOR", raising=False)
    db = tmp_path / "w.db"
    incident = await seed(db)
    before = await count(db, incident)
    tested: set[str] = set()
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        # Wide: the four panes in a grid, no tabs.
        assert not screen.has_class("-narrow") and not screen.query_one("#pane-tabs").display
        for name in PANES:
            assert screen.query_one(f"#{name}").region.area > 0, name
        for a in ACTIONS:
            if a.action in DIALOG_OF:
                await pilot.press(a.key)
                await until(lambda a=a: isinstance(app.screen, DIALOG_OF[a.action]), pilot=pilot)
                await pilot.pause()
                if a.action == "correct":
                    assert "Correct entry #" in str(app.screen.query_one(".dialog").border_title)
                if a.action == "help":
                    text = str(app.screen.query_one(Static).render())
                    for b in ACTIONS:
                        assert b.title in text and b.help in text, b.title
                    assert "  ?  Help" in text
                    assert "Immediate actions (the playbook)" in text
                await pilot.press("escape")
                await until(lambda: app.screen is screen, pilot=pilot)
            elif a.action == "zoom":
                await pilot.press(a.key)
                assert screen.maximized is screen.query_one("#timeline")
                await pilot.press(a.key)
                assert screen.maximized is None
                # The focused pane is the one zoomed.
                checklist = screen.query_one("#checklist")
                await pilot.press("2", a.key)
                await pilot.pause()
                assert screen.maximized is checklist
                assert checklist.region.width == WIDE[0]
                assert screen.query_one("#timeline").region.area == 0
                await pilot.press(a.key)
                await pilot.pause()
                assert screen.maximized is None
                assert 0 < checklist.region.width < WIDE[0]
                assert screen.query_one("#timeline").region.area > 0
                await pilot.press("1")
            elif a.action.startswith("show_pane("):
                name = a.action.split("'")[1]
                await pilot.press(a.key)
                await pilot.pause()
                assert pane_of(screen) == name, a.key
                assert screen.query_one(Tabs).active == f"tab-{name}"
                await pilot.press("1")  # back to the timeline, whose keys are not typing
                await pilot.pause()
            elif a.action == "notify_checklist":
                await pilot.press(a.key)
                await pilot.pause()
                assert app.focused is screen.query_one("#comms-notify")
                await pilot.press("1")
                await pilot.pause()
            elif a.action == "comms('copy')":
                await pilot.press(a.key)
                await pilot.pause()
                assert app.clipboard == screen.query_one("#comms-draft", TextArea).text != ""
            elif a.action == "comms('editor')":
                await pilot.press(a.key)  # $EDITOR is unset here: it says so
                await until(lambda: said(app, "$EDITOR is not set"), pilot=pilot)
            elif a.action == "quit":
                continue  # last: checked below
            else:  # pragma: no cover - a new action needs a check here
                raise AssertionError(f"no test for the {a.key!r} key ({a.action})")
            tested.add(a.action)
        await pilot.press("q")
        await pilot.pause()
        tested.add("quit")
    assert app.return_code == 0 and not app.is_running
    assert tested == {a.action for a in ACTIONS}
    assert await count(db, incident) == before  # every dialog was cancelled


# ---------------------------------------------------------------------- 1-4, narrow
async def test_the_incident_comes_first_and_keys_typed_before_the_panes_are_kept(
    tmp_path, monkeypatch
):
    """The first frame is the status bar and the timeline; the other panes and the footer
    come right after. Keys that need them, typed in between, run once they are there."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    asked: list[ConsoleScreen] = []
    mount_panes = ConsoleScreen._mount_panes

    async def held(self: ConsoleScreen) -> None:  # the test says when
        asked.append(self)

    monkeypatch.setattr(ConsoleScreen, "_mount_panes", held)
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        await until(
            lambda: (
                isinstance(app.screen, ConsoleScreen)
                and app.screen.query_one(TimelinePane).table.row_count > 0
            ),
            pilot=pilot,
        )
        screen = app.screen
        assert not screen.ready
        assert [p.id for p in screen.query(".pane")] == ["timeline"]  # no other pane yet
        assert not screen.query("Footer")
        assert screen.query_one("#status-bar").parts["id"].text == f"INC-{incident}"
        await pilot.press("3", "z")  # go to the logs and zoom them: nothing to act on yet
        await pilot.pause()
        assert screen.maximized is None and pane_of(screen) == "timeline"
        await until(lambda: asked, pilot=pilot)  # asked for once the rows are on screen
        screen.call_later(mount_panes, screen)
        await until(lambda: screen.ready, pilot=pilot)
        await until(lambda: screen.maximized is not None, pilot=pilot)
        assert [p.id for p in screen.query(".pane")] == list(PANES)
        footer = screen.query_one("Footer")
        await until(lambda: len(footer.children) > 0, pilot=pilot)  # its keys are drawn
        assert pane_of(screen) == "logs" and screen.maximized.id == "logs"


async def test_narrow_layout_switches_panes_as_tabs(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=NARROW) as pilot:
        screen = await wait_ready(pilot)
        assert screen.has_class("-narrow")
        tabs = screen.query_one("#pane-tabs", Tabs)
        assert tabs.display and tabs.region.area > 0
        for key, name in zip("2341", ("checklist", "logs", "comms", "timeline"), strict=True):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == f"tab-{name}"
            assert pane_of(screen) == name, key
            for other in PANES:
                pane = screen.query_one(f"#{other}")
                assert pane.has_class("-current") is (other == name)
                assert (pane.styles.display == "block") is (other == name), (key, other)
                assert (pane.region.area > 0) is (other == name), (key, other)
        # The comms pane at 80x24 is usable: its draft is on screen.
        await pilot.press("4")
        await pilot.pause()
        assert screen.query_one("#comms-draft", TextArea).region.height >= 5
        # Wider: back to the grid, every pane on screen; narrower again: tabs.
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert not screen.has_class("-narrow") and not tabs.display
        assert all(screen.query_one(f"#{p}").region.area > 0 for p in PANES)
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert screen.has_class("-narrow")
        assert [p for p in PANES if screen.query_one(f"#{p}").region.area > 0] == ["comms"]


# ---------------------------------------------------------------------- ctrl+p
async def test_command_palette_offers_the_actions_and_runs_them(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        offered = {c.title for c in app.get_system_commands(screen)}
        assert {a.title for a in ACTIONS if a.action != "quit"} <= offered

        await pilot.press("ctrl+p")
        await until(lambda: isinstance(app.screen, CommandPalette), pilot=pilot)
        palette = app.screen
        await pilot.press(*"severity")
        commands = palette.query_one(CommandList)

        def prompts() -> list[str]:
            return [
                str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
            ]

        await until(
            lambda: prompts() and "Change severity" in prompts()[0],  # what down, enter picks
            pilot=pilot,
            what="the palette's search for severity done",
            seen=prompts,
        )
        assert any("Change severity" in p for p in prompts()), prompts()
        await pilot.press("down", "enter")
        await until(lambda: isinstance(app.screen, SeverityDialog), pilot=pilot)
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot=pilot)

        # Every title can be found by its own name.
        await pilot.press("ctrl+p")
        await until(lambda: isinstance(app.screen, CommandPalette), pilot=pilot)
        app.screen.query_one(Input).value = "Go to Logs"
        commands = app.screen.query_one(CommandList)
        await until(
            lambda: (
                commands.option_count > 0
                and "Go to Logs" in str(commands.get_option_at_index(0).prompt)
            ),
            pilot=pilot,
        )
        await pilot.press("down", "enter")
        await until(lambda: app.screen is screen and pane_of(screen) == "logs", pilot=pilot)


# ---------------------------------------------------------------------- read-only
async def test_read_only_review_writes_nothing(tmp_path):
    """Read-only opens the review screen: every write key is refused with a reason, the
    checklist cannot be ticked, and neither the journal nor the drafts change."""
    from tests.test_review import ready

    db = tmp_path / "w.db"
    incident = await seed(db)
    store = await Store.open(db, read_only=True)
    try:
        drafts_before = await store.drafts.of(incident)
    finally:
        await store.close()
    before = await count(db, incident)
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=WIDE) as pilot:
        screen = await ready(pilot)
        assert screen.query_one(StatusBar).parts["mode"] == Part("READ-ONLY", "-readonly")

        def refusals() -> list[str]:
            return [n.message for n in notices(app) if "read-only review" in n.message]

        keys = ("n", "s", "t", "a", "p", "e", "plus")
        for key in keys:
            await pilot.press(key)
        await until(
            lambda: len(refusals()) >= len(keys),
            pilot=pilot,
            what="each key refused",
            seen=refusals,
        )
        assert app.screen is screen  # no dialog opened
        screen.query_one("#checklist").focus()
        await pilot.press("space", "enter")  # tick, or move phase: refused
        await until(
            lambda: len(refusals()) >= len(keys) + 2,
            pilot=pilot,
            what="the tick and the phase refused",
            seen=refusals,
        )
        assert app.screen is screen
        assert len(refusals()) >= 8
        offered = {c.title for c in app.get_system_commands(screen)}
        assert "Add timeline note" not in offered
    assert await count(db, incident) == before
    store = await Store.open(db, read_only=True)
    try:
        assert await store.drafts.of(incident) == drafts_before
    finally:
        await store.close()


# ---------------------------------------------------------------------- two writers
async def test_a_note_from_another_process_shows_within_a_second(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        store = await Store.open(db)  # as `warroom note INC-1 ...` would
        try:
            state = await store.load_state(incident)
            await store.append(cmd.note(FrozenClock(FROZEN), state, "From the CLI", owner="@bob"))
        finally:
            await store.close()
        await until(
            lambda: "From the CLI" in timeline_texts(screen),
            pilot=pilot,
            timeout=1.0,
            what="the note shown within a second",
        )
        table = screen.query_one(TimelinePane).table
        assert table.cursor_row == table.row_count - 1  # still following the newest


async def test_two_consoles_on_one_database(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    first, second = make_app(db, incident), make_app(db, incident)
    async with first.run_test(size=WIDE) as p1, second.run_test(size=WIDE) as p2:
        s1 = await wait_ready(p1)
        s2 = await wait_ready(p2)
        await p2.press("n")
        await until(lambda: isinstance(second.screen, NoteDialog), pilot=p2)
        second.screen.query_one("#note-text", Input).value = "Second console"
        await p2.press("enter")
        await until(lambda: "Second console" in timeline_texts(s2), pilot=p2)
        await until(
            lambda: "Second console" in timeline_texts(s1),
            pilot=p1,
            timeout=1.0,
            what="the note shown in the first console within a second",
        )
        # And a state change the other way: the status bar of the second follows.
        await p1.press("p")
        await until(lambda: isinstance(first.screen, PhaseDialog), pilot=p1)
        await p1.press("down", "enter")  # (it opens on the current phase)
        await until(
            lambda: s2.query_one(StatusBar).parts["phase"].text.startswith("P3 "),
            pilot=p2,
            timeout=1.0,
            what="the phase shown in the second console within a second",
        )
    assert await count(db, incident) == 28 + 2


async def test_a_dialog_key_pressed_twice_opens_one_dialog(tmp_path):
    """``a`` twice before its dialog is up (it reads the contacts first): one Assign dialog,
    not one stacked on another that Escape would reveal."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=WIDE) as pilot:
        screen = await wait_ready(pilot)
        gate, contacts = asyncio.Event(), screen.pickers.contacts

        async def slow_contacts():
            await gate.wait()
            return await contacts()

        screen.pickers.contacts = slow_contacts
        await pilot.press("a", "a")  # both before the first dialog is there
        gate.set()
        await until(lambda: isinstance(app.screen, ParticipantDialog), pilot=pilot)
        await pilot.press("escape")
        await until(
            lambda: (
                app.screen is screen
                and not any(w.name == "assign dialog" and not w.is_finished for w in app.workers)
            ),
            pilot=pilot,
            what="back on the console, no Assign dialog left",
            seen=lambda: app.screen_stack,
        )
        assert not any(isinstance(s, ParticipantDialog) for s in app.screen_stack)
