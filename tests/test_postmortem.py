"""The write-up screen: every saved field and action item is a journal event, and the
report shows them."""

from __future__ import annotations

from datetime import UTC

from incident.clock import FrozenClock
from incident.journal import ActionItemChanged, FieldSet
from incident.report import render_markdown
from storage.store import Store
from tests.console_support import FROZEN, seed
from tests.waiting import until
from tui.cli import Launch, build_app
from tui.screens.postmortem import PostmortemScreen


async def test_fields_and_action_items_become_events(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = build_app(
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
    async with await Store.open(db, read_only=True) as store:
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
