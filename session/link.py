"""Whether the store can be reached: a server can go away (stopped, the network cut, a
failover) and come back. The session tells its link listeners once per change (the reason,
then ``None``); the console's status bar shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from incident.errors import Unreachable

T = TypeVar("T")


class Link:
    """The store's reachability as last seen by a read or a write."""

    def __init__(self, back: Callable[[], None]) -> None:
        self.down: str | None = None
        """Why the store cannot be reached now; None while it can."""
        self._listeners: list[Callable[[str | None], None]] = []
        self._back = back  # run once the store is reached again

    def subscribe(self, listener: Callable[[str | None], None]) -> None:
        self._listeners.append(listener)

    def seen(self, down: str | None) -> None:
        """A read or a write found the store unreachable (``down``: why) or reached it."""
        changed = (down is None) != (self.down is None)
        self.down = down
        if changed:
            for listener in self._listeners:
                listener(down)
            if down is None:
                self._back()

    async def reach(self, work: Awaitable[T]) -> T:
        """Await a write: an unreachable store is told (and raised, nothing was saved); a
        write that got through says the store is reachable."""
        try:
            result = await work
        except Unreachable as e:
            self.seen(str(e))
            raise
        self.seen(None)
        return result

    async def ask(self, work: Awaitable[T]) -> T | None:
        """Await a read of the change feed: None if the store cannot be reached (told; the
        next poll asks again)."""
        try:
            result = await work
        except Unreachable as e:
            self.seen(str(e))
            return None
        self.seen(None)
        return result
