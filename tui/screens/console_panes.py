"""What the console does with its panes' requests: tick an action, change phase, run or stop
a log source, pin a log line or a host snapshot as evidence.

A collaborator the console holds (``ConsoleScreen.desk``), not a part of it: the screen
routes its panes' messages here (its handlers are named after the messages,
``on_<pane>_<message>``, because the panes' modules are imported after the first frame and
their message classes cannot be named at class creation). Each write is one of the
session's typed verbs, run through the screen's ``save``; the domain is imported where it
is written, for the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from incident.errors import InvalidInput

if TYPE_CHECKING:
    from incident.journal import Evidence
    from session.session import IncidentSession
    from session.sources import SourceRunner
    from tui.screens.base import SessionScreen
    from tui.widgets.checklist import ChecklistPane
    from tui.widgets.host import HostPane
    from tui.widgets.log_source import SourcePane


def pin_line(pane: SourcePane, seq: int, now: datetime) -> Evidence:
    """Evidence for line ``seq`` of a source pane: provenance, context and digest, and the
    line's own time, read in the source's zone when the line names none (the zone recorded
    with the source; a source from before zones: this host's). A zone this host does not
    know is refused (``InvalidInput``) rather than guessed."""
    from incident.evidence import from_log_line
    from session.zones import host_zone, parse_zone
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
        zone=parse_zone(pane.source.spec.zone) if pane.source.spec.zone else host_zone(),
        before=before,
        after=after,
        grep=pane.source.spec.kind == "grep",
    )


class PaneDesk:
    """The console's work on its panes' messages."""

    def __init__(
        self, screen: SessionScreen, session: IncidentSession, runner: SourceRunner | None
    ) -> None:
        self.save = screen.save
        self.notify = screen.notify
        self.session = session
        self.runner = runner

    async def toggled(self, event: ChecklistPane.Toggled) -> None:
        await self.save(self.session.tick(event.item, event.done))

    async def phase_chosen(self, event: ChecklistPane.PhaseChosen) -> None:
        if self.session.state is not None and event.phase is not self.session.state.phase:
            await self.save(self.session.set_phase(event.phase))

    async def source_request(self, event: SourcePane.Request) -> None:
        sid = event.pane.source_id
        state, runner = self.session.state, self.runner
        source = state.sources.get(sid) if state is not None else None
        if source is None or runner is None:
            return
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
            from incident.evidence import place

            try:
                evidence = pin_line(event.pane, event.seq, self.session.clock.now())
            except InvalidInput as e:  # (a zone this host's tz database lacks)
                self.notify(f"Not pinned: {e}", severity="error", markup=False)
                return
            where = place(evidence) or "a line"
            text = f"Evidence {source.spec.name}, {where}: {evidence.line}"
            saved = await self.save(self.session.pin(evidence, note_text=text[:300]))
            if saved is not None:
                self.notify(f"Pinned {where} as evidence #{saved.id}", timeout=3, markup=False)

    async def host_pin(self, event: HostPane.Pin) -> None:
        from incident.evidence import digest
        from incident.journal import Evidence

        lines = event.sample.lines()
        evidence = Evidence(
            source="host",
            line=lines[0] if lines else "",
            context=tuple(lines),
            read_at=self.session.clock.now(),
            sha256=digest(lines),
            snapshot=event.sample.to_dict(),
        )
        saved = await self.save(
            self.session.pin(evidence, note_text=f"Host snapshot: {evidence.line}"[:300])
        )
        if saved is not None:
            self.notify(f"Pinned host snapshot as evidence #{saved.id}", timeout=3)
