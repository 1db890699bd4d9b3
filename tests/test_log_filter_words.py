"""A log pane's search and filter say how they read the text (a regex or literally) and what
they match; ``[error]`` is read literally, ``=`` and ``~`` force a reading, and ctrl+t in the
bar flips it (Pilot, on a pane fed directly, no source process)."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from incident.journal import SourceSpec
from incident.state import SourceState
from session.log_buffer import LogBuffer
from tests.waiting import until
from tui.app import WarRoomApp
from tui.screens.help import help_content
from tui.widgets.log_source import SourcePane
from tui.widgets.log_view import LogView

AT = datetime(2026, 11, 25, 15, 8, tzinfo=UTC)
LINES = [
    "[notice] worker started",
    "[error] disk full on /var",
    "[notice] retrying",
    "[client 10.0.0.7] GET /health 200",
    "[notice] pool resized",
    "[error] write failed",
    "[notice] done",
    "[client 10.0.0.8] GET /metrics 200",
    "[notice] flushed",
    "[notice] idle",
]  # 2 of 10 hold "[error]"; as a regex class [error] matches all 10


class Host(App[None]):
    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.buffer = LogBuffer()
        self.buffer.append(lines)

    def compose(self) -> ComposeResult:
        source = SourceState(
            id="s1",
            spec=SourceSpec(kind="cmd", name="app", command="tail -F /var/log/app.log"),
            state="started",
            added_at=AT,
            changed_at=AT,
        )
        yield SourcePane(source, self.buffer, id="pane")


def status(app: App) -> str:
    return str(app.query_one("#src-status", Label).render())


def shown(pane: SourcePane) -> list[str]:
    buf = pane.buffer
    return [buf.line(buf.view_seq(i)) for i in range(buf.view_len())]


async def ready(pilot) -> SourcePane:
    pane = pilot.app.query_one(SourcePane)
    pane.view.focus()
    await until(lambda: isinstance(pilot.app.focused, LogView), pilot=pilot)
    await until(lambda: "tail -F" in status(pilot.app), pilot=pilot, seen=lambda: status(pilot.app))
    return pane


async def apply(pilot, key: str, text: str, *, toggle: bool = False) -> None:
    """``&`` (or ``/``), the text, ctrl+t if asked, Enter: back in the view."""
    app = pilot.app
    await pilot.press(key)
    box = app.query_one("#src-query", Input)
    await until(lambda: box.has_focus, pilot=pilot, what="the bar open")
    box.value = text
    if toggle:
        await pilot.press("ctrl+t")
    await pilot.press("enter")
    await until(lambda: isinstance(app.focused, LogView), pilot=pilot, what="back in the view")


async def test_a_bracketed_word_filters_literally_and_says_so():
    app = Host(LINES)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await ready(pilot)
        await apply(pilot, "ampersand", "[error]")
        assert shown(pane) == ["[error] disk full on /var", "[error] write failed"]
        said = await until(
            lambda: "2 of 10 lines" in status(app) and status(app),
            pilot=pilot,
            seen=lambda: status(app),
        )
        assert 'filter "[error]" (literal; ~ for regex) 2 of 10 lines' in said

        # The toggle key in the bar flips the reading, and the count with it.
        await apply(pilot, "ampersand", "[error]", toggle=True)
        assert app.query_one("#src-query", Input).value == "~[error]"
        assert len(shown(pane)) == 10
        said = await until(lambda: "passes all" in status(app) and status(app), pilot=pilot)
        assert 'filter "~[error]" (regex) passes all 10 lines' in said

        # And back: ~ becomes =, literal again.
        await apply(pilot, "ampersand", "~[error]", toggle=True)
        assert app.query_one("#src-query", Input).value == "=[error]"
        said = await until(lambda: "2 of 10" in status(app) and status(app), pilot=pilot)
        assert 'filter "=[error]" (literal) 2 of 10 lines' in said


async def test_a_filter_that_passes_everything_says_so_and_new_lines_update_the_count():
    app = Host(LINES)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await ready(pilot)
        await apply(pilot, "ampersand", ".")
        said = await until(lambda: "passes all" in status(app) and status(app), pilot=pilot)
        assert 'filter "." (regex) passes all 10 lines' in said
        await apply(pilot, "ampersand", "write")
        await until(lambda: "1 of 10 lines" in status(app), pilot=pilot, seen=lambda: status(app))
        pane.view.append(["write again", "nothing"])
        await until(lambda: "2 of 12 lines" in status(app), pilot=pilot, seen=lambda: status(app))
        await apply(pilot, "ampersand", "")  # empty: every line, and nothing said of a filter
        await until(lambda: "filter" not in status(app), pilot=pilot, seen=lambda: status(app))
        assert len(shown(pane)) == 12


async def test_the_search_counts_its_matching_lines_and_says_how_it_read_them():
    app = Host(LINES)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await ready(pilot)
        await apply(pilot, "slash", "=GET /")
        said = await until(
            lambda: "matching" in status(app) and status(app), pilot=pilot, seen=lambda: status(app)
        )
        assert 'search "=GET /" (literal) 2 matching lines' in said
        assert pane.buffer.line(pane.view.cursor) == "[client 10.0.0.8] GET /metrics 200"
        pane.view.append(["[client 10.0.0.9] GET /x 200"])
        await until(
            lambda: "3 matching lines" in status(app), pilot=pilot, seen=lambda: status(app)
        )
        await apply(pilot, "slash", "a(b")  # not a regex: literal, and said so
        said = await until(lambda: "no match" in status(app) and status(app), pilot=pilot)
        assert 'search "a(b" (literal: not a regex) no match' in said
        # the search counts the filtered view
        await apply(pilot, "ampersand", "=[notice]")
        await apply(pilot, "slash", "re")
        said = await until(
            lambda: "(regex) 2 matching" in status(app) and status(app),
            pilot=pilot,
            seen=lambda: status(app),
        )
        assert 'filter "=[notice]" (literal) 6 of 11 lines' in said


async def test_the_bar_says_how_its_text_reads_before_it_is_applied():
    app = Host(LINES)
    async with app.run_test(size=(100, 20)) as pilot:
        await ready(pilot)
        await pilot.press("ampersand")
        box = app.query_one("#src-query", Input)
        await until(lambda: box.has_focus, pilot=pilot)
        assert "=text: literal" in box.placeholder and "ctrl+t" in box.placeholder
        await pilot.press(*"[error]")
        await until(
            lambda: "filter reads as literal; ~ for regex" in status(app),
            pilot=pilot,
            seen=lambda: status(app),
        )
        await pilot.press("ctrl+t")
        await until(lambda: "filter reads as regex" in status(app), pilot=pilot)
        await pilot.press("escape")
        await until(lambda: "reads as" not in status(app), pilot=pilot, seen=lambda: status(app))


async def test_at_80_columns_the_filter_and_the_search_each_keep_a_whole_row():
    app = Host(LINES)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await ready(pilot)
        pane.live = "pid 12345 · 3% CPU · 45 MB · 1,204 lines/s · 1,234,567 lines"
        await apply(pilot, "ampersand", "[error]")
        await apply(pilot, "slash", "a(b")
        label = pane.query_one("#src-status", Label)
        await until(lambda: label.size.height == 4, pilot=pilot, seen=lambda: label.size)
        rows = [label.render_line(y).text for y in range(4)]
        assert "pid 12345" in rows[0], rows
        assert 'filter "[error]" (literal; ~ for regex) 2 of 10 lines' in rows[1], rows
        assert 'search "a(b" (literal: not a regex) no match' in rows[2], rows
        assert "$ tail -F /var/log/app.log" in rows[3], rows
        await apply(pilot, "ampersand", "")
        await apply(pilot, "slash", "")
        await until(lambda: label.size.height == 2, pilot=pilot, seen=lambda: label.size)
        assert "$ tail -F" in label.render_line(1).text


def test_help_lists_the_literal_mode():
    text = help_content(type("Bare", (App,), {"BINDINGS": WarRoomApp.BINDINGS})()).plain
    assert "ctrl+t  Regex/literal - In the search or filter bar" in text
    assert "= first: literal, ~ first: regex" in text
