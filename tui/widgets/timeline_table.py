"""The timeline's table: a header and one-line rows of fixed-width cells, drawn line by line.

Textual's ``DataTable`` renders every cell through Rich, measures new rows when it is next
idle, and grows its scroll range with a layout pass of the whole screen: under a busy
incident (notes from the CLI and other consoles, several a second) that was most of a
console's work, and its import alone was a tenth of the start-up. The timeline needs far
less: four columns whose widths its pane sets, rows of one line, a cursor. This draws only
the rows on screen, from cells cut to their width once, and grows its scroll range without
a layout pass. It keeps the names of the part of DataTable's API the timeline uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.scrolling import grow

PADDING = 1  # cells of space on each side of a column


@dataclass(frozen=True)
class Column:
    label: str
    width: int
    key: str


class TimelineTable(ScrollView, can_focus=True):
    """Rows of cells under a header that stays put; a cursor row; zebra stripes."""

    COMPONENT_CLASSES = {"timeline--header", "timeline--even-row", "timeline--cursor"}
    DEFAULT_CSS = """
    TimelineTable {
        background: $surface;
        color: $foreground;
        & > .timeline--header { text-style: bold; background: $panel; color: $foreground; }
        & > .timeline--even-row { background: $surface-lighten-1 50%; }
        & > .timeline--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .timeline--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .timeline--even-row { background: $surface-darken-1 40%; }
    }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,ctrl+home", "top", "Oldest", show=False),
        Binding("ctrl+end", "bottom", "Newest", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """The index of the row under the cursor (0 when there are none)."""

    @dataclass
    class RowHighlighted(Message):
        """The cursor moved to another row."""

        table: TimelineTable
        cursor_row: int
        row_key: str

        @property
        def control(self) -> TimelineTable:
            return self.table

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.columns: dict[str, Column] = {}
        self._keys: list[str] = []
        self._cells: list[list[Text]] = []
        self.rows: dict[str, int] = {}
        """Row key -> index."""
        self._lines: dict[int, Strip] = {}  # drawn rows, by index (cleared on a change of
        # columns, width or style; a row added, or the cursor moved, redraws only its own)
        self._highlighted: str | None = None  # the key of the row last announced

    # ------------------------------------------------------------------ the data
    @property
    def row_count(self) -> int:
        return len(self._keys)

    def add_column(self, label: str, *, width: int, key: str) -> None:
        self.columns[key] = Column(label, width, key)
        self._changed()

    def clear(self, columns: bool = False) -> None:
        self._keys, self._cells, self.rows = [], [], {}
        if columns:
            self.columns = {}
        self.set_reactive(TimelineTable.cursor_row, 0)
        self._changed()

    def add_row(self, *cells: Text, key: str) -> None:
        self.rows[key] = len(self._keys)
        self._keys.append(key)
        self._cells.append(list(cells))
        self._changed(clear=False)  # the rows drawn so far read the same (notes under load)

    def get_row_at(self, index: int) -> list[Text]:
        return list(self._cells[index])

    def get_row_index(self, key: str) -> int:
        return self.rows[key]

    def cursor_key(self) -> str | None:
        return self._keys[self.cursor_row] if self._keys else None

    def _changed(self, *, clear: bool = True) -> None:
        if clear:
            self._lines.clear()
        width = sum(c.width + 2 * PADDING for c in self.columns.values())
        grow(self, Size(width, self.row_count + 1))  # (+1: the header)
        self.refresh()

    # ------------------------------------------------------------------ the cursor
    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        if not self._keys:
            return
        row = min(max(row, 0), self.row_count - 1)
        if row != self.cursor_row:
            self.cursor_row = row
        elif self._keys[row] != self._highlighted:  # same place, another row (a redraw)
            self._announce(row)
        self._scroll_to_cursor(animate)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._lines.pop(old, None)
        self._lines.pop(new, None)
        self.refresh()
        if 0 <= new < self.row_count:
            self._announce(new)

    def _announce(self, row: int) -> None:
        self._highlighted = self._keys[row]
        self.post_message(self.RowHighlighted(self, row, self._keys[row]))

    def _scroll_to_cursor(self, animate: bool = False, *, again: bool = True) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=animate, immediate=True, force=True)
        elif self.cursor_row >= top + visible:
            # (force: rows just added have no scrollbar yet, and would wait a frame for one)
            self.scroll_to(
                y=self.cursor_row - visible + 1, animate=animate, immediate=True, force=True
            )
            if again and self.scroll_y < self.cursor_row - visible + 1:
                # the rows just added are not in the scroll range until the next layout
                self.call_after_refresh(self._scroll_to_cursor, animate, again=False)

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height - 2)
        self.move_cursor(row=self.cursor_row + direction * page)

    def action_top(self) -> None:
        self.move_cursor(row=0)

    def action_bottom(self) -> None:
        self.move_cursor(row=self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:  # (not the header)
            self.move_cursor(row=int(self.scroll_y) + event.y - 1)

    def on_focus(self) -> None:
        self._lines.pop(self.cursor_row, None)
        self.refresh()

    def on_blur(self) -> None:
        self.on_focus()

    def on_resize(self) -> None:
        self._lines.clear()
        if self._keys:  # the size is known now: the cursor row in view in this very frame
            self._scroll_to_cursor(again=False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # a theme or focus change restyles every row

    # ------------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("timeline--header")
            cells = [Text(c.label) for c in self.columns.values()]
            return self._strip(cells, base + header, width)
        index = int(self.scroll_y) + y - 1
        if not 0 <= index < self.row_count:
            return Strip.blank(width, base)
        line = self._lines.get(index)
        if line is None:
            style = base
            if index % 2:
                style += self.get_component_rich_style("timeline--even-row")
            if index == self.cursor_row:
                style += self.get_component_rich_style("timeline--cursor")
            line = self._lines[index] = self._strip(self._cells[index], style, width)
        return line

    def _strip(self, cells: list[Text], style: Style, width: int) -> Strip:
        console = self.app.console
        segments: list[Segment] = []
        pad = Segment(" " * PADDING)
        for column, cell in zip(self.columns.values(), cells, strict=False):
            text = cell.copy()
            text.truncate(column.width, overflow="ellipsis", pad=True)
            segments.append(pad)  # (Text.render leaves the text's own style to the caller)
            segments.extend(
                Segment.apply_style(text.render(console), console.get_style(text.style))
            )
            segments.append(pad)
        strip = Strip(segments).crop_extend(0, width, None)
        return strip.apply_style(style)
