"""The logs pane: one tab per log source recorded for the incident.

Each tab shows what its source runs and its state from the command ledger (added, started
with its pid, exited with its code, failed with the reason). The live view of the output is
the log-pane issue's; this container and its tabs follow the ledger as it changes.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static, TabbedContent, TabPane

from incident.sanitize import visible
from incident.state import IncidentState, SourceState

EMPTY_HELP = ("No log sources yet. Record one from a shell:\n"
              "  warroom tail INC --cmd 'tail -F /var/log/app.log'\n"
              "  warroom tail INC --grep 'ERROR|5[0-9][0-9]' /var/log/app/")


def describe(src: SourceState) -> Content:
    spec = src.spec
    what = spec.command if spec.kind == "cmd" else (
        f"grep {'-F ' if spec.fixed else ''}{'-i ' if spec.ignore_case else ''}"
        f"{'-v ' if spec.invert else ''}{spec.pattern} {' '.join(spec.paths)}")
    state = {"added": ("recorded, waiting for a console to start it", "$warning"),
             "started": (f"running, pid {src.pid}", "$success"),
             "exited": (f"exited with code {src.exit_code}",
                        "$success" if src.exit_code == 0 else "$error"),
             "stopped": ("stopped", "dim"),
             "failed": (f"failed to start: {src.reason or 'unknown reason'}", "$error"),
             }.get(src.state, (src.state, ""))
    return Content.assemble(
        ("$ ", "dim"), visible(what or ""), "\n",
        ("state ", "dim"), (state[0], state[1]), "\n",
        ("cwd   ", "dim"), visible(spec.cwd or "-"), "\n",
        ("since ", "dim"), f"{src.changed_at:%H:%M:%S} UTC")


class LogsPane(Vertical):
    """Tabs of log sources, following the incident's command ledger."""

    ALLOW_MAXIMIZE = True
    BORDER_TITLE = "Logs"

    state: reactive[IncidentState | None] = reactive(None, always_update=True)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="log-tabs"), TabPane("sources", id="log-empty"):
            yield Static(Content(EMPTY_HELP), id="logs-help")

    async def watch_state(self, state: IncidentState | None) -> None:
        if state is None:
            return
        tabs = self.query_one(TabbedContent)
        for sid, src in state.sources.items():
            pane_id = f"log-{sid}"
            body = describe(src)
            existing = tabs.query(f"#{pane_id}")
            if existing:
                existing.first(TabPane).query_one(Static).update(body)
                continue
            await tabs.add_pane(TabPane(Content(visible(src.spec.name)), Static(body),
                                        id=pane_id))
        if state.sources and tabs.query("#log-empty"):
            await tabs.remove_pane("log-empty")
        self.border_subtitle = f"{len(state.sources)} source(s)" if state.sources else ""
