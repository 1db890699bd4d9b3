"""The follower's side of the log-source leases (a part of :class:`session.sources.SourceRunner`):
a source another console runs is shown from what that console captures, read from the store
every ``FOLLOW_S``, and taken over once its holder is gone: its lease expired or was let go
of, or, on this machine, where its pid means something, its process ended.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from incident.errors import WarroomError
from session.source_restarts import taken_over

if TYPE_CHECKING:
    from incident.ports import Holder, SourceHost
    from incident.state import SourceState
    from session.session import IncidentSession

FOLLOW_S = 0.5  # how often a follower reads what the holder captured, and checks on it
FOLLOW_GRACE = 6  # reads with nothing new after a followed source ended, before letting go


class Following:
    """Following the sources other consoles run (mixed into ``SourceRunner``)."""

    # (the runner's, set in its __init__)
    session: IncidentSession
    host: SourceHost | None
    me: Holder | None
    following: dict[str, Holder]
    _idle: dict[str, int]
    _following_now: bool
    _closing: bool
    _base: dict[str, int]

    if TYPE_CHECKING:

        async def _catch_up(self, source_id: str) -> None: ...

        async def start(
            self, src: SourceState, op: str = "started", reason: str | None = None
        ) -> None: ...

    def follow_holder(self, source_id: str, holder: Holder) -> None:
        """Show what ``holder`` captures of the source, and take it over once it is gone."""
        self.following[source_id] = holder
        self._idle.pop(source_id, None)
        if not self._following_now:
            self._following_now = True
            self.session.spawn(self._follow_loop(), "follow-sources")

    def _gone(self, holder: Holder) -> bool:
        """Whether a followed source's holder (its lease not expired) is gone: on this
        machine, where its pid means something, its process ended."""
        here = self.me.host if self.me is not None else holder.host
        return holder.host in ("", here) and self.host is not None and not self.host.alive(holder)

    async def _follow_loop(self) -> None:
        # (a task of its own: a takeover's claim is a write that may wait on another
        # process's lock, and holds nothing else meanwhile)
        try:
            while self.following and not self._closing:
                journal = self.session.journal  # (a short lease is looked at more often)
                ttl = journal.leases.ttl if journal is not None else FOLLOW_S * 4
                await asyncio.sleep(min(FOLLOW_S, ttl / 4))
                await self.follow()
        finally:
            self._following_now = False

    async def follow(self) -> None:
        """Show what the holders of followed sources captured since the last look, and take
        over a source whose holder is gone."""
        session = self.session
        journal, incident, state = session.journal, session.incident_id, session.state
        if (
            not self.following
            or journal is None
            or incident is None
            or state is None
            or self._closing
            or self.host is None
        ):
            return
        try:
            holders = await journal.leases.holders(incident)
            for sid in list(self.following):
                shown = self._base.get(sid, 0)
                await self._catch_up(sid)
                new = self._base.get(sid, 0) > shown
                src = state.sources.get(sid)
                holder = holders.get(sid)
                if src is not None and src.state in ("added", "started"):
                    if holder is None or self._gone(holder):
                        gone = self.following.pop(sid)  # (each in a task of its own:
                        # one source's start does not hold up another's takeover)
                        restart = self.start(src, "restarted", reason=taken_over(gone))
                        self.session.spawn(restart, f"take-over-{sid}")
                    else:
                        self.following[sid] = holder
                elif new:
                    self._idle[sid] = 0
                elif self._idle.setdefault(sid, 0) >= FOLLOW_GRACE:
                    del self.following[sid]  # ended, and its last lines are in
                else:
                    self._idle[sid] += 1
        except WarroomError:
            return  # (the store is busy or gone: the next look tries again)
