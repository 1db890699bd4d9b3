"""session.cells: tab stops, cell widths, cutting by cells and wrapping, against Rich's
``cell_len`` (what Textual draws with)."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from incident.sanitize import visible
from session import cells
from session.cells import Geometry, cut, expand_tabs, rows, shift, tab_shifts, width, wrap

# Lines as they reach the view: sanitised (no control but TAB, no zero width joiner), with
# plenty of tabs, wide characters (CJK, emoji), combining marks and variation selectors.
PIECES = st.sampled_from(
    ["\t", "a", "日", "本", "🔥", "e\u0301", "\u0301", "❤\ufe0f", "☃", "\ufe0f", "é", " ", "x"]
)
CHARS = st.characters(blacklist_categories=("Cs",))
LINES = st.lists(st.one_of(PIECES, CHARS), max_size=60).map("".join).map(visible)


def test_tabs_stop_every_eight_cells_from_the_line_start():
    assert expand_tabs("a\tb") == "a" + " " * 7 + "b"
    assert expand_tabs("\tb") == " " * 8 + "b"
    assert expand_tabs("abcdefgh\ti") == "abcdefgh" + " " * 8 + "i"
    assert expand_tabs("日本\tx") == "日本" + " " * 4 + "x"  # columns are cells
    assert expand_tabs("\tx", col=3) == " " * 5 + "x"  # a slice starting at column 3
    assert width("\tat com.example.Main.run(Main.java:42)") == 8 + len(
        "at com.example.Main.run(Main.java:42)"
    )
    assert width("🔥\t") == 8


def test_widths_are_cells():
    assert width("日本語") == 6 and width("e\u0301") == 1 and width("abc") == 3
    assert cells.widest(["abc", "日本語", "a\tb"]) == 9
    assert cells.widest(["x" * 10, "日本"]) == 10
    assert cells.widest(["e\u0301" * 10, "x" * 12]) == 12  # longer in characters, not cells


def test_wide_characters_are_never_split_by_a_wrap():
    assert wrap("日" * 5, 4) == ["日日", "日日", "日"]
    assert wrap("a" + "日" * 3, 4) == ["a日", "日日"]  # the row a wide one left is short
    assert rows("a" + "日" * 3, 4) == 2
    assert wrap("日" * 240, 72) == ["日" * 36] * 6 + ["日" * 24]


def test_a_cut_pads_what_a_wide_character_leaves():
    assert cut("ab日本c", 3, 6) == ("本", 1, 0)  # 日 straddles the left edge
    assert cut("ab日本c", 2, 5) == ("日", 0, 1)  # 本 straddles the right edge
    assert cut("日", 1, 2) == ("", 1, 0)
    assert cut("a\tb", 3, 9) == (" " * 5 + "b", 0, 0)  # a tab's spaces are cut like spaces
    assert cut("abc", 1, 99) == ("bc", 0, 0)


def test_a_long_line_is_found_by_bisection():
    line = "ERROR " + "日本" * 20_000 + "\tEND"
    g = Geometry(line)
    assert len(g._runs) < 10 and g.width == 6 + 80_000 + 2 + 3
    assert cut(line, g.width - 5, g.width, g) == ("  END", 0, 0)


@settings(max_examples=400, deadline=None)
@given(line=LINES, size=st.integers(2, 30))
def test_wrapping_then_joining_gives_the_expanded_line_back(line, size):
    got = wrap(line, size)
    assert "".join(got) == expand_tabs(line)
    assert all(cell_len(row) <= size for row in got)  # no row wider than the view
    assert len(got) == rows(line, size) == len(Geometry(line).breaks(size))
    # every character exactly once, none split: each row starts on a grapheme boundary
    whole = expand_tabs(line)
    bounds = {s for s, _e, _w in split_graphemes(whole)[0]} | {len(whole)}
    at = 0
    for row in got:
        assert at in bounds or whole[at - 1] == " ", (at, got)
        at += len(row)
    # rows are full unless a wide character (or the line's end) stops them
    for row, nxt in pairwise(got):
        first = split_graphemes(nxt)[0][0][2]  # the cells of the next row's first grapheme
        assert cell_len(row) == size or (cell_len(row) == size - 1 and first == 2)


@settings(max_examples=400, deadline=None)
@given(line=LINES)
def test_widths_agree_with_rich(line):
    whole = expand_tabs(line)
    assert width(line) == cell_len(whole) == Geometry(line).width
    assert cut(line, 0, width(line)) == (whole, 0, 0)
    expanded, after, extra = tab_shifts(line)
    assert expanded == whole
    assert all(whole[shift(i, after, extra)] == c for i, c in enumerate(line) if c != "\t")
    assert shift(len(line), after, extra) == len(whole)


@settings(max_examples=400, deadline=None)
@given(line=LINES, data=st.data())
def test_a_cut_fills_its_cells_exactly(line, data):
    w = width(line)
    lo = data.draw(st.integers(0, w))
    hi = data.draw(st.integers(lo, w))
    text, left, right = cut(line, lo, hi)
    assert left + cell_len(text) + right == hi - lo
    assert text in expand_tabs(line)
    mid = data.draw(st.integers(lo, hi))
    a, b = cut(line, lo, mid), cut(line, mid, hi)
    if lo < mid < hi and a[2] == b[1] == 0:  # no wide one cut at mid: halves, whole
        assert (a[0] + b[0], a[1], b[2]) == (text, left, right)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINES, min_size=1, max_size=8))
def test_widest_is_the_widest_width(lines):
    assert (
        cells.widest(lines)
        == max(map(width, lines))
        == max(cell_len(expand_tabs(x)) for x in lines)
    )
