"""What a log row is drawn in besides its text: the program's own colours (SGR spans kept by
the :class:`~session.log_buffer.LogBuffer`) as Rich styles, and the line's level.

Styles are built from the parsed numbers (:class:`incident.sgr.SgrStyle`), never from markup
or from the escape sequences themselves: what reaches the terminal is Rich's rendering of a
colour, not anything the log line wrote.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache

from rich.color import Color
from rich.style import Style

from incident.levels import Level, level_of
from incident.sgr import SgrStyle, Span
from session.log_buffer import LogBuffer


@lru_cache(maxsize=1024)
def rich_style(sgr: SgrStyle) -> Style:
    """The Rich style of an SGR style (only what it sets: the rest is the view's)."""
    return Style(
        color=_color(sgr.fg),
        bgcolor=_color(sgr.bg),
        bold=sgr.bold or None,
        dim=sgr.dim or None,
        italic=sgr.italic or None,
        underline=sgr.underline or None,
        reverse=sgr.reverse or None,
        strike=sgr.strike or None,
    )


def _color(color: int | tuple[int, int, int] | None) -> Color | None:
    if color is None:
        return None
    if isinstance(color, tuple):
        return Color.from_rgb(*color)
    return Color.from_ansi(color)


def spans_within(spans: tuple[Span, ...], start: int, end: int) -> Iterator[tuple[int, int, Style]]:
    """The styles of the characters ``start`` to ``end`` of a line, as (from, to, style)
    relative to ``start``: only the spans that meet that slice are looked at."""
    i = bisect_right(spans, start, key=lambda span: span[1])  # the first ending past start
    while i < len(spans) and spans[i][0] < end:
        s_start, s_end, sgr = spans[i]
        yield max(s_start - start, 0), min(s_end, end) - start, rich_style(sgr)
        i += 1


class Levels:
    """The level of each line drawn, found once per line (rows are drawn every frame)."""

    LIMIT = 4096  # lines remembered; then forgotten all at once (they are found again fast)

    def __init__(self) -> None:
        self._buffer: LogBuffer | None = None
        self._edits = 0  # the buffer's retractions when remembered (a seq may be given again)
        self._known: dict[int, Level | None] = {}

    def of(self, buffer: LogBuffer, seq: int) -> Level | None:
        if (
            buffer is not self._buffer
            or buffer.edits != self._edits
            or len(self._known) >= self.LIMIT
        ):
            self._buffer, self._edits, self._known = buffer, buffer.edits, {}
        try:
            return self._known[seq]
        except KeyError:
            level = self._known[seq] = level_of(buffer.line(seq))
            return level
