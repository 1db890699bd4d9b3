"""How many lines of a log pane's view match its search, counted a block at a time.

A count over the 200,000 lines a pane holds costs up to 200 ms when most lines match (RE2
is called once per matching line), far more than a frame: so the count is kept as the seqs
of the matching lines, and brought up to date by :meth:`SearchCount.step` in blocks, within
a time budget, from where it stopped. Lines that arrive are counted by the next steps; lines
that fall out of the ring leave the count; a new filter (another view) starts it again.

Plain Python, no Textual (the pane calls ``step`` from its frames and a short timer).
"""

from __future__ import annotations

import time
from collections import deque

from incident.patterns import Pattern
from session.log_buffer import LogBuffer

BLOCK = 2048  # lines per call into RE2 (about 2.5 ms when every line matches)
BUDGET = 0.004  # seconds a step may take, at most about one block more


class SearchCount:
    """The lines of ``buffer``'s view that match ``pattern``, as far as counted."""

    def __init__(self, buffer: LogBuffer, pattern: Pattern) -> None:
        self.buffer = buffer
        self.pattern = pattern
        self._view: Pattern | None = buffer.filter
        self._hits: deque[int] = deque()  # seqs of the matching lines counted
        self._next = buffer.first_seq  # every line of the view before it is counted

    @property
    def done(self) -> bool:
        """Every line of the view is counted."""
        return self.buffer.filter is self._view and self._next >= self.buffer.total

    @property
    def count(self) -> int:
        """Matching lines among those counted (all of them once ``done``)."""
        first, hits = self.buffer.first_seq, self._hits
        while hits and hits[0] < first:
            hits.popleft()
        return len(hits)

    def step(self, budget: float = BUDGET) -> bool:
        """Count on for about ``budget`` seconds; whether the count is ``done``."""
        buf = self.buffer
        if buf.filter is not self._view:  # another filter: another view to count
            self._view, self._next = buf.filter, buf.first_seq
            self._hits.clear()
        deadline = time.perf_counter() + budget
        while self._next < buf.total:
            lo = max(self._next, buf.first_seq)
            hi = min(lo + BLOCK, buf.total)
            seqs, texts = buf.view_between(lo, hi)
            if texts:
                self._hits.extend(seqs[i] for i in self.pattern.matching(texts))
            self._next = hi
            if time.perf_counter() >= deadline:
                break
        return self.done
