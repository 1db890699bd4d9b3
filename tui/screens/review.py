"""Post-mortem review: replay the incident, read-only.

The timeline cursor is the time scrubber: wherever it stands, the status bar, the state
panel and the checklist show the incident as it was at that moment (a fold of the journal
up to it), and the log panel shows the output captured around it. ``left``/``right`` (or
``k``/``j``) step from event to event, ``home``/``end`` jump to the ends, ``g`` on a pinned
log line goes to the time the line says (``tui/screens/review_jump.py``). The metrics of
the whole incident are beside it. Nothing here writes, and no stored command is started.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static, Tab, Tabs

from incident.errors import WarroomError
from incident.facts import FACTS, current
from incident.journal import Event
from incident.metrics import compute
from incident.model import role_label
from incident.playbook import load_playbook
from incident.sanitize import visible
from incident.state import IncidentState, fold
from incident.timeparse import human_duration
from session.session import IncidentSession
from tui.actions import ACTIONS
from tui.screens.base import SessionScreen
from tui.screens.console import NARROW_HEIGHT, NARROW_WIDTH
from tui.screens.review_jump import Jump, line_time_jump
from tui.widgets.checklist import ChecklistPane
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelinePane
from tui.widgets.timeline_table import TimelineTable

AROUND = timedelta(seconds=30)
REVIEW_PANES = {
    "timeline": "Timeline",
    "review-state": "State",
    "checklist": "Checklist",
    "review-logs": "Logs",
}
"""The panes, by id: a 2x2 grid, or (narrow, as in the console) one at a time under tabs."""


def state_at(events: Sequence[Event], at: datetime) -> IncidentState:
    """The incident as it stood at ``at``: the fold of what had happened by then."""
    return fold([e for e in events if e.occurred_at <= at or e.kind.value == "declared"])


def metrics_text(events: Sequence[Event]) -> Content:
    m = compute(events)
    pb = load_playbook()

    def took(d) -> str:
        return human_duration(d) if d is not None else "—"

    parts: list = [("Metrics (whole incident)\n", "bold $accent")]
    for label, value in (
        ("detect", human_duration(m.time_to_detect)),
        ("acknowledge", took(m.time_to_acknowledge)),
        ("mitigate", took(m.time_to_mitigate)),
        ("resolve", took(m.time_to_resolve)),
    ):
        parts += [(f"  time to {label:<12}", "dim"), f"{value}\n"]
    for sev, spent in sorted(m.severity_time.items()):
        parts += [(f"  at {sev.value:<19}", "dim"), f"{human_duration(spent)}\n"]
    for span in m.phases:
        p = pb.phase(span.phase)
        parts += [(f"  phase {p.number} {p.name[:14]:<14}", "dim"), human_duration(span.spent)]
        if span.over:
            parts.append((f"  {human_duration(span.over)} over budget", "bold $error"))
        parts.append("\n")
    parts += [
        ("  updates            ", "dim"),
        f"{m.updates_on_time} on time, {m.updates_late} late\n",
        ("  commands run       ", "dim"),
        f"{m.commands_run}\n",
        ("  evidence pinned    ", "dim"),
        f"{m.evidence_pinned}\n",
    ]
    for problem in m.out_of_order:
        parts.append((f"  ⚠ out of order: {problem}\n", "bold $warning"))
    return Content.assemble(*parts)


def state_text(s: IncidentState, at: datetime) -> Content:
    parts: list = [
        (f"At {at:%Y-%m-%d %H:%M:%S} UTC\n", "bold $accent"),
        ("  status    ", "dim"),
        f"{s.status.emoji} {s.status.value}\n",
        ("  severity  ", "dim"),
        f"{s.severity.value}\n",
        ("  phase     ", "dim"),
        f"{load_playbook().phase(s.phase).name}\n",
    ]
    for fact, (_, label) in FACTS.items():  # as they stood then (title: in the status bar)
        value = current(s, fact)
        if value and fact not in ("title", "commander"):  # (the commander: with the people)
            parts += [(f"  {label.lower():<10.10}", "dim"), f" {visible(value)}\n"]
    if s.action_items:
        done_items = sum(1 for a in s.action_items.values() if a.done)
        parts += [("  actions   ", "dim"), f"{done_items}/{len(s.action_items)} done\n"]
    done = sum(1 for t in s.checklist.values() if t.done)
    parts += [("  checklist ", "dim"), f"{done}/{len(load_playbook().checklist_keys())} done\n"]
    for p in s.participants.values():
        parts += [("  ", ""), (f"{role_label(p.role)}: ", "dim"), f"{visible(p.name)}\n"]
    last = s.last_sent()
    if last is not None:
        parts += [
            ("  last update ", "dim"),
            f"{last.at:%H:%M} to {visible(last.audience)}: ",
            (visible(last.message)[:160] + "\n", "italic"),
        ]
    return Content.assemble(*parts)


class ReviewScreen(SessionScreen):
    """Replay of one incident from its journal."""

    CSS = """
    #review {
        layout: grid;
        grid-size: 2 2;
        grid-columns: 3fr 2fr;
        grid-rows: 3fr 2fr;
        height: 1fr;
    }
    #scrubber { height: 1; background: $panel; }
    ReviewScreen.-narrow #pane-tabs { display: block; }
    ReviewScreen.-narrow #review { layout: vertical; }
    ReviewScreen.-narrow .pane { display: none; }
    ReviewScreen.-narrow .pane.-current { display: block; height: 1fr; }
    """
    BINDINGS = [
        *(Binding(a.key, f"refuse({a.title!r})", a.title, show=False) for a in ACTIONS if a.writes),
        Binding("e", "refuse('Correct timeline entry')", "Correct", show=False, priority=True),
        Binding("v", "detail", "Detail", show=False),
        Binding("left,k", "step(-1)", "Previous event"),
        Binding("right,j", "step(1)", "Next event"),
        Binding(
            "g",
            "line_time",
            "Line time",
            tooltip="On an evidence entry: the incident as it was at the time its line says",
        ),
        Binding("home", "jump(0)", "Start", show=False, priority=True),
        Binding("end", "jump(-1)", "End", show=False, priority=True),
        *(
            Binding(str(n), f"show_pane({name!r})", label, show=False)
            for n, (name, label) in enumerate(REVIEW_PANES.items(), start=1)
        ),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit", show=False),  # (the footer has the app's ^q Quit)
    ]

    def __init__(self, session: IncidentSession, *, local_tz: tzinfo | None = None) -> None:
        super().__init__(session)
        self.local_tz = local_tz
        self.events: list[Event] = []
        self.at: datetime | None = None
        self.jumped: Jump | None = None  # where g went: an evidence's line time

    def compose(self) -> ComposeResult:
        yield StatusBar(read_only=self.session.read_only, id="status-bar")
        yield Tabs(
            *(Tab(label, id=f"tab-{p}") for p, label in REVIEW_PANES.items()), id="pane-tabs"
        )
        with Container(id="review"):
            yield TimelinePane(id="timeline", classes="pane -current")
            with VerticalScroll(id="review-state", classes="pane") as box:
                box.border_title = "State at the cursor"
                yield Static(id="state-text")
                yield Static(id="metrics-text")
            yield ChecklistPane(id="checklist", classes="pane")
            with VerticalScroll(id="review-logs", classes="pane") as box:
                box.border_title = "Captured output around the cursor"
                yield Static(id="logs-text")
        yield Static(id="scrubber")
        yield Footer()

    def on_mount(self) -> None:
        self._layout(self.app.size)

    def on_resize(self, event) -> None:
        self._layout(event.size)

    def _layout(self, size) -> None:
        self.set_class(size.width < NARROW_WIDTH or size.height < NARROW_HEIGHT, "-narrow")

    def action_show_pane(self, name: str) -> None:
        self.query_one(Tabs).active = f"tab-{name}"

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "tab-timeline").removeprefix("tab-")
        for pane in self.query(".pane"):
            pane.set_class(pane.id == name, "-current")
        if event.tab.has_focus:
            return  # (moving along the tab strip: the focus stays there)
        pane = self.query_one(f"#{name}")
        target = (
            pane
            if pane.can_focus
            else next((w for w in pane.query("*") if w.can_focus and w.display), None)
        )
        if target is not None:
            target.focus()

    async def opened(self) -> None:
        """The journal is open: replay it (every event, in time order)."""
        events = await self.session.events()
        self.events = sorted(events, key=lambda e: e.sort_key)
        timeline = self.query_one(TimelinePane)
        timeline.has_older = False
        timeline.add_events(self.events)
        self.query_one("#metrics-text", Static).update(metrics_text(self.events))
        timeline.table.focus()
        self.action_jump(-1)

    @on(TimelineTable.RowHighlighted)
    def _moved(self, event: TimelineTable.RowHighlighted) -> None:
        entry = self.query_one(TimelinePane).selected()
        if entry is None:
            return
        if self.jumped is not None and self.jumped.row_id == entry.id:
            self.show(self.jumped.at)  # (the row a jump to a line time moved to)
        else:
            self.jumped = None
            self.show(entry.occurred_at)

    def show(self, at: datetime) -> None:
        self.at = at
        state = state_at(self.events, at)
        self.query_one(StatusBar).state = state
        self.query_one(StatusBar).now = at
        checklist = self.query_one(ChecklistPane)
        checklist.state, checklist.now = state, at
        self.query_one("#state-text", Static).update(state_text(state, at))
        self._scrubber(at)
        self._logs(at)

    def _scrubber(self, at: datetime) -> None:
        first, last = self.events[0].occurred_at, self.events[-1].occurred_at
        index = sum(1 for e in self.events if e.occurred_at <= at)
        tail = f" event {index}/{len(self.events)}"
        if self.jumped is not None and self.jumped.at == at:
            tail += f" at {at:%H:%M:%S}, line time of #{self.jumped.evidence_id}"
        tail += "  ← → step"
        width = max(self.size.width - 18 - len(tail), 10)
        span = (last - first).total_seconds() or 1
        pos = min(max(round((at - first).total_seconds() / span * (width - 1)), 0), width - 1)
        bar = "━" * pos + "●" + "─" * (width - 1 - pos)
        self.query_one("#scrubber", Static).update(
            Content.assemble(
                (f" {first:%H:%M} ", "dim"),
                (bar, "$accent"),
                (f" {last:%H:%M} ", "dim"),
                tail,
            )
        )

    @work(exclusive=True, group="review-logs")
    async def _logs(self, at: datetime) -> None:
        try:
            lines = await self.session.capture_between(at - AROUND, at + AROUND)
        except WarroomError as e:
            self.query_one("#logs-text", Static).update(Content(f"captured output: {e}"))
            return
        if self.at != at:
            return  # the cursor moved on meanwhile
        if not lines:
            self.query_one("#logs-text", Static).update(
                Content(f"no output captured within {AROUND.seconds} s of this moment")
            )
            return
        parts: list = []
        for sid, line in lines:
            parts += [
                (f"{line.read_at[11:19]} {sid}:{line.no} ", "dim"),
                (visible(line.text)[:400], "$error" if line.err else ""),
                "\n",
            ]
        self.query_one("#logs-text", Static).update(Content.assemble(*parts))

    def action_refuse(self, what: str) -> None:
        """A key that would change the incident says why it cannot."""
        number = f"INC-{self.session.incident_id}"
        self.notify(
            f"{what}: this is a read-only review. To write the incident up after "
            f"the fact, use `warroom postmortem {number}`.",
            title="Read-only",
            severity="warning",
            markup=False,
        )

    @on(ChecklistPane.Toggled)
    @on(ChecklistPane.PhaseChosen)
    def _no_ticks(self, event) -> None:
        event.stop()
        self.action_refuse("Ticking the checklist")

    def system_commands(self) -> Iterable[SystemCommand]:
        for a in ACTIONS:
            if a.action == "detail":  # (the rest change the incident, or need the console)
                yield SystemCommand(a.title, a.help, self.action_detail)

    def action_detail(self) -> None:
        from tui.screens.entry_detail import EntryDetail

        entry = self.query_one(TimelinePane).selected()
        if entry is not None:
            self.app.push_screen(EntryDetail(entry, local_tz=self.local_tz))

    def action_line_time(self) -> None:
        """Move to the time the selected evidence's line says (the incident as it was then):
        the timeline's cursor goes to the last entry at or before it."""
        jump = line_time_jump(self.query_one(TimelinePane))
        if isinstance(jump, str):
            self.notify(jump, severity="warning", markup=False)
            return
        self.jumped = jump
        table = self.query_one(TimelinePane).table
        table.move_cursor(row=table.get_row_index(str(jump.row_id)))
        self.show(jump.at)  # (and again when the move is highlighted)
        self.notify(jump.said, markup=False, timeout=6)

    def action_step(self, delta: int) -> None:
        table = self.query_one(TimelinePane).table
        if table.row_count:
            table.move_cursor(row=min(max(table.cursor_row + delta, 0), table.row_count - 1))

    def action_jump(self, where: int) -> None:
        table = self.query_one(TimelinePane).table
        if table.row_count:
            table.move_cursor(row=0 if where == 0 else table.row_count - 1)
