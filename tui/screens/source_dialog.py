"""Add a log source from the console: a shell command, or a grep over files.

The dialog only records the source (the same event as ``warroom tail``); the console's
source runner then starts it, and the start is in the ledger. Its zone (the host's unless
one is typed) is how the times its lines carry without a zone are read when one is pinned.
"""

from __future__ import annotations

import os
import shlex

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet

from incident import source_commands as cmd
from incident.errors import InvalidInput
from incident.journal import SourceSpec
from incident.linetime import zone_name
from session.zones import host_zone, parse_zone
from tui.widgets.field import Field


class SourceDialog(ModalScreen[SourceSpec | None]):
    """Command or grep; Enter in any field saves, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="source-dialog") as box:
            box.border_title = "Add log source"
            with RadioSet(id="src-kind"):
                yield RadioButton(
                    "Shell command (tail -F, journalctl -f, kubectl logs -f)",
                    value=True,
                    id="kind-cmd",
                )
                yield RadioButton(
                    "Grep files, directories or globs (follows growth and rotation)", id="kind-grep"
                )
            yield Label("Command", id="lbl-command")
            yield Field(placeholder="e.g. kubectl logs -f deploy/checkout-api", id="src-command")
            yield Label("Pattern and paths", id="lbl-grep", classes="-grep")
            yield Field(
                placeholder="regex, e.g. ERROR|5[0-9]{2}", id="src-pattern", classes="-grep"
            )
            yield Field(
                placeholder="paths, e.g. /var/log/app/*.log /var/log/nginx",
                id="src-paths",
                classes="-grep",
            )
            with Horizontal(classes="-grep", id="src-flags"):
                yield Checkbox("fixed string", id="src-fixed")
                yield Checkbox("ignore case", id="src-icase")
                yield Checkbox("invert", id="src-invert")
            yield Label("Name (optional)")
            yield Field(placeholder="shown on the tab", id="src-name", max_length=40)
            yield Label("Time zone of its lines' times that name none (optional)")
            yield Field(
                placeholder=f"this host's: {zone_name(host_zone())}; or Europe/Berlin, UTC, +05:30",
                id="src-zone",
                max_length=64,
            )
            yield Label(f"Working directory: {os.getcwd()}", classes="dialog-hint")
            yield Label("Enter saves · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self._kind("cmd")
        self.query_one("#src-command", Input).focus()

    def _kind(self, kind: str) -> None:
        self.kind = kind
        for w in self.query(".-grep"):
            w.display = kind == "grep"
        self.query_one("#lbl-command").display = kind == "cmd"
        self.query_one("#src-command").display = kind == "cmd"

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        self._kind("grep" if event.pressed.id == "kind-grep" else "cmd")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        value = {w.id: w.value for w in self.query(Input)}
        name = value["src-name"] or None
        try:
            typed = value["src-zone"].strip()
            zone = zone_name(parse_zone(typed) if typed else host_zone())
            if self.kind == "cmd":
                spec = cmd.command_spec(value["src-command"], name=name, cwd=os.getcwd(), zone=zone)
            else:
                try:
                    paths = shlex.split(value["src-paths"])
                except ValueError as e:
                    raise InvalidInput(f"paths: {e}") from None
                spec = cmd.grep_spec(
                    value["src-pattern"],
                    paths,
                    name=name,
                    cwd=os.getcwd(),
                    fixed=self.query_one("#src-fixed", Checkbox).value,
                    ignore_case=self.query_one("#src-icase", Checkbox).value,
                    invert=self.query_one("#src-invert", Checkbox).value,
                    zone=zone,
                )
        except InvalidInput as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.dismiss(spec)

    def action_cancel(self) -> None:
        self.dismiss(None)
