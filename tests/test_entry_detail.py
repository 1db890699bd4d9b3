"""A timeline entry in full: at 120x40 the Event column shows about 30 characters; Enter
(or ``v``, the palette, the help) on a row opens all of it, read-only, in the console and
in review, and untrusted text in it is never markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from textual.containers import VerticalScroll
from textual.widgets import Static

from incident import commands as cmd
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.journal import Evidence, SourceSpec
from storage.store import Store
from tests.console_support import FROZEN, make_app, seed, wait_ready
from tests.test_review import ready as review_ready
from tests.waiting import until
from tui.actions import ACTIONS
from tui.screens.entry_detail import EntryDetail, detail_content, when
from tui.widgets.timeline import TimelinePane

SIZE = (120, 40)
LINE = (
    "2026-11-25T14:40:02Z ERROR auth-svc pool=db-main [bold red]too many connections[/] "
    "(active=200, waiting=1312) while refreshing token for tenant 8812"
)
DIGEST = "9f2c" * 16


async def incident_with_details(db) -> tuple[int, dict[str, int]]:
    """The demo incident, and: pinned evidence with a long line, a source that exited with
    code 3, and a note corrected after the fact."""
    incident = await seed(db)
    store = await Store.open(db)
    ids: dict[str, int] = {}
    try:
        clock = FrozenClock(FROZEN - timedelta(minutes=2))
        state = await store.load_state(incident)
        evidence = Evidence(
            source="api-log",
            source_id="s1",
            line_no=4711,
            read_at=FROZEN - timedelta(minutes=30, seconds=58),
            line_time=datetime(2026, 11, 25, 14, 40, 2, tzinfo=UTC),
            line=LINE,
            sha256=DIGEST,
        )
        ids["evidence"] = (await store.append(timeline_cmd.pin(clock, state, evidence))).id
        state = await store.load_state(incident)
        grep = SourceSpec(kind="grep", name="errors", pattern="ERROR", paths=("/var/log/a",))
        await store.append(source_cmd.add_source(clock, state, grep, source_id="s9"))
        state = await store.load_state(incident)
        exited = source_cmd.source_ledger(clock, state, "s9", "exited", exit_code=3)
        ids["exited"] = (await store.append(exited)).id
        state = await store.load_state(incident)
        note = await store.append(cmd.note(clock, state, "Rollback of [b]auth[/b] v2.3.1 started"))
        state = await store.load_state(incident)
        fix = timeline_cmd.correct(clock, state, note, text="Rollback of auth v2.3.1 done")
        ids["note"], ids["fix"] = note.id, (await store.append(fix)).id
    finally:
        await store.close()
    return incident, ids


async def open_detail(pilot, screen, event_id: int, key: str = "enter") -> str:
    pane = screen.query_one(TimelinePane)
    table = pane.table
    await until(lambda: str(event_id) in table.rows, pilot=pilot, what=f"row {event_id}")
    table.move_cursor(row=table.get_row_index(str(event_id)))
    table.focus()
    await pilot.press(key)
    dialog = await until(
        lambda: isinstance(pilot.app.screen, EntryDetail) and pilot.app.screen,
        pilot=pilot,
        what="the entry's detail",
    )
    await pilot.pause()
    text = str(dialog.query_one("#detail-text", Static).render())
    return "\n".join(" ".join(line.split()) for line in text.splitlines())  # (one space)


async def test_enter_on_a_timeline_row_shows_the_whole_entry(tmp_path):
    db = tmp_path / "w.db"
    incident, ids = await incident_with_details(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        table = screen.query_one(TimelinePane).table
        row = table.get_row_index(str(ids["evidence"]))
        shown = str(table.get_row_at(row)[1])
        assert "tenant 8812" in shown  # the whole text is in the row, but cut on screen:
        assert screen.query_one(TimelinePane).table.columns["Event"].width < 40

        text = await open_detail(pilot, screen, ids["evidence"])
        assert " ".join(LINE.split()) in text  # (the row's text holds it; the line too)
        for field in (
            "source api-log",
            "line number 4711",
            f"SHA-256 {DIGEST}",
            "line time 2026-11-25 14:40:02 UTC",
            "read at 2026-11-25 14:37:02 UTC",
            "owner —",
            "occurred 2026-11-25 15:06:00 UTC (15:06:00 UTC local)",
            "recorded 2026-11-25 15:06:00 UTC",
            "action taken Pinned as evidence",
        ):
            assert field in text, (field, text)
        dialog = app.screen
        assert dialog.query_one(VerticalScroll).has_focus  # scrollable with the keys
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot=pilot, what="the detail closed")

        text = await open_detail(pilot, screen, ids["exited"], key="v")  # the action's key
        assert "exit code 3" in text and "source id s9" in text
        await pilot.press("escape")

        # A correction: what it corrects; the corrected row: what it first said.
        text = await open_detail(pilot, screen, ids["fix"])
        assert f"corrects entry #{ids['note']}" in text
        await pilot.press("escape")
        text = await open_detail(pilot, screen, ids["note"])
        assert "Rollback of auth v2.3.1 done" in text
        assert "first text Rollback of [b]auth[/b] v2.3.1 started" in text  # not markup
        await pilot.press("escape")

        # A sent update: the whole message.
        sent = [e.id for e in screen.query_one(TimelinePane).entries if e.kind == "comms"]
        comms_row = sent[-1]  # (the second update: it names the root cause)
        text = await open_detail(pilot, screen, comms_row)
        assert "A fix is being implemented. ETA: 15:30 UTC" in text
        assert "audience status-page" in text


async def test_the_detail_is_in_the_palette_and_the_help_and_in_review(tmp_path):
    db = tmp_path / "w.db"
    incident, ids = await incident_with_details(db)
    detail = next(a for a in ACTIONS if a.action == "detail")
    assert not detail.writes  # (review offers it too)
    app = make_app(db, incident, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_ready(pilot)
        titles = [c.title for c in screen.system_commands()]
        assert detail.title in titles
        text = await open_detail(pilot, screen, ids["evidence"])
        assert f"SHA-256 {DIGEST}" in text
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot=pilot, what="back to review")


def test_untrusted_text_in_the_detail_is_never_markup():
    from incident.journal import Event, Note, timeline

    at = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    event = Event(
        id=7,
        incident_id=1,
        occurred_at=at,
        recorded_at=at,
        text="[link=https://evil.example]click[/link] \x1b[31mred\x1b[0m",
        owner="[b]@mallory[/b]",
        payload=Note(),
    )
    (entry,) = timeline([event])
    content = detail_content(entry, timezone(timedelta(hours=1)))
    assert "[link=https://evil.example]click[/link]" in content.plain
    assert "[b]@mallory[/b]" in content.plain
    assert "\x1b" not in content.plain  # (controls made visible)
    assert not any(span.style and "link" in str(span.style) for span in content.spans)
    assert (
        when(at, timezone(timedelta(hours=1)))
        == "2026-11-25 14:00:00 UTC (15:00:00 UTC+01:00 local)"
    )


async def test_the_detail_shows_the_line_time_and_its_zone(tmp_path):
    from incident.evidence import from_log_line
    from session.zones import parse_zone

    db = tmp_path / "w.db"
    incident = await seed(db)
    ids = {}
    async with await Store.open(db) as store:
        clock = FrozenClock(FROZEN - timedelta(minutes=2))
        for key, line in (
            ("assumed", "2005-12-05 20:15:57.123 ERROR pool exhausted"),
            ("own", "2005-12-05T20:15:57+01:00 ERROR pool exhausted"),
            ("none", "ERROR pool exhausted"),
        ):
            evidence = from_log_line(
                source="tail -F app.log",
                source_id="s1",
                line=line,
                line_no=1,
                read_at=FROZEN,
                zone=parse_zone("Europe/Berlin"),
            )
            state = await store.load_state(incident)
            ids[key] = (await store.append(timeline_cmd.pin(clock, state, evidence))).id
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        text = await open_detail(pilot, screen, ids["assumed"])
        assert "line time 2005-12-05 19:15:57.123 UTC (zone assumed: Europe/Berlin)" in text
        assert "line zone" not in text and "zone assumed yes" not in text  # (said once)
        await pilot.press("escape")
        text = await open_detail(pilot, screen, ids["own"])
        assert "line time 2005-12-05 19:15:57 UTC (zone from the line: +01:00)" in text
        await pilot.press("escape")
        text = await open_detail(pilot, screen, ids["none"])
        assert "line time" not in text and "zone" not in text  # no time in it: nothing said


def test_a_grep_evidence_shows_its_file_and_line(journal, frozen_clock):
    from incident.model import Severity
    from tui.screens.entry_detail import payload_lines

    journal.add(cmd.declare(frozen_clock, "t", Severity.SEV2))
    ev = Evidence(
        source="grep x /l/Apache.log", line="Apache.log:11: x", line_no=11, path="Apache.log"
    )
    event = journal.add(timeline_cmd.pin(frozen_clock, journal.state, ev))
    lines = list(payload_lines(event, UTC))
    assert ("line number", "Apache.log line 11") in lines
    assert not any(label == "path" for label, _ in lines)
