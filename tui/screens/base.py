"""SessionScreen: the typed base of the screens that show one incident's session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.message import Message
from textual.screen import Screen

from incident.errors import WarroomError

if TYPE_CHECKING:
    from incident.journal import Event
    from session.changes import Change
    from session.session import IncidentSession


class SessionScreen(Screen[None]):
    """A screen of one incident (the console, the review, the post-mortem).

    It is handed the session; the app opens it and calls :meth:`opened`, and every later
    fold reaches :meth:`changed` (through the app's ``changed_signal``). Writes are the
    session's typed verbs, run through :meth:`save`.
    """

    @dataclass
    class Attach(Message):
        """The incident as peeked is on screen: open the session now."""

    @dataclass
    class Ready(Message):
        """Every pane is there: play what was typed meanwhile, then ``then``; start the
        log sources."""

        then: Callable[[], Any]

    @dataclass
    class Failed(Message):
        """The screen cannot go on (a row it cannot read): end with this one line."""

        text: str

    def __init__(self, session: IncidentSession) -> None:
        super().__init__()
        self.session = session

    async def opened(self) -> None:
        """The session is open and its incident folded (``session.state``)."""

    def changed(self, change: Change) -> None:
        """A fold brought new events (this console's or another process's)."""

    def system_commands(self) -> Iterable[SystemCommand]:
        """What the command palette offers for this screen, besides Textual's own."""
        return ()

    def run_dialog(self, work: Coroutine[Any, Any, Any], name: str, **options: Any) -> bool:
        """Run ``work`` (it opens a dialog and waits on it) in a worker named ``name``,
        unless one of that name is still running: a key pressed twice before its dialog is
        up opens it once, never one on top of another. False if it was already open."""
        if any(w.name == name and not w.is_finished for w in self.app.workers):
            work.close()  # (never started)
            return False
        options.setdefault("group", "dialogs")
        self.run_worker(work, name=name, **options)
        return True

    async def save(self, verb: Awaitable[Event]) -> Event | None:
        """Run one of the session's verbs; say "Saved" once it is committed, or why not.

        A refusal (bad input, a change that does not apply, a store that cannot write, a
        read-only review) is shown as an error, and nothing is marked saved."""
        try:
            saved = await verb
        except WarroomError as e:
            self.notify(str(e), title="Not saved", severity="error", markup=False, timeout=8)
            return None
        self.notify(f"Saved #{saved.id}", timeout=2, markup=False)
        return saved
