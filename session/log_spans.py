"""The program colours of a log pane's lines: style spans kept beside the plain text.

A line holding SGR sequences (sanitised, they show as ``␛[1;31m``) is kept by
:class:`session.log_buffer.LogBuffer` as its plain text, the sequences taken out
(:func:`incident.sgr.parse`); its spans are held here, only for the lines that have some,
and let go with them (pushed out of the ring, shed for the byte budget, retracted). What
they take counts in the pane's budget (:attr:`LineSpans.bytes`), so a source printing a
colour change every few characters cannot grow a pane past it.
"""

from __future__ import annotations

from collections import deque

from incident.sgr import MARK, Span, parse

SPAN_BYTES = 300
"""What one style span is counted to take: its tuple, two numbers and, at worst, a style of
its own with a truecolour tuple (measured: 263 bytes; common styles are shared, and a span
in one of them takes about 100)."""
LINE_SPANS_BYTES = 150  # what a line's spans take besides (their tuple, the dict entry)


def spans_cost(spans: tuple[Span, ...]) -> int:
    return LINE_SPANS_BYTES + SPAN_BYTES * len(spans)


class LineSpans:
    """Spans by seq, for the lines that have some, oldest first."""

    def __init__(self) -> None:
        self.by_seq: dict[int, tuple[Span, ...]] = {}
        self._seqs: deque[int] = deque()  # the keys of by_seq, oldest first
        self.bytes = 0  # what they are counted to take (spans_cost of each line's)

    def __bool__(self) -> bool:
        return bool(self._seqs)

    def get(self, seq: int) -> tuple[Span, ...]:
        return self.by_seq.get(seq, ())

    def cost(self, seq: int) -> int:
        spans = self.by_seq.get(seq)
        return 0 if spans is None else spans_cost(spans)

    def keep(self, start: int, styled: list[tuple[int, tuple[Span, ...]]]) -> None:
        """Hold the spans of the lines just appended from ``start`` (index, spans)."""
        for i, spans in styled:
            self.by_seq[start + i] = spans
            self._seqs.append(start + i)
            self.bytes += spans_cost(spans)

    def drop_before(self, first: int) -> None:
        """Forget the spans of lines before ``first`` (gone out of the ring)."""
        seqs, by_seq = self._seqs, self.by_seq
        while seqs and seqs[0] < first:
            self.bytes -= spans_cost(by_seq.pop(seqs.popleft()))

    def drop_from(self, end: int) -> None:
        """Forget the spans of lines from ``end`` on (retracted: their seqs are given again)."""
        seqs, by_seq = self._seqs, self.by_seq
        while seqs and seqs[-1] >= end:
            self.bytes -= spans_cost(by_seq.pop(seqs.pop()))

    def clear(self) -> None:
        self.by_seq.clear()
        self._seqs.clear()
        self.bytes = 0


def take_styles(lines: list[str]) -> list[tuple[int, tuple[Span, ...]]] | None:
    """Replace each line holding SGR by its plain text (in place); the (index, spans) of
    those with styles, or None when no line changed. O(lines + characters of the lines that
    are not ASCII: ``in`` tells at once that an ASCII line has no ␛)."""
    styled, changed = [], False
    for i in [i for i, line in enumerate(lines) if MARK in line]:
        plain, spans = parse(lines[i])
        if plain is not lines[i]:
            lines[i], changed = plain, True
        if spans:
            styled.append((i, spans))
    return styled if changed else None
