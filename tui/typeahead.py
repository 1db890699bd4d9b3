"""Keys typed while the console starts: held, then played in order once it is ready.

The console's first frame comes before the journal is open (``storage/peek.py``), and its
panes and dialogs a moment after. An IC who reconnects types at once: ``n`` and a note. Those
keys (and pasted text) are held from launch until every pane is there, then played with the
gaps they were typed with; a key that opens a dialog is followed by the next only once the
dialog has focus, so the note goes into the note, not onto the timeline as key bindings.
Ctrl+Q still quits at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual import events

MAX_GAP_S = 0.5  # a long pause while typing is not replayed as long
DIALOG_WAIT_S = 1.0  # how long the next key waits for a dialog the last one opened


class TypeAhead:
    """The input held for ``app`` (a Textual ``App``) until :meth:`release`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.held: list[events.Key | events.Paste] | None = []
        self._played: set[int] = set()
        self._playing = False

    def hold(self, event: events.Event) -> bool:
        """True if ``event`` is kept for later (the app must not handle it now)."""
        if id(event) in self._played:
            self._played.discard(id(event))
            return False
        if (
            self.held is None
            or not isinstance(event, events.Key | events.Paste)
            or event.is_forwarded
            or getattr(event, "key", "") == "ctrl+q"
        ):
            return False
        self.held.append(event)
        return True

    def release(self, then: Callable[[], Any] | None = None) -> None:
        """Play what was held (once), then call ``then``; from then on nothing is held."""
        if self.held is not None and not self._playing:
            self._playing = True
            self.app.run_worker(self._play(then), name="typed-ahead", group="typed-ahead")
        elif then is not None:
            then()

    async def _play(self, then: Callable[[], Any] | None) -> None:
        app, loop = self.app, asyncio.get_running_loop()
        previous: float | None = None
        while self.held:  # (what is typed while this plays joins the end of the queue)
            event = self.held.pop(0)
            if previous is not None:
                await asyncio.sleep(min(max(event.time - previous, 0.0), MAX_GAP_S))
            previous = event.time
            again = (
                events.Paste(event.text)
                if isinstance(event, events.Paste)
                else events.Key(event.key, event.character)
            )
            again.set_sender(app)  # as the driver's: it bubbles back up to the app's bindings
            self._played.add(id(again))
            screen = app.screen
            app.post_message(again)
            handled = loop.create_future()  # the app handles its messages in order: this
            app.call_later(lambda f=handled: f.done() or f.set_result(None))  # runs after
            await handled  # the key (and a dialog its binding opened is on the stack)
            deadline = loop.time() + DIALOG_WAIT_S
            while (
                app.screen is not screen and app.screen.focused is None and loop.time() < deadline
            ):
                await asyncio.sleep(0.01)
        self.held = None
        if then is not None:
            then()
