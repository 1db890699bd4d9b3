"""The help screen: every key of the console, and the playbook's immediate actions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from incident.playbook import load_playbook
from tui.actions import ACTIONS, key_label

PANE_KEYS = (
    ("Timeline", "f filter by kind · e correct the selected entry · End newest"),
    ("Checklist", "space/enter tick · enter on a phase heading moves to it"),
    (
        "Comms",
        "ctrl+s mark the draft sent · ctrl+r start again from the template · "
        "ctrl+n next audience · ctrl+t next template · space ticks a notification",
    ),
    (
        "Logs",
        "/ search · ] [ next/previous match · & filter · w wrap · ctrl+l clear · "
        "enter pin the line as evidence · End follow · r rerun · x stop · + add source",
    ),
    ("Host", "enter pins a snapshot of the machine as evidence"),
    ("Everywhere", "tab / shift+tab move between panes · ctrl+p command palette · ctrl+q quit"),
)


def help_content() -> Content:
    pb = load_playbook()
    parts: list = [("Keys\n", "bold $accent")]
    for a in ACTIONS:
        parts += [(f"  {key_label(a.key):>3}  ", "bold"), f"{a.title}", (f" - {a.help}\n", "dim")]
    parts.append(("\nIn the panes\n", "bold $accent"))
    for pane, keys in PANE_KEYS:
        parts += [(f"  {pane}: ", "bold"), f"{keys}\n"]
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
            yield Static(help_content())
