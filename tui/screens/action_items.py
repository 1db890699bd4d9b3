"""The action items, during the incident as in the write-up (one list): each with its
owner, due date and state. Enter (or space) on an item marks it done or open again; the
fields below add one. Every change is a session verb (a journal event), saved before it is
shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from incident.journal import Event
from incident.sanitize import visible
from session.facts import Facts
from session.session import IncidentSession
from tui.widgets.field import Field

Save = Callable[[Awaitable[Event]], Awaitable[Event | None]]


class ActionItemsDialog(ModalScreen[None]):
    """List, add and tick off action items; ``save`` runs a verb and says how it went."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("space", "toggle", "Done/open", show=False),
    ]
    CSS = """
    #actions-dialog {
        #actions-new { height: 1; margin-top: 1; }
        #action-text { width: 1fr; }
        #action-owner { width: 18; }
        #action-due { width: 14; }
    }
    """

    def __init__(self, session: IncidentSession, save: Save) -> None:
        super().__init__()
        self.session = session
        self.verbs = Facts(session)
        self._save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="actions-dialog") as box:
            box.border_title = f"Action items of {self.session.state.number}"
            yield OptionList(id="action-list")
            with Horizontal(id="actions-new"):
                yield Field(placeholder="new action item, e.g. Add pool alerts", id="action-text")
                yield Field(placeholder="owner", id="action-owner")
                yield Field(placeholder="due YYYY-MM-DD", id="action-due")
            yield Label(
                "Enter on an item: done/open · Enter in the fields adds · Tab moves · "
                "Escape closes",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.refresh_items()
        self.query_one("#action-text", Input).focus()

    def refresh_items(self) -> None:
        items = self.query_one("#action-list", OptionList)
        keep = items.highlighted
        state = self.session.state
        items.set_options(
            [
                Option(
                    Content.assemble(
                        (f"{a.id:>2} ", "dim"),
                        ("☑ " if a.done else "☐ ", "$success" if a.done else ""),
                        visible(a.text),
                        (f"  {visible(a.owner)}" if a.owner else "", "$accent"),
                        (f"  due {a.due}" if a.due else "", "dim"),
                    ),
                    id=str(a.id),
                )
                for a in sorted(state.action_items.values(), key=lambda a: a.id)
            ]
            or [Option(Content.styled("no action items yet", "dim"), disabled=True)]
        )
        if keep is not None and items.option_count:
            items.highlighted = min(keep, items.option_count - 1)

    @on(Input.Submitted)
    async def _add(self, event: Input.Submitted) -> None:
        event.stop()
        text, owner, due = (self.query_one(f"#action-{n}", Input) for n in ("text", "owner", "due"))
        if not text.value.strip():
            self.notify("Type the action item first", severity="warning")
            text.focus()
            return
        saved = await self._save(
            self.verbs.add_action(
                text.value, item_owner=owner.value or None, due=due.value.strip() or None
            )
        )
        if saved is not None:
            text.value = owner.value = due.value = ""
            text.focus()
            self.refresh_items()

    @on(OptionList.OptionSelected, "#action-list")
    async def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.action_toggle()

    async def action_toggle(self) -> None:
        items = self.query_one("#action-list", OptionList)
        option = items.highlighted_option
        if not items.has_focus or option is None or option.id is None:
            return
        item = self.session.state.action_items[int(option.id)]
        if await self._save(self.verbs.mark_action(item.id, not item.done)) is not None:
            self.refresh_items()

    def action_close(self) -> None:
        self.dismiss(None)
