"""WarRoomApp: one incident, its store, its screens, its themes, and a clean exit.

The app is a view of the store. It opens the journal it is handed (through the protocol in
``incident/ports.py``; it never imports ``storage``), folds the incident, and learns of every
change, its own or another process's, from the store's change feed. A change made here is
shown only after the store has committed it.

Handed a peek (``incident.glance.Peek``: the incident's status bar and newest rows, read
straight from the file), the console paints them first and the domain's models are imported
only after that frame (``attach_after_peek``): so this module and the console's first-frame
modules import none of them at module level.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen
from textual.theme import Theme

from incident.clock import Clock
from incident.errors import WarroomError
from incident.glance import Peek
from incident.kinds import ROW_ONLY_KINDS
from tui.actions import ACTIONS
from tui.drafts import Drafts
from tui.lifecycle import install_signal_handlers, start_lag_log
from tui.messages import Drafted
from tui.runner import SourceRunner
from tui.themes import DEFAULT_VARIABLES
from tui.typeahead import TypeAhead

if TYPE_CHECKING:
    from incident.journal import Event
    from incident.ports import CaptureSink, Journal, SourceHost, Watch
    from incident.state import IncidentState
    from tui.screens.console import ConsoleScreen

POLL_SECONDS = 0.25
EXIT_BUDGET_S = 3.5  # the longest the way out waits on the store (SIGHUP: within 5 s)


def _driver_class():
    """On Linux, a driver whose writes survive a terminal that went away (tui/driver.py)."""
    import sys

    if sys.platform.startswith("linux"):
        from tui.driver import SafeLinuxDriver

        return SafeLinuxDriver
    return None


class WarRoomApp(App[int]):
    """The war-room console for one incident."""

    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help", show=False),
    ]

    state: var[IncidentState | None] = var(None, always_update=True)
    """The incident as the store has it; panes watch this."""
    _lag_log: tuple[str, list[tuple[float, float]]] | None = None  # WARROOM_LAG_LOG samples

    def __init__(
        self,
        *,
        open_journal: Callable[[], Awaitable[Journal]],
        incident_id: int | None,
        clock: Clock,
        actor: str = "@ic",
        read_only: bool = False,
        themes: Sequence[Theme] = (),
        theme_name: str | None = None,
        theme_problems: Sequence[str] = (),
        more_themes: Callable[[], tuple[list[Theme], list[str]]] | None = None,
        on_theme_change: Callable[[str], None] | None = None,
        local_tz: tzinfo | None = None,
        poll_seconds: float = POLL_SECONDS,
        sources: SourceHost | None = None,
        capture: CaptureSink | None = None,
        host_sampler: Callable[[], Any] | None = None,
        postmortem: bool = False,
        peek: Peek | None = None,
    ) -> None:
        super().__init__(driver_class=_driver_class())
        self._open_journal = open_journal
        self.journal: Journal | None = None
        self.incident_id = incident_id
        self.clock = clock
        self.actor = actor
        self.read_only = read_only
        self.local_tz = local_tz
        self._poll_seconds = poll_seconds
        self._watch: Watch | None = None
        self._theme_problems = list(theme_problems)
        self._more_themes = more_themes  # the rest of the themes, validated after attach
        self._on_theme_change = on_theme_change
        self.exit_message: str | None = None
        self.drafts = Drafts(
            # (in a worker: a timer's callback runs in the app's message loop, and a write
            # waiting on another process's lock held the loop, the exit included)
            lambda delay, fn: self.set_timer(
                delay, lambda: self.run_worker(fn(), group="drafts"), name="drafts"
            ),
            lambda text: self.notify(text, severity="warning", markup=False),
        )
        self.capture = capture
        self.host_sampler = host_sampler
        self.postmortem = postmortem
        self._peek = peek if not (read_only or postmortem) else None
        self._attaching = False
        self._opening: asyncio.Future[Journal] | None = None
        self._typed_ahead = None if read_only or postmortem else TypeAhead(self)  # (console)
        self._peeked: ConsoleScreen | None = None  # the console painted from the peek
        self.runner = SourceRunner(
            self, None if read_only else sources, None if read_only else capture
        )
        for theme in themes:
            self.register_theme(theme)
        if theme_name and theme_name in self.available_themes:
            self._set_first_theme(theme_name)
        elif theme_name:
            self._theme_problems.append(f"unknown theme {theme_name!r}; using {self.theme}")

    def _set_first_theme(self, name: str) -> None:
        """The theme, before the stylesheet is first parsed: what ``self.theme = name`` does,
        except that it would parse every stylesheet a second time at start-up (15 ms)."""
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())  # (nothing is parsed yet)
        dark = self.current_theme.dark
        self.update_classes(
            {f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark}, update=False
        )
        refresh_filter = getattr(self, "_refresh_truecolor_filter", None)  # Textual 8
        if refresh_filter is not None:
            refresh_filter(self.ansi_theme)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(DEFAULT_VARIABLES)

    # ------------------------------------------------------------------ lifecycle
    async def on_mount(self) -> None:
        if lag_path := os.environ.get("WARROOM_LAG_LOG"):
            self._lag_log = start_lag_log(lag_path)
        install_signal_handlers(self)
        for problem in self._theme_problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        if self._peek is not None:  # painted first; the console calls attach_after_peek
            from tui.screens.console import ConsoleScreen

            self.incident_id = self._peek.glance.incident_id
            self._peeked = ConsoleScreen(peek=self._peek)
            await self.push_screen(self._peeked)
            return
        # Textual holds every frame back until on_mount returns: attach after it, so the
        # incident is painted as soon as the console has composed it.
        self.call_later(self._attach)

    def attach_after_peek(self) -> None:
        """The peeked incident is on screen: now open the journal and fold it (once), in a
        worker, so keys and the clock go on meanwhile (a key that needs the journal waits
        for it: ``after_panes``)."""
        if not self._attaching:
            self._attaching = True
            self.run_worker(self._attach(), name="attach", group="attach")

    async def _attach(self) -> None:
        """Open the journal, fold the incident, and show the screen the mode asks for."""
        try:
            # Opened to the end even if the console is closed meanwhile (SIGHUP right after
            # the first frame): the attach worker is then cancelled, and on_unmount closes
            # what this opened, so no store thread keeps the process alive.
            self._opening = self._opening or asyncio.ensure_future(self._open_journal())
            self.journal = await asyncio.shield(self._opening)
            if self.incident_id is None:
                self.incident_id = await self.journal.latest_active()
            if self.incident_id is None:
                self._fail(
                    "no active incident: declare one with "
                    "`warroom declare TITLE --severity SEV-2`, or try `warroom demo`"
                )
                return
            state = await self.journal.load_state(self.incident_id)
            self.drafts.attach(
                self.journal, self.incident_id, await self.journal.drafts(self.incident_id)
            )
        except WarroomError as e:
            self._fail(str(e))
            return
        self._watch = self.journal.watch(self.incident_id, state.last_event_id)
        if self._peek is None and not (self.read_only or self.postmortem):
            self.run_worker(self._refresh_glance(), group="glance")  # the next start is fast
        self.state = state
        if self.read_only:
            from tui.screens.review import ReviewScreen

            try:
                events = await self.journal.events(self.incident_id)
            except WarroomError as e:  # a row it cannot read: one line, not a traceback
                self._fail(str(e))
                return
            await self.push_screen(ReviewScreen(events))
            return
        if self.postmortem:
            from tui.screens.postmortem import PostmortemScreen

            await self.push_screen(PostmortemScreen())
            self.set_interval(self._poll_seconds, self.poll_changes, name="change-feed")
            return
        from tui.screens.console import FIRST_PAGE, ConsoleScreen

        page = await self.load_page(None, limit=FIRST_PAGE)
        if self.exit_message:
            return  # a row it cannot read: the console ends with one line
        if self._peeked is not None:
            self._peeked.attached(page)
        else:
            await self.push_screen(ConsoleScreen(page))
        self.set_interval(self._poll_seconds, self.poll_changes, name="change-feed")
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self._more_themes is not None:  # the first frame had only the remembered one
            themes, problems = self._more_themes()
            for theme in themes:
                if theme.name not in self.available_themes:
                    self.register_theme(theme)
            for problem in problems:
                self.notify(problem, severity="warning", markup=False, timeout=8)

    async def _refresh_glance(self) -> None:
        """Best effort: an older file gets its glance (a cache) written for the next start."""
        if self.journal is not None and self.incident_id is not None:
            try:
                await self.journal.refresh_glance(self.incident_id)
            except WarroomError:
                pass

    def console_ready(self, then: Callable[[], Any]) -> None:
        """The console has all its panes (right after its first frame): what was typed
        meanwhile is played now, then ``then`` runs; and the sources the ledger says should
        run start."""
        if self._typed_ahead is not None:
            self._typed_ahead.release(then)
        else:
            then()
        self.sync_sources()

    async def on_event(self, event: events.Event) -> None:
        if self._typed_ahead is not None and self._typed_ahead.hold(event):
            return  # typed while the console starts: played once it is ready
        await super().on_event(event)

    async def on_unmount(self) -> None:
        """Last words: end every child process, write what is still pending, close the store."""
        if self._lag_log is not None:
            path, samples = self._lag_log
            with open(path, "w") as f:
                f.writelines(f"{t:.6f} {late:.6f}\n" for t, late in samples)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + EXIT_BUDGET_S  # the terminal is gone: be quick about it
        await self.runner.shutdown()  # (and closes the capture, after its processes)
        try:  # (a database locked by another process cannot hold the exit)
            await asyncio.wait_for(self.drafts.flush(), max(deadline - loop.time() - 1, 0.1))
        except TimeoutError:
            pass
        journal, self.journal = self.journal, None
        if journal is None and self._opening is not None:
            try:
                journal = await self._opening
            except (Exception, asyncio.CancelledError):
                journal = None  # it did not open: nothing to close
        if journal is not None:
            await journal.close(timeout=deadline - loop.time())

    def _fail(self, message: str) -> None:
        self.exit_message = message
        self.exit(return_code=1)

    def _theme_changed(self, theme: Theme) -> None:
        if self._on_theme_change is not None:
            self._on_theme_change(theme.name)

    # ------------------------------------------------------------------ the store
    async def commit(
        self, build: Callable[[IncidentState], Event], *, drafts_done: str | None = None
    ) -> Event | None:
        """Build an event from the current state, append it, and show it once committed.

        ``drafts_done`` is the key prefix of the dialog whose text this saves: its drafts
        are deleted in the same transaction (and not written again by an autosave still
        under way), so a console that dies right after cannot offer the text again.

        A refusal (bad input, a change that does not apply, a store that cannot write) is
        shown as an error and nothing is marked saved; the dialog's drafts are kept.
        """
        if self.journal is None or self.state is None:
            return None
        if self.read_only:
            self.notify("read-only review: nothing can be changed here", severity="warning")
            return None
        try:
            with self.drafts.saving(drafts_done):
                saved = await self.journal.append(build(self.state), drafts_done=drafts_done)
        except WarroomError as e:
            self.notify(str(e), title="Not saved", severity="error", markup=False, timeout=8)
            return None
        await self.poll_changes()
        self.notify(f"Saved #{saved.id}", timeout=2, markup=False)
        return saved

    async def poll_changes(self) -> None:
        """Fold what the change feed brings (our writes and other processes') into the view."""
        if self._watch is None or self.state is None or self.journal is None:
            return
        try:
            change = await self._watch.poll()
        except WarroomError as e:
            self.notify(str(e), title="Store", severity="error", markup=False)
            return
        if change is None or not change.events:
            return
        self.ingest(change.events)

    def ingest(self, events: Sequence[Event]) -> None:
        state = self.state
        assert state is not None
        from incident.state import apply

        shaping = [e for e in events if e.kind.value not in ROW_ONLY_KINDS]
        late = any(
            state.last_event_at is not None and e.occurred_at < state.last_event_at for e in shaping
        )
        if late:
            self._refold()  # a backdated change: fold the journal again, in time order
        else:
            for event in events:
                apply(state, event)
        state.last_event_id = max(state.last_event_id, *(e.id or 0 for e in events))
        if late or shaping:
            self.state = state  # a note alone changes nothing the panes show but the timeline
        if any(e.kind.value == "command" for e in events):
            self.sync_sources()
        for screen in self.screen_stack:
            handler = getattr(screen, "on_new_events", None)
            if handler is not None:
                handler(events)

    @work(group="sources")
    async def sync_sources(self) -> None:
        """Start what the ledger says should run (a source added anywhere, or left running
        when the last console went away)."""
        if self.state is not None:
            await self.runner.sync(self.state)

    @work(exclusive=True, group="refold")
    async def _refold(self) -> None:
        if self.journal is not None and self.incident_id is not None:
            try:
                self.state = await self.journal.load_state(self.incident_id)
            except WarroomError as e:
                self.notify(str(e), title="Store", severity="error", markup=False)

    async def load_page(self, before: Event | None, limit: int = 200) -> list[Event]:
        """A page of the timeline (the newest, or the one before ``before``) with the
        corrections of its entries, so they read as they stand now."""
        assert self.journal is not None and self.incident_id is not None
        try:
            events = await self.journal.page(self.incident_id, before=before, limit=limit)
            fixes = await self.journal.corrections_of([e.id for e in events if e.id])
        except WarroomError as e:  # a row it cannot read: the console ends with one line
            self._fail(str(e))
            return []
        seen = {e.id for e in events}
        return events + [f for f in fixes if f.id not in seen]

    # ------------------------------------------------------------------ drafts
    @on(Drafted)  # the dialogs' and the comms pane's (CommsPane.DraftChanged)
    def _draft(self, message: Drafted) -> None:
        if not self.read_only:
            self.drafts.typed(message.key, message.text)

    # ------------------------------------------------------------------ actions
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every console action (from tui/actions.py) and Textual's own."""
        if screen.__class__.__name__ == "ConsoleScreen":
            for a in ACTIONS:
                if a.action == "quit" or (a.writes and self.read_only):
                    continue
                yield SystemCommand(a.title, a.help, lambda a=a: screen.run_action(a.action))
        yield from super().get_system_commands(screen)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())
