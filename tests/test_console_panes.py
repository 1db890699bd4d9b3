"""The console's panes, driven with Pilot: what each shows of the demo incident, and what
each records in the store when used (status bar, timeline, checklist, logs, comms)."""

from __future__ import annotations

import html
from datetime import timedelta

from textual.color import Color
from textual.dom import DOMNode
from textual.widgets import Label, Static, TabbedContent, TabPane, TextArea

from incident import commands as cmd
from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.journal import CommsSent, SourceSpec
from incident.model import PhaseId
from storage.store import Store
from tests.console_support import FROZEN, make_app, seed, stored, wait_ready
from tests.waiting import until
from tui.screens.console import FIRST_PAGE
from tui.widgets.checklist import ChecklistPane
from tui.widgets.confirm import ConfirmSend
from tui.widgets.status_bar import Part, StatusBar
from tui.widgets.timeline import FILTERS, TimelinePane

SIZE = (120, 36)


def label_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Label).render())


def style_of(widget, text: str):
    """The Rich style of the drawn segment that holds ``text`` on the widget's first line."""
    for seg in widget.render_line(0):
        if text in seg.text:
            return seg.style
    raise AssertionError(f"{text!r} is not drawn")


# ---------------------------------------------------------------------- status bar
async def test_status_bar_shows_the_incident_and_the_overdue_update(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        bar = screen.query_one(StatusBar)
        assert bar.parts["id"] == Part(f"INC-{incident}")
        assert bar.parts["sev"] == Part("SEV-1", "-sev1")
        assert "MITIGATED" in bar.parts["status"].text
        assert bar.parts["status"].state == "-status-mitigated"
        # Root cause since minute 12 of 38: 26 minutes of a 30 minute budget.
        assert bar.parts["phase"] == Part("P2 Root 26:00/30m")
        # The most urgent audience: internal has had no update since the declaration at
        # minute 0 (SEV-1 cadence 15 min): due at minute 15, now 38. (The status page had
        # one at minute 18: due at 33, 05:00 late.)
        assert bar.parts["update"] == Part("✉ int OVERDUE 23:00", "-overdue")
        assert bar.parts["title"] == Part("Checkout API returning 500 errors")
        assert bar.parts["mode"] == Part("")  # not read-only
        # One line, in that order, the title filling what is left; colours from the theme.
        line = "".join(seg.text for seg in bar.render_line(0))
        assert line.startswith(f" INC-{incident}  SEV-1  ")
        assert "  P2 Root 26:00/30m  ✉ int OVERDUE 23:00  Checkout API returning 500 errors" in line
        variables = app.theme_variables
        assert style_of(bar, "SEV-1").bgcolor == Color.parse(variables["sev1"]).rich_color
        assert style_of(bar, "OVERDUE").bgcolor == Color.parse(variables["overdue"]).rich_color
    _, state, _ = await stored(db, incident)
    assert state.severity.value == "SEV-1" and state.phase is PhaseId.ROOT_CAUSE


async def test_the_clock_tick_does_not_search_the_screen(tmp_path, monkeypatch):
    """The status bar and the panes are redrawn every second: the tick holds on to them
    (a query walks every widget of the screen: it was 80% of the tick's cost)."""
    db = tmp_path / "w.db"
    clock = FrozenClock(FROZEN)
    app = make_app(db, await seed(db), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        searched: list[object] = []
        for name in ("query", "query_one", "query_exactly_one"):
            original = getattr(DOMNode, name)

            def spy(self, *args, _original=original, **kwargs):
                if self is screen:
                    searched.append(args)
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(DOMNode, name, spy)
        searched.clear()
        clock.advance(seconds=1)  # the tick runs at once (see tests/test_clock_time.py)
        assert screen.now == clock.now()
        assert searched == []


# ---------------------------------------------------------------------- timeline
async def test_timeline_rows_filters_and_follow(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    events, _, _ = await stored(db, incident)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(TimelinePane)
        table = pane.table
        assert [str(c.label) for c in table.columns.values()] == [
            "Time (UTC)",
            "Event",
            "Action Taken",
            "Owner",
        ]
        assert table.get_row_at(0)[0].plain == "14:30:00"
        assert table.row_count == len(events) == len(pane.entries)
        assert [r.id for r in pane.entries] == sorted(e.id for e in events)
        assert table.cursor_row == table.row_count - 1  # follows the newest
        newest = table.get_row_at(table.row_count - 1)
        assert newest[1].plain == "Leak traced to missing release on token refresh"
        assert newest[3].plain == "@debugger"

        # f cycles through every kind filter and back to "all".
        kinds = {e.kind.value for e in events}
        for name, allowed in FILTERS[1:]:
            await pilot.press("f")
            await pilot.pause()
            assert pane.kind_filter == name
            assert pane.border_subtitle == f"filter: {name}"
            expected = [e for e in events if e.kind.value in allowed]
            assert table.row_count == len(expected), name
            shown = {table.get_row_at(i)[1].plain for i in range(table.row_count)}
            assert shown == {e.text for e in expected}
        assert {"note", "checklist", "comms", "command"} <= kinds
        await pilot.press("f")
        await pilot.pause()
        assert pane.kind_filter == "all" and table.row_count == len(events)

        # Going up stops following; End goes back to the newest row.
        await pilot.press("up", "up", "up")
        assert table.cursor_row == table.row_count - 4
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1


async def test_newest_row_stays_on_screen_at_80x24_and_when_the_terminal_shrinks(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_ready(pilot)
        table = screen.query_one(TimelinePane).table
        await until(
            lambda: table.max_scroll_y > 0 and table.scroll_y == table.max_scroll_y,
            pilot=pilot,
            what="the timeline scrolled to its newest row",
            seen=lambda: (table.scroll_y, table.max_scroll_y),
        )
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1
        assert table.max_scroll_y > 0 and table.scroll_y == table.max_scroll_y
        assert "Leak traced to" in html.unescape(app.export_screenshot()).replace("\xa0", " ")
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        table = screen.query_one(TimelinePane).table
        height = table.size.height
        await pilot.resize_terminal(SIZE[0], 30)  # the tmux pane got shorter
        await until(lambda: table.size.height < height, pilot=pilot, what="the table shorter")
        await until(
            lambda: table.scroll_y == table.max_scroll_y,
            pilot=pilot,
            what="the newest row still on screen",
            seen=lambda: (table.scroll_y, table.max_scroll_y),
        )
        assert table.cursor_row == table.row_count - 1
        assert table.max_scroll_y > 0 and table.scroll_y == table.max_scroll_y


async def test_timeline_pages_older_events_at_the_top(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    store = await Store.open(db)
    try:
        state = await store.load_state(incident)
        clock = FrozenClock(FROZEN)
        notes = []
        for i in range(450):
            clock.set(FROZEN + timedelta(seconds=i + 1))
            notes.append(cmd.note(clock, state, f"bulk note {i:03d}", owner="@bot"))
        await store.append_many(notes)
        total = len(await store.events(incident))
    finally:
        await store.close()
    assert total == 28 + 450

    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(TimelinePane)
        table = pane.table
        first = FIRST_PAGE
        assert table.row_count == first  # only the newest page is loaded on attach
        assert pane.entries[-1].text == "bulk note 449"
        assert pane.entries[0].text == f"bulk note {450 - first:03d}"
        loaded = [first]
        for _ in range(5):
            await pilot.press("ctrl+home")
            await until(lambda: table.row_count > loaded[-1] or not pane.has_older, pilot=pilot)
            loaded.append(table.row_count)
            if not pane.has_older:
                break
            # The cursor stays on the row it was on, now further down.
            assert table.cursor_row > 0
        assert loaded[:4] == [first, min(first + 200, 478), min(first + 400, 478), 478]
        assert not pane.has_older
        assert pane.entries[0].kind.value == "declared"
        assert [r.text for r in pane.entries if r.owner == "@bot"] == [
            f"bulk note {i:03d}" for i in range(450)
        ]


# ---------------------------------------------------------------------- checklist
async def test_checklist_space_ticks_and_enter_on_heading_moves_phase(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        checklist = screen.query_one(ChecklistPane)
        assert app.focused is checklist
        # First view: the first open item of the current phase.
        assert checklist.highlighted_option.id == "i:root_cause:2"
        assert "☐" in str(checklist.highlighted_option.prompt)
        await pilot.press("space")
        await until(lambda: "☑" in str(checklist.get_option("i:root_cause:2").prompt), pilot=pilot)
        assert checklist.highlighted_option.id == "i:root_cause:2"

        # Down to the next phase's heading; Enter moves the incident there.
        while checklist.highlighted_option.id != "h:fix":
            await pilot.press("down")
        await pilot.press("enter")
        await until(lambda: app.state.phase is PhaseId.FIX, pilot=pilot)
        await pilot.pause()
        assert "▶ 3." in str(checklist.get_option("h:fix").prompt)
        assert checklist.border_subtitle == "phase 3/5"
        assert screen.query_one(StatusBar).parts["phase"].text.startswith("P3 ")
    events, state, _ = await stored(db, incident)
    ticks = [e for e in events if e.kind.value == "checklist"]
    assert ticks[-1].payload.item == "root_cause:2" and ticks[-1].payload.done
    assert ticks[-1].owner == "@alice"
    assert state.checklist["root_cause:2"].done
    assert events[-1].kind.value == "phase" and events[-1].payload.phase is PhaseId.FIX
    assert state.phase is PhaseId.FIX


# ---------------------------------------------------------------------- logs
def tab_text(tabs: TabbedContent, pane_id: str) -> str:
    """What a log tab shows of its source (its labels and texts)."""
    return "\n".join(str(w.render()) for w in tabs.get_pane(pane_id).query(Static))


async def test_logs_pane_has_one_tab_per_source_with_ledger_state(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    clock = FrozenClock(FROZEN)
    store = await Store.open(db)
    try:
        state = await store.load_state(incident)
        await store.append(source_cmd.source_ledger(clock, state, "s1", "started", pid=4242))
    finally:
        await store.close()
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        tabs = screen.query_one("#log-tabs", TabbedContent)
        assert [p.id for p in tabs.query(TabPane)] == ["log-s1"]
        assert str(tabs.get_tab("log-s1").label) == "api-log"
        await until(lambda: "running" in tab_text(tabs, "log-s1"), pilot=pilot)
        assert "python3 -m feeds.demo_log" in tab_text(tabs, "log-s1")
        assert "running" in tab_text(tabs, "log-s1")
        assert screen.query_one("#logs").border_subtitle.startswith("1 source, ")

        # Another process records the exit and a second source: the tabs follow.
        store = await Store.open(db)
        try:
            state = await store.load_state(incident)
            await store.append(source_cmd.source_ledger(clock, state, "s1", "exited", exit_code=3))
            await store.append(
                source_cmd.add_source(
                    clock,
                    state,
                    SourceSpec(
                        kind="grep", name="errors", pattern="ERROR", paths=("/var/log/app",)
                    ),
                    owner="@bob",
                )
            )
        finally:
            await store.close()
        await until(lambda: len(tabs.query(TabPane)) == 2, pilot=pilot)
        await until(lambda: "exited" in tab_text(tabs, "log-s1"), pilot=pilot)
        assert "running" not in tab_text(tabs, "log-s1")
        assert "3" in tab_text(tabs, "log-s1")
        assert str(tabs.get_tab("log-s2").label) == "errors"
        await until(lambda: "waiting" in tab_text(tabs, "log-s2"), pilot=pilot)
        text = tab_text(tabs, "log-s2")
        assert "ERROR" in text and "/var/log/app" in text and "waiting" in text
        assert screen.query_one("#logs").border_subtitle.startswith("2 sources, ")
    _, state, _ = await stored(db, incident)
    assert state.sources["s1"].state == "exited" and set(state.sources) == {"s1", "s2"}


# ---------------------------------------------------------------------- comms
async def test_comms_draft_autosaves_and_send_records_the_exact_text(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        area = screen.query_one("#comms-draft", TextArea)
        due = screen.query_one("#cad-status-page", Label)
        # The status page has had its initial response: the next one is a progress update.
        assert area.text.startswith(
            "We have identified the root cause as Database connection pool exhaustion. "
        )
        assert "[issue]" not in area.text and "ETA: [time]" in area.text
        assert due.has_class("-overdue") and "+05:00" in str(due.render())
        _, _, drafts = await stored(db, incident)
        assert not any(k.startswith("comms.") for k in drafts)  # untouched: nothing saved

        # A click in the draft (from the timeline) leaves the focus in the draft.
        await pilot.click("#comms-draft")
        await pilot.pause()
        assert app.focused is area
        assert screen.query_one("#pane-tabs").active == "tab-comms"
        area.move_cursor(area.document.end)
        await pilot.press(*" EU only.")
        expected = area.text
        assert expected.endswith(" EU only.")

        async def autosaved() -> bool:
            _, _, drafts = await stored(db, incident)
            return drafts.get("comms.status-page.progress") == expected

        await until(autosaved, pilot=pilot, timeout=1.0, what="the draft autosaved within a second")

        await pilot.press("ctrl+s")  # the draft still holds [time] (the ETA): asked, yes
        await until(lambda: isinstance(app.screen, ConfirmSend), pilot=pilot, what="asked")
        await pilot.press("y")
        await until(lambda: not due.has_class("-overdue"), pilot=pilot)
        await pilot.pause()
        assert str(due.render()) == "page 15:00"  # a full cadence to go
        # The other audiences are still late: the status bar says so.
        assert "int OVERDUE 23:00" in screen.query_one(StatusBar).parts["update"].text
        # The draft starts afresh from the template.
        assert " EU only." not in area.text
        assert area.text.startswith("We have identified the root cause as")
    events, state, drafts = await stored(db, incident)
    sent = events[-1]
    assert isinstance(sent.payload, CommsSent)
    assert sent.payload.message == expected.strip()
    assert sent.payload.audience == "status-page" and sent.payload.template == "progress"
    assert state.comms[-1].message == expected.strip()
    assert "comms.status-page.progress" not in drafts

    # The next attach starts from the template again, not from the text already sent.
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        area = screen.query_one("#comms-draft", TextArea)
        assert area.text.startswith("We have identified the root cause as")
        assert " EU only." not in area.text
        assert not screen.query_one("#cad-status-page").has_class("-overdue")
