"""The console screen: status bar, four panes, footer.

Wide terminals get a 2x2 grid; below 100x30 the panes become tabs (1-4 or the tab bar
switch them). ``z`` zooms the focused pane to the whole screen and back. Every write is one
of the session's typed verbs (run through ``WarRoomApp.save``); the panes are told the new
state (bound down with ``data_bind``), never the other way round.

The incident comes first: the first frame is the status bar and the timeline; the
checklist, logs and comms panes and the footer are imported and mounted right after it is
on screen (``ready`` then turns true and the log sources start). A key that needs those
panes, typed before they are there, runs once they are (``after_panes``).

With a :class:`~incident.glance.Peek` (the glance and newest rows read straight from the
file) that first frame comes before the domain is even loaded: once it is on screen the app
opens the journal and folds the incident (``WarRoomApp.attach_after_peek``), hands it over
(:meth:`ConsoleScreen.opened`), and the rest of the console follows as above. Nothing
here imports the domain's models at module level, for that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Tab, Tabs

from incident.errors import WarroomError
from incident.words import plural
from tui.actions import ACTIONS, after_panes, bindings
from tui.screens.base import SessionScreen
from tui.screens.console_comms import CommsDesk
from tui.screens.console_panes import PaneDesk
from tui.screens.console_pickers import IncidentPickers
from tui.screens.note_flow import NoteFlow
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelinePane

if TYPE_CHECKING:
    from incident.state import IncidentState
    from session.changes import Change
    from session.session import IncidentSession
    from session.sources import SourceRunner

PANES = ("timeline", "checklist", "logs", "comms")


NARROW_WIDTH, NARROW_HEIGHT = 100, 30
FIRST_PAGE = 80  # rows loaded on attach: a screenful or two; older pages come on demand


# Dialogs are imported when first opened, and the panes after the first frame: they are not
# needed to show the incident.


class ConsoleScreen(SessionScreen):
    """The war-room console for the session's incident."""

    BINDINGS = [*bindings(), Binding("escape", "minimize", "Un-zoom", show=False)]
    ESCAPE_TO_MINIMIZE = False  # Escape un-zooms last: an open dropdown, the editor first
    AUTO_FOCUS = "#timeline-table"

    state: var[IncidentState | None] = var(None)
    """The incident as the session last folded it: bound down to the panes."""
    now: var[datetime | None] = var(None)
    """The session clock's time, every second: bound down to the panes."""

    def __init__(
        self,
        session: IncidentSession,
        *,
        runner: SourceRunner | None = None,
        sampler: Callable[[], Any] | None = None,
        local_tz: tzinfo | None = None,
    ) -> None:
        super().__init__(session)
        self.runner = runner
        self.sampler = sampler
        self.local_tz = local_tz
        self._peek = session.peek
        self.ready = False
        """True once every pane and the footer are mounted."""
        self._after_panes: list[Callable[[], Any]] = []
        self._mounting_panes = False
        # Collaborators, each with its own part of the console's work:
        self.notes = NoteFlow(self, session)  # the note and correction dialogs, and reopening them
        self.comms = CommsDesk(self, session)  # comms keys and the comms pane's messages
        self.desk = PaneDesk(self, session, runner)  # the other panes' requests
        self.pickers = IncidentPickers(
            self, session, self.comms.load_contacts, self.action_show_pane
        )

    def compose(self) -> ComposeResult:
        self._layout(self.app.size)
        self._bar = StatusBar(read_only=self.session.read_only, id="status-bar")
        self._bar.data_bind(ConsoleScreen.state, ConsoleScreen.now)
        self._timeline = TimelinePane(id="timeline", classes="pane -current")
        self._by_name: dict[str, Any] = {"timeline": self._timeline}  # the panes, once there
        yield self._bar
        yield Tabs(*(Tab(p.capitalize(), id=f"tab-{p}") for p in PANES), id="pane-tabs")
        with Container(id="panes"):
            yield self._timeline

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1, self.tick, name="clock")  # the wall clock tells nobody it moved
        self._stop_time = self.session.on_time(lambda _now: self.tick())  # a frozen one does
        if self._peek is not None:
            self._bar.glance = self._peek.glance
            self._timeline.show_rows(self._peek.rows)  # drawn on the first layout
            self.set_timer(0.5, self._first_frame_out)  # (at the latest)

    @on(TimelinePane.Drawn, "#timeline")
    def _drawn(self) -> None:
        # The rows are drawn; the next layout refresh writes the frame that shows them.
        if not self._mounting_panes:
            self.screen_layout_refresh_signal.subscribe(self, self._painted)

    def _painted(self, _screen: Screen) -> None:
        table = self._timeline.table
        if table.scroll_y < table.max_scroll_y:
            return  # not yet scrolled to the newest row: the frame after this one
        self.screen_layout_refresh_signal.unsubscribe(self)
        self._first_frame_out()

    def _first_frame_out(self) -> None:
        """The incident is on screen: the journal next, if it was peeked; then the panes."""
        if self.session.state is None:
            self.post_message(self.Attach())  # (then opened(), once folded)
        else:
            self.call_later(self._mount_panes)

    async def opened(self) -> None:
        """The session is open: its newest page replaces what was peeked, and the rest of
        the console follows once it is on screen."""
        page = await self.session.page(None, limit=FIRST_PAGE)
        self.state = self.session.state
        self._timeline.add_events(page)
        if self._peek is not None:
            self.call_later(self._mount_panes)
        else:
            self.set_timer(0.5, self._first_frame_out)  # (at the latest)

    def changed(self, change: Change) -> None:
        if change.reshaped:
            self.state = change.state
        self._timeline.add_events(change.events)

    async def _mount_panes(self) -> None:
        """The rest of the console, once the incident is on screen (and folded)."""
        if self._mounting_panes or self.session.state is None:
            return
        self._mounting_panes = True
        self.screen_layout_refresh_signal.unsubscribe(self)
        from textual.widgets import Footer

        from tui.widgets.checklist import ChecklistPane
        from tui.widgets.comms import CommsPane
        from tui.widgets.comms_templates import load_user_templates
        from tui.widgets.logs import LogsPane

        current = self.query_one(Tabs).active.removeprefix("tab-")
        panes = [
            ChecklistPane(id="checklist", classes="pane").data_bind(
                ConsoleScreen.state, ConsoleScreen.now
            ),
            LogsPane(self.runner, self.sampler, id="logs", classes="pane").data_bind(
                ConsoleScreen.state
            ),
            CommsPane(
                drafts=self.session.drafts.known(),
                local_tz=self.local_tz,
                templates=load_user_templates(),
                id="comms",
                classes="pane",
            ).data_bind(ConsoleScreen.state, ConsoleScreen.now),
        ]
        for pane in panes:
            pane.set_class(pane.id == current, "-current")
        await self.query_one("#panes").mount_all(panes)
        await self.mount(Footer())
        self.refresh_bindings()  # the footer draws its keys when the bindings are announced
        self._by_name.update((pane.id, pane) for pane in panes if pane.id)
        self.ready = True
        self.tick()
        self.post_message(self.Ready(then=self.notes.reopen_unsaved))
        pending, self._after_panes = self._after_panes, []
        for run in pending:
            self.call_later(run)

    def _panes(self, *names: str) -> list[Any]:
        """The panes of these names that are mounted (kept: a query walks the whole DOM,
        and this runs every second)."""
        return [self._by_name[name] for name in names if name in self._by_name]

    def on_unmount(self) -> None:
        self._stop_time()

    def tick(self) -> None:
        """The clock moved (every second, and at once when the session's clock is moved by
        hand): countdowns, budgets and the log sources' figures are redrawn."""
        self.now = self.session.clock.now()
        runner = self.runner
        if not self.ready or runner is None:
            return
        for pane in self._by_name["logs"].source_panes():
            pane.live = runner.stats_line(pane.source_id)
            dropped = runner.dropped(pane.source_id)
            pane.notice = f"capture behind: {plural(dropped, 'line')} not stored" if dropped else ""
            pane.update_status()

    # ------------------------------------------------------------------ layout
    def on_resize(self, event) -> None:
        self._layout(event.size)

    def _layout(self, size) -> None:
        narrow = size.width < NARROW_WIDTH or size.height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")

    @after_panes
    def action_show_pane(self, name: str) -> None:
        self.query_one(Tabs).active = f"tab-{name}"
        self._focus_pane(name)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "tab-timeline").removeprefix("tab-")
        for pane in self._panes(*PANES):
            pane.set_class(pane.id == name, "-current")
        if event.tab.has_focus or self.focused is None or self._focused_pane() == name:
            return  # (focus already in that pane, e.g. a click: leave it where it is)
        self._focus_pane(name)

    def _focus_pane(self, name: str) -> None:
        found = self._panes(name)
        if not found:
            return
        pane = found[0]
        main = pane.main_widget() if hasattr(pane, "main_widget") else None  # (the logs)
        targets = [main] if main is not None else [pane] if pane.can_focus else []
        targets += [w for w in pane.query("*") if w.can_focus and w.display]
        if targets:
            self.set_focus(targets[0])  # at once: a zoom replayed right after sees it

    def _focused_pane(self) -> str | None:
        node = self.focused
        while node is not None and node is not self:
            if node.id in PANES:
                return node.id
            node = node.parent
        return None

    def on_descendant_focus(self) -> None:
        name = self._focused_pane()
        if name and self.query_one(Tabs).active != f"tab-{name}":
            self.query_one(Tabs).active = f"tab-{name}"

    @after_panes
    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        name = self._focused_pane() or "timeline"
        self.maximize(self.query_one(f"#{name}"), container=False)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        writes = {a.action for a in ACTIONS if a.writes}
        if self.session.read_only and action in writes:
            return None  # shown disabled in the footer; the palette explains
        return True

    def system_commands(self) -> Iterable[SystemCommand]:
        for a in ACTIONS:
            if a.action == "quit" or (a.writes and self.session.read_only):
                continue
            yield SystemCommand(a.title, a.help, lambda a=a: self.run_action(a.action))

    def action_help(self) -> None:
        self.app.action_help()

    def action_quit(self) -> None:
        self.app.exit(0)

    @after_panes
    def action_note(self) -> None:
        """A new note: always empty (a draft left unsaved reopens by itself, apart)."""
        self.notes.new_note()

    @after_panes
    def action_correct(self) -> None:
        entry = self.query_one(TimelinePane).selected()
        if entry is not None:
            self.notes.correct(entry)

    @after_panes
    def action_detail(self) -> None:
        from tui.screens.entry_detail import EntryDetail

        entry = self._timeline.selected()
        if entry is not None:
            self.app.push_screen(EntryDetail(entry, local_tz=self.local_tz))

    def on_screen_resume(self) -> None:
        self.notes.resume()

    @after_panes
    def action_add_source(self) -> None:
        self.pickers.open("add_source")

    @after_panes
    def action_severity(self) -> None:
        self.pickers.open("severity")

    @after_panes
    def action_status(self) -> None:
        self.pickers.open("status")

    @after_panes
    def action_assign(self) -> None:
        self.pickers.open("assign")

    @after_panes
    def action_phase(self) -> None:
        self.pickers.open("phase")

    # ------------------------------------------------------------------ comms
    @after_panes
    def action_comms(self, what: str) -> None:
        """F2 copy, F3 write to a file, F4 ``$EDITOR``: the comms draft on screen."""
        self.comms.draft(what)

    @after_panes
    def action_comms_history(self) -> None:
        self.comms.history()

    @after_panes
    def action_cadence(self) -> None:
        self.comms.cadence()

    @after_panes
    def action_contacts(self) -> None:
        self.comms.contacts()

    @after_panes
    def action_notify_checklist(self) -> None:
        self.action_show_pane("comms")
        self.query_one("#comms-notify").focus()

    @after_panes
    def action_details(self) -> None:
        self.pickers.open("details")

    @after_panes
    def action_action_items(self) -> None:
        from tui.screens.action_items import ActionItemsDialog

        self.app.push_screen(ActionItemsDialog(self.session, self.save))

    # ------------------------------------------------------------------ pane messages
    # (routed to the desks by name: the panes' classes are imported after the first frame)
    async def on_comms_pane_send(self, event) -> None:
        await self.comms.send(event)

    def on_notify_list_toggled(self, event) -> None:
        self.comms.notify_toggled(event)

    async def on_checklist_pane_toggled(self, event) -> None:
        await self.desk.toggled(event)

    async def on_checklist_pane_phase_chosen(self, event) -> None:
        await self.desk.phase_chosen(event)

    async def on_source_pane_request(self, event) -> None:
        await self.desk.source_request(event)

    async def on_host_pane_pin(self, event) -> None:
        await self.desk.host_pin(event)

    @on(TimelinePane.NeedOlder)
    async def _older(self, event: TimelinePane.NeedOlder) -> None:
        try:
            events = await self.session.page(event.before)
        except WarroomError as e:  # a row it cannot read: the console ends with one line
            self.post_message(self.Failed(str(e)))
            return
        event.pane.add_events(events, older_page=True)
