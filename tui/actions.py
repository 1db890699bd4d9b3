"""Every console action, once: the screen's bindings, the command palette and the help
screen are all built from this table, so none of them can forget one."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.keys import format_key


@dataclass(frozen=True)
class ConsoleAction:
    action: str  # the screen action it runs (without "action_")
    key: str  # the key that runs it on the console screen
    title: str  # palette title and help line
    help: str  # one line of explanation
    footer: str = ""  # its short label in the footer; none: not shown there
    writes: bool = True  # changes the incident (refused in review mode)


ACTIONS: tuple[ConsoleAction, ...] = (
    ConsoleAction(
        "note",
        "n",
        "Add timeline note",
        "Record what happened, the action taken, and the owner",
        footer="Note",
    ),
    ConsoleAction(
        "severity",
        "s",
        "Change severity",
        "SEV-1/2/3 with the playbook's criteria",
        footer="Severity",
    ),
    ConsoleAction(
        "status",
        "t",
        "Change status",
        "Active, mitigated or resolved (with the resolution)",
        footer="Status",
    ),
    ConsoleAction(
        "assign",
        "a",
        "Assign participant",
        "Name a person to a role; delegation by symptom is suggested",
    ),
    ConsoleAction("phase", "p", "Change phase", "Move to another response phase"),
    ConsoleAction(
        "details",
        "d",
        "Incident details",
        "Title, service, impact, detection, status page link, root cause, ETA, commander",
    ),
    ConsoleAction(
        "action_items",
        "o",
        "Action items",
        "Add action items with owner and due date; mark them done (the report lists them)",
    ),
    ConsoleAction(
        "add_source",
        "plus",
        "Add log source",
        "Run a shell command or a grep in a log pane (recorded in the ledger)",
    ),
    ConsoleAction(
        "correct",
        "e",
        "Correct timeline entry",
        "Amend or retract the selected entry (the original stays in the journal)",
    ),
    ConsoleAction(
        "detail",
        "v",
        "Timeline entry in full",
        "The selected entry whole (Enter on a row too): text, times, owner, and its evidence, "
        "exit code or message",
        writes=False,
    ),
    ConsoleAction(
        "notify_checklist",
        "i",
        "Notification checklist",
        "Who the playbook says to tell at this severity; tick them off",
    ),
    ConsoleAction(
        "cadence", "u", "Update cadence", "How often each audience gets an update at this severity"
    ),
    ConsoleAction(
        "contacts",
        "c",
        "Emergency contacts",
        "The roster kept for every incident: on-call, DBA, security, comms, execs",
    ),
    ConsoleAction(
        "comms_history",
        "h",
        "Sent updates",
        "Every update sent, per audience, with its exact text",
        writes=False,
    ),
    ConsoleAction(
        "comms('copy')",
        "f2",
        "Copy draft to clipboard",
        "The comms draft on screen, via OSC 52 (works over SSH)",
        writes=False,
    ),
    ConsoleAction(
        "comms('file')",
        "f3",
        "Write draft to a file",
        "The comms draft on screen, as a new file only you can read",
        writes=False,
    ),
    ConsoleAction(
        "comms('editor')",
        "f4",
        "Edit draft in $EDITOR",
        "Open the comms draft in your editor; it comes back autosaved",
        writes=False,
    ),
    ConsoleAction(
        "zoom",
        "z",
        "Zoom pane",
        "Show the focused pane full screen, and back (Escape too)",
        footer="Zoom",
        writes=False,
    ),
    ConsoleAction(
        "show_pane('timeline')", "1", "Go to Timeline", "Focus the timeline pane", writes=False
    ),
    ConsoleAction(
        "show_pane('checklist')", "2", "Go to Checklist", "Focus the phase checklist", writes=False
    ),
    ConsoleAction("show_pane('logs')", "3", "Go to Logs", "Focus the log panes", writes=False),
    ConsoleAction(
        "show_pane('comms')", "4", "Go to Comms", "Focus the communication drafts", writes=False
    ),
    ConsoleAction(
        "help",
        "question_mark",
        "Help",
        "Every key and the playbook's immediate actions",
        footer="Help",
        writes=False,
    ),
    ConsoleAction(
        "quit",
        "q",
        "Quit",
        "Leave the console; everything is already saved",
        footer="Quit",
        writes=False,
    ),
)


def bindings() -> list[Binding]:
    return [Binding(a.key, a.action, a.footer or a.title, show=bool(a.footer)) for a in ACTIONS]


def key_label(key: str) -> str:
    """How the help writes a binding's key: ``?``, ``+``, ``F2``, ``ctrl+s``, ``end/G``."""
    if "," in key:
        return "/".join(key_label(k) for k in key.split(","))
    *modifiers, name = key.split("+")
    if name[:1] == "f" and name[1:].isdigit():
        name = name.upper()  # F2
    elif len(sign := format_key(name)) == 1 and sign.isascii() and not sign.isalnum():
        name = sign  # question_mark: ?  (names of other keys stay words: enter, space)
    return "+".join([*modifiers, name])


def after_panes(method: Callable[..., Any]) -> Callable[..., Any]:
    """For a console action that needs every pane: it runs now if they are mounted, or as
    soon as they are (the console mounts them right after its first frame), so a key typed
    that early is not lost. The screen has ``ready`` and an ``_after_panes`` list."""

    @functools.wraps(method)
    def run(self: Any, *args: Any) -> Any:
        if self.ready:
            return method(self, *args)
        self._after_panes.append(functools.partial(method, self, *args))
        return None

    return run
