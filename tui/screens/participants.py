"""Assign a person to a role, with the playbook's delegation by symptom as suggestions."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from incident.model import ROLE_LABELS
from incident.playbook import Contact, load_playbook
from incident.sanitize import visible
from incident.state import IncidentState
from tui.widgets.field import Field

OTHER = "__other__"


class ParticipantDialog(ModalScreen[tuple[str, str] | None]):
    """Name and role; suggestions come from the incident's symptoms, then the rest."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, state: IncidentState, contacts: Sequence[Contact] = ()) -> None:
        super().__init__()
        self.state = state
        self.contacts = [c for c in contacts if c.contact.strip()]  # the roster, offered too

    def compose(self) -> ComposeResult:
        pb = load_playbook()
        about = " ".join(
            filter(
                None,
                [
                    self.state.title,
                    self.state.impact,
                    self.state.service,
                    self.state.root_cause.what,
                ],
            )
        )
        matched = pb.suggest_delegates(about)
        rows = matched + [r for r in pb.delegation.by_symptom if r not in matched]
        options = []
        for n, row in enumerate(rows):
            star = ("★ ", "bold $accent") if row in matched else ("  ", "")
            options.append(
                Option(
                    Content.assemble(star, (row.symptom, "bold"), " → ", " + ".join(row.delegates)),
                    id=f"s{n}",
                )
            )
        self._rows = rows
        for n, c in enumerate(self.contacts):
            options.append(
                Option(
                    Content.assemble(
                        ("☎ ", "bold $accent"), (visible(c.role), "bold"), " → ", visible(c.contact)
                    ),
                    id=f"c{n}",
                )
            )
        phase_row = next((d for d in pb.delegation.by_phase if d.phase is self.state.phase), None)
        roles = [(label, role) for role, label in ROLE_LABELS.items()] + [("Other…", OTHER)]
        current = (
            ", ".join(
                f"{visible(p.name)} ({ROLE_LABELS.get(p.role, p.role)})"
                for p in self.state.participants.values()
            )
            or "nobody yet"
        )
        with Vertical(classes="dialog", id="participant-dialog") as box:
            box.border_title = "Assign participant"
            yield Label(Content.assemble(("Now: ", "dim"), current))
            yield Label("Name")
            yield Field(placeholder="@name", id="p-name", max_length=200)
            yield Label("Role")
            yield Select(roles, value="technical_lead", allow_blank=False, id="p-role")
            yield Field(
                placeholder="free role, e.g. Scribe", id="p-other", max_length=200, disabled=True
            )
            hint = (
                f"Delegation by symptom (★ matches this incident); {phase_row.label} → "
                f"{phase_row.delegate}"
                if phase_row
                else "Delegation by symptom"
            )
            if self.contacts:
                hint += "; ☎ emergency contacts"
            yield Label(Content.styled(hint, "dim"))
            yield OptionList(*options, id="p-suggest")
            yield Label(
                "Enter in Name saves · Enter on a suggestion fills the name · Escape cancels",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#p-name", Input).focus()

    @on(Select.Changed, "#p-role")
    def _role(self, event: Select.Changed) -> None:
        other = self.query_one("#p-other", Input)
        other.disabled = event.value != OTHER
        if not other.disabled:
            other.focus()

    @on(OptionList.OptionSelected, "#p-suggest")
    def _suggest(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or "s0"
        name = self.query_one("#p-name", Input)
        if oid.startswith("c"):
            name.value = self.contacts[int(oid[1:])].contact.strip()
        else:
            name.value = self._rows[int(oid[1:])].delegates[0]
        name.focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#p-name", Input).value.strip()
        role = self.query_one("#p-role", Select).value
        if role == OTHER:
            role = self.query_one("#p-other", Input).value.strip()
        if not name:
            self.notify("A name is needed", severity="warning")
            return
        if not role:
            self.notify("A role is needed", severity="warning")
            return
        self.dismiss((name, str(role)))

    def action_cancel(self) -> None:
        self.dismiss(None)
