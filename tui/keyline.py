"""Keys in line: each typed key (or paste) is handled whole before the next one is sent, so
keys that arrive in one read act exactly as if typed slowly.

Textual sends a key to the widget focused *when the app reads it*, and handles it there
later. A read brings many keys at once (a paste, a laggy SSH link, a console busy with a
flood): they were all sent to the widget focused before the first was handled. So ``n``
opened the note dialog while the note's letters, already on their way to the timeline,
were lost or became the timeline's key bindings; Tab moved to the next field after the
second text was already in the first; ``/`` opened a log pane's search field while
``exception`` went to the pane's keys (``x`` stop, ``r`` rerun, ``c`` contacts).

Here the app hands every key to :meth:`KeyLine.dispatch`. A key goes on only once the one
before has settled: it has gone up the widgets it bubbles through to the app, and what it
set off has landed (a dialog pushed, composed and focused; a field shown and focused; a
message it made a widget send, handled). That is checked by a call queued behind it in
each widget on its way (each widget handles its messages in order), then again from the
widget focused, until the screen and its focus stop changing. Nothing waits on time: a
widget that goes away, or one stuck for ``STUCK_S``, lets the line go on.

The console also holds what is typed before it is ready (its first frame comes before its
panes and dialogs), and releases it once it is (:meth:`release`). Ctrl+Q quits at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events

STUCK_S = 2.0  # a widget that takes longer than this over one key does not hold the rest
SETTLE_ROUNDS = 4  # a key's effects, chased at most this many times (a focus that moves on)


class KeyLine:
    """The typed input of ``app`` (a Textual ``App``), one key at a time."""

    def __init__(self, app: Any, *, hold: bool = False) -> None:
        self.app = app
        self.waiting: deque[events.Key | events.Paste] = deque()
        self.holding = hold  # until release(): the console is not ready yet
        self.busy = False  # a key is on its way
        self._next: events.Event | None = None  # the waiting key let through now
        self._sent: asyncio.Future[Any] | None = None  # where it went, once it is sent
        self._then: list[Callable[[], Any]] = []  # to run once what was held is played
        self._last_held: events.Event | None = None  # the last key held until release()
        self._current: events.Event | None = None  # the key on its way

    def typed(self, event: events.Event) -> bool:
        return (
            isinstance(event, events.Key | events.Paste)
            and not event.is_forwarded
            and getattr(event, "key", "") != "ctrl+q"
        )

    async def dispatch(
        self, event: events.Event, handle: Callable[[events.Event], Awaitable[None]]
    ) -> None:
        """The app's ``on_event``: ``handle`` (Textual's) now, or once the keys before it
        have settled."""
        if not self.typed(event):
            await handle(event)
            return
        played = event is self._next  # (the line's own run let it through)
        if played:
            self._next = None
        elif self.holding or self.busy:
            self.waiting.append(event)  # (its turn comes after the one on its way)
            return
        self.busy = True
        self._current = event
        app = self.app
        target = app.focused or app.screen  # where Textual sends it
        try:
            await handle(event)
        finally:
            sent = self._sent
            if played and sent is not None and not sent.done():
                sent.set_result(target)  # the run follows it
            else:  # a run of keys starts: one worker follows them all
                app.run_worker(self._follow(target), name="keys", group="keys", exit_on_error=False)

    def release(self, then: Callable[[], Any] | None = None) -> None:
        """Stop holding: play what was held, in order, then call ``then`` (keys typed
        after this are not waited for)."""
        if then is not None:
            self._then.append(then)
        was_holding, self.holding = self.holding, False
        if was_holding and self.waiting and not self.busy:
            self._last_held = self.waiting[-1]
            self.busy = True
            self._go_on()
        else:
            self._done()

    # ------------------------------------------------------------------ following
    async def _follow(self, target: Any) -> None:
        """Follow a key until it has settled, then send the next one waiting, and so on
        until none is left."""
        loop = asyncio.get_running_loop()
        self._sent = None
        try:
            while True:
                await self._walk(target)  # the key's own way up
                await self._settle()
                if self._last_held is not None and self._current is self._last_held:
                    self._last_held = None
                    self._done()  # what was typed ahead is played
                if not self.waiting or self.holding:
                    break
                self._sent = loop.create_future()
                self._go_on()
                target = await self._sent
                self._sent = None
        finally:
            self._sent = None
            self.busy = False
            if self.waiting and not self.holding:  # (cut short: a new run for the rest)
                self.busy = True
                self._go_on()

    def _go_on(self) -> None:
        self._next = self.waiting.popleft()
        self.app.post_message(self._next)  # (busy stays: nothing overtakes it)

    def _done(self) -> None:
        then, self._then = self._then, []
        for call in then:
            call()

    async def _settle(self) -> None:
        """Until the screen and its focus are the same after a walk from the focused widget
        as before it: a dialog the key opened has composed and taken the focus, a field it
        showed has it, a message it had a widget send has been handled."""
        app = self.app
        for _ in range(SETTLE_ROUNDS):
            before = (app.screen, app.screen.focused)
            await self._walk(app.focused or app.screen)
            if (app.screen, app.screen.focused) == before:
                return

    async def _walk(self, node: Any) -> None:
        """Once through ``node``'s queue, then its parent's, and so on up to the app: what
        ``node`` had to handle (and sent up meanwhile) is then handled."""
        while node is not None:
            await self._through(node)
            node = node.parent

    async def _through(self, node: Any) -> None:
        loop = asyncio.get_running_loop()
        passed = loop.create_future()
        if not node.call_later(lambda: passed.done() or passed.set_result(None)):
            return  # closed: nothing more goes through it
        deadline = loop.time() + STUCK_S
        while not passed.done() and loop.time() < deadline:
            if node._closing or node._closed:  # (Textual's: a closing queue may drop it)
                return
            await asyncio.wait({passed}, timeout=0.05)
