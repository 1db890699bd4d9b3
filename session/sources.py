"""The session's source runner: starts the incident's log sources, feeds their lines to
the panes' buffers and to the capture store, and keeps the command ledger.

It knows sources only through ``incident.ports`` (the composition root hands it a
``SourceHost`` from ``feeds/``), and the incident only through its
:class:`~session.session.IncidentSession`; its background work runs through the session's
``spawn`` (the console hands a Textual worker), so it imports no Textual. Every start,
restart, exit (with its code), stop and failure is a journal event. Quitting the console,
or losing its terminal, ends every process without a "stopped" entry: the ledger still says
"started", so the next attach restarts them, and says so.

Several consoles attach to one incident: each source runs in one of them. A console claims
a source before it starts it (``Journal.leases.claim``); one that finds it held by a live
console *follows* it instead: it shows the lines the holder captures, read from the store
every half second. When the holder goes away (it quits, loses its terminal, or is killed),
a follower takes the source over and restarts it, and the ledger says so. A stop asked for
in a follower is a "stopped" entry in the ledger, which the holder obeys. The holder renews
its leases (``session/lease_heartbeat.py``): one that finds a lease taken over stops that
source and follows the console that runs it now.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from incident.errors import WarroomError
from incident.sanitize import visible
from incident.words import plural
from session.lease_heartbeat import LeaseHeartbeat
from session.log_buffer import LogBuffer, epoch_seconds
from session.source_follow import Following
from session.source_lines import show_and_capture
from session.source_restarts import LEFT_RUNNING, restart_marker, resume_points

if TYPE_CHECKING:
    from incident.ports import CaptureSink, Holder, LogSource, SourceHost
    from incident.state import IncidentState, SourceState
    from session.changes import Change
    from session.session import IncidentSession

HISTORY_LINES = 10_000  # captured lines shown at once on attach
HISTORY_BYTES = 8 << 20  # and no more than this of their text (in memory), the newest first:
# 10,000 ordinary lines take about 1.5 MB, 10,000 lines cut at 64 KiB would take 650 MB (and
# three times that while they are read and made into a pane's lines); 8 MiB is a quarter of
# a pane's budget (LogBuffer), and bounds what every attach and every follower's look costs.
RELEASE_S = 1.0  # the longest a console going away waits to let go of its sources
CAPTURE_CLOSE_S = 1.5  # ... and for its capture to be written


class SourceRunner:
    """Runs (or follows) the log sources of one incident for one console."""

    def __init__(
        self,
        session: IncidentSession,
        host: SourceHost | None,
        capture: CaptureSink | None,
        *,
        buffer_lines: int = 200_000,
    ) -> None:
        self.session = session
        self.host = None if session.read_only else host
        self.capture = capture
        self.buffer_lines = buffer_lines
        self.buffers: dict[str, LogBuffer] = {}
        self.live: dict[str, LogSource] = {}
        self.me: Holder | None = None  # this console as a holder, made at its first claim
        self.held: set[str] = set()  # the sources this console holds a lease on
        self.epochs: dict[str, int] = {}  # ... and their leases' epochs (the capture's)
        self.heartbeat = LeaseHeartbeat(self)
        self.follower = Following(self)
        self._fenced: set[str] = set()  # taken over while running here: stopped, not ended
        self.following: dict[str, Holder] = {}  # run by another console: shown from store
        self._base: dict[str, int] = {}  # line numbers continue across runs
        self._loaded: set[str] = set()
        self._stopping: set[str] = set()  # stopped at the IC's request
        self._starting: set[str] = set()  # (claimed, or being claimed, not yet running)
        self._obeyed: set[str] = set()  # stopped from another console: already in the ledger
        self._closing = False  # the console is going away: no ledger entries
        self._begun = False

    def buffer(self, source_id: str) -> LogBuffer:
        if source_id not in self.buffers:
            self.buffers[source_id] = LogBuffer(self.buffer_lines)
        return self.buffers[source_id]

    # ------------------------------------------------------------------ attach
    def begin(self) -> None:
        """Start what the ledger says should run, and from now on keep in step with it (a
        source added anywhere, or left running when the last console went away)."""
        if not self._begun:
            self._begun = True
            self.session.subscribe(self._changed)
        self.session.spawn(self._sync_now(), "sources")

    def _changed(self, change: Change) -> None:
        if any(e.kind.value == "command" for e in change.events):
            self.session.spawn(self._sync_now(), "sources")

    async def _sync_now(self) -> None:
        if self.session.state is not None:
            await self.sync(self.session.state)

    async def sync(self, state: IncidentState) -> None:
        """Load history of new sources, start those the ledger says should run, and stop
        those another console stopped."""
        for sid, src in state.sources.items():
            if self._closing:
                return  # the console is going away (its store may be closed already)
            if sid not in self._loaded:
                self._loaded.add(sid)
                try:
                    await self._load_history(state.id, sid)
                except WarroomError as e:
                    self._loaded.discard(sid)  # (the next change tries again)
                    if not self._closing:
                        self._say(src.spec.name, e)
                    return
                if src.state in ("added", "started") and sid not in self.live:
                    left = src.state == "started"  # (running when its console went away)
                    await self.start(src, *(("restarted", LEFT_RUNNING) if left else ("started",)))
            elif src.state == "stopped" and sid in self.live and sid not in self._stopping:
                self._obeyed.add(sid)  # (the follower that asked wrote "stopped")
                await self.stop(sid)

    async def _load_history(self, incident_id: int, source_id: str) -> None:
        journal = self.session.journal
        if journal is None:
            return
        lines = await journal.captures.read(
            incident_id, source_id, limit=HISTORY_LINES, max_bytes=HISTORY_BYTES
        )
        self._show_captured(source_id, lines)
        if not lines:
            self._base[source_id] = await journal.captures.last_no(incident_id, source_id)

    def _show_captured(self, source_id: str, lines: Sequence[Any]) -> None:
        buf = self.buffer(source_id)
        run: list[str] = []  # consecutive lines read at once from one stream: one append
        for i, line in enumerate(lines):
            run.append(visible(line.text))  # stored sanitised, but the file may come from
            nxt = lines[i + 1] if i + 1 < len(lines) else None  # anywhere
            if nxt is None or (nxt.no, nxt.err, nxt.read_at) != (
                line.no + 1,
                line.err,
                line.read_at,
            ):
                buf.append(
                    run,
                    err=line.err,
                    first_no=line.no - len(run) + 1,
                    read_at=epoch_seconds(line.read_at),
                )
                run = []
        if lines:
            self._base[source_id] = lines[-1].no

    # ------------------------------------------------------------------ run
    async def start(
        self,
        src: SourceState,
        op: str = "started",
        reason: str | None = None,
    ) -> None:
        """Run ``src`` here, unless another live console runs it: then follow it."""
        if self.host is None or src.id in self.live or src.id in self._starting:
            return
        self._starting.add(src.id)
        try:
            try:
                if not await self._claim(src.id):
                    return
            except WarroomError as e:  # the store cannot write: the IC needs the logs anyway
                self._say(src.spec.name, f"{e}; it runs here, unclaimed")
            try:
                await self._catch_up(src.id)  # what the last holder captured: number after
            except WarroomError:
                pass  # (numbered after what this console has seen)
            resume = await resume_points(self.session, src) if op == "restarted" else None
            running = self.host.make(src.id, src.spec, resume=resume)
            try:
                await running.start()
            except Exception as e:  # any reason a source cannot start goes in the ledger
                await self._release(src.id)
                why = " ".join(str(e).split()) or type(e).__name__
                await self._ledger(src.id, "failed", reason=why)
                return
            self.live[src.id] = running
        finally:
            self._starting.discard(src.id)
        from incident.source_commands import environment_of  # (loaded by now: after attach)

        state = self.session.state
        assert state is not None  # (a source starts once the incident is folded)
        env = await asyncio.to_thread(
            environment_of, state, src.id, dict(os.environ)
        )  # (redaction rules: off the loop)
        await self._ledger(src.id, op, pid=running.pid, env=env, reason=reason)
        if op == "restarted":
            self._mark_restart(src, reason, resumed=resume is not None)
        self.session.spawn(self._consume(src.id, running), f"source-{src.id}")

    def _mark_restart(self, src: SourceState, reason: str | None, *, resumed: bool) -> None:
        """A line in the pane and the capture: the source restarted, when and why."""
        sid, now = src.id, self.session.clock.now()
        no = self._base.get(sid, 0) + 1
        text = restart_marker(now, reason, resumed=resumed)
        self.buffer(sid).append([text], err=False, first_no=no, read_at=now.timestamp())
        if self.capture is not None:
            incident = self.session.incident_id or 0
            epoch = self.epochs.get(sid)
            self.capture.submit(incident, sid, no, [text], err=False, read_at=now, epoch=epoch)
        self._base[sid] = no

    async def _ledger(self, source_id: str, op: str, **what: Any) -> None:
        """An entry in the command ledger; a refusal is said, and the source runs on."""
        try:
            await self.session.source_ledger(source_id, op, **what)
        except WarroomError as e:
            self.session.warn("Not saved", f"log source {source_id} {op}: {e}")

    async def _claim(self, source_id: str) -> bool:
        """Take the source's lease; False (and follow it) if another live console has it."""
        journal, incident = self.session.journal, self.session.incident_id
        if journal is None or incident is None or self.host is None:
            return False
        if self.me is None:
            self.me = self.host.holder(self.session.actor)
        other = await journal.leases.claim(incident, source_id, self.me, self.host.alive)
        if other is None:
            self.held.add(source_id)
            other = await self.heartbeat.confirm(source_id)  # (its epoch)
            if other is not None:
                self.held.discard(source_id)
        if other is not None:
            self.follow_holder(source_id, other)
            return False
        self.following.pop(source_id, None)
        return True

    def follow_holder(self, source_id: str, holder: Holder) -> None:
        """Follow the console that runs the source (``session/source_follow.py``)."""
        self.follower.follow_holder(source_id, holder)

    def _say(self, name: str, error: object) -> None:
        self.session.warn("Store", f"log source {visible(name)}: {error}")

    async def _catch_up(self, source_id: str) -> None:
        journal, incident = self.session.journal, self.session.incident_id
        if journal is None or incident is None:
            return
        self._show_captured(
            source_id,
            await journal.captures.read(
                incident,
                source_id,
                limit=HISTORY_LINES,
                after_no=self._base.get(source_id, 0),
                max_bytes=HISTORY_BYTES,
            ),
        )
        last = await journal.captures.last_no(incident, source_id)
        self._base[source_id] = max(self._base.get(source_id, 0), last)

    async def _release(self, source_id: str | None = None, *, last: bool = False) -> None:
        if self._closing and not last:
            return  # (going away: shutdown lets go of all, after the capture is written)
        journal, incident = self.session.journal, self.session.incident_id
        if journal is None or incident is None or self.me is None:
            return
        if source_id is None:
            if not self.held:
                return
            self.held.clear()
        else:
            self.held.discard(source_id)
            self.epochs.pop(source_id, None)
        release = journal.leases.release(incident, self.me.token, source_id)
        try:  # (going away, it does not wait long on a locked database)
            await (asyncio.wait_for(release, RELEASE_S) if self._closing else release)
        except (TimeoutError, WarroomError):
            pass  # (a lease left behind is taken over once this console is gone)

    async def _consume(self, source_id: str, running: LogSource) -> None:
        buf = self.buffer(source_id)
        base = self._base.get(source_id, 0)
        incident = self.session.incident_id or 0
        epoch = self.epochs.get(source_id)
        last = await show_and_capture(running, buf, self.capture, incident, base, epoch)
        code = await running.wait()
        if self.live.get(source_id) is running:
            self.live.pop(source_id)
        if source_id in self._fenced:  # (taken over: it runs on in another console)
            self._fenced.discard(source_id)
            return
        self._base[source_id] = last
        requested = source_id in self._stopping
        obeyed = source_id in self._obeyed
        self._stopping.discard(source_id)
        self._obeyed.discard(source_id)
        if self._closing:
            return
        await self._release(source_id)
        if obeyed:
            return  # the console that asked for the stop wrote it in the ledger
        op = "stopped" if requested else "exited"
        await self._ledger(source_id, op, exit_code=None if requested else code)

    async def stop(self, source_id: str) -> None:
        """Stop a source at the IC's request; its reader records "stopped" in the ledger.
        A source another console runs is stopped by a ledger entry that console obeys."""
        running = self.live.get(source_id)
        if running is None:
            if source_id in self.following:
                await self._ledger(source_id, "stopped")
            return
        self._stopping.add(source_id)
        await running.stop()

    # ------------------------------------------------------------------ the end
    async def shutdown(self) -> None:
        """End every process (the console is going away; the ledger is left as it is), write
        what is still queued for the capture, then let go of the sources, so that another
        console takes them over at once and numbers its lines after the last one written."""
        self._closing = True
        await asyncio.gather(
            *(running.stop(timeout=1.0) for running in self.live.values()), return_exceptions=True
        )  # (all at once; one failing ends none)
        self.live.clear()
        if self.capture is not None:  # (off the loop; a locked database cannot hold it long)
            await asyncio.to_thread(self.capture.close, CAPTURE_CLOSE_S)
        await self._release(last=True)

    def stats_line(self, source_id: str) -> str:
        running = self.live.get(source_id)
        if running is None:
            holder = self.following.get(source_id)
            if holder is None:
                return ""
            who = f"{visible(holder.actor)}'s console" if holder.actor else "another console"
            total = self.buffers[source_id].total if source_id in self.buffers else 0
            elsewhere = self.me is not None and holder.host not in ("", self.me.host)
            where = f"on {visible(holder.host)}" if elsewhere else f"pid {holder.pid}"
            return f"in {who} ({where}) · {plural(total, 'line')}"
        st = running.stats()
        pid = f"pid {st.pid} · " if st.pid else ""
        mem = f"{st.rss / 1e6:.0f} MB · " if st.rss else ""
        return (
            f"{pid}{st.cpu_percent:.0f}% CPU · {mem}{st.lines_per_second:,.0f} lines/s · "
            f"{plural(st.lines_total, 'line')}"
        )

    def dropped(self, source_id: str) -> int:
        if self.capture is None or self.session.incident_id is None:
            return 0
        return self.capture.dropped(self.session.incident_id, source_id)
