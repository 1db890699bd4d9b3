"""The console's dialogs, driven with Pilot: note (save, cancel, autosaved draft across a
re-attach), severity, status, participant, phase and correction. Each records exactly one
event in the store, and the console shows it; untrusted text is never taken as markup."""

from __future__ import annotations

import html
from datetime import UTC
from pathlib import Path

from textual.widgets import Checkbox, Input, Label, OptionList, Select

from incident import commands as cmd
from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.journal import (
    Edit,
    Note,
    ParticipantChanged,
    PhaseChanged,
    SeverityChanged,
    SourceSpec,
    StatusChanged,
)
from incident.model import PhaseId, Severity, Status
from incident.playbook import load_playbook
from storage.peek import peek
from storage.store import Store
from tests.console_support import (
    FROZEN,
    hold_journal,
    make_app,
    seed,
    stored,
    wait_ready,
)
from tests.waiting import until
from tui.cli import Launch, build_app
from tui.screens.console import FIRST_PAGE, ConsoleScreen
from tui.screens.note import NoteDialog
from tui.screens.participants import OTHER, ParticipantDialog
from tui.screens.pickers import PhaseDialog, SeverityDialog, StatusDialog
from tui.widgets.status_bar import Part, StatusBar
from tui.widgets.timeline import TimelinePane

SIZE = (120, 36)
DEMO_DRAFT = "Fix for token-refresh leak passed expedited review"


async def saved_draft(pilot, db: Path, incident: int, key: str, text: str) -> None:
    """Wait (at most a second: the autosave's promise) until it has written ``text`` under
    ``key``."""

    async def written() -> bool:
        return (await stored(db, incident))[2].get(key) == text

    await until(written, pilot=pilot, timeout=1.0, what=f"{key} autosaved within a second")


async def no_note_drafts(pilot, db: Path, incident: int) -> None:
    """Wait until the store holds no note draft (a cancel or a save clears them)."""

    async def cleared() -> bool:
        return note_drafts((await stored(db, incident))[2]) == {}

    await until(cleared, pilot=pilot, what="the note drafts cleared from the store")


def worker(pilot, action: str):
    """The running worker named ``action`` (e.g. the one of the severity dialog, waiting on
    the dialog it opened)."""
    running = [w for w in pilot.app.workers if w.name == action and not w.is_finished]
    assert len(running) == 1, f"{action}: running workers {list(pilot.app.workers)}"
    return running[0]


async def open_dialog(pilot, key: str, kind: type):
    await pilot.press(key)
    await until(lambda: isinstance(pilot.app.screen, kind), pilot=pilot)
    await pilot.pause()
    return pilot.app.screen


async def back_to_console(pilot) -> ConsoleScreen:
    await until(lambda: isinstance(pilot.app.screen, ConsoleScreen), pilot=pilot)
    await pilot.pause()
    return pilot.app.screen


def rows(screen) -> list[str]:
    table = screen.query_one(TimelinePane).table
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


def text_of(widget) -> str:
    return str(widget.render())


# ---------------------------------------------------------------------- n: note
async def put_drafts(db: Path, incident: int, drafts: dict[str, str]) -> None:
    """Drafts as a console that died (or an older warroom) left them."""
    store = await Store.open(db)
    try:
        for key, text in drafts.items():
            await store.drafts.put(incident, key, text)
    finally:
        await store.close()


def note_drafts(drafts: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in drafts.items() if k.startswith("note.")}


