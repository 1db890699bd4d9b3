"""The console's source runner: starts the incident's log sources, feeds their lines to
the panes' buffers and to the capture store, and keeps the command ledger.

It knows sources only through ``incident.ports`` (the composition root hands it a factory
from ``feeds/``). Every start, restart, exit (with its code), stop and failure is a
journal event. Quitting the console, or losing its terminal, ends every process without a
"stopped" entry: the ledger still says "started", so the next attach restarts them, and
says so.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from incident.errors import WarroomError
from incident.sanitize import visible
from tui.widgets.log_buffer import LogBuffer

if TYPE_CHECKING:
    from incident.ports import CaptureSink, LogSource, SourceFactory
    from incident.state import IncidentState, SourceState
    from tui.app import WarRoomApp

HISTORY_LINES = 10_000  # captured lines shown at once on attach


class SourceRunner:
    """Runs the log sources of one incident for one console."""

    def __init__(self, app: WarRoomApp, factory: SourceFactory | None,
                 capture: CaptureSink | None, *, buffer_lines: int = 200_000) -> None:
        self.app = app
        self.factory = factory
        self.capture = capture
        self.buffer_lines = buffer_lines
        self.buffers: dict[str, LogBuffer] = {}
        self.live: dict[str, LogSource] = {}
        self._base: dict[str, int] = {}  # line numbers continue across runs
        self._loaded: set[str] = set()
        self._stopping: set[str] = set()  # stopped at the IC's request
        self._closing = False  # the console is going away: no ledger entries

    def buffer(self, source_id: str) -> LogBuffer:
        if source_id not in self.buffers:
            self.buffers[source_id] = LogBuffer(self.buffer_lines)
        return self.buffers[source_id]

    # ------------------------------------------------------------------ attach
    async def sync(self, state: IncidentState) -> None:
        """Load history of new sources, and start those the ledger says should run."""
        for sid, src in state.sources.items():
            if self._closing:
                return  # the console is going away (its store may be closed already)
            if sid not in self._loaded:
                self._loaded.add(sid)
                try:
                    await self._load_history(state.id, sid)
                except WarroomError:
                    if self._closing:
                        return
                    raise
                if src.state in ("added", "started") and sid not in self.live:
                    await self.start(src, "restarted" if src.state == "started" else "started")

    async def _load_history(self, incident_id: int, source_id: str) -> None:
        journal = self.app.journal
        if journal is None:
            return
        lines = await journal.read_capture(incident_id, source_id, limit=HISTORY_LINES)
        buf = self.buffer(source_id)
        for line in lines:  # stored sanitised, but the file may come from anywhere
            buf.append([visible(line.text)], err=line.err, first_no=line.no)
        self._base[source_id] = lines[-1].no if lines else \
            await journal.capture_last_no(incident_id, source_id)

    # ------------------------------------------------------------------ run
    async def start(self, src: SourceState, op: str = "started") -> None:
        from incident import commands as cmd  # (loaded by now: a source starts after attach)
        if self.factory is None or self.app.read_only or src.id in self.live:
            return
        running = self.factory(src.id, src.spec)
        try:
            await running.start()
        except Exception as e:  # any reason a source cannot start goes in the ledger
            reason = " ".join(str(e).split()) or type(e).__name__
            await self.app.commit(lambda s: cmd.source_ledger(
                self.app.clock, s, src.id, "failed", reason=reason, owner=self.app.actor))
            return
        self.live[src.id] = running
        await self.app.commit(lambda s: cmd.source_ledger(
            self.app.clock, s, src.id, op, pid=running.pid, owner=self.app.actor,
            env=os.environ))
        self.app.run_worker(self._consume(src.id, running), group=f"source-{src.id}",
                            name=f"source {src.id}", exit_on_error=False)

    async def _consume(self, source_id: str, running: LogSource) -> None:
        buf = self.buffer(source_id)
        base = self._base.get(source_id, 0)
        incident = self.app.incident_id or 0
        last = base
        async for batch in running.batches():
            no = base + batch.first_no
            err = batch.stream == "err"
            buf.append(batch.lines, err=err, first_no=no, read_at=batch.read_at.timestamp())
            last = no + len(batch.lines) - 1
            if self.capture is not None:
                self.capture.submit(incident, source_id, no, batch.lines, err=err,
                                    read_at=batch.read_at)
        self._base[source_id] = last
        code = await running.wait()
        self.live.pop(source_id, None)
        requested = source_id in self._stopping
        self._stopping.discard(source_id)
        if self._closing or not self.app.is_running:
            return
        op = "stopped" if requested else "exited"
        from incident import commands as cmd
        await self.app.commit(lambda s: cmd.source_ledger(
            self.app.clock, s, source_id, op, exit_code=None if requested else code,
            owner=self.app.actor))

    async def stop(self, source_id: str) -> None:
        """Stop a source at the IC's request; its reader records "stopped" in the ledger."""
        running = self.live.get(source_id)
        if running is None:
            return
        self._stopping.add(source_id)
        await running.stop()

    async def shutdown(self) -> None:
        """End every process (the console is going away; the ledger is left as it is)."""
        self._closing = True
        for running in list(self.live.values()):
            try:
                await running.stop(timeout=1.0)
            except Exception:  # keep ending the others
                pass
        self.live.clear()

    def stats_line(self, source_id: str) -> str:
        running = self.live.get(source_id)
        if running is None:
            return ""
        st = running.stats()
        pid = f"pid {st.pid} · " if st.pid else ""
        mem = f"{st.rss / 1e6:.0f} MB · " if st.rss else ""
        return (f"{pid}{st.cpu_percent:.0f}% CPU · {mem}{st.lines_per_second:,.0f} lines/s · "
                f"{st.lines_total:,} lines")

    def dropped(self, source_id: str) -> int:
        if self.capture is None or self.app.incident_id is None:
            return 0
        return self.capture.dropped(self.app.incident_id, source_id)
