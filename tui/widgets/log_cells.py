"""What a LogView row draws of a line, in terminal cells: the cells arithmetic is
``session.cells``; this keeps the geometry of the lines on screen, widens the gutter for
long line numbers and expands the tabs of a styled ``Text``.

Only what is on screen is drawn: a row asks for the characters covering its cells (a
bisection in a long line's geometry, built once while the line is on screen), never for
the whole line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict

from rich.text import Span, Text

from session import cells
from session.cells import Geometry
from session.log_buffer import LogBuffer

GUTTER = 8
"""The line number column, at least: 7 digits and a space; wider for line 10,000,000 on."""


def gutter_width(buffer: LogBuffer) -> int:
    """Cells of the gutter: the widest line number the buffer holds, and a space."""
    if not len(buffer):
        return GUTTER
    top = max(buffer.number(buffer.first_seq), buffer.number(buffer.total - 1))
    return max(GUTTER, len(str(top)) + 1)


def expand_tabs(text: Text, col: int) -> Text:
    """``text`` (characters of a line from column ``col``) with its tabs made spaces up to
    the next stop; its styles follow the characters (a styled tab styles its spaces)."""
    plain = text.plain
    if "\t" not in plain:
        return text
    expanded, after, extra = cells.tab_shifts(plain, col)

    def at(i: int) -> int:
        return cells.shift(i, after, extra)

    out = Text(expanded, style=text.style, no_wrap=True, end="")
    out.spans = [Span(at(s.start), at(s.end), s.style) for s in text.spans]
    return out


class LineCells:
    """The geometry of the lines a view draws, by seq: kept for the last ``size`` lines
    that are not plain ASCII (for those a character is a cell: nothing to keep), and no more
    than ``max_runs`` runs in all (about 40 MB: a 64 KiB line switching between narrow and
    wide characters at every one of them takes 65,536)."""

    def __init__(self, size: int = 64, max_runs: int = 1 << 18) -> None:
        self.size, self.max_runs = size, max_runs
        self._kept: OrderedDict[int, tuple[str, Geometry, int, list[int]]] = OrderedDict()
        self._runs = 0

    def _entry(self, seq: int, line: str) -> tuple[str, Geometry, int, list[int]]:
        entry = self._kept.get(seq)
        if entry is None or entry[0] is not line:  # (a buffer started over reuses seqs)
            entry = (line, Geometry(line), 0, [0])
            if seq in self._kept:
                self._runs -= self._kept.pop(seq)[1].runs
            self._kept[seq] = entry
            self._runs += entry[1].runs
            while len(self._kept) > 1 and (
                len(self._kept) > self.size or self._runs > self.max_runs
            ):
                self._runs -= self._kept.popitem(last=False)[1][1].runs
        else:
            self._kept.move_to_end(seq)
        return entry

    def geometry(self, seq: int, line: str) -> Geometry | None:
        return None if cells.simple(line) else self._entry(seq, line)[1]

    def breaks(self, seq: int, line: str, size: int) -> list[int]:
        """The columns where the wrap rows of the line start (``cells.Geometry.breaks``)."""
        entry = self._entry(seq, line)
        if entry[2] != size:
            entry = (line, entry[1], size, entry[1].breaks(size))
            self._kept[seq] = entry
        return entry[3]

    def wrap_span(self, seq: int, line: str, part: int, size: int) -> tuple[int, int]:
        """The cells of wrap row ``part`` of the line (``size`` cells a row)."""
        if cells.simple(line):
            return part * size, (part + 1) * size
        starts = self.breaks(seq, line, size)
        part = min(part, len(starts) - 1)
        end = starts[part + 1] if part + 1 < len(starts) else self._entry(seq, line)[1].width
        return starts[part], end

    def wrap_part(self, seq: int, line: str, col: int, size: int) -> int:
        """The wrap row of the line that shows cell ``col``."""
        if cells.simple(line):
            return col // max(size, 1)
        return bisect_right(self.breaks(seq, line, size), col) - 1

    def chars(self, seq: int, line: str, lo: int, hi: int) -> tuple[int, int, int]:
        """The characters to draw for cells ``lo`` to ``hi``: (first, its column, end). The
        first may start before ``lo`` (a tab or a wide character cut by the edge)."""
        geometry = self.geometry(seq, line)
        if geometry is None:
            start = min(lo, len(line))
            return start, start, min(max(hi, start), len(line))
        i0, c0 = geometry.start(lo)
        i1, _c1 = geometry.end(hi)
        return i0, c0, max(i1, i0)
