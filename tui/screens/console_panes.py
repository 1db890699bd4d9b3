"""What the console does with its panes' requests: tick an action, change phase, run or stop
a log source, pin a log line or a host snapshot as evidence. A mixin of ``ConsoleScreen``.

The handlers are named after their messages (``on_<pane>_<message>``): the panes' modules
are imported after the first frame, so their message classes cannot be named here, and
neither can the domain's: each handler imports what it writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incident.journal import Evidence
    from tui.widgets.checklist import ChecklistPane
    from tui.widgets.host import HostPane
    from tui.widgets.log_source import SourcePane


def pin_line(pane: SourcePane, seq: int, now: datetime) -> Evidence:
    """Evidence for line ``seq`` of a source pane: provenance, context and digest."""
    from incident.evidence import from_log_line
    from tui.widgets.log_source import spec_text

    buf = pane.buffer
    before, after = buf.around(seq)
    read = buf.read_at(seq)
    return from_log_line(
        source=spec_text(pane.source),
        source_id=pane.source_id,
        line=buf.line(seq),
        line_no=buf.number(seq),
        read_at=datetime.fromtimestamp(read, UTC) if read else now,
        before=before,
        after=after,
    )


class PaneRequests:
    """The console's handlers of its panes' messages (``self.wr`` is the app)."""

    wr: Any
    notify: Any

    async def on_checklist_pane_toggled(self, event: ChecklistPane.Toggled) -> None:
        from incident import commands as cmd

        await self.wr.commit(
            lambda s: cmd.tick(self.wr.clock, s, event.item, event.done, owner=self.wr.actor)
        )

    async def on_checklist_pane_phase_chosen(self, event: ChecklistPane.PhaseChosen) -> None:
        from incident import commands as cmd

        if event.phase is not self.wr.state.phase:
            await self.wr.commit(
                lambda s: cmd.set_phase(self.wr.clock, s, event.phase, owner=self.wr.actor)
            )

    async def on_source_pane_request(self, event: SourcePane.Request) -> None:
        from incident import timeline_commands as cmd

        sid = event.pane.source_id
        source = self.wr.state.sources.get(sid)
        if source is None:
            return
        runner = self.wr.runner
        running = sid in runner.live or (sid in runner.following and source.state == "started")
        if event.what == "stop":
            if not running:
                self.notify("not running", severity="warning")
                return
            await runner.stop(sid)
        elif event.what == "rerun":
            if running:
                self.notify("already running; x stops it", severity="warning")
                return
            await runner.start(source, "restarted")
        elif event.what == "pin" and event.seq is not None:
            evidence = pin_line(event.pane, event.seq, self.wr.clock.now())
            text = f"Evidence {source.spec.name}#{evidence.line_no}: {evidence.line}"
            saved = await self.wr.commit(
                lambda s: cmd.pin(
                    self.wr.clock, s, evidence, owner=self.wr.actor, note_text=text[:300]
                )
            )
            if saved is not None:
                self.notify(f"Pinned line {evidence.line_no} as evidence #{saved.id}", timeout=3)

    async def on_host_pane_pin(self, event: HostPane.Pin) -> None:
        from incident import timeline_commands as cmd
        from incident.evidence import digest
        from incident.journal import Evidence

        lines = event.sample.lines()
        evidence = Evidence(
            source="host",
            line=lines[0] if lines else "",
            context=tuple(lines),
            read_at=self.wr.clock.now(),
            sha256=digest(lines),
            snapshot=event.sample.to_dict(),
        )
        saved = await self.wr.commit(
            lambda s: cmd.pin(
                self.wr.clock,
                s,
                evidence,
                owner=self.wr.actor,
                note_text=f"Host snapshot: {evidence.line}"[:300],
            )
        )
        if saved is not None:
            self.notify(f"Pinned host snapshot as evidence #{saved.id}", timeout=3)
