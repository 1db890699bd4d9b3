"""An injectable clock: the only place warroom asks what time it is.

Every timestamp in the domain is an aware UTC ``datetime``. Production code takes a
:class:`Clock`; tests and screenshots pass a :class:`FrozenClock` so output is deterministic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move the clock forward and return the new time."""
        self._now += timedelta(seconds=seconds, **delta)
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(UTC)


def utc(at: datetime) -> datetime:
    """``at`` as aware UTC; a naive datetime is taken to be UTC already."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)
