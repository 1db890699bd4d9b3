"""The follower's side of the log-source leases (a part of :class:`session.sources.SourceRunner`):
a source another console runs is shown from what that console captures, read from the store
every ``FOLLOW_S``, and taken over once its holder is gone: its lease expired or was let go
of, or, on this machine, where its pid means something, its process ended.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from incident.errors import WarroomError
from session.source_restarts import taken_over

if TYPE_CHECKING:
    from incident.ports import Holder, SourceHost
    from incident.state import SourceState
    from session.session import IncidentSession

FOLLOW_S = 0.5  # how often a follower reads what the holder captured, and checks on it
FOLLOW_GRACE = 6  # reads with nothing new after a followed source ended, before letting go


class Runner(Protocol):
    """What following needs of its ``session.sources.SourceRunner``."""

    session: IncidentSession
    host: SourceHost | None
    me: Holder | None
    following: dict[str, Holder]  # run by another console: shown from the store
    _closing: bool
    _base: dict[str, int]

    async def _catch_up(self, source_id: str) -> None: ...

    async def start(
        self, src: SourceState, op: str = "started", reason: str | None = None
    ) -> None: ...


class Following:
    """The sources a console follows: it reads what their holders capture, and takes a
    source over once its holder is gone."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._idle: dict[str, int] = {}  # empty reads of a followed source that has ended
        self._following_now = False  # the follow loop runs

    def follow_holder(self, source_id: str, holder: Holder) -> None:
        """Show what ``holder`` captures of the source, and take it over once it is gone."""
        runner = self.runner
        runner.following[source_id] = holder
        self._idle.pop(source_id, None)
        if not self._following_now:
            self._following_now = True
            runner.session.spawn(self._follow_loop(), "follow-sources")

    def _gone(self, holder: Holder) -> bool:
        """Whether a followed source's holder (its lease not expired) is gone: on this
        machine, where its pid means something, its process ended."""
        runner = self.runner
        here = runner.me.host if runner.me is not None else holder.host
        return (
            holder.host in ("", here) and runner.host is not None and not runner.host.alive(holder)
        )

    async def _follow_loop(self) -> None:
        # (a task of its own: a takeover's claim is a write that may wait on another
        # process's lock, and holds nothing else meanwhile)
        runner = self.runner
        try:
            while runner.following and not runner._closing:
                journal = runner.session.journal  # (a short lease is looked at more often)
                ttl = journal.leases.ttl if journal is not None else FOLLOW_S * 4
                await asyncio.sleep(min(FOLLOW_S, ttl / 4))
                await self.follow()
        finally:
            self._following_now = False

    async def follow(self) -> None:
        """Show what the holders of followed sources captured since the last look, and take
        over a source whose holder is gone."""
        runner = self.runner
        session = runner.session
        journal, incident, state = session.journal, session.incident_id, session.state
        if (
            not runner.following
            or journal is None
            or incident is None
            or state is None
            or runner._closing
            or runner.host is None
        ):
            return
        try:
            holders = await journal.leases.holders(incident)
            for sid in list(runner.following):
                shown = runner._base.get(sid, 0)
                await runner._catch_up(sid)
                new = runner._base.get(sid, 0) > shown
                src = state.sources.get(sid)
                holder = holders.get(sid)
                if src is not None and src.state in ("added", "started"):
                    if holder is None or self._gone(holder):
                        gone = runner.following.pop(sid)  # (each in a task of its own:
                        # one source's start does not hold up another's takeover)
                        restart = runner.start(src, "restarted", reason=taken_over(gone))
                        runner.session.spawn(restart, f"take-over-{sid}")
                    else:
                        runner.following[sid] = holder
                elif new:
                    self._idle[sid] = 0
                elif self._idle.setdefault(sid, 0) >= FOLLOW_GRACE:
                    del runner.following[sid]  # ended, and its last lines are in
                else:
                    self._idle[sid] += 1
        except WarroomError:
            return  # (the store is busy or gone: the next look tries again)
