"""The timeline pane: Time (UTC) | Event | Action Taken | Owner, newest at the bottom.

It holds only the rows it has loaded: the newest page on attach, older pages as the cursor
reaches the top, so an incident with 100,000 events opens as fast as one with ten. Every
cell is a ``Text`` made from sanitised strings: nothing typed or read is parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message

from incident.glance import Row
from incident.sanitize import visible
from tui.widgets.timeline_table import TimelineTable

if TYPE_CHECKING:
    from incident.journal import Event, TimelineEntry

FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("all", None),
    ("notes", frozenset({"note", "declared"})),
    (
        "decisions",
        frozenset(
            {"status", "severity", "phase", "participant", "field", "action_item", "declared"}
        ),
    ),
    ("checklist", frozenset({"checklist"})),
    ("comms", frozenset({"comms", "notify", "cadence"})),
    ("commands", frozenset({"command"})),
    ("evidence", frozenset({"evidence"})),
    ("corrections", frozenset({"edit"})),
)
KIND_STYLE = {
    "declared": "bold",
    "status": "bold",
    "severity": "bold",
    "phase": "bold",
    "evidence": "italic",
    "edit": "dim italic",
    "command": "dim",
}


class TimelinePane(Vertical, can_focus=False):
    """The incident's timeline, filterable by kind."""

    ALLOW_MAXIMIZE = True
    BORDER_TITLE = "Timeline"
    BINDINGS = [
        Binding(
            "f",
            "cycle_filter",
            "Filter",
            tooltip="One kind of entry at a time: notes, decisions, checklist, comms...",
        ),
        Binding("e", "screen.correct", "Correct", tooltip="Amend or retract the selected entry"),
        Binding(
            "enter",
            "screen.detail",
            "Detail",
            show=False,  # (the footer at 80 columns has no room: the help and palette say it)
            tooltip="The selected entry in full: text, times, owner, payload",
        ),
        # priority: End follows the newest entry wherever the focus is in the pane
        Binding(
            "end,G",
            "follow",
            "Newest",
            show=False,
            priority=True,
            tooltip="Go to the newest entry, and follow new ones",
        ),
    ]

    @dataclass
    class Correct(Message):
        """The user asked to correct the entry under the cursor."""

        entry: TimelineEntry

    @dataclass
    class Drawn(Message):
        """The rows were drawn at a new width (the first time: the timeline is on screen)."""

        pane: TimelinePane

        @property
        def control(self) -> TimelinePane:
            return self.pane

    @dataclass
    class NeedOlder(Message):
        """The cursor reached the oldest loaded row: load the page before it."""

        pane: TimelinePane
        before: Event

        @property
        def control(self) -> TimelinePane:
            return self.pane

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._events: dict[int, Event] = {}
        self._rows: list[TimelineEntry] | list[Row] = []
        self._filter = 0
        self._width = 0
        self.has_older = True
        self._asked_older = False

    def compose(self) -> ComposeResult:
        yield TimelineTable(id="timeline-table")

    @property
    def table(self) -> TimelineTable:
        return self.query_one(TimelineTable)

    @property
    def kind_filter(self) -> str:
        return FILTERS[self._filter][0]

    def on_mount(self) -> None:
        self._width = 0  # the columns are sized on the first resize, and the rows drawn

    def on_resize(self) -> None:
        if self.size.width != self._width:  # height changes need no new columns
            self._width = self.size.width
            self._columns()
            self._redraw()
            self.post_message(self.Drawn(self))
        elif self._following():  # shorter: keep the newest row on screen
            self.call_after_refresh(self.action_follow)

    # ------------------------------------------------------------------ data in
    def show_rows(self, rows: Sequence[Row]) -> None:
        """The first frame's rows, peeked from the store before the journal is open
        (``storage/peek.py``); the first :meth:`add_events` replaces them."""
        self._rows = list(rows)
        self._redraw()

    def add_events(self, events: Iterable[Event], *, older_page: bool = False) -> None:
        """Take new (or older) events; corrections re-render the rows they amend."""
        from incident.journal import timeline  # (the domain is loaded after the first frame)

        fresh = [e for e in events if e.id is not None and e.id not in self._events]
        if older_page:
            self._asked_older = False
            if not fresh:
                self.has_older = False
        if not fresh:
            return
        peeked = not self._events  # the rows on screen (if any) were peeked: replace them
        for e in fresh:
            self._events[e.id] = e  # type: ignore[index]
        if not self._width:  # not laid out yet: the first resize draws them, once
            self._rows = timeline(list(self._events.values()))
            return
        following = self._following()
        newest = self._rows[-1].occurred_at if self._rows else None
        append_only = (
            not older_page
            and not peeked
            and newest is not None
            and all(e.occurred_at >= newest and e.corrects is None for e in fresh)
        )
        if append_only:  # the common case (notes as they come): rows for them alone
            added = timeline(fresh)
            for r in added:
                if self._visible(r):
                    self._add_row(r)
            self._rows.extend(added)  # type: ignore[arg-type]
        else:  # older rows, corrections, backdated entries: the whole timeline again
            self._rows = timeline(list(self._events.values()))
            self._redraw()
        if following and not older_page:
            self.action_follow()

    @property
    def entries(self) -> Sequence[TimelineEntry]:
        return self._rows

    def oldest_event(self) -> Event | None:
        return min(self._events.values(), key=lambda e: e.sort_key, default=None)

    # ------------------------------------------------------------------ drawing
    def _columns(self) -> None:
        table = self.table
        width = max(self.size.width - 2, 40)
        time_w, owner_w = 10, min(20, max(8, width // 7))
        rest = width - time_w - owner_w - 8
        action_w = rest * 3 // 10
        self._widths = (time_w, rest - action_w, action_w, owner_w)
        table.clear(columns=True)
        for label, w in zip(
            ("Time (UTC)", "Event", "Action Taken", "Owner"), self._widths, strict=True
        ):
            table.add_column(label, width=w, key=label)

    def _visible(self, row: TimelineEntry | Row) -> bool:
        kinds = FILTERS[self._filter][1]
        return kinds is None or str(row.kind) in kinds

    def _cells(self, r: TimelineEntry | Row) -> list[Text]:
        style = KIND_STYLE.get(str(r.kind), "")
        start = self._rows[0].occurred_at if self._rows else r.occurred_at
        at = r.occurred_at.astimezone(UTC)
        when = (
            at.strftime("%H:%M:%S")
            if at.date() == start.astimezone(UTC).date()
            else at.strftime("%m-%d %H:%M")
        )
        text = visible(r.text)
        if r.retracted:
            text, style = f"{text} (retracted)", "strike dim"
        elif r.corrected:
            text += " ✎"
        return [
            Text(when, style="dim"),
            Text(text, style=style, no_wrap=True, overflow="ellipsis"),
            Text(visible(r.action), no_wrap=True, overflow="ellipsis"),
            Text(visible(r.owner), no_wrap=True, overflow="ellipsis"),
        ]

    def _add_row(self, r: TimelineEntry | Row) -> None:
        self.table.add_row(*self._cells(r), key=str(r.id))

    def _redraw(self) -> None:
        if not self._width:
            return  # the first resize draws
        table = self.table
        keep = self._cursor_entry()
        table.clear()
        for r in self._rows:
            if self._visible(r):
                self._add_row(r)
        self.border_subtitle = "" if self._filter == 0 else f"filter: {self.kind_filter}"
        if keep is not None and str(keep.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)), animate=False)
        else:
            self.action_follow()

    def _following(self) -> bool:
        t = self.table
        return t.row_count == 0 or t.cursor_row >= t.row_count - 1

    def _cursor_entry(self) -> TimelineEntry | Row | None:
        t = self.table
        if t.row_count == 0:
            return None
        key = t.cursor_key()
        return next((r for r in self._rows if str(r.id) == key), None)

    # ------------------------------------------------------------------ actions
    def action_follow(self) -> None:
        t = self.table
        if t.row_count:
            t.move_cursor(row=t.row_count - 1, animate=False)
            t.scroll_end(animate=False, immediate=True, force=True)

    def action_cycle_filter(self) -> None:
        self._filter = (self._filter + 1) % len(FILTERS)
        self._redraw()

    def selected(self) -> TimelineEntry | Row | None:
        return self._cursor_entry()

    @on(TimelineTable.RowHighlighted)
    def _maybe_older(self, event: TimelineTable.RowHighlighted) -> None:
        # A redraw (clear + add_row) posts a stale highlight of row 0: trust only the cursor.
        if (
            event.cursor_row == 0 == self.table.cursor_row
            and self.has_older
            and not self._asked_older
        ):
            oldest = self.oldest_event()
            if oldest is not None:
                self._asked_older = True
                self.post_message(self.NeedOlder(self, oldest))
