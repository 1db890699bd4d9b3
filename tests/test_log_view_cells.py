"""LogView with Pilot, on what real logs hold: tabs (Java stack traces), wide characters
(CJK, emoji), line numbers of 8 digits and more, lines far wider than the screen, and a
search that must bring its match into view."""

from __future__ import annotations

from rich.cells import cell_len

from incident.query import pattern_for
from session.cells import expand_tabs, wrap
from tests.test_log_view import Host, framed
from tests.waiting import until
from tui.widgets.log_cells import LineCells
from tui.widgets.log_view import LogView

CJK = "".join(chr(0x4E00 + i) for i in range(240))  # 240 distinct CJK characters


def rows(lv: LogView) -> list[str]:
    return [lv.render_line(y).text for y in range(lv.size.height)]


def bodies(lv: LogView, gutter: int) -> str:
    """What the rows show after the gutter, joined (wrap on: the lines' text, in order)."""
    return "".join(row[gutter:].rstrip(" ") for row in rows(lv))


async def test_tabs_are_expanded_to_stops_of_eight():
    app = Host()
    trace = [
        'Exception in thread "main" java.lang.IllegalStateException: boom',
        "\tat com.example.Main.run(Main.java:42)",
        "\tat com.example.Main.main(Main.java:7)",
        "a\tb\tc|",
        "日本\tx|",
    ]
    async with app.run_test(size=(80, 10)) as pilot:
        lv = app.query_one(LogView)
        lv.append(trace)
        await framed(pilot, lv)
        shown = rows(lv)
        assert not any("\t" in seg.text for y in range(5) for seg in lv.render_line(y))
        assert shown[1] == f"{2:>7} " + " " * 8 + "at com.example.Main.run(Main.java:42)" + " " * 27
        assert shown[3].startswith(f"{4:>7} a       b       c|")
        assert shown[4].startswith(f"{5:>7} 日本    x|")
        assert all(lv.render_line(y).cell_length == 80 for y in range(5))
        assert lv.virtual_size.width == 8 + len(expand_tabs(trace[0])) + 1


async def test_cjk_wraps_whole_at_80_columns():
    """240 CJK characters with wrap on at 80 columns: 123 of them showed, the end lost."""
    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        lv = app.query_one(LogView)
        lv.append(["before", CJK, "after"])
        lv.set_wrap(True)
        await framed(pilot, lv)
        shown = rows(lv)
        assert bodies(lv, 8) == "before" + CJK + "after"
        assert all(cell_len(row) <= 80 for row in shown)
        assert all(lv.render_line(y).cell_length == 80 for y in range(lv.size.height))
        assert shown[1][8:] == CJK[:36]  # 72 cells: 36 wide characters a row


async def test_wrap_shows_every_character_once_in_order():
    app = Host()
    line = "".join(f"{i:04d}," for i in range(400))  # 2,000 characters, none alike in a row
    async with app.run_test(size=(60, 50)) as pilot:
        lv = app.query_one(LogView)
        lv.append([line, "x\ty" * 30, "🔥" * 40 + "end"])
        lv.set_wrap(True)
        await framed(pilot, lv)
        assert lv.size.height >= lv.buffer.rows()  # every row on screen
        width = lv.scrollable_content_region.width
        size = width - 8
        expected = [
            row + " " * (size - cell_len(row))
            for text in (line, "x\ty" * 30, "🔥" * 40 + "end")
            for row in wrap(text, size)
        ]
        assert [row[8:] for row in rows(lv)[: len(expected)]] == expected
        assert "".join(expected).replace(" ", "") == (line + "xy" * 30 + "🔥" * 40 + "end")
        assert all(lv.render_line(y).cell_length == width for y in range(lv.buffer.rows()))


async def test_the_gutter_widens_for_line_ten_million():
    app = Host()
    async with app.run_test(size=(80, 6)) as pilot:
        lv = app.query_one(LogView)
        lv.append(["nine", "ten"], first_no=9_999_999)
        await framed(pilot, lv)
        shown = rows(lv)
        assert shown[0].startswith(" 9999999 nine")
        assert shown[1].startswith("10000000 ten")  # the text stays in one column
        lv.set_wrap(True)
        lv.append(["w" * 150])
        await framed(pilot, lv)
        shown = rows(lv)
        assert shown[2] == "10000001 " + "w" * 71
        assert shown[3] == " " * 9 + "w" * 71
        assert shown[4] == " " * 9 + "w" * 8 + " " * 63


