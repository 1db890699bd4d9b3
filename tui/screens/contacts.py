"""The emergency contacts roster: edited in a dialog, and picked from when a notification
is ticked off.

The roster lives in the database (every incident reuses it) and starts as the playbook's
"Emergency Contacts Template". Names and numbers typed here are untrusted text: they are
shown as plain text (never markup), with control characters made visible.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from incident.errors import InvalidInput
from incident.playbook import Contact
from incident.roster import check_roster
from incident.sanitize import visible
from tui.widgets.field import Field


def contact_prompt(c: Contact) -> Content:
    who = visible(c.contact) if c.contact else "not defined"
    return Content.assemble(
        (visible(c.role), "bold"), " → ", (who, "" if c.contact else "dim italic")
    )


class ContactsDialog(ModalScreen[list[Contact] | None]):
    """Every role and who to reach for it; a cleared row is removed on save."""

    CSS = """
    #contacts-rows { height: auto; max-height: 14; }
    #contacts-dialog {
        .contact-row { height: 1; margin-top: 1; }
        .contact-role { width: 26; margin-right: 1; }
        .contact-who { width: 1fr; }
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+n", "add_row", "Add row"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, contacts: Sequence[Contact]) -> None:
        super().__init__()
        self.contacts = list(contacts)
        self._rows = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="contacts-dialog") as box:
            box.border_title = "Emergency contacts"
            yield Label(
                "Kept for every incident; offered when assigning roles and when "
                "ticking off notifications."
            )
            with VerticalScroll(id="contacts-rows"):
                for c in [*self.contacts, Contact(role="", contact="")]:
                    yield self._row(c)
            yield Label(
                "Enter or ctrl+s saves · ctrl+n adds a row · clear a row to remove "
                "it · Escape cancels",
                classes="dialog-hint",
            )

    def _row(self, c: Contact) -> Horizontal:
        n = self._rows
        self._rows += 1
        return Horizontal(
            Field(
                c.role,
                placeholder="role, e.g. Database Admin",
                id=f"role-{n}",
                max_length=100,
                classes="contact-role",
            ),
            Field(
                c.contact,
                placeholder="who: @handle, phone, channel",
                id=f"who-{n}",
                max_length=200,
                classes="contact-who",
            ),
            classes="contact-row",
        )

    def on_mount(self) -> None:
        self.query_one("#role-0", Input).focus()

    def rows(self) -> list[Contact]:
        return [
            Contact(
                role=self.query_one(f"#role-{n}", Input).value,
                contact=self.query_one(f"#who-{n}", Input).value,
            )
            for n in range(self._rows)
        ]

    async def action_add_row(self) -> None:
        n = self._rows
        await self.query_one("#contacts-rows").mount(self._row(Contact(role="", contact="")))
        self.query_one(f"#role-{n}", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        try:
            roster = check_roster(self.rows())
        except InvalidInput as e:
            self.notify(str(e), severity="warning", markup=False)
            return
        self.dismiss(roster)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ContactPicker(ModalScreen[str | None]):
    """Who was reached for ``party``: a roster entry, someone else, or nobody in particular.

    Dismissed with the contact ("" for nobody in particular), or None: not ticked."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, party: str, contacts: Sequence[Contact]) -> None:
        super().__init__()
        self.party = party
        self.contacts = [c for c in contacts if c.contact.strip()]

    def compose(self) -> ComposeResult:
        options = [Option(contact_prompt(c), id=f"c{n}") for n, c in enumerate(self.contacts)]
        options.append(Option(Content.styled("Nobody in particular", "italic"), id="none"))
        with Vertical(classes="dialog", id="pick-dialog") as box:
            box.border_title = Content(f"Notified: {visible(self.party)}")
            yield Label("Who did you reach? (emergency contacts)")
            yield OptionList(*options, id="pick-contact")
            yield Label("Or someone else")
            yield Field(placeholder="@name, phone or channel", id="pick-other", max_length=200)
            yield Label("Enter ticks · Escape cancels (nothing is ticked)", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or "none"
        self.dismiss("" if oid == "none" else self.contacts[int(oid[1:])].contact)

    @on(Input.Submitted)
    def _other(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
