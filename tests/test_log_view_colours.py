"""LogView with Pilot: a program's colours are drawn as colours (no ``␛[31m`` text), every
other escape stays visible, and a line takes its level's colour from its level field."""

from __future__ import annotations

from rich.color import Color

from incident.sanitize import decode
from tests.test_log_view import Host, framed, screen_text
from tests.waiting import until
from tui.widgets.log_view import LogView


def segments(lv: LogView, y: int) -> list[tuple[str, object]]:
    """(text, style) of each segment of row ``y``, as drawn."""
    return [(seg.text, seg.style) for seg in lv.render_line(y)]


def colour_of(lv: LogView, y: int, text: str) -> Color | None:
    for seg_text, style in segments(lv, y):
        if text in seg_text:
            return style.color
    raise AssertionError(f"{text!r} is not in row {y}: {segments(lv, y)}")


async def test_program_colours_are_drawn_and_their_codes_are_not():
    app = Host()
    async with app.run_test(size=(100, 8)) as pilot:
        lv = app.query_one(LogView)
        lv.append(
            [
                decode(b"\x1b[31mred\x1b[0m then plain, \x1b[1;38;5;208morange\x1b[m, \x1b[2J"),
                decode(b"\x1b[38;2;10;20;30mrgb\x1b[0m \x1b[4munder\x1b[24m \x1b[42mbg\x1b[49m"),
            ]
        )
        await framed(pilot, lv)
        rows = screen_text(app).splitlines()
        assert rows[0] == "      1 red then plain, orange, ␛[2J".ljust(lv.size.width)
        assert rows[1].startswith("      2 rgb under bg")
        assert "␛[31m" not in screen_text(app) and "␛[m" not in screen_text(app)
        row0 = dict(segments(lv, 0))
        assert row0["red"].color == Color.from_ansi(1)
        assert row0["orange"].color == Color.from_ansi(208) and row0["orange"].bold
        plain = row0[" then plain, "]
        assert plain.color != Color.from_ansi(1) and not plain.bold
        row1 = dict(segments(lv, 1))
        assert row1["rgb"].color == Color.from_rgb(10, 20, 30)
        assert row1["under"].underline and not row1[" "].underline
        assert row1["bg"].bgcolor == Color.from_ansi(2)


async def test_colours_follow_a_line_scrolled_sideways_and_wrapped():
    app = Host()
    line = "x" * 150 + decode(b"\x1b[32mGREEN\x1b[0m") + "y" * 10
    async with app.run_test(size=(80, 8)) as pilot:
        lv = app.query_one(LogView)
        lv.append([line])
        await framed(pilot, lv)
        lv.scroll_to(x=120, animate=False, immediate=True)
        await until(lambda: lv.scroll_offset.x > 0, pilot=pilot, what="scrolled right")
        assert colour_of(lv, 0, "GREEN") == Color.from_ansi(2)
        lv.set_wrap(True)
        await framed(pilot, lv)
        rows = screen_text(app).splitlines()
        at = next(i for i, row in enumerate(rows) if "GR" in row)
        assert colour_of(lv, at, "GR") == Color.from_ansi(2)  # (72 columns a row: 144 + 6)


async def test_the_level_colour_comes_from_the_level_field():
    app = Host()
    async with app.run_test(size=(100, 8)) as pilot:
        lv = app.query_one(LogView)
        lv.append(
            [
                "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
                "2024-01-01 12:00:00 INFO Transaction E7520 completed with no error",
                'time=2024-01-01T00:00:00Z level=warn msg="disk at 91%"',
                decode(b"\x1b[33mWARN\x1b[0m 2024-01-01 the program's yellow wins"),
            ]
        )
        await framed(pilot, lv)
        error = lv.get_component_rich_style("level-error").color
        warn = lv.get_component_rich_style("level-warn").color
        assert colour_of(lv, 0, "mod_jk") == error
        assert colour_of(lv, 1, "E7520") not in (error, warn)
        assert colour_of(lv, 2, "disk") == warn
        assert colour_of(lv, 3, "WARN") == Color.from_ansi(3)
        assert colour_of(lv, 3, "the program") == warn  # (the level of the plain line)


async def test_a_finished_line_that_replaces_an_unfinished_one_takes_its_own_level():
    """An unfinished last line is shown, then taken back and replaced by the finished line
    under the same seq: its level colour is the finished line's, not the one remembered."""
    app = Host()
    async with app.run_test(size=(100, 8)) as pilot:
        lv = app.query_one(LogView)
        lv.append(["2024-01-01 12:00:00 ERROR disk"])
        await framed(pilot, lv)
        error = lv.get_component_rich_style("level-error").color
        assert colour_of(lv, 0, "disk") == error
        lv.buffer.retract(1)
        lv.append(["2024-01-01 12:00:00 INFO disk fine"])
        await framed(pilot, lv)
        assert colour_of(lv, 0, "disk fine") != error