async def test_the_end_of_a_long_line_is_reached_by_scrolling():
    app = Host()
    line = "".join(f"{i:07d}|" for i in range(1250)) + "THE-END"  # 10,007 characters
    async with app.run_test(size=(80, 6)) as pilot:
        lv = app.query_one(LogView)
        lv.append(["short", line, "日本語" * 2000 + "CJK-END"])
        await framed(pilot, lv)
        assert lv.virtual_size.width >= 8 + 12_007
        lv.scroll_to(x=lv.max_scroll_x, animate=False, immediate=True)
        await until(lambda: lv.scroll_offset.x == lv.max_scroll_x, pilot=pilot, what="at the end")
        shown = rows(lv)
        assert shown[2].rstrip().endswith("日本語CJK-END")
        lv.scroll_to(x=8 + 10_007 - 80, animate=False, immediate=True)
        await until(lambda: lv.scroll_offset.x == 8 + 10_007 - 80, pilot=pilot, what="scrolled")
        assert rows(lv)[1].endswith("|0001249|THE-END")
        lv.scroll_to(x=8 + 1, animate=False, immediate=True)  # an odd column: 日 cut
        await until(lambda: lv.scroll_offset.x == 9, pilot=pilot, what="scrolled")
        row = lv.render_line(2)
        assert row.cell_length == 80 and row.text.startswith(" 本語日本語")


async def test_find_scrolls_sideways_to_the_match():
    app = Host()
    line = "x" * 5000 + " needle " + "y" * 5000
    async with app.run_test(size=(80, 8)) as pilot:
        lv = app.query_one(LogView)
        lv.focus()
        lv.append(["first", line, *[f"filler {i}" for i in range(20)]])
        await framed(pilot, lv)
        lv.set_search(pattern_for("needle"))
        assert lv.find(forward=True)
        await until(
            lambda: any("needle" in row for row in rows(lv)),
            pilot=pilot,
            what="the match in view",
            seen=lambda: (lv.scroll_offset, rows(lv)),
        )
        assert lv.scroll_offset.x > 4900
        lv.scroll_to(x=0, animate=False, immediate=True)
        lv.set_wrap(True)
        await framed(pilot, lv)
        lv.cursor = None
        assert lv.find(forward=True)
        await until(
            lambda: any("needle" in row for row in rows(lv)),
            pilot=pilot,
            what="the match's wrap row in view",
            seen=lambda: (lv.scroll_offset, rows(lv)),
        )


async def test_wrap_under_a_scrollbar_shows_every_character_once():
    """Wrapped rows taller than the view bring a scrollbar, which takes 2 columns: the rows
    must be cut at what is left, all of them reachable by scrolling."""
    app = Host()
    line = "".join(f"{i:04d}," for i in range(400))
    async with app.run_test(size=(60, 10)) as pilot:
        lv = app.query_one(LogView)
        lv.focus()
        lv.append(["first", line, "last"])
        await framed(pilot, lv)
        lv.set_wrap(True)
        await framed(pilot, lv)
        await until(lambda: lv.show_vertical_scrollbar, pilot=pilot, what="a scrollbar")
        await until(
            lambda: lv.buffer.wrap_width == lv.scrollable_content_region.width - 8,
            pilot=pilot,
            what="rows as wide as what the scrollbar leaves",
        )
        seen: list[str] = []
        for top in range(0, lv.buffer.rows(), lv.size.height):
            lv.scroll_to(y=top, animate=False, immediate=True)
            await until(
                lambda top=top: lv.scroll_offset.y == min(top, lv.max_scroll_y), pilot=pilot
            )
            skip = top - lv.scroll_offset.y
            seen += [row[8:].rstrip(" ") for row in rows(lv)[skip:]]
        assert "".join(seen) == "first" + line + "last"


def test_the_geometry_kept_is_bounded_in_lines_and_runs():
    kept = LineCells(size=3, max_runs=100)
    for seq in range(5):
        kept.geometry(seq, f"{seq} 日本")  # 3 runs each: the line count bounds them
    assert list(kept._kept) == [2, 3, 4]
    mixed = ["a日" * 40 + str(seq) for seq in range(5)]  # 81 runs each: one fits
    for seq, line in enumerate(mixed, start=10):
        geometry = kept.geometry(seq, line)
        assert kept.geometry(seq, line) is geometry  # kept while it is drawn
    assert list(kept._kept) == [14] and kept._runs == 81
    assert kept.geometry(99, "plain ascii") is None  # a character is a cell: nothing kept
