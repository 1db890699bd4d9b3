"""The incident's details, kept current during the response: title, service, impact, how
it was detected, the status page link, the root cause as known so far, the ETA and the
commander. Each field opens with the value as it stands; Enter saves what changed (one
journal event per fact, all or none), Escape cancels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from incident import facts
from incident.errors import InvalidInput
from incident.state import IncidentState
from tui.widgets.field import Field

HINTS = {
    "title": "what is happening, in a line",
    "service": "e.g. checkout-api",
    "impact": "e.g. 15% of checkouts fail",
    "detected_by": "e.g. pager alert on the 5xx rate",
    "status_page": "https://status.example.com/incidents/…",
    "root_cause": "as known so far",
    "eta": "e.g. 15:30 UTC",
    "commander": "@name (hands the incident over)",
}


class DetailsDialog(ModalScreen[dict[str, str] | None]):
    """The facts, prefilled; dismissed with the ones changed (checked), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    CSS = """
    #details-dialog {
        .details-row { height: 1; margin-top: 1; }
        .details-row Label { width: 18; margin-top: 0; }
        .details-row Input { width: 1fr; }
    }
    """

    def __init__(self, state: IncidentState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="details-dialog") as box:
            box.border_title = f"Details of {self.state.number}"
            for fact, (_, label) in facts.FACTS.items():
                with Horizontal(classes="details-row"):
                    yield Label(label)
                    yield Field(
                        facts.current(self.state, fact) or "",
                        placeholder=HINTS[fact],
                        id=f"fact-{fact}",
                        name=fact,
                    )
            yield Label(
                "Enter saves what changed (each a timeline entry) · Tab moves · Escape cancels",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#fact-title", Input).focus()

    def changes(self) -> dict[str, str]:
        """The facts whose field differs from the value as it stands."""
        out = {}
        for fact in facts.FACTS:
            value = self.query_one(f"#fact-{fact}", Input).value.strip()
            if value != (facts.current(self.state, fact) or ""):
                out[fact] = value
        return out

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        changes = self.changes()
        if not changes:
            self.notify("Nothing changed", timeout=2)
            return
        for fact, value in changes.items():
            try:
                facts.checked(fact, value)
            except InvalidInput as e:  # said here: the dialog stays, with what was typed
                self.notify(str(e), title="Not saved", severity="error", markup=False)
                self.query_one(f"#fact-{fact}", Input).focus()
                return
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)