async def test_note_escape_cancels_then_enter_saves(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    before, _, drafts = await stored(db, incident)
    assert note_drafts(drafts) == {}
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        shown = rows(screen)
        dialog = await open_dialog(pilot, "n", NoteDialog)
        assert dialog.query_one("#note-text", Input).value == ""
        assert dialog.query_one("#note-owner", Input).value == "@alice"
        assert app.focused is dialog.query_one("#note-text")
        await pilot.press(*"Pool at 100%", "tab", *"xy")
        await saved_draft(pilot, db, incident, dialog.key("action"), "xy")
        await pilot.press("escape")
        screen = await back_to_console(pilot)
        await no_note_drafts(pilot, db, incident)
        assert rows(screen) == shown
        events, _, drafts = await stored(db, incident)
        assert events == before
        assert note_drafts(drafts) == {}  # cancelled on purpose

        dialog = await open_dialog(pilot, "n", NoteDialog)
        assert dialog.query_one("#note-text", Input).value == ""
        assert dialog.query_one("#note-action", Input).value == ""
        await pilot.press(*"DB ok", "tab", *"Merged")
        # autosaved before Enter: Enter must clear these too
        await saved_draft(pilot, db, incident, dialog.key("action"), "Merged")
        await pilot.press("enter")
        screen = await back_to_console(pilot)
        await until(lambda: "DB ok" in rows(screen), pilot=pilot)
        assert rows(screen)[-1] == "DB ok"
        await no_note_drafts(pilot, db, incident)
    events, _, drafts = await stored(db, incident)
    assert len(events) == len(before) + 1
    saved = events[-1]
    assert isinstance(saved.payload, Note)
    assert (saved.text, saved.action, saved.owner) == ("DB ok", "Merged", "@alice")
    assert note_drafts(drafts) == {}


async def test_an_unsaved_note_reopens_by_itself_on_the_next_attach(db_target):
    """On both backends (``db_target``: the SQLite file, then the server): the draft is stored
    where the journal is, and the next console finds it there."""
    db = db_target
    incident = await seed(db)
    before, _, _ = await stored(db, incident)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "n", NoteDialog)
        await pilot.press(*"DBA paged")
        await pilot.press("ctrl+q")  # the link drops, or the IC leaves: nothing saved yet
    assert app.return_code == 0
    events, _, drafts = await stored(db, incident)
    assert events == before
    assert note_drafts(drafts) == {dialog.key("text"): "DBA paged"}

    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await until(lambda: isinstance(app.screen, NoteDialog), pilot=pilot)  # no key pressed
        box = app.screen.query_one("#note-text", Input)
        assert box.value == "DBA paged"
        assert "restored, not saved yet" in str(app.screen.query_one("#note-dialog").border_title)
        await pilot.press("!")  # not selected: the first key does not wipe it
        assert box.value == "DBA paged!"
        await pilot.press("enter")
        screen = await back_to_console(pilot)
        await until(lambda: rows(screen)[-1] == "DBA paged!", pilot=pilot)
    events, _, drafts = await stored(db, incident)
    assert [e.text for e in events[len(before) :]] == ["DBA paged!"]
    assert note_drafts(drafts) == {}


