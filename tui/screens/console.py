"""The console screen: status bar, four panes, footer.

Wide terminals get a 2x2 grid; below 100x30 the panes become tabs (1-4 or the tab bar
switch them). ``z`` zooms the focused pane to the whole screen and back. Every write goes
through ``WarRoomApp.commit``; the panes are told the new state, never the other way round.

The incident comes first: the first frame is the status bar and the timeline; the
checklist, logs and comms panes and the footer are imported and mounted right after it is
on screen (``ready`` then turns true and the log sources start). A key that needs those
panes, typed before they are there, runs once they are (``after_panes``).

With a :class:`~incident.glance.Peek` (the glance and newest rows read straight from the
file) that first frame comes before the domain is even loaded: once it is on screen the app
opens the journal and folds the incident (``WarRoomApp.attach_after_peek``), hands it over
(:meth:`ConsoleScreen.attached`), and the rest of the console follows as above. Nothing
here imports the domain's models at module level, for that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Tab, Tabs

from tui.actions import ACTIONS, after_panes, bindings
from tui.screens.console_comms import CommsActions
from tui.screens.console_panes import PaneRequests
from tui.screens.note_flow import NoteFlow
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelinePane

if TYPE_CHECKING:
    from incident.glance import Peek
    from incident.journal import Event
    from incident.state import IncidentState

PANES = ("timeline", "checklist", "logs", "comms")


NARROW_WIDTH, NARROW_HEIGHT = 100, 30
FIRST_PAGE = 80  # rows loaded on attach: a screenful or two; older pages come on demand


# Dialogs are imported when first opened, and the panes after the first frame: they are not
# needed to show the incident.


class ConsoleScreen(CommsActions, PaneRequests, Screen[None]):
    """The war-room console for the app's incident."""

    BINDINGS = bindings()
    AUTO_FOCUS = "#timeline-table"

    def __init__(self, first_page: Sequence[Event] = (), *, peek: Peek | None = None) -> None:
        super().__init__()
        self._first_page = first_page
        self._peek = peek
        self.ready = False
        """True once every pane and the footer are mounted."""
        self._after_panes: list[Callable[[], Any]] = []
        self._mounting_panes = False
        self.notes = NoteFlow(self)  # the note and correction dialogs, and reopening them

    @property
    def wr(self):
        return self.app  # WarRoomApp (kept untyped to avoid an import cycle)

    def compose(self) -> ComposeResult:
        self._layout(self.app.size)
        self._bar = StatusBar(id="status-bar")
        self._timeline = TimelinePane(id="timeline", classes="pane -current")
        self._by_name: dict[str, Any] = {"timeline": self._timeline}  # the panes, once there
        yield self._bar
        yield Tabs(*(Tab(p.capitalize(), id=f"tab-{p}") for p in PANES), id="pane-tabs")
        with Container(id="panes"):
            yield self._timeline

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._state_changed)
        self._tick()
        self.set_interval(1, self._tick, name="clock")
        if self._peek is not None:
            self._bar.glance = self._peek.glance
            self._timeline.show_rows(self._peek.rows)  # drawn on the first layout
        else:
            self._timeline.add_events(self._first_page)
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
        if self.wr.state is None:
            self.wr.attach_after_peek()  # it calls attached() once the incident is folded
        else:
            self.call_later(self._mount_panes)

    def attached(self, page: Sequence[Event]) -> None:
        """The journal is open and the app has the folded state: the page replaces what
        was peeked, and the rest of the console follows."""
        self._timeline.add_events(page)
        self.call_later(self._mount_panes)

    async def _mount_panes(self) -> None:
        """The rest of the console, once the incident is on screen (and folded)."""
        if self._mounting_panes or self.wr.state is None:
            return
        self._mounting_panes = True
        self.screen_layout_refresh_signal.unsubscribe(self)
        from textual.widgets import Footer

        from tui.widgets.checklist import ChecklistPane
        from tui.widgets.comms import CommsPane
        from tui.widgets.logs import LogsPane

        current = self.query_one(Tabs).active.removeprefix("tab-")
        panes = [
            ChecklistPane(id="checklist", classes="pane"),
            LogsPane(id="logs", classes="pane"),
            CommsPane(drafts=self.wr.drafts.known(), id="comms", classes="pane"),
        ]
        for pane in panes:
            pane.set_class(pane.id == current, "-current")
        await self.query_one("#panes").mount_all(panes)
        await self.mount(Footer())
        self.refresh_bindings()  # the footer draws its keys when the bindings are announced
        self._by_name.update((pane.id, pane) for pane in panes if pane.id)
        self.ready = True
        self._state_changed(self.wr.state)
        self._tick()
        self.wr.console_ready(then=self.notes.reopen_unsaved)
        pending, self._after_panes = self._after_panes, []
        for run in pending:
            self.call_later(run)

    def _panes(self, *names: str) -> list[Any]:
        """The panes of these names that are mounted (kept: a query walks the whole DOM,
        and this runs every second)."""
        return [self._by_name[name] for name in names if name in self._by_name]

    def _state_changed(self, state: IncidentState | None) -> None:
        for widget in [self._bar, *self._panes("checklist", "logs", "comms")]:
            widget.state = state

    def _tick(self) -> None:
        now = self.wr.clock.now()
        for widget in [self._bar, *self._panes("checklist", "comms")]:
            widget.now = now
        if not self.ready:
            return
        runner = self.wr.runner
        for pane in self._by_name["logs"].source_panes():
            pane.live = runner.stats_line(pane.source_id)
            dropped = runner.dropped(pane.source_id)
            pane.notice = f"capture behind: {dropped:,} lines not stored" if dropped else ""
            pane.update_status()

    def on_new_events(self, events: Sequence[Event]) -> None:
        self._timeline.add_events(events)

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
        targets = (
            [pane] if pane.can_focus else [w for w in pane.query("*") if w.can_focus and w.display]
        )
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
        if self.wr.read_only and action in writes:
            return None  # shown disabled in the footer; the palette explains
        return True

    def action_help(self) -> None:
        self.wr.action_help()

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

    def on_screen_resume(self) -> None:
        self.notes.resume()

    @after_panes
    @work
    async def action_add_source(self) -> None:
        from tui.screens.source_dialog import SourceDialog

        spec = await self.app.push_screen_wait(SourceDialog())
        if spec is not None:
            from incident import source_commands as cmd

            saved = await self.wr.commit(
                lambda s: cmd.add_source(self.wr.clock, s, spec, owner=self.wr.actor)
            )
            if saved is not None:
                self.action_show_pane("logs")

    @after_panes
    @work
    async def action_severity(self) -> None:
        from tui.screens.pickers import SeverityDialog

        state = self.wr.state
        choice = await self.app.push_screen_wait(SeverityDialog(state.severity))
        if choice is not None:
            sev, reason = choice
            from incident import commands as cmd

            await self.wr.commit(
                lambda s: cmd.set_severity(
                    self.wr.clock, s, sev, reason=reason, owner=self.wr.actor
                )
            )

    @after_panes
    @work
    async def action_status(self) -> None:
        from tui.screens.pickers import StatusDialog

        state = self.wr.state
        choice = await self.app.push_screen_wait(StatusDialog(state.status, state.resolution))
        if choice is not None:
            status, resolution = choice
            from incident import commands as cmd

            await self.wr.commit(
                lambda s: cmd.set_status(
                    self.wr.clock, s, status, resolution=resolution, owner=self.wr.actor
                )
            )

    @after_panes
    @work
    async def action_assign(self) -> None:
        from tui.screens.participants import ParticipantDialog

        contacts = await self.load_contacts()  # the emergency contacts are offered too
        choice = await self.app.push_screen_wait(
            ParticipantDialog(self.wr.state, contacts=contacts or ())
        )
        if choice is not None:
            name, role = choice
            from incident import commands as cmd

            await self.wr.commit(
                lambda s: cmd.assign(self.wr.clock, s, name, role, owner=self.wr.actor)
            )

    @after_panes
    @work
    async def action_phase(self) -> None:
        from tui.screens.pickers import PhaseDialog

        phase = await self.app.push_screen_wait(PhaseDialog(self.wr.state.phase))
        if phase is not None:
            from incident import commands as cmd

            await self.wr.commit(
                lambda s: cmd.set_phase(self.wr.clock, s, phase, owner=self.wr.actor)
            )

    # ------------------------------------------------------------------ pane messages
    # (the panes' own messages are handled in tui/screens/console_panes.py)
    @on(TimelinePane.NeedOlder)
    async def _older(self, event: TimelinePane.NeedOlder) -> None:
        events = await self.wr.load_page(event.before)
        event.pane.add_events(events, older_page=True)
