"""The memory of a log pane: a bounded ring of lines, with a filter index and wrap rows.

Plain Python, no Textual, so it can be tested and benchmarked on its own. Every line gets a
sequence number (``seq``, counting from 0 over the life of the buffer); when the ring holds
``capacity`` lines, or its lines take more than ``max_bytes``, the oldest lines fall out, and
everything that points at them (the filter index, the wrap rows, the read times, the widest
line) forgets them too. Appending is O(lines appended), amortised.

Program colours: a line holding SGR sequences (sanitised, they show as ``␛[1;31m``) is
kept as its plain text, the sequences taken out (:func:`incident.sgr.parse`), with its style
spans beside it (:meth:`LogBuffer.spans`), held only for the lines that have some and let go
with them. Everything else (filter, search, widths, wrap, evidence) sees the plain text: the
characters a person sees. What the spans take counts in ``max_bytes`` (``span_bytes``), so a
source printing a colour change every few characters cannot grow a pane past its budget.
The capture store keeps the line as it came (``session.sources`` feeds both).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice, takewhile
from typing import Any

from incident.patterns import Pattern
from incident.sgr import Span
from session import cells
from session.log_spans import LineSpans, spans_cost, take_styles
from session.log_widths import Widest

DEFAULT_CAPACITY = 200_000
DEFAULT_MAX_BYTES = 32 << 20
"""The text a pane holds at most (32 MiB): 200,000 ordinary lines of up to about 115
characters fit (the line count bounds them first, as before), while lines cut at 64 KiB
(``feeds.lines``) fill it with about 500. The budget is what the strings take in memory
(``str.__sizeof__``: a character takes 1, 2 or 4 bytes, the widest in its line deciding), so
a line widened by one emoji counts for what it costs, and a console running a few panes
stays well under 250 MB whatever its sources print. What each line costs besides its text
(about 100 bytes of deque slots and number) is bounded by the line count."""

_size = str.__sizeof__  # exact, and about 15 ns a line (sys.getsizeof: about 85)
_ASCII = _size("")  # an ASCII line takes this and one byte a character; any other, more
_spans_cost = spans_cost  # (the name the tests know)


class LogBuffer:
    """The last ``capacity`` lines of a source, no more than ``max_bytes`` of them, with
    optional filter and wrap views."""

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        if capacity < 1 or max_bytes < 1:
            raise ValueError("capacity and max_bytes must be positive")
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.bytes = 0  # what the lines held take (str.__sizeof__ of each)
        self._colours = LineSpans()  # the program's styles of the lines that have some
        self._lines: deque[str] = deque(maxlen=capacity)
        self._err: deque[bool] = deque(maxlen=capacity)
        self._nos: deque[int] = deque(maxlen=capacity)
        self.total = 0  # lines ever appended (less those retracted)
        self.edits = 0  # calls of ``retract`` that took lines (a view redraws when it changes)
        self._next_no = 1  # the source's number of the next line, when not told
        self._filter: Pattern | None = None
        self._matches: deque[int] = deque()  # seqs of lines that pass the filter
        self._wrap_width = 0
        self._cum: list[int] = [0]  # wrap: cumulative rows, from seq _cum_seq
        self._cum_seq = 0
        self._reads: deque[tuple[int, float]] = deque()  # (first seq, epoch) per append
        self._widest = Widest()  # in cells, tabs expanded, measured lazily

    # ------------------------------------------------------------------ lines
    @property
    def first_seq(self) -> int:
        return self.total - len(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def line(self, seq: int) -> str:
        return self._lines[seq - self.first_seq]

    def spans(self, seq: int) -> tuple[Span, ...]:
        """The program's styles over the plain text of line ``seq`` (sorted, apart; empty
        for a line that had no SGR)."""
        return self._colours.get(seq)

    @property
    def span_bytes(self) -> int:
        """What the held lines' style spans are counted to take."""
        return self._colours.bytes

    @property
    def _spans(self) -> dict[int, tuple[Span, ...]]:
        return self._colours.by_seq

    def is_err(self, seq: int) -> bool:
        return self._err[seq - self.first_seq]

    def number(self, seq: int) -> int:
        """The source's own line number of ``seq`` (what evidence cites)."""
        return self._nos[seq - self.first_seq]

    def has(self, seq: int) -> bool:
        return self.first_seq <= seq < self.total

    def append(
        self,
        lines: Iterable[str],
        *,
        err: bool = False,
        first_no: int | None = None,
        read_at: float = 0.0,
    ) -> int:
        """Add lines; returns how many were added. ``first_no`` numbers them for the source,
        ``read_at`` (epoch seconds) is when they were read."""
        lines = list(lines)
        if not lines:
            return 0
        n = len(lines)
        cost = sum(map(_size, lines))
        # SGR shows as ␛[, which an ASCII line cannot hold: a batch of ASCII lines (nearly
        # all) is told by its size alone (about 4 ns a line); only lines that are not ASCII
        # are searched.
        styled = None
        if cost != _ASCII * n + sum(map(len, lines)):
            styled = take_styles(lines)
            if styled is not None:
                cost = sum(map(_size, lines))  # (plain lines are shorter)
        held = len(self._lines)
        over = held + n - self.capacity  # lines the ring pushes out as these go in
        if over > 0:
            self.bytes -= (
                sum(map(_size, islice(self._lines, over)))
                if over <= held
                else self.bytes + sum(map(_size, lines[: over - held]))
            )
        self.bytes += cost
        self._reads.append((self.total, read_at))
        no = first_no if first_no is not None else self._next_no
        self._next_no = no + n
        start = self.total
        self._widest.add(start, lines)
        self._lines.extend(lines)
        self._err.extend([err] * n)
        self._nos.extend(range(no, no + n))
        self.total += n
        if styled:
            self._colours.keep(start, styled)
        if self._colours:  # (before the budget is checked: pushed-out lines' spans go)
            self._colours.drop_before(self.first_seq)
        if self.bytes + self.span_bytes > self.max_bytes:
            self._shed()
        first = self.first_seq
        shown = lines
        if self._filter is not None:
            hits = self._filter.matching(lines)  # (one call into RE2 per matching line)
            self._matches.extend(start + i for i in hits)
            shown = [lines[i] for i in hits]
            while self._matches and self._matches[0] < first:
                self._matches.popleft()
        if self._wrap_width:
            self._extend_wrap(shown)
            self._trim_wrap()
        while len(self._reads) > 1 and self._reads[1][0] <= first:
            self._reads.popleft()
        self._widest.forget_before(first)
        return n

    def retract(self, n: int) -> int:
        """Take away the newest ``n`` lines (provisional ones: an unfinished last line the
        next batch replaces, ``feeds.source.LineBatch``); their seqs are given again to the
        lines that come next. Returns how many were taken (those still held). O(n)."""
        n = min(n, len(self._lines))
        if n <= 0:
            return 0
        end = self.total - n
        for _ in range(n):
            self.bytes -= _size(self._lines.pop())
            self._err.pop()
            self._nos.pop()
        gone = n
        if self._filter is not None:
            gone = 0
            while self._matches and self._matches[-1] >= end:
                self._matches.pop()
                gone += 1
        if self._wrap_width:
            del self._cum[len(self._cum) - gone :]
        self.total = end
        self._next_no -= n
        self.edits += 1
        self._colours.drop_from(end)  # (their colours go with them)
        while self._reads and self._reads[-1][0] >= end:
            self._reads.pop()
        self._widest.retract(end, self._lines, self.first_seq)
        return n

    def _shed(self) -> None:
        """Let the oldest lines go until the rest (and their spans) fit in ``max_bytes``
        (all of them, if the newest line alone is larger: the bound holds whatever is
        appended)."""
        excess = self.bytes + self.span_bytes - self.max_bytes
        freed, text, k = 0, 0, 0
        colours, seq = self._colours, self.first_seq
        for cost in map(_size, self._lines):
            text += cost
            freed += cost + (colours.cost(seq) if colours else 0)
            seq += 1
            k += 1
            if freed >= excess:
                break
        lines, err, nos = self._lines, self._err, self._nos
        for _ in range(k):
            lines.popleft()
            err.popleft()
            nos.popleft()
        self.bytes -= text
        self._colours.drop_before(self.first_seq)

    @property
    def widest(self) -> int:
        """Cells of the widest line held, tabs expanded (for horizontal scrolling)."""
        return self._widest.of(self._lines, self.first_seq)

    def read_at(self, seq: int) -> float:
        """When the line ``seq`` was read (epoch seconds; 0 when not told)."""
        lo, hi = 0, len(self._reads)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._reads[mid][0] <= seq:
                lo = mid + 1
            else:
                hi = mid
        return self._reads[lo - 1][1] if lo else 0.0

    def around(self, seq: int, before: int = 3, after: int = 3) -> tuple[list[str], list[str]]:
        """Up to ``before`` lines before and ``after`` lines after ``seq`` still held."""
        lo, hi = max(self.first_seq, seq - before), min(self.total, seq + after + 1)
        return ([self.line(s) for s in range(lo, seq)], [self.line(s) for s in range(seq + 1, hi)])

    def clear(self) -> None:
        """Forget every line (the sequence numbers go on counting)."""
        self._lines.clear()
        self._err.clear()
        self._nos.clear()
        self._matches.clear()
        self._reads.clear()
        self._widest.clear()
        self._colours.clear()
        self.bytes = 0
        self._cum, self._cum_seq = [0], self.total

    def tail(self, n: int) -> list[str]:
        n = min(n, len(self._lines))
        return [self._lines[i] for i in range(len(self._lines) - n, len(self._lines))]

    # ------------------------------------------------------------------ filter view
    def set_filter(self, pattern: Pattern | None) -> None:
        """Show only lines matching ``pattern`` (None shows all). O(lines held)."""
        self._filter = pattern
        self._matches.clear()
        if pattern is not None:
            first = self.first_seq
            self._matches.extend(first + i for i in pattern.matching(list(self._lines)))
        if self._wrap_width:
            self.set_wrap(self._wrap_width)

    @property
    def filtered(self) -> bool:
        return self._filter is not None

    @property
    def filter(self) -> Pattern | None:
        return self._filter

    def view_between(self, lo: int, hi: int) -> tuple[list[int], list[str]]:
        """The lines of the view whose seqs are in [lo, hi) (of those held): their seqs and
        texts, for counting a search a block at a time. O(hi - lo)."""
        first = self.first_seq
        lo, hi = max(lo, first), min(hi, self.total)
        if lo >= hi:
            return [], []
        texts = list(islice(self._lines, lo - first, hi - first))
        if self._filter is None:
            return list(range(lo, hi)), texts
        matches = self._matches
        seqs = list(takewhile(hi.__gt__, islice(matches, _bisect_deque(matches, lo), None)))
        return seqs, [texts[s - lo] for s in seqs]

    def view_len(self) -> int:
        """How many lines the view shows (all, or those passing the filter)."""
        return len(self._matches) if self._filter is not None else len(self._lines)

    def view_seq(self, index: int) -> int:
        """The seq of the ``index``-th line of the view."""
        if self._filter is not None:
            return self._matches[index]
        return self.first_seq + index

    def view_index(self, seq: int) -> int | None:
        """Where ``seq`` is in the view, or None when it is filtered out or gone."""
        if not self.has(seq):
            return None
        if self._filter is None:
            return seq - self.first_seq
        i = _bisect_deque(self._matches, seq)
        return i if i < len(self._matches) and self._matches[i] == seq else None

    # ------------------------------------------------------------------ wrap view
    def set_wrap(self, width: int) -> None:
        """Wrap lines at ``width`` cells (0 turns wrapping off). O(lines in the view)."""
        self._wrap_width = max(width, 0)
        self._cum, self._cum_seq = [0], self.first_seq
        if self._wrap_width:
            self._extend_wrap(self._view_texts())

    def _view_texts(self) -> Iterator[str]:
        return (
            (self.line(s) for s in self._matches) if self._filter is not None else iter(self._lines)
        )

    def _rows(self, text: str) -> int:
        return cells.rows(text, self._wrap_width)

    def _extend_wrap(self, lines: Iterable[str]) -> None:
        cum = self._cum
        last = cum[-1]
        for text in lines:  # (the lines the view shows)
            last += self._rows(text)
            cum.append(last)

    def _trim_wrap(self) -> None:
        """Drop wrap rows of lines that fell out of the ring (amortised compaction)."""
        gone = self._view_start_offset()
        if gone > 4096 and gone > len(self._cum) // 2:
            base = self._cum[gone]
            self._cum = [c - base for c in self._cum[gone:]]
            self._cum_seq += gone

    def _view_start_offset(self) -> int:
        """How many entries at the front of ``_cum`` belong to lines no longer held."""
        held = self.view_len()
        return len(self._cum) - 1 - held

    def rows(self) -> int:
        """Rows the view takes: lines, or wrapped rows when wrapping."""
        if not self._wrap_width:
            return self.view_len()
        off = self._view_start_offset()
        return self._cum[-1] - self._cum[off]

    def row_to_line(self, row: int) -> tuple[int, int]:
        """(view index, row within that line) of a view row."""
        if not self._wrap_width:
            return row, 0
        off = self._view_start_offset()
        target = row + self._cum[off]
        k = bisect_right(self._cum, target, lo=off) - 1
        return k - off, target - self._cum[k]

    def line_to_row(self, index: int) -> int:
        if not self._wrap_width:
            return index
        off = self._view_start_offset()
        return self._cum[off + index] - self._cum[off]

    @property
    def wrap_width(self) -> int:
        return self._wrap_width


def _bisect_deque(d: deque[int], value: int) -> int:
    lo, hi = 0, len(d)
    while lo < hi:
        mid = (lo + hi) // 2
        if d[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def epoch_seconds(read_at: Any) -> float:
    """A captured line's read time (ISO 8601 text in the store) as epoch seconds; 0 if
    unknown."""
    if isinstance(read_at, datetime):
        return read_at.timestamp()
    try:
        return datetime.fromisoformat(read_at).timestamp()
    except (TypeError, ValueError):
        return 0.0