async def test_a_new_note_never_merges_a_draft_left_unsaved(tmp_path):
    """The issue's case: a console killed mid-typing left "KTYPED-4"; the next console got
    ``n``, "KTYPED-5", Enter typed as it appeared, and saved "KTYPED-4KTYPED-5". Now the
    new note is its own, and the old draft reopens apart, after what was typed ahead."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    await put_drafts(db, incident, {"note.text": "KTYPED-4"})  # an older warroom's key too
    before, _, _ = await stored(db, incident)
    app = build_app(
        Launch(
            db,
            incident,
            FrozenClock(FROZEN),
            theme="warroom-dark",
            actor="@alice",
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            peek=peek(db, incident, FIRST_PAGE),
        )
    )  # as `warroom attach` starts
    gate = hold_journal(app)
    async with app.run_test(size=SIZE) as pilot:
        try:
            await until(lambda: isinstance(app.screen, ConsoleScreen), pilot=pilot)
            await pilot.press("n", *"KTYPED-5", "enter")  # typed before it is ready
        finally:
            gate.set()
        await wait_ready(pilot)
        await until(
            lambda: (
                isinstance(app.screen, NoteDialog)
                and app.screen.query_one("#note-text", Input).value == "KTYPED-4"
            ),
            pilot=pilot,
        )
        events, _, _ = await stored(db, incident)
        assert [e.text for e in events[len(before) :]] == ["KTYPED-5"]
        await pilot.press("enter")
        await back_to_console(pilot)
        await until(lambda: app.state.last_event_id == events[-1].id + 1, pilot=pilot)
    events, _, drafts = await stored(db, incident)
    assert [e.text for e in events[len(before) :]] == ["KTYPED-5", "KTYPED-4"]
    assert note_drafts(drafts) == {}


async def test_a_refused_note_is_kept_and_reopens(tmp_path, monkeypatch):
    """A store that refuses the note (here: one append fails) shows nothing as saved;
    the dialog opens again with the text, and Enter then saves it once."""
    from storage.errors import StoreBusy

    db = tmp_path / "w.db"
    incident = await seed(db)
    before, _, _ = await stored(db, incident)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        journal = app.session.journal
        real = journal.append
        calls = []

        async def refuse_once(event, **kw):
            calls.append(kw)
            if len(calls) == 1:
                raise StoreBusy("locked by another process; nothing was saved")
            return await real(event, **kw)

        monkeypatch.setattr(journal, "append", refuse_once)
        dialog = await open_dialog(pilot, "n", NoteDialog)
        prefix = dialog.key("text").rpartition(".")[0]
        await pilot.press(*"Kept note", "enter")
        await until(lambda: len(calls) == 1, pilot=pilot)
        await until(
            lambda: isinstance(app.screen, NoteDialog) and app.screen is not dialog, pilot=pilot
        )
        assert app.screen.query_one("#note-text", Input).value == "Kept note"
        await saved_draft(pilot, db, incident, prefix + ".text", "Kept note")
        await pilot.press("enter")
        screen = await back_to_console(pilot)
        await until(lambda: rows(screen)[-1] == "Kept note", pilot=pilot)
    assert [c["drafts_done"] for c in calls] == [prefix, prefix]
    events, _, drafts = await stored(db, incident)
    assert [e.text for e in events[len(before) :]] == ["Kept note"]
    assert note_drafts(drafts) == {}


# ---------------------------------------------------------------------- s: severity
async def test_severity_dialog_shows_criteria_and_records_the_choice(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    before, _, _ = await stored(db, incident)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await open_dialog(pilot, "s", SeverityDialog)
        action = worker(pilot, "severity dialog")  # waiting on the dialog
        await pilot.press("down", "escape")  # Escape: nothing is recorded
        await back_to_console(pilot)
        await until(lambda: action.is_finished, pilot=pilot, what="the severity action done")
        assert (await stored(db, incident))[0] == before
        dialog = await open_dialog(pilot, "s", SeverityDialog)
        shown = "\n".join(text_of(w) for w in dialog.query(Label))
        options = dialog.query_one(OptionList)
        shown += "\n".join(
            str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
        )
        assert "When unsure, pick the higher" in shown
        for sev in load_playbook().severities:
            assert sev.level.value in shown
            for criterion in sev.criteria:
                assert criterion in shown
        assert options.highlighted_option.id == "SEV-1"  # the current one
        assert "(current)" in str(options.highlighted_option.prompt)
        await pilot.press("down")
        assert options.highlighted_option.id == "SEV-2"
        await pilot.press("tab", *"EU only", "enter")
        screen = await back_to_console(pilot)
        await until(lambda: app.state.severity is Severity.SEV2, pilot=pilot)
        await pilot.pause()
        assert screen.query_one(StatusBar).parts["sev"] == Part("SEV-2", "-sev2")
        assert rows(screen)[-1] == "Severity lowered SEV-1 → SEV-2: EU only"
    events, state, _ = await stored(db, incident)
    p = events[-1].payload
    assert isinstance(p, SeverityChanged)
    assert (p.severity, p.previous, p.reason) == (Severity.SEV2, Severity.SEV1, "EU only")
    assert state.severity is Severity.SEV2


# ---------------------------------------------------------------------- t: status
async def test_status_resolved_with_resolution_fields(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "t", StatusDialog)
        options = dialog.query_one(OptionList)
        assert options.highlighted_option.id == "MITIGATED"  # the current one, not the next
        assert "(current)" in str(options.highlighted_option.prompt)
        await pilot.press("down")
        assert options.highlighted_option.id == "RESOLVED"  # Down: the next one, no further
        await pilot.press("enter")  # a resolving status asks for the resolution first
        await pilot.pause()
        immediate = dialog.query_one("#res-immediate", Input)
        assert app.focused is immediate
        assert immediate.value == "Increased connection pool size"  # so far
        await pilot.press("tab", *"Fix leak")
        await pilot.press("tab", *"v2.3.2", "enter")
        screen = await back_to_console(pilot)
        await until(lambda: app.state.status is Status.RESOLVED, pilot=pilot)
        bar = screen.query_one(StatusBar)
        owed = Part("✉ resolution owed: page", "-owed")  # no update due but the resolution's
        await until(lambda: bar.parts["update"] == owed, pilot=pilot, what="resolution owed")
        parts = bar.parts
        assert "RESOLVED" in parts["status"].text
        assert parts["status"].state == "-status-resolved"
        assert rows(screen)[-1] == "Status MITIGATED → RESOLVED ✅"
    events, state, _ = await stored(db, incident)
    p = events[-1].payload
    assert isinstance(p, StatusChanged) and p.status is Status.RESOLVED
    assert p.resolution is not None
    assert (p.resolution.immediate, p.resolution.permanent, p.resolution.deployed) == (
        "Increased connection pool size",
        "Fix leak",
        "v2.3.2",
    )
    assert state.resolution.deployed == "v2.3.2" and state.status is Status.RESOLVED


async def test_status_mitigated_from_active(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    store = await Store.open(db)
    try:
        state = await store.load_state(incident)
        await store.append(cmd.set_status(FrozenClock(FROZEN), state, Status.ACTIVE))
    finally:
        await store.close()
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "t", StatusDialog)
        options = dialog.query_one(OptionList)
        assert options.highlighted_option.id == "ACTIVE"  # the current one
        assert "(current)" in str(options.highlighted_option.prompt)
        await pilot.press("down")  # Down, Enter: the next status, MITIGATED (not RESOLVED)
        assert options.highlighted_option.id == "MITIGATED"
        await pilot.press("enter")
        await pilot.pause()
        dialog.query_one("#res-immediate", Input).clear()
        await pilot.press(*"Rollback", "enter")
        await back_to_console(pilot)
        await until(lambda: app.state.status is Status.MITIGATED, pilot=pilot)
    events, _, _ = await stored(db, incident)
    p = events[-1].payload
    assert isinstance(p, StatusChanged) and p.previous is Status.ACTIVE
    assert p.resolution.immediate == "Rollback"
    assert events[-1].action == "Rollback"


# ---------------------------------------------------------------------- a: participant
async def test_participant_suggestion_fills_name_and_other_role(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "a", ParticipantDialog)
        now = text_of(dialog.query(Label).first())
        assert "@debugger (Technical Lead)" in now and "@alice (Incident Commander)" in now
        suggestions = dialog.query_one("#p-suggest", OptionList)
        # The demo is about API errors and a database: those rows come first, starred.
        first = str(suggestions.get_option_at_index(0).prompt)
        assert first.startswith("★ API errors")
        suggestions.focus()
        await pilot.pause()
        suggestions.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        name = dialog.query_one("#p-name", Input)
        row = load_playbook().delegation.by_symptom
        picked = next(r for r in row if r.symptom in str(suggestions.get_option_at_index(1).prompt))
        assert name.value == picked.delegates[0]
        assert app.focused is name

        # The role: "Other…" opens the free-text role.
        other = dialog.query_one("#p-other", Input)
        assert other.disabled
        role = dialog.query_one("#p-role", Select)
        role.focus()
        await pilot.press("enter")  # opens the list
        await pilot.pause()
        await pilot.press("end", "enter")
        await until(lambda: role.value == OTHER, pilot=pilot)
        await pilot.pause()
        assert not other.disabled and app.focused is other
        await pilot.press(*"Scribe", "enter")
        screen = await back_to_console(pilot)
        await until(lambda: picked.delegates[0] in app.state.participants, pilot=pilot)
        await pilot.pause()
        assert rows(screen)[-1] == f"{picked.delegates[0]} joined as Scribe"
    events, state, _ = await stored(db, incident)
    p = events[-1].payload
    assert isinstance(p, ParticipantChanged)
    assert (p.name, p.role) == (picked.delegates[0], "Scribe")
    assert state.participants[picked.delegates[0]].role == "Scribe"


async def test_participant_named_role(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "a", ParticipantDialog)
        assert dialog.query_one("#p-role", Select).value == "technical_lead"
        await pilot.press("enter")  # no name: refused, nothing recorded
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press(*"@carol", "enter")
        await back_to_console(pilot)
        await until(lambda: "@carol" in app.state.participants, pilot=pilot)
    events, _, _ = await stored(db, incident)
    assert (events[-1].payload.name, events[-1].payload.role) == ("@carol", "technical_lead")
    assert events[-1].text == "@carol joined as Technical Lead"


# ---------------------------------------------------------------------- p: phase
async def test_phase_dialog_opens_on_the_current_phase_and_down_enter_is_the_next(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "p", PhaseDialog)
        options = dialog.query_one(OptionList)
        assert options.option_count == 5
        assert options.highlighted_option.id == "root_cause"  # the current one
        assert "(current)" in str(options.highlighted_option.prompt)
        await pilot.press("down", "enter")  # the next phase, not one further
        screen = await back_to_console(pilot)
        await until(lambda: app.state.phase is PhaseId.FIX, pilot=pilot)
        await pilot.pause()
        assert screen.query_one(StatusBar).parts["phase"].text.startswith("P3 ")
        assert rows(screen)[-1].startswith("Phase 3: ")
    events, state, _ = await stored(db, incident)
    p = events[-1].payload
    assert isinstance(p, PhaseChanged)
    assert (p.phase, p.previous) == (PhaseId.FIX, PhaseId.ROOT_CAUSE)
    assert state.phase is PhaseId.FIX


# ---------------------------------------------------------------------- e: correct
async def test_correct_the_selected_entry_and_retract_another(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    before, _, _ = await stored(db, incident)
    newest = before[-1]
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        assert screen.query_one(TimelinePane).selected().id == newest.id
        dialog = await open_dialog(pilot, "e", NoteDialog)
        assert dialog.query_one("#note-text", Input).value == newest.text
        assert f"#{newest.id}" in str(dialog.query_one("#note-dialog").border_title)
        dialog.query_one("#note-text", Input).clear()
        await pilot.press(*"Leak in refresh", "enter")
        screen = await back_to_console(pilot)
        await until(lambda: "Leak in refresh ✎" in rows(screen), pilot=pilot)

        # Retract the entry above it.
        await pilot.press("up", "up")
        target = screen.query_one(TimelinePane).selected()
        assert target.kind.value == "action_item"
        dialog = await open_dialog(pilot, "e", NoteDialog)
        await pilot.click("#note-retract")
        await pilot.pause()
        assert dialog.query_one("#note-retract", Checkbox).value
        dialog.query_one("#note-text", Input).focus()
        await pilot.press("enter")
        screen = await back_to_console(pilot)
        await until(lambda: f"{target.text} (retracted)" in rows(screen), pilot=pilot)
    events, _, _ = await stored(db, incident)
    fix, retraction = events[-2:]
    assert len(events) == len(before) + 2
    assert isinstance(fix.payload, Edit) and fix.corrects == newest.id
    assert fix.payload.text == "Leak in refresh"
    assert not fix.payload.retracted
    assert isinstance(retraction.payload, Edit) and retraction.corrects == target.id
    assert retraction.payload.retracted and retraction.payload.text is None
    # The originals are untouched in the journal.
    assert next(e for e in events if e.id == newest.id).text == newest.text


# ---------------------------------------------------------------------- untrusted text
NASTY = "[bold]x[/] [link=http://e]y[/link] \x1b]0;pwned\x07"


async def test_untrusted_text_is_shown_literally_and_sanitised(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    store = await Store.open(db)
    try:
        state = await store.load_state(incident)
        clock = FrozenClock(FROZEN)
        for event in (
            cmd.set_field(clock, state, "title", "[b]Title[/b] \x1b]0;t\x07"),
            cmd.assign(clock, state, "[red]mallory[/]", "operations"),
            source_cmd.add_source(
                clock,
                state,
                SourceSpec(kind="cmd", name="[i]src\x1b[2J", command="echo '[b]'"),
                owner="@x",
            ),
        ):
            await store.append(event)
    finally:
        await store.close()
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot, "n", NoteDialog)
        dialog.query_one("#note-text", Input).value = NASTY  # as if pasted
        await pilot.press("enter")
        screen = await back_to_console(pilot)
        await until(lambda: any("pwned" in r for r in rows(screen)), pilot=pilot)
        row = rows(screen)[-1]
        assert row == "[bold]x[/] [link=http://e]y[/link] ␛]0;pwned␇"
        assert screen.query_one(StatusBar).parts["title"].text == "[b]Title[/b] ␛]0;t␇"
        tabs = screen.query_one("#log-tabs")
        assert str(tabs.get_tab("log-s2").label) == "[i]src␛[2J"
        await pilot.press("z")  # the timeline full width: the whole row is on screen
        logs = screen.query_one("#logs")
        await until(lambda: not logs.region, pilot=pilot, what="the timeline zoomed")
        svg = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "\x1b" not in svg and "\x07" not in svg
        assert "[bold]x[/] [link=http://e]y[/link] ␛]0;pwned␇" in svg
        assert "[red]mallory[/] joined as Operations" in svg
        assert "[b]Title[/b]" in svg
        await pilot.press("z", "3")
        await until(lambda: logs.region, pilot=pilot, what="the logs pane back on screen")
        assert "[i]src␛[2J" in app.export_screenshot()

        # The participant dialog lists the name literally too.
        dialog = await open_dialog(pilot, "a", ParticipantDialog)
        assert "[red]mallory[/] (Operations)" in text_of(dialog.query(Label).first())
    events, _, _ = await stored(db, incident)
    assert isinstance(events[-1].payload, Note) and events[-1].text == NASTY
