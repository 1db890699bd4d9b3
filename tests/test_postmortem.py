"""The write-up screen: every saved field and action item is a journal event, and the
report shows them."""

from __future__ import annotations

from datetime import UTC

from incident.clock import FrozenClock
from incident.journal import ActionItemChanged, FieldSet
from incident.report import render_markdown
from tests.console_support import FROZEN, hold_journal, seed
from tests.waiting import until
from tui.cli import Launch, build_app
from tui.cli_store import open_store
from tui.screens.participants import ParticipantDialog
from tui.screens.postmortem import PostmortemScreen


def postmortem_app(db, incident):
    return build_app(
        Launch(
            db,
            incident,
            FrozenClock(FROZEN),
            actor="@author",
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            mode="postmortem",
        )
    )


def found(app, selector: str):
    """The widget on the screen on top, or None (yet)."""
    return next(iter(app.screen.query(selector)), None)


def dialogs(app) -> int:
    return sum(isinstance(s, ParticipantDialog) for s in app.screen_stack)


async def test_it_opens_with_the_first_field_focused_and_letters_typed_early_go_there(tmp_path):
    """Letters typed while the write-up opens are text in the first field, never hotkeys
    (each ``a`` used to open an Assign dialog)."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = postmortem_app(db, incident)
    gate = hold_journal(app)  # the fields come once the journal is open: type before that
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"a bad pool", "a")
        gate.set()
        what = await until(lambda: found(app, "#pm-root_cause-what"), pilot=pilot)
        await until(
            lambda: what.value.endswith("a bad poola"), pilot=pilot, seen=lambda: what.value
        )
        assert what.value == "Database connection pool exhaustiona bad poola"
        assert app.focused is what and dialogs(app) == 0
        await pilot.press("b")  # and what is typed after it goes on in the same field
        await until(lambda: what.value.endswith("poolab"), pilot=pilot, seen=lambda: what.value)
        assert dialogs(app) == 0


async def test_a_pressed_twice_opens_one_assign_dialog(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = postmortem_app(db, incident)
    async with app.run_test(size=(120, 40)) as pilot:
        items = await until(lambda: found(app, "#pm-items"), pilot=pilot)
        items.focus()  # (not a field: there a is a letter)
        await pilot.press("a", "a")
        await until(lambda: isinstance(app.screen, ParticipantDialog), pilot=pilot)
        await pilot.press("escape")
        await until(
            lambda: (
                isinstance(app.screen, PostmortemScreen)
                and not any(w.name == "assign dialog" and not w.is_finished for w in app.workers)
            ),
            pilot=pilot,
            seen=lambda: app.screen_stack,
        )
        assert dialogs(app) == 0


async def test_fields_and_action_items_become_events(db_target):
    """On both backends (``db_target``: the SQLite file, then a server incident)."""
    db = db_target
    incident = await seed(db)
    app = postmortem_app(db, incident)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: bool(app.screen.query("#pm-root_cause-what")), pilot=pilot)
        screen = app.screen
        assert isinstance(screen, PostmortemScreen)
        what = screen.query_one("#pm-root_cause-what")
        assert what.value == "Database connection pool exhaustion"  # from the incident
        why = screen.query_one("#pm-root_cause-why")
        why.focus()
        await pilot.press(*"leak [b]x[/b]", "enter")
        await until(lambda: app.state.root_cause.why == "leak [b]x[/b]", pilot=pilot)
        lucky = screen.query_one("#pm-postmortem-lucky")
        lucky.focus()
        await pilot.press(*"low traffic hour", "enter")
        await until(lambda: app.state.postmortem.lucky == "low traffic hour", pilot=pilot)
        what.focus()
        await pilot.press("enter")  # unchanged: no event
        screen.query_one("#pm-new-item").value = "Add pool alerts"
        screen.query_one("#pm-new-owner").value = "@ops"
        screen.query_one("#pm-new-item").focus()
        await pilot.press("enter")
        await until(lambda: len(app.state.action_items) == 3, pilot=pilot)
        items = screen.query_one("#pm-items")
        items.focus()
        items.highlighted = 2
        await pilot.press("space")
        await until(lambda: app.state.action_items[3].done, pilot=pilot)
    async with await open_store(db, read_only=True) as store:
        events = await store.events(incident)
    fields = [e.payload.field for e in events if isinstance(e.payload, FieldSet)]
    assert fields.count("root_cause.why") == 1 and "postmortem.lucky" in fields
    assert fields.count("root_cause.what") == 1  # only the demo's; Enter on unchanged: none
    ops = [
        (e.payload.op, e.payload.item_id)
        for e in events
        if isinstance(e.payload, ActionItemChanged)
    ]
    assert ops[-2:] == [("add", 3), ("update", 3)]
    report = render_markdown(events)
    assert r"- **Why**: leak \[b\]x\[/b\]" in report  # (Markdown-escaped)
    assert "3. [x] Add pool alerts (@ops)" in report
    assert "- **Where we got lucky**: low traffic hour" in report
    assert "- **What went well**: Not yet known" in report
