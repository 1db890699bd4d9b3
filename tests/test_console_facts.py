"""The incident's facts and action items from the console, driven with Pilot: the details
dialog (prefilled, one event per fact changed, a bad value refused with the dialog kept),
the comms drafts following the facts (an edited draft keeps its edits), the action items
dialog (the same list as the post-mortem's), the palette and help, and review showing the
facts as they were at the scrubbed moment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from incident import commands as cmd
from incident import facts
from incident.clock import FrozenClock
from incident.journal import FieldSet
from incident.model import Severity
from storage.store import Store
from tests.console_support import FROZEN, make_app, said, stored, wait_ready
from tests.waiting import until
from tui.actions import ACTIONS
from tui.screens.action_items import ActionItemsDialog
from tui.screens.console import ConsoleScreen
from tui.screens.details import DetailsDialog
from tui.screens.help import help_content
from tui.screens.review import ReviewScreen
from tui.widgets.comms import CommsPane

SIZE = (120, 36)
T0 = FROZEN - timedelta(minutes=30)


async def declared(db: Path, **facts_) -> int:
    """A SEV-2 about which little is known, declared half an hour before the console's
    clock."""
    store = await Store.open(db)
    try:
        event = await store.declare(
            cmd.declare(FrozenClock(T0), "Checkout down", Severity.SEV2, **facts_)
        )
        return event.incident_id
    finally:
        await store.close()


async def open_screen(pilot, key: str, kind: type):
    await pilot.press(key)
    await until(lambda: isinstance(pilot.app.screen, kind), pilot=pilot, what=f"{key} opened")
    await pilot.pause()
    return pilot.app.screen


def draft(screen: ConsoleScreen) -> str:
    return screen.query_one(CommsPane).text


async def test_details_dialog_opens_on_the_facts_and_saves_what_changed(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db, service="api")
    before = len((await stored(db, incident))[0])
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert "affecting api." in draft(screen)
        dialog = await open_screen(pilot, "d", DetailsDialog)
        shown = {f: dialog.query_one(f"#fact-{f}", Input).value for f in facts.FACTS}
        assert shown == {f: "" for f in facts.FACTS} | {"title": "Checkout down", "service": "api"}
        assert dialog.focused is dialog.query_one("#fact-title", Input)
        dialog.query_one("#fact-service", Input).value = ""
        await pilot.press("tab", *"checkout-api", "tab", *"checkouts fail")
        for _ in range(4):  # detected by, status page, root cause: to the ETA
            await pilot.press("tab")
        await pilot.press(*"15:30 UTC", "enter")
        await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
        await until(
            lambda: app.session.state.eta == "15:30 UTC", pilot=pilot, what="the ETA folded"
        )
        # the untouched drafts follow the facts at once
        await until(lambda: "affecting checkout-api." in draft(screen), pilot=pilot)
        screen.query_one(CommsPane).action_next_template()  # the progress update
        await until(
            lambda: (
                "root cause as checkouts fail. A fix is being implemented. ETA: 15:30 UTC"
                in draft(screen)
            ),
            pilot=pilot,
            seen=lambda: draft(screen),
        )
        assert said(app, "Saved #")
    events, state, _ = await stored(db, incident)
    new = events[before:]
    assert [(e.payload.field, e.payload.value) for e in new if isinstance(e.payload, FieldSet)] == [
        ("service", "checkout-api"),
        ("impact", "checkouts fail"),
        ("eta", "15:30 UTC"),
    ]
    assert len(new) == 3
    assert (state.service, state.impact, state.eta) == (
        "checkout-api",
        "checkouts fail",
        "15:30 UTC",
    )


async def test_a_bad_link_is_refused_and_the_dialog_keeps_what_was_typed(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db)
    before = (await stored(db, incident))[0]
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_screen(pilot, "d", DetailsDialog)
        dialog.query_one("#fact-service", Input).value = "checkout-api"
        link = dialog.query_one("#fact-status_page", Input)
        link.value = "status.example.com"
        dialog.query_one("#fact-title", Input).focus()
        await pilot.press("enter")
        await until(lambda: said(app, "is not a web address"), pilot=pilot, what="the refusal")
        assert app.screen is dialog and dialog.focused is link
        assert dialog.query_one("#fact-service", Input).value == "checkout-api"
        await pilot.press("escape")  # cancelled: nothing written
        await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
        await pilot.press("d")
        await until(lambda: isinstance(app.screen, DetailsDialog), pilot=pilot)
        await pilot.press("enter")  # nothing changed: said, nothing written
        await until(lambda: said(app, "Nothing changed"), pilot=pilot)
    assert (await stored(db, incident))[0] == before


async def test_an_edited_draft_keeps_its_edits_when_the_facts_change(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        pane.replace_text("My own words about [service].")
        await until(lambda: draft(screen) == "My own words about [service].", pilot=pilot)
        dialog = await open_screen(pilot, "d", DetailsDialog)
        dialog.query_one("#fact-service", Input).value = "checkout-api"
        await pilot.press("enter")
        await until(lambda: app.session.state.service == "checkout-api", pilot=pilot)
        await pilot.pause()
        assert draft(screen) == "My own words about [service]."


async def test_action_items_dialog_adds_and_marks_done_the_post_mortems_list(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_screen(pilot, "o", ActionItemsDialog)
        assert dialog.focused is dialog.query_one("#action-text", Input)
        await pilot.press(*"Add pool alerts", "tab", *"@db", "tab", *"2026-12-01", "enter")
        await until(lambda: 1 in app.session.state.action_items, pilot=pilot, what="item 1")
        await pilot.press(*"Review runbooks", "tab", "tab", *"someday", "enter")
        await until(lambda: said(app, "is not a date"), pilot=pilot)  # refused
        assert dialog.query_one("#action-text", Input).value == "Review runbooks"  # kept
        items = dialog.query_one("#action-list", OptionList)
        assert items.option_count == 1 and "Add pool alerts" in str(
            items.get_option_at_index(0).prompt
        )
        items.focus()
        items.highlighted = 0
        await pilot.press("enter")
        await until(lambda: app.session.state.action_items[1].done, pilot=pilot, what="done")
        assert "☑" in str(items.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
    _, state, _ = await stored(db, incident)
    item = state.action_items[1]
    assert (item.text, item.owner, item.due, item.done) == (
        "Add pool alerts",
        "@db",
        "2026-12-01",
        True,
    )
    assert len(state.action_items) == 1


async def test_details_and_action_items_are_in_the_palette_and_the_help(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db)
    keys = {a.action: a.key for a in ACTIONS}
    assert (keys["details"], keys["action_items"]) == ("d", "o")
    assert len(set(keys.values())) == len(keys)  # no key bound twice
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        titles = {c.title for c in screen.system_commands()}
        assert {"Incident details", "Action items"} <= titles
        text = help_content(app).plain
        assert "Incident details" in text and "Action items" in text


async def test_review_shows_the_facts_as_they_were_at_the_scrubbed_moment(tmp_path):
    db = tmp_path / "w.db"
    incident = await declared(db, service="api")
    clock = FrozenClock(T0)
    async with await Store.open(db) as store:
        for minutes, changes in (
            (5, {"service": "gateway", "eta": "15:00 UTC"}),
            (10, {"service": "db", "eta": "16:00 UTC", "root_cause": "pool exhaustion"}),
        ):
            clock.set(T0 + timedelta(minutes=minutes))
            await store.append_many(facts.edit(clock, await store.load_state(incident), changes))
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await until(
            lambda: app.screen if isinstance(app.screen, ReviewScreen) and app.screen.at else None,
            pilot=pilot,
            what="the review came up",
        )
        state_text = screen.query_one("#state-text", Static)

        async def shows(*words: str, absent: str = "") -> None:
            def there() -> bool:
                text = str(state_text.render())
                return all(w in text for w in words) and not (absent and absent in text)

            await until(there, pilot=pilot, seen=lambda: str(state_text.render()))

        await shows("service    db", "eta        16:00 UTC", "root cause pool exhaustion")
        await pilot.press("home")
        await shows("service    api", absent="eta")
        await pilot.press("right", "right")  # declared, service, ETA (at 14:43)
        await shows("service    gateway", "eta        15:00 UTC", absent="root cause")
        await pilot.press("d")  # a read-only review: no dialog
        await until(lambda: said(app, "read-only review"), pilot=pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_the_post_mortem_edits_the_same_action_items(tmp_path):
    """One list: an item added during the incident is in the write-up, with its due date."""
    from datetime import UTC

    from tui.cli import Launch, build_app
    from tui.screens.postmortem import PostmortemScreen

    db = tmp_path / "w.db"
    incident = await declared(db)
    async with await Store.open(db) as store:
        state = await store.load_state(incident)
        await store.append(
            cmd.add_action_item(
                FrozenClock(T0), state, "Add pool alerts", item_owner="@db", due="2026-12-01"
            )
        )
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
        items = await until(
            lambda: (
                isinstance(app.screen, PostmortemScreen)
                and app.screen.query("#pm-items")
                and app.screen.query_one("#pm-items", OptionList).option_count
                and app.screen.query_one("#pm-items", OptionList)
            ),
            pilot=pilot,
            what="the write-up with its action items",
        )
        prompt = str(items.get_option_at_index(0).prompt)
        assert "Add pool alerts" in prompt and "@db" in prompt and "due 2026-12-01" in prompt
        items.focus()
        items.highlighted = 0
        await pilot.press("space")
        await until(lambda: app.session.state.action_items[1].done, pilot=pilot)
    assert (await stored(db, incident))[1].action_items[1].done
