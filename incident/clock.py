"""An injectable clock: the only place warroom asks what time it is.

Every timestamp in the domain is an aware UTC ``datetime``. Production code takes a
:class:`Clock`; tests and screenshots pass a :class:`FrozenClock` so output is deterministic.

A clock also says whom to tell when it is moved (:meth:`Clock.watch`): a frozen clock tells
its watchers each time it is set or advanced, so what shows the time follows it at once; the
wall clock moves by itself and tells nobody (what shows it looks every second).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

Watcher = Callable[[datetime], None]
"""Told the new time each time a clock is moved."""


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Call ``watcher(now)`` each time this clock is moved by hand; the returned
        function stops that."""
        ...


def _stay() -> None:
    """Stops nothing (a clock that tells nobody)."""


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Nobody moves the wall clock by hand: ``watcher`` is never called."""
        return _stay


class FrozenClock:
    """A clock that only moves when told to, and then tells its watchers (in the thread
    that moved it, before :meth:`advance` or :meth:`set` returns)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = at.astimezone(UTC)
        self._watchers: list[Watcher] = []

    def now(self) -> datetime:
        return self._now

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        self._watchers.append(watcher)

        def stop() -> None:
            if watcher in self._watchers:
                self._watchers.remove(watcher)

        return stop

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move the clock forward, tell the watchers, and return the new time."""
        self._now += timedelta(seconds=seconds, **delta)
        self._moved()
        return self._now

    def set(self, at: datetime) -> None:
        """Put the clock at ``at`` and tell the watchers."""
        self._now = at.astimezone(UTC)
        self._moved()

    def _moved(self) -> None:
        for watcher in list(self._watchers):  # (a watcher may stop watching meanwhile)
            watcher(self._now)


def utc(at: datetime) -> datetime:
    """``at`` as aware UTC; a naive datetime is taken to be UTC already."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)
