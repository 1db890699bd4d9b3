"""One log source in its tab: a status line, a search/filter bar, and the live LogView.

Keys: ``/`` search, ``]``/``[`` next/previous match, ``&`` filter (only matching lines),
``w`` wrap, ``ctrl+l`` clear, ``enter`` pin the selected line to the timeline as evidence,
``r`` run again, ``x`` stop; in the bar, ``ctrl+t`` reads the text as a regex or literally.
The pane asks; the app does (messages up).

The status line's second row says how the search and the filter were read (a regex or
literally, and why: ``incident.query``) and what they match: the filter from the buffer's
filter index, the search from a count kept a block at a time (``session.log_count``), so
neither costs a frame on 200,000 lines; new lines update both as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label

from incident.query import Query, filter_summary, read_query, search_summary, toggled
from incident.sanitize import visible
from incident.state import SourceState
from session.log_buffer import LogBuffer
from session.log_count import SearchCount
from tui.widgets.confirm import ask, confirm_stop
from tui.widgets.field import Field
from tui.widgets.log_view import LogView

SourceRequest = Literal["stop", "rerun", "pin"]
"""What a :class:`SourcePane` asks of the app for its source."""

PLACEHOLDER = {
    "search": "search (regex; =text: literal, ctrl+t toggles; Enter applies, Esc closes)",
    "filter": "show only lines matching (=text: literal, ctrl+t toggles; empty: all)",
}
COUNT_AGAIN = 0.02  # seconds between steps of a search count that is not done


def spec_text(src: SourceState) -> str:
    spec = src.spec
    if spec.kind == "cmd":
        return spec.command or ""
    flags = "".join(
        f
        for f, on_ in (("-F ", spec.fixed), ("-i ", spec.ignore_case), ("-v ", spec.invert))
        if on_
    )
    return f"grep {flags}{spec.pattern} {' '.join(spec.paths)}"


class SourcePane(Vertical):
    """The view of one source, fed by the app's source runner through a shared buffer."""

    DEFAULT_CSS = """
    SourcePane {
        #src-status {
            height: 2; padding: 0 1; background: $panel; width: 1fr;
            text-wrap: nowrap; text-overflow: ellipsis;
        }
        #src-query { height: 1; border: none; padding: 0 1; }
        #src-query.-hidden { display: none; }
        LogView { height: 1fr; }
    }
    """
    BINDINGS = [
        Binding(
            "slash",
            "query('search')",
            "Search",
            tooltip="Find a pattern (regex, or =text literally)",
        ),
        Binding(
            "ampersand",
            "query('filter')",
            "Filter",
            tooltip="Show only the lines matching a pattern (empty shows all)",
        ),
        Binding(
            "ctrl+t",
            "toggle_reading",
            "Regex/literal",
            show=False,
            tooltip="In the search or filter bar: read the text as a regex or literally "
            "(= first: literal, ~ first: regex, ==x finds =x; bracketed words like [error] read "
            "literally)",
        ),
        Binding("right_square_bracket", "find(True)", "Next", show=False, tooltip="Next match"),
        Binding("left_square_bracket", "find(False)", "Prev", show=False, tooltip="Previous match"),
        Binding("w", "wrap", "Wrap", show=False, tooltip="Wrap long lines, or not"),
        Binding("ctrl+l", "clear", "Clear", show=False, tooltip="Clear the lines shown"),
        Binding("enter", "pin", "Pin", tooltip="The selected line, as evidence on the timeline"),
        Binding("r", "rerun", "Rerun", show=False, tooltip="Run the source again"),
        Binding("x", "stop", "Stop", show=False, tooltip="Stop the running source (asks first)"),
    ]

    @dataclass
    class Request(Message):
        """Ask the app to ``pin`` the line ``seq``, ``rerun`` or ``stop`` the source."""

        pane: SourcePane
        what: SourceRequest
        seq: int | None = None

        @property
        def control(self) -> SourcePane:
            return self.pane

    def __init__(self, source: SourceState, buffer: LogBuffer, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.buffer = buffer
        self.live = ""  # pid, cpu, memory, lines/s from the runner
        self.notice = ""  # e.g. "capture behind: 1,234 lines not stored"
        self._query_mode = "search"
        self._typed = {"search": "", "filter": ""}  # the last text applied, per mode
        self._preview: Query | None = None  # how the bar's text reads, while it is open
        self._filter: Query | None = None
        self._search: Query | None = None
        self._count: SearchCount | None = None
        self._counting = False  # a timer will step the search count
        self._shown: Content | None = None
        self._rows = 2  # of the status (its CSS height)

    @property
    def source_id(self) -> str:
        return self.source.id

    def compose(self) -> ComposeResult:
        yield Label(id="src-status")
        yield Field(
            placeholder=PLACEHOLDER["search"],
            id="src-query",
            classes="-hidden",
            select_on_focus=True,
        )
        yield LogView(self.buffer, id="src-view")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.call_after_refresh(self.update_status)

    def set_source(self, source: SourceState) -> None:
        self.source = source
        self.update_status()

    @on(LogView.StatusChanged)
    def update_status(self) -> None:
        if not self.is_mounted:
            return
        s = self.source
        state = {
            "added": ("waiting to start", "$warning"),
            "started": ("● running", "$success"),
            "exited": (f"exited {s.exit_code}", "$success" if s.exit_code == 0 else "$error"),
            "stopped": ("■ stopped", "$text-muted"),
            "failed": (f"✖ failed: {visible(s.reason or 'unknown reason')}", "$error"),
        }.get(s.state, (s.state, ""))
        view = self.view
        parts: list = [(state[0], f"bold {state[1]}"), " "]
        if self.live:
            parts += [(self.live, "dim"), " "]
        if not view.following:
            parts.append((f"⏸ paused, {view.pending:,} new (End follows) ", "bold $warning"))
        if self.notice:
            parts.append((self.notice, "bold $error"))
        queries = self._queries()
        for said, style in queries:  # a row each: at 80 columns two would not fit in one
            parts += ["\n", (said, style)]
        parts += [("\n$ ", "dim"), visible(spec_text(s))]
        content = Content.assemble(*parts)
        if content != self._shown:
            # The rows have a fixed height: a new text needs no layout pass, which matters
            # when a flood asks for a status update every frame. (Only a search or filter
            # set or cleared changes the height.)
            self._shown = content
            label = self.query_one("#src-status", Label)
            if self._rows != 2 + len(queries):
                self._rows = 2 + len(queries)
                label.styles.height = self._rows
            label.update(content, layout=False)

    def _queries(self) -> list[tuple[str, str]]:
        """What the status says of the bar's text, the filter and the search: a row each."""
        said: list[tuple[str, str]] = []
        if self._preview is not None:
            q = self._preview
            why = f" ({q.why})" if q.why else ""
            said.append((f"{self._query_mode} reads as {q.note}{why}, Enter applies", "$accent"))
        buf = self.buffer
        if self._filter is not None:
            said.append((filter_summary(self._filter, buf.view_len(), len(buf)), "bold $accent"))
        if self._search is not None and self._count is not None:
            done = self._count.done or self._count.step()
            if not done:
                self._count_later()
            said.append((search_summary(self._search, self._count.count, done=done), "bold"))
        return said

    def _count_later(self) -> None:
        """Step the search count again soon (frames only come when lines arrive)."""
        if not self._counting:
            self._counting = True
            self.set_timer(COUNT_AGAIN, self._count_more, name="search-count")

    def _count_more(self) -> None:
        self._counting = False
        self.update_status()

    # ------------------------------------------------------------------ keys
    def action_query(self, mode: str) -> None:
        self._query_mode = mode
        box = self.query_one("#src-query", Input)
        box.placeholder = PLACEHOLDER[mode]
        box.value = self._typed[mode]
        box.remove_class("-hidden")
        box.focus()
        self._preview = read_query(box.value)
        self.update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_reading":  # a key of the bar: only while it is open
            return not self.query_one("#src-query", Input).has_class("-hidden")
        return True

    def action_toggle_reading(self) -> None:
        box = self.query_one("#src-query", Input)
        box.value = toggled(box.value)
        box.cursor_position = len(box.value)
        box.focus()

    @on(Input.Changed, "#src-query")
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.has_class("-hidden"):
            return
        self._preview = read_query(event.value)
        self.update_status()

    @on(Input.Submitted, "#src-query")
    def _apply(self, event: Input.Submitted) -> None:
        event.stop()
        query = read_query(event.value)
        pattern = query.pattern if query is not None else None
        self._typed[self._query_mode] = event.value
        if self._query_mode == "search":
            self._search = query
            self._count = SearchCount(self.buffer, pattern) if pattern is not None else None
            self.view.set_search(pattern)
            self.view.find(forward=False)
        else:
            self._filter = query
            self.view.set_filter(pattern)
        self._close_bar()

    def _close_bar(self) -> None:
        self._preview = None
        self.query_one("#src-query", Input).add_class("-hidden")
        self.view.focus()
        self.update_status()

    def on_key(self, event) -> None:
        box = self.query_one("#src-query", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            self._close_bar()

    def action_find(self, forward: bool) -> None:
        if not self.view.find(forward):
            self.notify("no more matches", timeout=2)

    def action_wrap(self) -> None:
        self.view.set_wrap(not self.view.wrap)

    def action_clear(self) -> None:
        self.view.clear()

    def action_pin(self) -> None:
        seq = self.view.selected()
        if seq is None:
            self.notify("nothing to pin yet", severity="warning")
            return
        self.post_message(self.Request(self, "pin", seq))

    def action_rerun(self) -> None:
        self.post_message(self.Request(self, "rerun"))

    def action_stop(self) -> None:
        """Stop the source; a running one asks first (x is one key, a stop is not undone)."""
        if self.source.state != "started":
            self.post_message(self.Request(self, "stop"))  # (the console says why not)
            return
        name = visible(self.source.spec.name)
        dialog = confirm_stop(name, visible(spec_text(self.source)))
        ask(self, dialog, lambda: self.post_message(self.Request(self, "stop")))
