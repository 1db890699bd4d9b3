"""LogView: a scrolling view of a :class:`LogBuffer` that renders only the visible rows.

Feeding it is cheap (``append`` only touches the ring buffer); the screen is refreshed by a
timer at a frame rate that backs off during floods, so a million lines a second do not cost
a million repaints. It follows the end until you move up; then it pauses and counts what
arrives (End jumps back). Lines are sanitised text: they are drawn as plain ``Text``, never
parsed as markup; the program's colours (SGR, kept as spans by the buffer) and the line's
level (``incident.levels``) are applied as Rich styles (``log_styles``).
"""

from __future__ import annotations

import time

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from incident.patterns import Pattern
from session import cells
from session.log_buffer import LogBuffer
from tui.widgets.log_cells import GUTTER, LineCells, expand_tabs, gutter_width
from tui.widgets.log_styles import Levels, spans_within
from tui.widgets.scrolling import grow

__all__ = ["GUTTER", "LogView"]
_SCAN = 4096  # characters searched for the search's matches around what is drawn


class LogView(ScrollView, can_focus=True):
    """A follow-mode log view over a ring buffer."""

    COMPONENT_CLASSES = {
        "level-error",
        "level-warn",
        "level-debug",
        "gutter",
        "cursor",
        "match",
        "stderr",
    }
    DEFAULT_CSS = """
    LogView { background: $surface; overflow: auto; }
    LogView > .level-error { color: $error; }
    LogView > .level-warn { color: $warning; }
    LogView > .level-debug { color: $text-muted; }
    LogView > .gutter { color: $text-disabled; }
    LogView > .stderr { color: $error; text-style: bold; }
    LogView > .cursor { background: $primary 30%; }
    LogView > .match { background: $accent; color: $background; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-20)", "Page up", show=False),
        Binding("pagedown", "cursor(20)", "Page down", show=False),
        Binding("end,G", "follow", "Follow", tooltip="Go to the newest line, and follow new ones"),
        Binding("home", "top", "Top", show=False),
    ]

    following: var[bool] = var(True)
    """Stick to the newest line (false once the user moves up)."""
    pending: var[int] = var(0)
    """Lines that arrived while not following."""

    class StatusChanged(Message):
        """Follow state or pending count changed (the pane shows it)."""

    def __init__(self, buffer: LogBuffer | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.buffer = buffer if buffer is not None else LogBuffer()  # an empty one is falsy
        self.cursor: int | None = None  # seq of the selected line
        self.search: Pattern | None = None
        self.wrap = False
        self._dirty = False
        self._rate = 0.0  # lines per second, smoothed
        self._last_tick = time.monotonic()
        self._seen = self.buffer.total  # lines of the buffer already accounted for
        self._edits = self.buffer.edits  # its retractions already accounted for
        self._levels = Levels()
        self._cells = LineCells()  # the geometry of lines on screen (tabs, wide characters)

    def on_mount(self) -> None:
        self._schedule()

    # ------------------------------------------------------------------ feeding
    def append(self, lines: list[str], *, err: bool = False, first_no: int | None = None) -> None:
        """Add lines. Cheap: the screen catches up at the next frame. (The console's
        source runner appends to the shared buffer directly; the view notices.)"""
        self.buffer.append(lines, err=err, first_no=first_no, read_at=time.time())

    def clear(self) -> None:
        self.buffer.clear()
        self.cursor, self.pending = None, 0
        self._seen = self.buffer.total
        self._frame()

    # ------------------------------------------------------------------ frames
    def _schedule(self) -> None:
        # 20 frames/s when calm, 10 when busy, 5 in a flood: when lines arrive faster than
        # anyone reads them, each frame shifts every row, and over SSH the bytes of a
        # repaint are the cost that matters (at 2,000 lines/s a frame is 10% of the
        # console's CPU every 20 frames/s; eight consoles share a small machine: at 200
        # lines/s, 10 frames/s cost them more than 2,000 lines/s at 5).
        delay = 0.05 if self._rate < 20 else 0.1 if self._rate < 100 else 0.2
        self.set_timer(delay, self._tick, name="log-frame")

    def _tick(self) -> None:
        now = time.monotonic()
        span = max(now - self._last_tick, 1e-3)
        added = self.buffer.total - self._seen
        self._seen = self.buffer.total
        self._rate = 0.7 * self._rate + 0.3 * (max(added, 0) / span)
        self._last_tick = now
        if self.buffer.edits != self._edits:  # an unfinished line replaced (or taken away)
            self._edits = self.buffer.edits
            self._dirty = True
        if added:
            if not self.following:
                self.pending = max(self.pending + added, 0)
            self._dirty = True
        if self._dirty and self.region.area == 0:
            pass  # hidden (another tab, another pane at 80x24): the frame waits until shown
        elif self._dirty or (
            self.wrap and self.region.area and self._wrap_size() != self.buffer.wrap_width
        ):  # (or a scrollbar came or went since: the rows take what is left)
            self._frame()
        elif self.following and self.scroll_y < self.max_scroll_y:
            # The view got shorter since the last frame (the terminal shrank, a scrollbar
            # appeared): keep the newest line in sight even when no more lines arrive.
            self._stick_to_end()
        self._schedule()

    def _frame(self) -> None:
        self._dirty = False
        if self.wrap and self.buffer.wrap_width != self._wrap_size():
            self.buffer.set_wrap(self._wrap_size())  # the gutter widened, a scrollbar came
        region = self.scrollable_content_region.width
        width = region if self.wrap else self.buffer.widest + gutter_width(self.buffer) + 1
        grow(self, Size(width, self.buffer.rows()))
        if self.following:
            self._stick_to_end()
            self.call_after_refresh(self._stick_to_end)
        if self.cursor is not None and not self.buffer.has(self.cursor):
            self.cursor = self.buffer.first_seq if len(self.buffer) else None
        self.refresh()
        self.post_message(self.StatusChanged())

    def _wrap_size(self) -> int:
        """Cells a wrap row has: the view's width less the gutter."""
        return max(self.scrollable_content_region.width - gutter_width(self.buffer), 1)

    def _stick_to_end(self) -> None:
        if self.following and self.scroll_y != self.max_scroll_y:
            self.set_scroll(None, self.max_scroll_y)
            self.refresh()  # set_scroll neither repaints nor calls watchers

    @property
    def lines_per_second(self) -> float:
        return self._rate

    # ------------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        base = self.rich_style
        if row >= self.buffer.rows():
            return Strip.blank(width, base)
        index, part = self.buffer.row_to_line(row)
        seq = self.buffer.view_seq(index)
        raw = self.buffer.line(seq)
        gutter_w = gutter_width(self.buffer)
        number = f"{self.buffer.number(seq):>{gutter_w - 1}} "
        # Only what can be on screen is drawn, in cells (tabs expanded, wide characters
        # two): a line cut at 64 KiB used to be laid out whole for every row of every frame
        # (about 5 ms each), which starved the loop and its reads.
        if self.wrap:
            size = self.buffer.wrap_width
            lo, hi = self._cells.wrap_span(seq, raw, part, size)
            gutter, body_w = (number if part == 0 else " " * gutter_w), size
        else:
            gutter = number[scroll_x:]  # (scrolled right: the gutter goes first)
            lo = max(scroll_x - gutter_w, 0)
            body_w = width - len(gutter)
            hi = lo + body_w
        start, col, end = self._cells.chars(seq, raw, lo, hi)
        text = expand_tabs(self._line_text(seq, start, end), col)
        style = self.get_component_rich_style("stderr" if self.buffer.is_err(seq) else "gutter")
        left = Text(gutter, style, end="")
        if seq == self.cursor:
            for part_text in (left, text):
                part_text.stylize(self.get_component_rich_style("cursor"))
        body = self._strip(text, base).crop(lo - col, hi - col).extend_cell_length(body_w, base)
        return Strip.join([self._strip(left, base), body]).crop_extend(0, width, base)

    def _strip(self, text: Text, base: Style) -> Strip:
        segments = [
            Segment(s.text, base + s.style if s.style else base)
            for s in text.render(self.app.console)
        ]
        return Strip(segments, text.cell_len)

    def _line_text(self, seq: int, start: int, end: int) -> Text:
        """Characters ``start`` to ``end`` of the line ``seq``, styled: its level (read from
        its level field), the program's own colours over it, and the search's matches (found
        around the slice)."""
        raw = self.buffer.line(seq)
        text = Text(raw[start:end], no_wrap=True, end="")
        if level := self._levels.of(self.buffer, seq):
            text.stylize(self.get_component_rich_style(f"level-{level}"))
        for s_start, s_end, style in spans_within(self.buffer.spans(seq), start, end):
            text.stylize(style, s_start, s_end)
        if self.search is not None:
            match_style = self.get_component_rich_style("match")
            lo = max(start - _SCAN, 0)
            for m_start, m_end in self.search.spans(raw[lo : end + _SCAN]):
                m_start, m_end = m_start + lo, m_end + lo
                if m_end > start and m_start < end:
                    text.stylize(match_style, max(m_start - start, 0), m_end - start)
        return text

    # ------------------------------------------------------------------ moving
    def watch_following(self, following: bool) -> None:
        if following:
            self.pending = 0
        self.post_message(self.StatusChanged())

    def action_follow(self) -> None:
        self.following = True
        self.cursor = (
            self.buffer.view_seq(self.buffer.view_len() - 1) if self.buffer.view_len() else None
        )
        self._frame()

    def action_top(self) -> None:
        self.following = False
        if self.buffer.view_len():
            self.cursor = self.buffer.view_seq(0)
        self.scroll_home(animate=False)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        n = self.buffer.view_len()
        if not n:
            return
        here = self.buffer.view_index(self.cursor) if self.cursor is not None else None
        if here is None:
            here = n - 1
        target = min(max(here + delta, 0), n - 1)
        self.cursor = self.buffer.view_seq(target)
        self.following = delta > 0 and target == n - 1
        self._show_index(target)

    def _show_index(self, index: int, part: int = 0) -> None:
        row = self.buffer.line_to_row(index) + part
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)
        self.refresh()

    def on_mouse_scroll_up(self) -> None:
        self.following = False

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new < old and new < self.max_scroll_y:
            self.following = False

    # ------------------------------------------------------------------ search & view
    def set_search(self, pattern: Pattern | None) -> None:
        self.search = pattern
        self.refresh()

    def find(self, forward: bool = True) -> bool:
        """Move the cursor to the next (or previous) line matching the search."""
        if self.search is None or not self.buffer.view_len():
            return False
        n = self.buffer.view_len()
        here = self.buffer.view_index(self.cursor) if self.cursor is not None else None
        if here is None:  # no line chosen yet: search from the start, or back from the end
            here = -1 if forward else n
        found = self._next_match(here, forward, n)
        if found is None:
            return False
        self.cursor = self.buffer.view_seq(found)
        self.following = False
        self._show_match(found, self.cursor)
        return True

    def _show_match(self, index: int, seq: int) -> None:
        """Scroll to the line's first match: down to its wrap row, or sideways to it."""
        assert self.search is not None
        raw = self.buffer.line(seq)
        spans = self.search.spans(raw)
        m_start, m_end = spans[0] if spans else (0, 0)
        col, end = cells.width(raw[:m_start]), cells.width(raw[:m_end])
        if self.wrap:
            size = self.buffer.wrap_width
            self._show_index(index, self._cells.wrap_part(seq, raw, col, size))
            return
        self._show_index(index)
        gutter = gutter_width(self.buffer)
        width = self.scrollable_content_region.width
        left = int(self.scroll_offset.x) - gutter  # the line's first cell on screen
        if col >= max(left, 0) and end <= left + width:
            return  # already in view
        x = 0 if end + gutter <= width else gutter + col - width // 4
        self.scroll_to(x=max(x, 0), animate=False, immediate=True)

    def _next_match(self, here: int, forward: bool, n: int) -> int | None:
        """The view index of the next line with a match, looked for a block at a time (one
        call into RE2 per block, not per line)."""
        assert self.search is not None
        block, search = 4096, self.search.matching
        if forward:
            lo = here + 1
            while lo < n:
                hi = min(lo + block, n)
                if hits := search(self._view_lines(lo, hi)):
                    return lo + hits[0]
                lo = hi
        else:
            hi = here
            while hi > 0:
                lo = max(hi - block, 0)
                if hits := search(self._view_lines(lo, hi)):
                    return lo + hits[-1]
                hi = lo
        return None

    def _view_lines(self, lo: int, hi: int) -> list[str]:
        buf = self.buffer
        return [buf.line(buf.view_seq(i)) for i in range(lo, hi)]

    def set_filter(self, pattern: Pattern | None) -> None:
        self.buffer.set_filter(pattern)
        self._frame()

    def set_wrap(self, wrap: bool) -> None:
        self.wrap = wrap
        self.buffer.set_wrap(self._wrap_size() if wrap else 0)
        self._frame()

    def on_resize(self) -> None:
        if self.wrap:
            self.set_wrap(True)

    def selected(self) -> int | None:
        """The seq of the selected line (the newest when none was chosen)."""
        if self.cursor is not None and self.buffer.has(self.cursor):
            return self.cursor
        n = self.buffer.view_len()
        return self.buffer.view_seq(n - 1) if n else None
