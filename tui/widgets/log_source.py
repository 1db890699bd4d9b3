"""One log source in its tab: a status line, a search/filter bar, and the live LogView.

Keys: ``/`` search, ``]``/``[`` next/previous match, ``&`` filter (only matching lines),
``w`` wrap, ``ctrl+l`` clear, ``enter`` pin the selected line to the timeline as evidence,
``r`` run again, ``x`` stop. The pane asks; the app does (messages up).
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

from incident.sanitize import visible
from incident.state import SourceState
from session.log_buffer import LogBuffer
from tui.widgets.confirm import ask, confirm_stop
from tui.widgets.field import Field
from tui.widgets.log_view import LogView, pattern_for

SourceRequest = Literal["stop", "rerun", "pin"]
"""What a :class:`SourcePane` asks of the app for its source."""


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
        #src-status { height: 2; padding: 0 1; background: $panel; width: 1fr; }
        #src-query { height: 1; border: none; padding: 0 1; }
        #src-query.-hidden { display: none; }
        LogView { height: 1fr; }
    }
    """
    BINDINGS = [
        Binding("slash", "query('search')", "Search", tooltip="Find a pattern (regex)"),
        Binding(
            "ampersand",
            "query('filter')",
            "Filter",
            tooltip="Show only the lines matching a pattern (empty shows all)",
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
        self._shown: Content | None = None

    @property
    def source_id(self) -> str:
        return self.source.id

    def compose(self) -> ComposeResult:
        yield Label(id="src-status")
        yield Field(
            placeholder="search (regex; Enter applies, Escape closes)",
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
        if view.buffer.filtered:
            parts.append(("filtered ", "bold $accent"))
        if self.notice:
            parts.append((self.notice, "bold $error"))
        parts += [("\n$ ", "dim"), visible(spec_text(s))]
        content = Content.assemble(*parts)
        if content != self._shown:
            # The line has a fixed height (CSS): a new text needs no layout pass, which
            # matters when a flood asks for a status update every frame.
            self._shown = content
            self.query_one("#src-status", Label).update(content, layout=False)

    # ------------------------------------------------------------------ keys
    def action_query(self, mode: str) -> None:
        self._query_mode = mode
        box = self.query_one("#src-query", Input)
        box.placeholder = (
            "search (regex; Enter applies, Escape closes)"
            if mode == "search"
            else "show only lines matching (empty shows all)"
        )
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Submitted, "#src-query")
    def _apply(self, event: Input.Submitted) -> None:
        event.stop()
        pattern = pattern_for(event.value)
        if self._query_mode == "search":
            self.view.set_search(pattern)
            self.view.find(forward=False)
        else:
            self.view.set_filter(pattern)
        event.input.add_class("-hidden")
        self.view.focus()
        self.update_status()

    def on_key(self, event) -> None:
        box = self.query_one("#src-query", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.add_class("-hidden")
            self.view.focus()

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
