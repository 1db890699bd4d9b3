"""The logs pane: one tab per log source of the incident (and the host glance).

Tabs follow the command ledger: a source recorded by any console or by ``warroom tail``
appears here within a second. Each tab is a :class:`SourcePane` over the buffer the app's
source runner fills.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from incident.sanitize import visible
from incident.state import IncidentState
from incident.words import plural
from session.log_buffer import LogBuffer
from tui.widgets.host import HostPane
from tui.widgets.log_source import SourcePane

if TYPE_CHECKING:
    from session.sources import SourceRunner

EMPTY_HELP = (
    "No log sources yet. Record one from a shell:\n"
    "  warroom tail INC --cmd 'tail -F /var/log/app.log'\n"
    "  warroom tail INC --grep 'ERROR|5[0-9][0-9]' /var/log/app/\n"
    "A console attached to the incident starts it."
)


class LogsPane(Vertical):
    """Tabs of log sources, following the incident's command ledger."""

    DEFAULT_CSS = """
    LogsPane {
        TabbedContent, ContentSwitcher, TabPane { height: 1fr; }
        TabPane { padding: 0; }
    }
    """
    ALLOW_MAXIMIZE = True
    BORDER_TITLE = "Logs"

    state: reactive[IncidentState | None] = reactive(None, always_update=True)

    def __init__(
        self,
        runner: SourceRunner | None = None,
        sampler: Callable[[], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """``runner`` holds the sources' buffers (none in review); ``sampler`` is the host
        probe (none: no host tab)."""
        super().__init__(**kwargs)
        self.runner = runner
        self.sampler = sampler
        self._sources: dict[str, SourcePane] = {}

    def compose(self) -> ComposeResult:
        sampler = self.sampler
        with TabbedContent(id="log-tabs"):
            with TabPane("sources", id="log-empty"):
                yield Static(Content(EMPTY_HELP), id="logs-help")
            if sampler is not None:
                with TabPane("host", id="log-host"):
                    yield HostPane(sampler, id="host")

    def buffer_for(self, source_id: str) -> LogBuffer:
        runner = self.runner
        return runner.buffer(source_id) if runner is not None else LogBuffer()

    async def watch_state(self, state: IncidentState | None) -> None:
        if state is None:
            return
        running = sum(1 for s in state.sources.values() if s.state == "started")
        self.border_subtitle = (
            f"{plural(len(state.sources), 'source')}, {running} running" if state.sources else ""
        )  # (before the tabs are awaited)
        tabs = self.query_one(TabbedContent)
        for sid, src in state.sources.items():
            pane_id = f"log-{sid}"
            if sid in self._sources:
                self._sources[sid].set_source(src)
                continue
            pane = self._sources[sid] = SourcePane(src, self.buffer_for(sid), id=f"src-{sid}")
            await tabs.add_pane(TabPane(Content(visible(src.spec.name)), pane, id=pane_id))
        if state.sources and tabs.query("#log-empty"):
            if tabs.active in ("", "log-empty"):  # (first: else the host tab is shown a moment)
                tabs.active = f"log-{next(iter(state.sources))}"
            await tabs.remove_pane("log-empty")

    def main_widget(self) -> Widget | None:
        """What the console's ``3`` focuses: the shown source's log view (or the host
        glance), so that its keys (``/ & w`` Enter) act at once; None while there is none."""
        shown = self.query_one(TabbedContent).active_pane
        if shown is None:
            return None
        return next((w for w in shown.query("LogView, HostPane") if w.focusable), None)

    def source_pane(self, source_id: str) -> SourcePane | None:
        return self._sources.get(source_id)

    def source_panes(self) -> list[SourcePane]:
        """One per log source of the incident, in the order they were added."""
        return list(self._sources.values())
