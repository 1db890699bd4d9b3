"""Where the characters of a log line fall on the terminal: cells, tab stops, wrap rows.

Plain Python, no Textual. A line is sanitised text (``incident.sanitize``): the only control
character it holds is TAB, which a terminal would draw as a jump of the cursor, so the view
expands it to spaces up to the next stop of :data:`TAB` cells, counted from the line's first
character. Everything else takes the cells ``rich.cells`` says it takes (what Textual draws
with): 1 for most, 2 for wide characters (CJK, emoji), 0 for a combining mark, which stays
with the character before it. Characters are kept whole as Rich groups them
(``rich.cells.split_graphemes``): a wrap row never splits one, and a wide character that
does not fit at the end of a row starts the next one (the cell it leaves is padded).

Most lines are printable ASCII without a tab: a character is a cell, and every function here
takes that fast path (``str.isascii()`` and ``"\\t" not in line`` cost a few nanoseconds).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import filterfalse
from operator import itemgetter

from rich.cells import cell_len, get_character_cell_size, split_graphemes

TAB = 8
"""Cells between tab stops."""

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_JOINERS = ("\u200d", "\ufe0f")  # zero width joiner, variation selector 16: Rich's slow path


class _Widths(dict[str, int]):
    """Cells of one character, remembered (a dict lookup is cheaper than Rich's lru_cache);
    forgotten when it grows past 65,536 distinct characters."""

    def __missing__(self, char: str) -> int:
        if len(self) > 65_536:
            self.clear()
        width = self[char] = get_character_cell_size(char)
        return width


_WIDTHS = _Widths()

# Characters beyond ASCII taken to be one cell (and never grouped with the one before) when
# every other one of a line is too: Rich's own list, and what incident.sanitize writes for
# the controls it makes visible (control pictures, the brackets of ``⟨U+202E⟩``).
_NARROW = frozenset(
    c
    for c in (
        *(chr(n) for n in range(0xA0, 0x300)),
        *(chr(n) for n in range(0x370, 0x483)),
        *(chr(n) for n in range(0x2400, 0x2427)),
        *(chr(n) for n in range(0x2500, 0x25FD)),
        "⟨",
        "⟩",
    )
    if get_character_cell_size(c) == 1
)


def simple(line: str) -> bool:
    """A character is a cell: printable ASCII (sanitised) without a tab."""
    return line.isascii() and "\t" not in line


def _part_width(part: str) -> int:
    """Cells of text without a tab (``rich.cells.cell_len``, faster on mostly ASCII text)."""
    if part.isascii():
        return len(part)
    odd = "".join(_NON_ASCII.findall(part))
    if _NARROW.issuperset(odd):
        return len(part)
    if "\u200d" in odd or "\ufe0f" in odd:
        return cell_len(part)
    return len(part) - len(odd) + sum(map(_WIDTHS.__getitem__, odd))


def width(line: str, col: int = 0) -> int:
    """Cells ``line`` takes with its tabs expanded, drawn from column ``col``."""
    if "\t" not in line:
        return _part_width(line)
    parts = line.split("\t")
    at = col
    for part in parts[:-1]:
        at += _part_width(part)
        at += TAB - at % TAB
    return at + _part_width(parts[-1]) - col


def widest(lines: list[str]) -> int:
    """Cells of the widest of ``lines`` (not empty), tabs expanded. Mostly C-speed: a batch
    of printable ASCII without tabs is measured by ``len``; only the other lines are
    measured cell by cell."""
    longest = max(map(len, lines))
    blob = "".join(lines)
    if blob.isascii() and "\t" not in blob:
        return longest
    odd = (
        [line for line in lines if "\t" in line or not line.isascii()]
        if "\t" in blob
        else list(filterfalse(str.isascii, lines))
    )
    # Measured widest first (by an upper bound: a character takes no more cells than its
    # UTF-8 bytes, a tab 8 at most): the lines that cannot beat the widest so far are not
    # measured at all.
    bounds = [len(x.encode("utf-8", "surrogatepass")) + 7 * x.count("\t") for x in odd]
    best = 0
    for bound, line in sorted(zip(bounds, odd, strict=True), key=itemgetter(0), reverse=True):
        if bound <= best:
            break
        best = max(best, width(line))
    if best >= longest or max(map(len, odd)) < longest:  # (then a simple line is longest)
        return max(best, longest)
    return max(best, max((len(x) for x in lines if simple(x)), default=0))


def expand_tabs(text: str, col: int = 0) -> str:
    """``text`` with each tab made spaces up to the next tab stop, ``text`` starting at
    column ``col`` of its line."""
    if "\t" not in text:
        return text
    return "".join(_pieces(text, col)[0])


def tab_shifts(text: str, col: int = 0) -> tuple[str, list[int], list[int]]:
    """``text`` expanded (as :func:`expand_tabs`), with what :func:`shift` needs to find
    where each of its characters went (styles given by index in ``text`` follow them)."""
    pieces, after, extra = _pieces(text, col)
    return "".join(pieces), after, extra


def shift(index: int, after: list[int], extra: list[int]) -> int:
    """Where the character at ``index`` of a text went once its tabs were expanded (from
    :func:`tab_shifts`); the text's length maps to the expanded text's length."""
    return index + extra[bisect_right(after, index)]


def _pieces(text: str, col: int) -> tuple[list[str], list[int], list[int]]:
    parts = text.split("\t")
    pieces: list[str] = []
    after: list[int] = []  # index in ``text`` just past each tab
    extra = [0]  # characters added before a position, by the tabs before it
    at, index = col, 0
    for part in parts[:-1]:
        at += _part_width(part)
        spaces = TAB - at % TAB
        at += spaces
        index += len(part) + 1
        pieces.append(part + " " * spaces)
        after.append(index)
        extra.append(extra[-1] + spaces - 1)
    pieces.append(parts[-1])
    return pieces, after, extra


class Geometry:
    """The cells of one line: where each of its graphemes starts, tabs expanded.

    Kept as runs (a stretch of one-character graphemes of the same width is one run; a tab,
    or a grapheme of several characters, is a run of its own), so a long line costs a few
    runs, and finding a column is a bisection. Build it once per line and keep it while the
    line is on screen: building walks the line.
    """

    __slots__ = ("_cols", "_runs", "length", "width")

    def __init__(self, line: str) -> None:
        self.length = len(line)
        cols: list[int] = []
        # (char index, column, graphemes, chars each, cells each; a tab: -its cells)
        runs: list[tuple[int, int, int, int, int]] = []
        at = index = 0
        parts = line.split("\t")
        for n, part in enumerate(parts):
            if part:
                at = _add_part(part, index, at, cols, runs)
                index += len(part)
            if n < len(parts) - 1:  # the tab after it: one run, breakable into spaces
                spaces = TAB - at % TAB
                cols.append(at)
                runs.append((index, at, 1, 1, -spaces))
                at += spaces
                index += 1
        self.width = at
        self._cols = cols
        self._runs = runs

    @property
    def runs(self) -> int:
        """How many runs it keeps (what it costs: about 150 bytes each)."""
        return len(self._runs)

    def span_at(self, col: int) -> tuple[int, int, int, int]:
        """The grapheme holding cell ``col`` (0 <= col < width): its char index, first
        column, characters and cells. A zero-width grapheme holds no cell: it goes with the
        one before it."""
        k = bisect_right(self._cols, col) - 1
        index, start, count, chars, cells = self._runs[max(k, 0)]
        if cells < 0:  # a tab
            return index, start, 1, -cells
        if cells == 0:  # (only when nothing wider follows it: the line's end)
            return index, start, chars, 0
        g = min((col - start) // cells, count - 1)
        return index + g * chars, start + g * cells, chars, cells

    def start(self, col: int) -> tuple[int, int]:
        """Where drawing from cell ``col`` starts: the char index and column of the grapheme
        holding it (before ``col`` when a tab or a wide character straddles it)."""
        if col <= 0:
            return 0, 0
        if col >= self.width:
            return self.length, self.width
        index, start, _chars, _cells = self.span_at(col)
        return index, start

    def end(self, col: int) -> tuple[int, int]:
        """Where drawing up to cell ``col`` ends: the char index and column just past the
        grapheme holding cell ``col - 1`` (zero-width characters after it included)."""
        if col >= self.width:
            return self.length, self.width
        if col <= 0:
            return 0, 0
        index, start, chars, cells = self.span_at(col)
        return (index, start) if start >= col else (index + chars, start + cells)

    def breaks(self, size: int) -> list[int]:
        """The columns where the rows of the line wrapped at ``size`` cells start (the first
        is 0). A grapheme never straddles two rows: one that does not fit starts the next
        row; a tab's spaces do split. A grapheme wider than ``size`` takes a row alone."""
        size = max(size, 1)
        starts = [0]
        end = size  # the column the current row ends at
        for _index, start, count, _chars, cells in self._runs:
            if cells < 0:  # a tab: its spaces go where there is room
                while start - cells > end:
                    starts.append(end)
                    end += size
                continue
            if cells == 0 or start + count * cells <= end:
                continue
            g = 0
            while g < count:
                at = start + g * cells
                fit = (end - at) // cells
                if fit >= count - g:
                    break
                if fit > 0:
                    g += fit
                    at = start + g * cells
                elif at == starts[-1]:  # wider than a row: alone on it
                    g += 1
                    end = at + cells
                    continue
                starts.append(at)
                end = at + size
        return starts


def _add_part(
    part: str, index: int, at: int, cols: list[int], runs: list[tuple[int, int, int, int, int]]
) -> int:
    """Add the runs of ``part`` (no tab) from char ``index``, column ``at``; returns the
    column after it."""
    odd = "".join(_NON_ASCII.findall(part))
    if _NARROW.issuperset(odd) or (
        "\u200d" not in odd and "\ufe0f" not in odd and all(_WIDTHS[c] == 1 for c in set(odd))
    ):  # every character one cell, each a grapheme of its own
        cols.append(at)
        runs.append((index, at, len(part), 1, 1))
        return at + len(part)
    spans, _ = split_graphemes(part)
    for s, e, cells in spans:
        if runs and e - s == 1 and cells > 0:
            r_index, r_col, count, chars, r_cells = runs[-1]
            if chars == 1 and r_cells == cells and r_index + count == index + s:
                runs[-1] = (r_index, r_col, count + 1, 1, cells)
                at += cells
                continue
        cols.append(at)
        runs.append((index + s, at, 1, e - s, cells))
        at += cells
    return at


def rows(line: str, size: int) -> int:
    """Rows ``line`` takes wrapped at ``size`` cells (at least 1)."""
    size = max(size, 1)
    if simple(line):
        return max(1, -(-len(line) // size))
    if width(line) <= size:
        return 1
    return len(Geometry(line).breaks(size))


def cut(line: str, lo: int, hi: int, geometry: Geometry | None = None) -> tuple[str, int, int]:
    """The cells ``lo`` to ``hi`` of ``line``, tabs expanded, as (text, left pad, right pad):
    a wide character cut by an edge is left out and the cells of it inside are padding; a
    tab cut by an edge keeps the spaces inside. Within the line, pads and text fill the
    cells exactly; past its end there is nothing (no padding)."""
    if geometry is None and simple(line):
        return line[max(lo, 0) : max(hi, 0)], 0, 0
    g = geometry or Geometry(line)
    lo, hi = max(lo, 0), min(hi, g.width)
    if hi <= lo:  # (a line of zero-width characters only is still drawn, at its start)
        return (line if lo == g.width == 0 else ""), 0, 0
    i0, c0 = g.start(lo)
    skip = left = 0
    if c0 < lo:
        if line[i0] == "\t":
            skip = lo - c0  # the tab's spaces left of the edge
        else:
            index, start, chars, cells = g.span_at(lo)
            i0, c0, left = index + chars, start + cells, start + cells - lo
    trim = right = 0
    i1, c1 = g.end(hi)
    if c1 > hi:
        index, start, _chars, _cells = g.span_at(hi - 1)
        if line[index] == "\t":
            trim = c1 - hi
        else:
            i1, c1, right = index, start, hi - start
    if i1 <= i0:
        return "", hi - lo, 0
    text = expand_tabs(line[i0:i1], c0)
    return text[skip : len(text) - trim], left, right


def wrap(line: str, size: int) -> list[str]:
    """``line`` wrapped at ``size`` cells, tabs expanded: the rows' text (joined, they give
    back :func:`expand_tabs` of the line; a row a wide character left is one cell short)."""
    if simple(line):
        size = max(size, 1)
        return [line[i : i + size] for i in range(0, len(line), size)] or [""]
    g = Geometry(line)
    starts = g.breaks(size)
    return [cut(line, lo, hi, g)[0] for lo, hi in zip(starts, [*starts[1:], g.width], strict=True)]
