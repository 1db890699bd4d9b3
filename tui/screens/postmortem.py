"""The write-up: what the report needs after the fact, edited as journal events.

Root cause, resolution, impact summary, the blameless notes (what went well, what did not,
where we got lucky), action items with owner and done state, and participants. Each field
is saved with Enter and becomes a ``field`` event; nothing is updated in place, so the
post-mortem's own history is in the journal too. It opens with the first field focused, and
what is typed before the fields are there goes into it (the app holds it until ``Ready``).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from incident.model import role_label
from incident.sanitize import visible
from incident.state import IncidentState
from session.changes import Change
from tui.screens.base import SessionScreen
from tui.widgets.field import Field
from tui.widgets.status_bar import StatusBar

SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Root cause",
        (
            ("root_cause.what", "What", "e.g. Database connection pool exhaustion"),
            ("root_cause.why", "Why", "e.g. Traffic spike + connection leak"),
            ("root_cause.where", "Where", "e.g. Authentication service v2.3.1"),
        ),
    ),
    (
        "Resolution",
        (
            ("resolution.immediate", "Immediate", "e.g. Increased pool size"),
            ("resolution.permanent", "Permanent", "e.g. Fixed the connection leak"),
            ("resolution.deployed", "Deployed", "e.g. v2.3.2"),
        ),
    ),
    (
        "Impact summary",
        (
            ("impact_summary.users_affected", "Users affected", "~2,500 (15%)"),
            ("impact_summary.failed_requests", "Failed requests", "~12,000"),
            ("impact_summary.revenue_impact", "Revenue impact", "estimate"),
        ),
    ),
    (
        "Blameless notes",
        (
            ("postmortem.went_well", "What went well", ""),
            ("postmortem.went_wrong", "What did not", ""),
            ("postmortem.lucky", "Where we got lucky", ""),
        ),
    ),
)


def current(state: IncidentState, field: str) -> str:
    group, _, name = field.partition(".")
    return getattr(getattr(state, group), name) or ""


class PostmortemScreen(SessionScreen):
    """Edit the incident's write-up; every saved field is a journal event."""

    CSS = """
    #postmortem {
        border: round $primary;
        padding: 0 1;
        .pm-section { margin-top: 1; }
        .pm-row { height: 1; margin-top: 0; }
        .pm-label { width: 20; color: $text-muted; }
        Input { border: none; height: 1; padding: 0 1; background: $surface; width: 1fr; }
        Input:focus { background: $primary 25%; }
        .pm-owner { width: 24; }
        OptionList { height: auto; max-height: 10; border: none; }
        #pm-people { width: 100%; }
    }
    """
    BINDINGS = [
        Binding("a", "assign", "Participant"),
        Binding("space", "toggle_item", "Done/undone", show=False),
        Binding("ctrl+q,q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar(read_only=self.session.read_only, id="status-bar")
        yield VerticalScroll(id="postmortem")
        yield Footer()

    async def opened(self) -> None:
        """The incident is folded: its write-up, field by field."""
        box = self.query_one("#postmortem", VerticalScroll)
        box.border_title = f"Post-mortem write-up for {self.session.state.number}"
        await box.mount_compose(self._fields())
        self.set_focus(box.query(Field).first())
        self._refresh(self.session.state)
        # What was typed while the fields were not there yet goes into the first one (the
        # app held it), never to the screen's keys: each a would open an Assign dialog.
        self.post_message(self.Ready(then=lambda: None))

    def _fields(self) -> ComposeResult:
        state = self.session.state
        if True:
            yield Label(
                Content(
                    "Enter saves a field (a journal event) · Tab moves · "
                    "a adds a participant · q quits"
                ),
                classes="dialog-hint",
            )
            for title, fields in SECTIONS:
                yield Label(Content.styled(title, "bold $accent"), classes="pm-section")
                for field, label, hint in fields:
                    with Horizontal(classes="pm-row"):
                        yield Label(label, classes="pm-label")
                        yield Field(
                            current(state, field),
                            placeholder=hint,
                            id=f"pm-{field.replace('.', '-')}",
                            name=field,
                        )
            yield Label(Content.styled("Action items", "bold $accent"), classes="pm-section")
            yield OptionList(id="pm-items")
            with Horizontal(classes="pm-row"):
                yield Field(
                    placeholder="new action item, e.g. Add pool monitoring alerts", id="pm-new-item"
                )
                yield Field(placeholder="owner", id="pm-new-owner", classes="pm-owner")
            yield Label(Content.styled("Participants", "bold $accent"), classes="pm-section")
            yield Label(id="pm-people")

    def on_mount(self) -> None:
        bar = self.query_one(StatusBar)
        bar.now = self.session.clock.now()
        self._stop_time = self.session.on_time(lambda now: setattr(bar, "now", now))

    def on_unmount(self) -> None:
        self._stop_time()

    def changed(self, change: Change) -> None:
        self._refresh(change.state)

    def _refresh(self, state: IncidentState | None) -> None:
        if state is None:
            return
        self.query_one(StatusBar).state = state
        items = self.query_one("#pm-items", OptionList)
        keep = items.highlighted
        items.set_options(
            [
                Option(
                    Content.assemble(
                        ("☑ " if a.done else "☐ ", "$success" if a.done else ""),
                        visible(a.text),
                        (f"  ({visible(a.owner)})" if a.owner else "", "dim"),
                        (f"  due {a.due}" if a.due else "", "dim"),
                    ),
                    id=str(a.id),
                )
                for a in sorted(state.action_items.values(), key=lambda a: a.id)
            ]
        )
        if keep is not None and items.option_count:
            items.highlighted = min(keep, items.option_count - 1)
        people = ", ".join(
            f"{visible(p.name)} ({role_label(p.role)})" for p in state.participants.values()
        )
        self.query_one("#pm-people", Label).update(Content(people or "nobody recorded"))

    @on(Input.Submitted)
    async def _save(self, event: Input.Submitted) -> None:
        event.stop()
        box = event.input
        if box.id == "pm-new-item" or box.id == "pm-new-owner":
            await self._add_item()
            return
        field = box.name or ""
        value = box.value.strip()
        if value == current(self.session.state, field):
            self.notify("unchanged", timeout=1.5)
            return
        await self.save(self.session.set_field(field, value or None))

    async def _add_item(self) -> None:
        text = self.query_one("#pm-new-item", Input)
        owner = self.query_one("#pm-new-owner", Input)
        if not text.value.strip():
            self.notify("type the action item first", severity="warning")
            return
        saved = await self.save(
            self.session.add_action_item(text.value, item_owner=owner.value or None)
        )
        if saved is not None:
            text.value = owner.value = ""
            text.focus()

    @on(OptionList.OptionSelected, "#pm-items")
    async def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.action_toggle_item()

    async def action_toggle_item(self) -> None:
        items = self.query_one("#pm-items", OptionList)
        if not items.has_focus or items.highlighted_option is None:
            return
        item_id = int(items.highlighted_option.id or 0)
        done = not self.session.state.action_items[item_id].done
        await self.save(self.session.update_action_item(item_id, done=done))

    def action_assign(self) -> None:
        self.run_dialog(self._assign(), "assign dialog")  # (once: a second a stacks none)

    async def _assign(self) -> None:
        from tui.screens.participants import ParticipantDialog

        choice = await self.app.push_screen_wait(ParticipantDialog(self.session.state))
        if choice is not None:
            name, role = choice
            await self.save(self.session.assign(name, role))
