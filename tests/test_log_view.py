"""LogView with Pilot: follow, pause with a pending count, search, filter, wrap, literal text."""

from __future__ import annotations

from textual.app import App, ComposeResult

from incident.patterns import compile_pattern
from incident.query import pattern_for
from tests.waiting import until
from tui.widgets.log_view import LogView


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(id="lv")


def screen_text(app: App) -> str:
    lv = app.query_one(LogView)
    return "\n".join(lv.render_line(y).text for y in range(lv.size.height))


def caught_up(lv: LogView) -> bool:
    """The view's frames (on a timer) have caught up with its buffer: the scroll range holds
    every row, and a view that follows is at the end of it."""
    return lv.virtual_size.height == lv.buffer.rows() and (
        not lv.following or lv.scroll_y == lv.max_scroll_y
    )


async def framed(pilot, lv: LogView) -> None:
    """Wait for the frame that shows what was appended (or filtered, or wrapped)."""
    await until(
        lambda: caught_up(lv),
        pilot=pilot,
        what="the log view caught up with its buffer",
        seen=lambda: (lv.virtual_size, lv.buffer.rows(), lv.scroll_y, lv.max_scroll_y),
    )


async def test_follows_then_pauses_and_counts():
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        lv = app.query_one(LogView)
        lv.focus()
        lv.append([f"line {i}" for i in range(100)])
        await framed(pilot, lv)
        assert "line 99" in screen_text(app)
        await pilot.press("up", "up")
        assert lv.following is False
        lv.append([f"more {i}" for i in range(30)])
        await framed(pilot, lv)
        assert lv.pending == 30
        assert "more 29" not in screen_text(app)  # paused: the view stays put
        await pilot.press("end")
        await framed(pilot, lv)
        assert lv.following and lv.pending == 0
        assert "more 29" in screen_text(app)


async def test_keeps_following_past_its_bound():
    app = Host()
    async with app.run_test(size=(80, 10)) as pilot:
        lv = app.query_one(LogView)
        lv.buffer.capacity = 1000
        lv.buffer.__init__(1000)
        for k in range(20):
            lv.append([f"n {k * 500 + i}" for i in range(500)])
            await until(  # a frame for each batch: the newest line is followed
                lambda k=k: f"n {k * 500 + 499}" in screen_text(app),
                pilot=pilot,
                what=f"batch {k} followed",
            )
        assert len(lv.buffer) == 1000 and lv.following
        assert "n 9999" in screen_text(app)


async def test_search_filter_and_wrap():
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        lv = app.query_one(LogView)
        lv.focus()
        lv.append(["alpha", "ERROR beta", "gamma", "ERROR delta " + "z" * 80, "omega"])
        await framed(pilot, lv)
        lv.set_search(pattern_for("error"))
        assert lv.find(forward=False)
        assert lv.buffer.line(lv.cursor).startswith("ERROR delta")
        assert lv.find(forward=False)
        assert lv.buffer.line(lv.cursor) == "ERROR beta"
        assert not lv.find(forward=False)
        lv.set_filter(compile_pattern("ERROR"))
        await framed(pilot, lv)
        assert lv.buffer.view_len() == 2 and "gamma" not in screen_text(app)
        lv.set_wrap(True)
        await framed(pilot, lv)
        assert lv.virtual_size.height > 2  # the long line takes several rows
        assert "zzz" in screen_text(app)


async def test_markup_and_controls_stay_literal():
    app = Host()
    async with app.run_test(size=(80, 6)) as pilot:
        lv = app.query_one(LogView)
        lv.append(["[bold red]boom[/] [link=http://x]y[/link] ␛]0;t␇"])
        await framed(pilot, lv)
        text = screen_text(app)
        assert "[bold red]boom[/]" in text and "[link=http://x]y[/link]" in text


def test_pattern_for_smartcase_and_fallback():
    assert pattern_for("err").search("ERR")
    assert not pattern_for("Err").search("ERR")
    assert pattern_for("a(b").search("xa(b")  # not a regex: taken literally
    assert pattern_for("") is None


