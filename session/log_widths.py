"""The widest line a log pane holds, in cells (tabs expanded), for horizontal scrolling.

A sliding-window maximum over appends: (first seq, end seq, widest) of appends not outdone
by a later one, widest first. A line's width is measured only when the widest is asked for
(at the view's next frame), so lines a flood pushes out of the ring before then are never
measured at all; retracted lines never are.
"""

from __future__ import annotations

from collections import deque
from itertools import islice

from session import cells


class Widest:
    """The widest of a ring's lines, measured lazily."""

    def __init__(self) -> None:
        self._window: deque[tuple[int, int, int]] = deque()
        self._unmeasured: deque[tuple[int, list[str]]] = deque()  # (first seq, lines)

    def add(self, start: int, lines: list[str]) -> None:
        self._unmeasured.append((start, lines))

    def forget_before(self, first: int) -> None:
        """Lines before ``first`` left the ring."""
        unmeasured, window = self._unmeasured, self._window
        while unmeasured and unmeasured[0][0] + len(unmeasured[0][1]) <= first:
            unmeasured.popleft()
        while window and window[0][1] <= first:
            window.popleft()

    def retract(self, end: int, held: deque[str], first: int) -> None:
        """Lines from ``end`` on were taken back; ``held`` is the ring after, from ``first``.
        What the taken lines outdid was forgotten, so is measured again."""
        unmeasured = self._unmeasured
        while unmeasured and unmeasured[-1][0] >= end:
            unmeasured.pop()
        if unmeasured:
            start, lines = unmeasured[-1]
            if start + len(lines) > end:
                unmeasured[-1] = (start, lines[: end - start])
        window = self._window
        while window and window[-1][1] > end:
            window.pop()
        start = max(window[-1][1] if window else 0, first)
        stop = unmeasured[0][0] if unmeasured else end
        if start < stop:
            unmeasured.appendleft((start, list(islice(held, start - first, stop - first))))

    def of(self, held: deque[str], first: int) -> int:
        """Cells of the widest line of ``held`` (the ring, from ``first``)."""
        window = self._window
        for start, lines in self._unmeasured:  # oldest first: the window stays in order
            kept = lines[first - start :] if start < first else lines
            if kept:
                wide = cells.widest(kept)
                while window and window[-1][2] <= wide:
                    window.pop()
                window.append((max(start, first), start + len(lines), wide))
        self._unmeasured.clear()
        while window and window[0][1] <= first:
            window.popleft()
        if not window:
            return 0
        start, end, wide = window[0]
        if start < first:  # partly gone: its widest line may have gone with it
            wide = cells.widest(list(islice(held, end - first)))
            window[0] = (first, end, wide)
        return max(wide, window[1][2]) if len(window) > 1 else wide

    def clear(self) -> None:
        self._window.clear()
        self._unmeasured.clear()
