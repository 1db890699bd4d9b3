"""The holder's side of the log-source leases: this console renews the leases it holds every
``ttl / 3`` (``LeaseStore.ttl``), so that they do not expire while it runs their sources.

A renewal that finds a lease taken (another console holds it, under a new epoch: this
console's lease expired while it was paused or cut off from the store) means this console
was fenced: it stops running that source at once, without a ledger entry (the source runs
on, in the console that took it over), says so in the source's pane ("taken over by
@alice on laptop-a") and follows the new holder's capture from then on. Lines it read
meanwhile are refused by the store (``CaptureSink.submit``'s epoch), not stored twice.

Where the store cannot be reached, the renewal is tried again at the next beat: when the
store is back, the lease is either still ours or taken, and the next renewal says which.
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import TYPE_CHECKING, Protocol

from incident.errors import WarroomError
from incident.sanitize import visible

if TYPE_CHECKING:
    from incident.ports import Holder, LogSource
    from session.log_buffer import LogBuffer
    from session.session import IncidentSession


class Runner(Protocol):
    """What the heartbeat needs of its ``session.sources.SourceRunner``."""

    session: IncidentSession
    me: Holder | None
    held: set[str]  # the sources it holds a lease on
    epochs: dict[str, int]  # ... and their leases' epochs
    live: dict[str, LogSource]
    _fenced: set[str]  # taken over while running: stopped, no ledger entry
    _closing: bool
    _base: dict[str, int]

    def buffer(self, source_id: str) -> LogBuffer: ...

    def follow_holder(self, source_id: str, holder: Holder) -> None: ...


def taken_by(holder: Holder | None) -> str:
    """``taken over by @alice on laptop-a``: who runs the source now."""
    if holder is None:
        return "taken over: its lease was let go of elsewhere"
    who = holder.actor or "another console"
    return f"taken over by {who} on {holder.host}" if holder.host else f"taken over by {who}"


class LeaseHeartbeat:
    """Renews a runner's leases while it holds any; one loop per console."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.beating = False

    def interval(self) -> float | None:
        journal = self.runner.session.journal
        return None if journal is None else journal.leases.ttl / 3

    async def confirm(self, source_id: str) -> Holder | None:
        """Right after a claim: the lease's epoch (the capture goes in under it), and the
        heartbeat started. None where it is ours; else who took it meanwhile."""
        runner = self.runner
        journal, incident, me = runner.session.journal, runner.session.incident_id, runner.me
        if journal is None or incident is None or me is None:
            return None
        now = await journal.leases.renew(incident, source_id, me)
        if now is None or now.token != me.token:
            return now or me  # (let go of at once: the follow loop sees to it)
        runner.epochs[source_id] = now.epoch
        if not self.beating:
            self.beating = True
            runner.session.spawn(self._loop(), "lease-heartbeat")
        return None

    async def _loop(self) -> None:
        try:
            while self.runner.held and not self.runner._closing:
                every = self.interval()
                if every is None:
                    return
                await asyncio.sleep(every)
                await self.beat()
        finally:
            self.beating = False

    async def beat(self) -> None:
        """Renew every lease this console holds; give up the sources that were taken."""
        runner = self.runner
        journal, incident, me = runner.session.journal, runner.session.incident_id, runner.me
        if journal is None or incident is None or me is None:
            return
        for sid in list(runner.held):
            if runner._closing:
                return
            try:
                now = await journal.leases.renew(incident, sid, me)
            except WarroomError:
                continue  # (the store is away: the next beat tries again)
            if sid not in runner.held:
                continue  # (let go of meanwhile: its source ended)
            if now is not None and now.token == me.token:
                runner.epochs[sid] = now.epoch
            else:
                await self.fenced(sid, now)

    async def fenced(self, source_id: str, holder: Holder | None) -> None:
        """Another console took the source over: stop running it here and follow it."""
        runner = self.runner
        runner.held.discard(source_id)
        runner.epochs.pop(source_id, None)
        running = runner.live.get(source_id)
        if running is not None:
            runner._fenced.add(source_id)  # (its reader writes nothing in the ledger)
            await running.stop()
        at = runner.session.clock.now()
        text = visible(f"⇄ {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, {taken_by(holder)}")
        no = runner._base.get(source_id, 0) + 1  # (in the pane only: not ours to capture)
        runner.buffer(source_id).append([text], err=False, first_no=no, read_at=at.timestamp())
        state = runner.session.state
        src = state.sources.get(source_id) if state is not None else None
        name = src.spec.name if src is not None else source_id
        runner.session.warn("Log source", f"{visible(name)}: {taken_by(holder)}")
        journal, incident = runner.session.journal, runner.session.incident_id
        if journal is not None and incident is not None:
            try:  # (what it shows next is the new holder's, numbered after what is stored)
                runner._base[source_id] = await journal.captures.last_no(incident, source_id)
            except WarroomError:
                pass
        follow = holder or runner.me  # (nobody's: the follow loop takes it over again)
        if follow is not None:
            runner.follow_holder(source_id, follow)
