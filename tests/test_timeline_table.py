"""The timeline's table with Pilot: header, rows cut to their columns, cursor and keys,
styles, and rows added without a layout pass of the screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen

from tui.widgets.timeline_table import TimelineTable


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[tuple[int, str]] = []

    def compose(self) -> ComposeResult:
        yield TimelineTable(id="t")

    def on_timeline_table_row_highlighted(self, event: TimelineTable.RowHighlighted) -> None:
        self.highlighted.append((event.cursor_row, event.row_key))


def lines(table: TimelineTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def columns(table: TimelineTable) -> None:
    for label, width in (("Time", 5), ("Event", 12), ("Act", 4), ("Who", 5)):
        table.add_column(label, width=width, key=label)


def fill(table: TimelineTable, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        table.add_row(
            Text(f"10:{i:02d}", style="dim"),
            Text(f"event {i} " + "x" * 30),
            Text("act"),
            Text("@me"),
            key=str(i),
        )


async def test_header_rows_and_cells_cut_to_their_columns():
    app = Host()
    async with app.run_test(size=(40, 8)) as pilot:
        t = app.query_one(TimelineTable)
        columns(t)
        fill(t, 3)
        await pilot.pause()
        shown = lines(t)
        assert shown[0].startswith(" Time   Event         Act   Who ")
        assert shown[1].startswith(" 10:00  event 0 xxx…  act   @me ")
        assert t.row_count == 3 and t.get_row_at(2)[1].plain.startswith("event 2")
        assert [c.label for c in t.columns.values()] == ["Time", "Event", "Act", "Who"]
        # the cell's own style is kept under the row's
        seg = next(s for s in t.render_line(1) if "10:00" in s.text)
        assert seg.style is not None and seg.style.dim


async def test_cursor_keys_scroll_and_announce_rows():
    app = Host()
    async with app.run_test(size=(40, 8)) as pilot:
        t = app.query_one(TimelineTable)
        columns(t)
        fill(t, 50)
        t.focus()
        t.move_cursor(row=49)
        await pilot.pause()
        assert t.cursor_row == 49 and t.cursor_key() == "49"
        assert t.scroll_y == t.max_scroll_y  # the newest row is on screen
        assert "event 49" in lines(t)[-1]
        await pilot.press("up", "up")
        assert t.cursor_row == 47
        await pilot.press("ctrl+home")
        assert t.cursor_row == 0 and t.scroll_y == 0 and "event 0" in lines(t)[1]
        await pilot.press("pagedown")
        assert t.cursor_row > 0
        await pilot.press("ctrl+end")
        assert t.cursor_row == 49
        await pilot.pause()
        assert (47, "47") in app.highlighted and (0, "0") in app.highlighted
        assert app.highlighted[-1] == (49, "49")
        # A redraw that puts another row under the cursor announces it.
        t.clear()
        fill(t, 50, start=100)
        t.move_cursor(row=0)
        await pilot.pause()
        assert app.highlighted[-1] == (0, "100")


async def test_a_click_selects_the_row_under_it():
    app = Host()
    async with app.run_test(size=(40, 8)) as pilot:
        t = app.query_one(TimelineTable)
        columns(t)
        fill(t, 5)
        await pilot.pause()
        await pilot.click(TimelineTable, offset=(3, 3))  # header, row 0, row 1, row 2
        assert t.cursor_row == 2
        await pilot.click(TimelineTable, offset=(3, 0))  # the header selects nothing
        assert t.cursor_row == 2


async def test_rows_added_to_a_scrolling_table_need_no_layout_of_the_screen(monkeypatch):
    """A note arriving is a row more: the scroll range grows, nothing else moves (a layout
    pass arranged and repainted every pane, for each batch of notes)."""
    app = Host()
    async with app.run_test(size=(40, 8)) as pilot:
        t = app.query_one(TimelineTable)
        columns(t)
        fill(t, 30)
        t.move_cursor(row=29)
        await pilot.pause()
        layouts: list[int] = []
        refresh_layout = Screen._refresh_layout

        def spy(self, *args, **kwargs):
            layouts.append(1)
            return refresh_layout(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", spy)
        for i in range(30, 40):
            fill(t, 1, start=i)
            t.move_cursor(row=t.row_count - 1)
            t.scroll_end(animate=False, immediate=True)
            await pilot.pause()
        assert layouts == []
        assert t.virtual_size.height == 41  # 40 rows and the header
        assert t.scroll_y == t.max_scroll_y and "event 39" in lines(t)[-1]


async def test_a_row_added_draws_itself_and_the_cursor_rows_not_the_others(monkeypatch):
    """Notes arrive several times a second under load: each draws the new row and the
    two the cursor left and reached; the rows already drawn are kept, and read the same."""
    app = Host()
    async with app.run_test(size=(40, 10)) as pilot:
        t = app.query_one(TimelineTable)
        columns(t)
        fill(t, 30)
        t.move_cursor(row=29)
        await pilot.pause()
        before = lines(t)
        drawn: list[int] = []
        strip = TimelineTable._strip

        def spy(self, cells, style, width):
            drawn.append(1)
            return strip(self, cells, style, width)

        monkeypatch.setattr(TimelineTable, "_strip", spy)
        fill(t, 1, start=30)
        t.move_cursor(row=t.row_count - 1)
        await pilot.pause()
        assert 1 <= len(drawn) <= 4  # the header, the new row, the two cursor rows at most
        after = lines(t)
        assert after[1:-2] == before[2:-1]  # everything else scrolled up one row, unchanged
        assert "event 30" in after[-1]
        monkeypatch.setattr(TimelineTable, "_strip", strip)
        t.clear()
        fill(t, 5)
        await pilot.pause()
        assert "event 30" not in "".join(lines(t))  # a clear draws every row again
