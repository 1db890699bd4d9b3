"""At 80x24 (an SSH session, a tmux pane): the status bar stays one line with the title on
it, notices do not hide the timeline, and review switches its panes as tabs."""

from __future__ import annotations

import html
from datetime import timedelta

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Static, Tabs
from textual.widgets._toast import Toast

from incident.clock import FrozenClock
from tests.console_support import FROZEN, make_app, seed, wait_ready
from tests.test_review import ready as review_ready
from tests.waiting import until
from tui.widgets.status_bar import ROW, Part, StatusBar
from tui.widgets.timeline import TimelinePane

NARROW, WIDE = (80, 24), (120, 36)
TITLE = "Checkout API returning 500 errors"


def bar_lines(bar: StatusBar) -> list[str]:
    return ["".join(seg.text for seg in bar.render_line(y)) for y in range(bar.size.height)]


async def test_the_status_bar_keeps_one_line_with_the_title_when_an_update_is_overdue(tmp_path):
    """Ten hours in, the phase over budget and an update overdue: at 80 columns the line
    used to wrap (the title went off the bar); now the lesser parts give way."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident, clock=FrozenClock(FROZEN + timedelta(hours=10)))
    async with app.run_test(size=NARROW) as pilot:
        screen = await wait_ready(pilot)
        bar = screen.query_one(StatusBar)
        await until(lambda: bar.parts, pilot=pilot, what="the status bar drawn")
        assert "OVERDUE" in bar.parts["update"].text and bar.parts["phase"].state == "-over"
        assert bar.size.height == 1
        (line,) = bar_lines(bar)
        assert cell_len(line) == 80
        for shown in ("SEV-1", "MITIGATED", "OVERDUE", "Checkout API"):
            assert shown in line, (shown, line)
        assert "⏱" not in line  # (the elapsed time gave way first)
        # Wide, everything is there as before.
        await pilot.resize_terminal(*WIDE)
        await until(lambda: bar.size.width == WIDE[0], pilot=pilot, what="wide")
        (line,) = bar_lines(bar)
        assert f"INC-{incident}" in line and "⏱ 10:38:00" in line and "Checkout API" in line
        assert "P2 Root 10:26:00/30m +9:56:00 over" in line


def test_the_status_bar_gives_way_in_order_and_keeps_what_matters():
    """Every width from 40 to 130: severity, status and the overdue update stay, the title
    keeps 16 cells from 60 columns up, and the elapsed time gives way before the number
    and before the phase shrinks to its number."""
    bar = StatusBar()
    bar.parts = {
        "id": Part("INC-12"),
        "sev": Part("SEV-1", "-sev1"),
        "status": Part("🚨 ACTIVE", "-status-active"),
        "elapsed": Part("⏱ 244:37:21"),
        "phase": Part("P2 Root 244:25:21/30m +243:55:21 over", "-over"),
        "update": Part("✉ int OVERDUE 244:22:21", "-overdue"),
        "title": Part(TITLE),
        "mode": Part(""),
    }
    bar.shorter = {
        "id": ("",),
        "elapsed": ("",),
        "phase": ("P2 +243:55:21 over", "P2 over", ""),
        "update": ("✉ int OVERDUE",),
    }
    widest = sum(Content(f" {p.text} ").cell_length for n, p in bar.parts.items() if n in ROW)
    for width in range(40, 131):
        texts = bar.fitted(width)
        row = sum(Content(f" {t} ").cell_length for t in texts.values() if t)
        assert texts["sev"] and texts["status"] and "OVERDUE" in texts["update"], width
        if width >= 60:
            assert width - row >= 16, (width, texts)  # room for the title's start
        if texts["elapsed"]:
            assert texts["id"] and texts["phase"] != "P2 over", (width, texts)
        if width >= widest + 16:
            assert texts == {n: bar.parts[n].text for n in ROW}, width  # nothing gave way


async def test_notices_do_not_hide_the_timeline_at_80x24(tmp_path):
    """Three notices at once (a save, a warning, an error with a title): at the bottom they
    covered half the screen, the newest timeline rows first. Narrow, they take two lines
    over the tab strip, the newest in view, and no timeline row is under them."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        screen = await wait_ready(pilot)
        table = screen.query_one(TimelinePane).table
        app.notify("Saved #31", timeout=30)
        app.notify("not running", severity="warning", timeout=30)
        app.notify("database is locked " * 6, title="Not saved", severity="error", timeout=1)
        toasts = await until(
            lambda: len(screen.query(Toast)) >= 3 and list(screen.query(Toast)),
            pilot=pilot,
            what="the toasts up",
            seen=lambda: [(t.region, str(t.render())) for t in screen.query(Toast)],
        )
        await pilot.pause()
        await until(
            lambda: [t for t in toasts if t.region.area] == [toasts[-1]],
            pilot=pilot,
            what="only the newest toast in view",
            seen=lambda: [t.region for t in toasts],
        )
        newest = toasts[-1].region
        assert newest.height <= 2
        assert not newest.overlaps(table.region), (newest, table.region)
        assert newest.y >= screen.query_one(StatusBar).region.bottom  # the bar is seen
        text = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "Not saved" in text and "Saved #31" not in text
        assert "Checkout API" in text
        # When it goes, the one before it shows.
        await until(
            lambda: toasts[1].region.area and not toasts[0].region.area,
            pilot=pilot,
            what="the warning in view once the error went",
        )
        # Wide, they are where they always were (the bottom right, over the comms pane).
        await pilot.resize_terminal(*WIDE)
        await until(lambda: not screen.has_class("-narrow"), pilot=pilot, what="wide")
        await pilot.pause()
        low = [t.region for t in screen.query(Toast) if t.region.area]
        assert len(low) == 2 and all(r.y > screen.size.height // 2 for r in low), low


async def test_review_at_80x24_switches_its_panes_as_tabs(tmp_path):
    """As the console does below 100x30: one pane at a time under tabs (1-4 or the tab
    strip), the event still stepped with left and right whichever pane is shown."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=NARROW) as pilot:
        screen = await review_ready(pilot)
        tabs = screen.query_one("#pane-tabs", Tabs)
        panes = ("timeline", "review-state", "checklist", "review-logs")
        await until(lambda: tabs.region.area > 0, pilot=pilot, what="the tab strip")
        assert screen.has_class("-narrow")

        def on_screen() -> list[str]:
            return [p for p in panes if screen.query_one(f"#{p}").region.area > 0]

        assert on_screen() == ["timeline"]
        assert screen.query_one(TimelinePane).table.region.height >= 12  # (rows to read)
        for key, name in zip(
            "2341", ("review-state", "checklist", "review-logs", "timeline"), strict=True
        ):
            await pilot.press(key)
            await until(lambda name=name: on_screen() == [name], pilot=pilot, what=name)
            assert tabs.active == f"tab-{name}"
        await pilot.press("2")
        await until(lambda: on_screen() == ["review-state"], pilot=pilot, what="the state")
        at = screen.at
        await pilot.press("left")
        await until(lambda: screen.at != at, pilot=pilot, what="a step back, state in view")
        assert "At " in str(screen.query_one("#state-text", Static).render())
        # Wide: the grid again, every pane on screen.
        await pilot.resize_terminal(140, 40)
        await until(lambda: len(on_screen()) == 4, pilot=pilot, what="the grid")
        assert not tabs.display