async def test_a_growing_log_repaints_itself_without_a_layout_of_the_screen(monkeypatch):
    """Each frame of a busy source grows the scroll range; a layout pass for that arranges
    and repaints the whole screen (the timeline too), at up to 20 frames a second."""
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        lv = app.query_one(LogView)
        lv.append([f"line {i}" for i in range(100)])
        await framed(pilot, lv)
        await until(lambda: lv.show_vertical_scrollbar, pilot=pilot, what="the scrollbar")
        assert lv.show_vertical_scrollbar and lv.following
        layouts: list[bool] = []
        refresh = LogView.refresh

        def spy(self, *regions, layout: bool = False, **kw):
            layouts.append(layout)
            return refresh(self, *regions, layout=layout, **kw)

        monkeypatch.setattr(LogView, "refresh", spy)
        for k in range(10):
            lv.append([f"more {k}"])
            lv._frame()
            await pilot.pause()
        assert layouts and not any(layouts)
        assert lv.virtual_size.height == 110
        assert lv.vertical_scrollbar.window_virtual_size == 110
        assert lv.scroll_y == lv.max_scroll_y  # still following the end
        assert "more 9" in screen_text(app)


async def test_a_hidden_log_waits_to_be_shown_and_then_catches_up(monkeypatch):
    """A source in a tab not shown (or the logs pane behind another at 80x24) keeps its
    lines and its pending count, but draws no frames: each one was a layout pass of the
    whole screen, ten a second, for nothing on screen."""
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        lv = app.query_one(LogView)
        lv.append([f"line {i}" for i in range(100)])
        await framed(pilot, lv)
        lv.display = False
        await until(lambda: not lv.region, pilot=pilot, what="the view hidden")
        frames: list[int] = []
        ticks: list[int] = []
        frame, tick = LogView._frame, LogView._tick

        def spy(self) -> None:
            frames.append(self.buffer.total)
            frame(self)

        def counted(self) -> None:
            ticks.append(self.buffer.total)
            tick(self)

        monkeypatch.setattr(LogView, "_frame", spy)
        monkeypatch.setattr(LogView, "_tick", counted)
        for k in range(5):
            lv.append([f"hidden {k}"])
            total = lv.buffer.total
            await until(  # the frame timer came round after it: a frame could have been drawn
                lambda total=total: ticks and ticks[-1] >= total,
                pilot=pilot,
                what=f"a frame's tick after hidden {k}",
            )
        assert frames == [] and lv.virtual_size.height == 100
        lv.display = True
        await until(lambda: frames, pilot=pilot, what="a frame once shown")
        await framed(pilot, lv)
        assert frames and lv.virtual_size.height == 105
        assert lv.following and lv.scroll_y == lv.max_scroll_y
        assert "hidden 4" in screen_text(app)


async def test_a_long_line_draws_only_what_is_on_screen(monkeypatch):
    """A row of a 64 KiB line was laid out whole, for every row of every frame: about 5 ms
    each, which starved the loop (and its reads) and left hundreds of MB to the allocator.
    A row now lays out what the view can show, and shows the same."""
    import tui.widgets.log_view as log_view

    made: list[int] = []

    class Counted(log_view.Text):
        def __init__(self, text: str = "", *args, **kwargs) -> None:
            made.append(len(text))
            super().__init__(text, *args, **kwargs)

    monkeypatch.setattr(log_view, "Text", Counted)
    app = Host()
    line = "ERROR " + "".join(f"{i:07d}|" for i in range(8192)) + "... [983,040 bytes cut]"
    async with app.run_test(size=(80, 10)) as pilot:
        lv = app.query_one(LogView)
        lv.append(["short", line, "WARN after"])
        lv.set_search(pattern_for("0000500"))
        await framed(pilot, lv)
        await pilot.pause()
        made.clear()
        rows = screen_text(app).splitlines()
        assert rows[1].startswith("      2 ERROR 0000000|0000001|")
        assert max(made) <= 80 + 64, max(made)
        lv.scroll_to(x=4000, animate=False, immediate=True)  # (about as far as it goes)
        await until(lambda: lv.scroll_offset.x > 0, pilot=pilot, what="scrolled right")
        made.clear()
        row = lv.render_line(1)
        start = int(lv.scroll_offset.x) - 8  # (the gutter)
        assert start > 3900 and row.text == line[start : start + 80]
        assert max(made) <= 4000 + 80 + 64
        match = lv.get_component_rich_style("match")
        assert [seg.text for seg in row if seg.style and seg.style.bgcolor == match.bgcolor] == [
            "0000500"
        ]  # the search's match is highlighted there too
        lv.set_wrap(True)
        await framed(pilot, lv)
        made.clear()
        screen_text(app)
        assert max(made) <= 80
