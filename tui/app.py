"""WarRoomApp: a thin Textual shell around one incident's session.

The app is a view of :class:`~session.session.IncidentSession`: the composition root
(``tui/cli.py``) builds the session and the screen for the mode (console, review,
post-mortem) and hands both over with an :class:`AppOptions`. The app opens the session
(``attach``), polls its change feed, and passes every change on through ``changed_signal``;
screens and panes never reach back into the app for state. Writes go through the session's
typed verbs, run by the screens (``SessionScreen.save`` says "Saved", or why not).

With a peek (the incident's status bar and newest rows read straight from the file) the
console paints them first and the domain's models are imported only after that frame: so
this module imports none of them at module level.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from incident.errors import WarroomError
from session.changes import Change, Problem
from session.session import IncidentSession
from tui.keyline import KeyLine
from tui.lifecycle import install_signal_handlers, start_lag_log
from tui.messages import Drafted
from tui.screens.base import SessionScreen
from tui.themes import DEFAULT_VARIABLES

if TYPE_CHECKING:
    from session.sources import SourceRunner

POLL_SECONDS = 0.25
EXIT_BUDGET_S = 3.5  # the longest the way out waits on the store (SIGHUP: within 5 s)


@dataclass(frozen=True)
class AppOptions:
    """Everything the app needs besides the session, from the composition root."""

    first_screen: Callable[[], SessionScreen]
    """The mode's screen (console, review, post-mortem)."""
    runner: SourceRunner | None = None
    """The session's log sources (the console; None in review and post-mortem)."""
    themes: Sequence[Theme] = ()
    theme_name: str | None = None
    theme_problems: Sequence[str] = ()
    more_themes: Callable[[], tuple[list[Theme], list[str]]] | None = None
    """The rest of the themes, validated after the first frame."""
    on_theme_change: Callable[[str], None] | None = None
    poll_seconds: float = POLL_SECONDS
    type_ahead: bool = False
    """Keys typed before the screen is ready are held, and played once it is (the console
    and the post-mortem). In every mode keys are handled one at a time (``tui/keyline.py``)."""


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

    _lag_log: tuple[str, list[tuple[float, float]]] | None = None  # WARROOM_LAG_LOG samples

    def __init__(self, session: IncidentSession, options: AppOptions) -> None:
        super().__init__(driver_class=_driver_class())
        self.session = session
        self.options = options
        self.runner = options.runner
        self.changed_signal: Signal[Change] = Signal(self, "changed")
        """Every fold that brought events: the screens subscribe."""
        self.exit_message: str | None = None
        self._attaching = False
        self._polling = False
        self._theme_problems = list(options.theme_problems)
        self._keys = KeyLine(self, hold=options.type_ahead)  # one at a time, each settled
        # (background work in workers: a write waiting on another process's lock holds
        # neither the message loop nor the exit)
        session.spawn = self._spawn
        session.subscribe(self.changed_signal.publish)
        session.on_problem(self._problem)
        session.link.subscribe(self._link)
        for theme in options.themes:
            self.register_theme(theme)
        name = options.theme_name
        if name and name in self.available_themes:
            self._set_first_theme(name)
        elif name:
            self._theme_problems.append(f"unknown theme {name!r}; using {self.theme}")

    @property
    def state(self):
        """The incident as the session last folded it (None before it is open)."""
        return self.session.state

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

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> Worker[Any]:
        return self.run_worker(coro, name=name, group=name, exit_on_error=False)

    def _problem(self, problem: Problem) -> None:
        self.notify(problem.text, title=problem.title, severity="error", markup=False, timeout=8)

    def _link(self, down: str | None) -> None:
        """The store (a server) went away, or is back: every status bar says so at once."""
        for screen in self.screen_stack:
            for bar in screen.query("StatusBar"):
                bar.link = down  # type: ignore[attr-defined]

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """The one place a background task's unexpected error is told (never a traceback
        over the console, never silence)."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{event.worker.name}: {' '.join(str(error).split()) or type(error).__name__}",
                title="Error",
                severity="error",
                markup=False,
                timeout=10,
            )

    # ------------------------------------------------------------------ lifecycle
    async def on_mount(self) -> None:
        if lag_path := os.environ.get("WARROOM_LAG_LOG"):
            self._lag_log = start_lag_log(lag_path)
        install_signal_handlers(self)
        for problem in self._theme_problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        screen = self.options.first_screen()
        await self.push_screen(screen)
        self.changed_signal.subscribe(screen, screen.changed, immediate=True)
        if self.session.peek is None:
            # Textual holds every frame back until on_mount returns: attach after it, so
            # the incident is painted as soon as the screen has composed it.
            self.call_later(self.attach)

    def attach(self) -> None:
        """Open the session (once), in a worker, so keys and the clock go on meanwhile; the
        screen is told (``SessionScreen.opened``) once the incident is folded. The peeked
        console calls this once the peek is on screen."""
        if not self._attaching:
            self._attaching = True
            self.run_worker(self._attach(), name="attach", group="attach")

    async def _attach(self) -> None:
        session = self.session
        try:
            await session.open()
            screen = next(s for s in self.screen_stack if isinstance(s, SessionScreen))
            await screen.opened()
        except WarroomError as e:  # (a row it cannot read, no incident: one line)
            self.fail(str(e))
            return
        if session.peek is None and not session.read_only:
            self.run_worker(session.refresh_glance(), group="glance")  # the next start: fast
        if not session.read_only:
            self.set_interval(self.options.poll_seconds, self._poll_soon, name="change-feed")
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.options.more_themes is not None:  # the first frame had only the remembered one
            themes, problems = self.options.more_themes()
            for theme in themes:
                if theme.name not in self.available_themes:
                    self.register_theme(theme)
            for problem in problems:
                self.notify(problem, severity="warning", markup=False, timeout=8)

    def _poll_soon(self) -> None:
        if not self._polling:  # (one look at a time; a slow store skips a beat)
            self._polling = True
            self.run_worker(self.poll_changes(), group="change-feed")

    async def poll_changes(self) -> None:
        """Fold what the change feed brings (our writes and other processes')."""
        try:
            await self.session.poll()
        except WarroomError as e:
            self.notify(str(e), title="Store", severity="error", markup=False)
        finally:
            self._polling = False

    @on(SessionScreen.Attach)
    def _attach_asked(self) -> None:
        self.attach()

    @on(SessionScreen.Ready)
    def console_ready(self, message: SessionScreen.Ready) -> None:
        """The console has all its panes (right after its first frame): what was typed
        meanwhile is played now, then ``then`` runs; and the log sources start."""
        self._keys.release(message.then)
        if self.runner is not None:
            self.runner.begin()

    @on(SessionScreen.Failed)
    def _failed(self, message: SessionScreen.Failed) -> None:
        self.fail(message.text)

    async def on_event(self, event) -> None:
        # A typed key waits for the one before it to settle (and, while the console
        # starts, for it to be ready): keys read together act as if typed slowly.
        await self._keys.dispatch(event, super().on_event)

    async def on_unmount(self) -> None:
        """Last words: end every child process, write what is still pending, close the store."""
        if self._lag_log is not None:
            path, samples = self._lag_log
            with open(path, "w") as f:
                f.writelines(f"{t:.6f} {late:.6f}\n" for t, late in samples)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + EXIT_BUDGET_S  # the terminal is gone: be quick about it
        if self.runner is not None:
            await self.runner.shutdown()  # (and closes the capture, after its processes)
        try:  # (a database locked by another process cannot hold the exit)
            remaining = max(deadline - loop.time() - 1, 0.1)
            await asyncio.wait_for(self.session.drafts.flush(), remaining)
        except TimeoutError:
            pass
        await self.session.close(timeout=max(deadline - loop.time(), 0.1))

    def fail(self, message: str) -> None:
        """End with one line on stderr (the CLI prints ``exit_message``) and exit code 1."""
        self.exit_message = message
        self.exit(return_code=1)

    def _theme_changed(self, theme: Theme) -> None:
        if self.options.on_theme_change is not None:
            self.options.on_theme_change(theme.name)

    # ------------------------------------------------------------------ messages up
    @on(Drafted)  # the dialogs' and the comms pane's (CommsPane.DraftChanged)
    def _draft(self, message: Drafted) -> None:
        if not self.session.read_only:
            self.session.drafts.typed(message.key, message.text)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's, and: narrow, only the newest toast shows (app.tcss, ``:last-child``);
        once it goes, the one under it is restyled to show (Textual restyles the order of
        toasts only when one comes)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # (from another thread: Textual's notify is thread-safe, a timer is not)
        gone = timeout if timeout is not None else self.NOTIFICATION_TIMEOUT
        for late in (0.1, 1.0):  # (its toast's own timer started when it was mounted)
            self.set_timer(gone + late, self._restyle_toasts)

    def _restyle_toasts(self) -> None:
        if not self.screen_stack:
            return  # (the app is going away)
        for holder in self.screen.query("ToastHolder"):
            holder.update_node_styles()

    # ------------------------------------------------------------------ actions
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers the screen's own actions (the console's, from
        tui/actions.py) and Textual's."""
        if isinstance(screen, SessionScreen):
            yield from screen.system_commands()
        yield from super().get_system_commands(screen)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())
