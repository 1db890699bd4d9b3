"""The help screen: every key of the console, and the playbook's immediate actions.

Nothing in it is typed twice: the console's keys come from its actions table
(tui/actions.py), each pane's from the pane's own bindings (their tooltips say more), and
the keys that work everywhere from Textual's screen, the command palette and the app."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from incident.playbook import load_playbook
from tui.actions import ACTIONS, key_label
from tui.widgets.checklist import ChecklistPane
from tui.widgets.comms import CommsPane
from tui.widgets.host import HostPane
from tui.widgets.log_source import SourcePane
from tui.widgets.log_view import LogView
from tui.widgets.notify import NotifyList
from tui.widgets.timeline import TimelinePane

PANES: tuple[tuple[str, tuple[type[DOMNode], ...]], ...] = (
    ("Timeline", (TimelinePane,)),
    ("Checklist", (ChecklistPane,)),
    ("Comms", (CommsPane, NotifyList)),
    ("Logs", (SourcePane, LogView)),
    ("Host", (HostPane,)),
)
"""Each pane of the help, and the widgets whose keys it lists."""

Line = tuple[str, str, str]  # key, title, explanation


def own_keys(widget: type[DOMNode]) -> list[Line]:
    """The keys a widget class binds itself (not its base's arrows and pages): those the
    footer shows, and the hidden ones that say what they do (a tooltip)."""
    return binding_lines(widget.__dict__.get("BINDINGS", ()), everything=False)


def binding_lines(bindings: Iterable[BindingType], *, everything: bool = True) -> list[Line]:
    return [
        (key_label(b.key), b.description, b.tooltip)
        for b in bindings
        if isinstance(b, Binding) and not b.system and (everything or b.show or b.tooltip)
    ]


def everywhere_keys(app: App) -> list[Line]:
    """Focus moves (every screen's), the command palette, and the app's own keys."""
    lines = binding_lines(Screen.BINDINGS)
    if app.ENABLE_COMMAND_PALETTE:
        lines.append((key_label(app.COMMAND_PALETTE_BINDING), "Command palette", ""))
    return lines + binding_lines(type(app).BINDINGS)


def key_lines(lines: list[Line], indent: str = "  ", width: int = 3) -> list[str | tuple[str, str]]:
    width = max([width, *(len(key) for key, _, _ in lines)])
    parts: list[str | tuple[str, str]] = []
    for key, title, explained in lines:
        parts += [(f"{indent}{key:>{width}}  ", "bold"), title]
        parts.append((f" - {explained}\n", "dim") if explained else "\n")
    return parts


def help_content(app: App) -> Content:
    pb = load_playbook()
    parts: list[str | tuple[str, str]] = [("Keys\n", "bold $accent")]
    parts += key_lines([(key_label(a.key), a.title, a.help) for a in ACTIONS])
    parts.append(("\nIn the panes\n", "bold $accent"))
    panes = [(pane, [line for w in widgets for line in own_keys(w)]) for pane, widgets in PANES]
    width = max(len(key) for _, lines in panes for key, _, _ in lines)  # one column for all
    for pane, lines in panes:
        parts.append((f"  {pane}\n", "bold"))
        parts += key_lines(lines, indent="    ", width=width)
    parts.append(("\nEverywhere\n", "bold $accent"))
    parts += key_lines(everywhere_keys(app))
    parts.append(("\nImmediate actions (the playbook)\n", "bold $accent"))
    for n, act in enumerate(pb.immediate_actions, 1):
        parts += [(f"  {n}. {act.name}", "bold"), f" - {act.description}\n"]
    parts.append(("\nDuring the incident\n", "bold $accent"))
    parts += [f"  • {p}\n" for p in pb.procedures.during_incident]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Keys and the playbook at a glance; Escape or ? closes it."""

    CSS = "#help { height: 90%; }"
    BINDINGS = [Binding("escape,question_mark,q", "dismiss(None)", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help") as box:
            box.border_title = "Help"
            yield Static(help_content(self.app))
