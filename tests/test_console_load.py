"""What a console does with each change it learns of, under load (bench/bench_load.py)."""

from __future__ import annotations

from incident import commands as cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.model import Severity
from storage.store import Store
from tests.console_support import FROZEN, make_app, seed, wait_ready
from tests.waiting import until


async def test_a_note_from_elsewhere_redraws_the_timeline_not_every_pane(tmp_path):
    """Every pane watches the incident's state, and a redraw of them all is a layout pass
    of the whole screen: notes (most of the events under load: CLI calls, other consoles)
    change none of it, and reach the timeline alone."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    clock = FrozenClock(FROZEN)
    app = make_app(db, incident)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        redraws: list[int] = []
        screen.watch(screen, "state", lambda s: redraws.append(s.last_event_id), init=False)
        async with await Store.open(db) as other:
            state = await other.load_state(incident)
            saved = await other.append(cmd.note(clock, state, "from another console"))
        timeline = screen.query_one("#timeline")
        await until(lambda: any(e.event.id == saved.id for e in timeline.entries), pilot=pilot)
        assert app.state is not None and app.state.last_event_id == saved.id
        assert redraws == []
        async with await Store.open(db) as other:
            state = await other.load_state(incident)
            changed = await other.append(
                cmd.set_severity(clock, state, Severity.SEV2, reason="spreading")
            )
        await until(lambda: changed.id in redraws, pilot=pilot)
        assert app.state.severity is Severity.SEV2


async def test_a_note_from_elsewhere_makes_its_own_row_not_every_row_again(tmp_path, monkeypatch):
    """Under load notes arrive several times a second and stay in the timeline: each batch
    makes rows for its own events (the timeline of thousands of entries is not rebuilt),
    while a correction still re-reads the rows it amends."""
    import incident.journal

    db = tmp_path / "w.db"
    incident_id = await seed(db)
    clock = FrozenClock(FROZEN)
    async with await Store.open(db) as other:  # a long timeline already
        state = await other.load_state(incident_id)
        await other.append_many([cmd.note(clock, state, f"earlier {n}") for n in range(300)])
    app = make_app(db, incident_id)
    built: list[int] = []
    real = incident.journal.timeline
    monkeypatch.setattr(
        incident.journal, "timeline", lambda events: built.append(len(events)) or real(events)
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one("#timeline")
        before = len(pane.entries)
        built.clear()
        async with await Store.open(db) as other:
            state = await other.load_state(incident_id)
            saved = await other.append(
                cmd.note(clock.advance(minutes=5) and clock, state, "one more")
            )
        await until(lambda: any(e.id == saved.id for e in pane.entries), pilot=pilot)
        assert built == [1] and len(pane.entries) == before + 1
        assert pane.table.row_count == len(pane.entries)
        assert pane.entries[-1].text == "one more"
        async with await Store.open(db) as other:
            state = await other.load_state(incident_id)
            fix = await other.append(
                timeline_cmd.correct(clock, state, saved, text="one more, fixed")
            )
        await until(lambda: any(e.id == fix.id for e in pane.entries), pilot=pilot)
        assert any(e.id == saved.id and e.text == "one more, fixed" for e in pane.entries)
