"""Review's ``g``: on a pinned log line, the review moves to the time the line says (read in
its source's zone), shows the incident as it was then, and says where the cursor went."""

from __future__ import annotations

from datetime import timedelta

from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.evidence import from_log_line
from incident.journal import timeline
from session.zones import parse_zone
from storage.store import Store
from tests.console_support import FROZEN, make_app, notices, said, seed
from tests.test_review import ready
from tests.waiting import until
from tui.screens.review import state_at
from tui.widgets.timeline import TimelinePane


async def pin(db, incident, line: str) -> int:
    async with await Store.open(db) as store:
        state = await store.load_state(incident)
        evidence = from_log_line(
            source="tail -F /var/log/auth.log",
            source_id="s1",
            line=line,
            line_no=7,
            read_at=FROZEN - timedelta(minutes=2),
            zone=parse_zone("Europe/Berlin"),
        )
        clock = FrozenClock(FROZEN - timedelta(minutes=2))
        return (await store.append(timeline_cmd.pin(clock, state, evidence))).id


async def select(pilot, screen, event_id: int) -> None:
    table = screen.query_one(TimelinePane).table
    table.move_cursor(row=table.get_row_index(str(event_id)))
    table.focus()
    await until(
        lambda: (
            screen.at == screen.query_one(TimelinePane).selected().occurred_at
            and screen.query_one(TimelinePane).selected().id == event_id
        ),
        pilot=pilot,
        what=f"entry {event_id} selected",
    )


async def test_g_on_evidence_moves_review_to_its_line_time(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    async with await Store.open(db) as store:
        started = min(e.occurred_at for e in await store.events(incident))
    line_at = started + timedelta(minutes=9, seconds=2, milliseconds=500)  # (mid-incident)
    local = line_at.astimezone(parse_zone("Europe/Berlin")).replace(tzinfo=None)
    evidence_id = await pin(db, incident, f"{local.isoformat(' ')} ERROR auth pool exhausted")
    none_id = await pin(db, incident, "ERROR no time in this line")
    async with await Store.open(db) as store:
        events = sorted(await store.events(incident), key=lambda e: e.sort_key)
    rows = timeline(events)
    expected = [r for r in rows if r.occurred_at <= line_at][-1]
    assert expected.id != evidence_id  # (the jump moves the cursor away from the evidence)

    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        footer = screen.query_one("Footer")
        keys = await until(lambda: list(footer.query("FooterKey")), pilot=pilot, what="footer")
        assert "Line time" in [k.description for k in keys]  # (g, said in the footer)

        await select(pilot, screen, evidence_id)
        await pilot.press("g")
        pane = screen.query_one(TimelinePane)
        await until(
            lambda: screen.at == line_at and pane.selected().id == expected.id,
            pilot=pilot,
            what="the review at the line time",
            seen=lambda: (screen.at, pane.selected().id),
        )
        await pilot.pause()  # (the move's highlight is handled: the moment stays the line's)
        assert screen.at == line_at
        shown = screen.query_one("#status-bar").state
        assert shown.model_dump() == state_at(events, line_at).model_dump()
        state = str(screen.query_one("#state-text").render())
        assert f"At {line_at:%Y-%m-%d %H:%M:%S} UTC" in state
        scrubber = str(screen.query_one("#scrubber").render())
        assert f"at {line_at:%H:%M:%S}, line time of #{evidence_id}  ← → step" in scrubber
        assert said(app, "(zone assumed: Europe/Berlin)")
        assert said(app, f"the last entry at or before it, #{expected.id}")

        await pilot.press("right")  # stepping on: back to the entries' own times
        await until(
            lambda: pane.selected().id != expected.id and screen.at == pane.selected().occurred_at,
            pilot=pilot,
            what="stepped on from the line time",
        )

        await select(pilot, screen, none_id)
        await pilot.press("g")
        await until(lambda: said(app, "has no time of its own"), pilot=pilot, what="refusal")
        assert pane.selected().id == none_id

        await select(pilot, screen, expected.id)
        await pilot.press("g")
        await until(lambda: said(app, "g works on an evidence entry"), pilot=pilot)
        assert all(n.severity != "error" for n in notices(app))
