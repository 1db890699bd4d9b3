"""The comms pane driven with Pilot on the demo incident: audiences and templates, autosave
and reconnect, send, copy (OSC 52), write to a file, $EDITOR, the history of sent updates,
the cadence, the notification checklist with the emergency contacts, the contacts dialog,
user templates, and the warnings as an update comes due."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Label, OptionList, TextArea

from incident import comms_commands as comms_cmd
from incident.clock import FrozenClock
from incident.journal import CadenceSet, CommsSent, Notified
from incident.playbook import Contact
from storage.store import Store
from tests.console_support import FROZEN, make_app, said, seed, wait_ready
from tests.waiting import until
from tui.screens.comms_dialogs import CadenceDialog, SentHistory, WriteFileDialog
from tui.screens.contacts import ContactPicker, ContactsDialog
from tui.screens.participants import ParticipantDialog
from tui.widgets.comms import CommsPane
from tui.widgets.notify import NotifyList
from tui.widgets.status_bar import Part, StatusBar

SIZE = (120, 36)
DEMO_PROGRESS = (
    "We have identified the root cause as Database connection pool exhaustion. "
    "A fix is being implemented. ETA: 15:30 UTC"
)


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    """No user templates but the ones a test writes."""
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("EDITOR", raising=False)


async def stored(db: Path, incident: int):
    store = await Store.open(db, read_only=True)
    try:
        return (
            await store.events(incident),
            await store.load_state(incident),
            await store.drafts.of(incident),
            await store.contacts.roster(),
        )
    finally:
        await store.close()


async def until_stored(db: Path, incident: int, condition, what: str = ""):
    """What ``stored`` reads, once ``condition(events, state, drafts, contacts)`` holds."""
    got = None

    async def check():
        nonlocal got
        got = await stored(db, incident)
        return got if condition(*got) else None

    return await until(check, what=what or "stored", seen=lambda: got and got[2])


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Label).render())


# ---------------------------------------------------------------------- audiences
async def test_each_audience_has_its_own_drafts_and_countdown(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        area = screen.query_one("#comms-draft", TextArea)
        assert (pane.audience, pane.template) == ("status-page", "progress")
        assert [
            text_of(screen, f"#cad-{a}") for a in ("status-page", "internal", "executives")
        ] == ["page +05:00", "int +23:00", "exec +23:00"]
        assert pane.has_class("-overdue")
        assert pane.border_subtitle == "UPDATE OVERDUE: Status page, Internal, Executives"
        assert screen.query_one("#cad-status-page").has_class("-current")

        await pilot.click("#comms-draft")
        area.move_cursor(area.document.end)
        await pilot.press(*" A")
        await pilot.press("ctrl+n")  # internal: never updated, so an initial response
        await until(lambda: pane.audience == "internal", pilot=pilot)
        assert pane.template == "initial"
        assert area.text == (
            "INC-1 · SEV-1 · MITIGATED · Checkout API returning 500 errors\n"
            "Impact: Users cannot complete checkout; ~15% of requests failing\n"
            "Incident commander: @alice\n\n"
            "We are aware of issues affecting checkout-api. Our team is investigating. "
            "Updates every 15 minutes. Next update by 15:24 UTC."
        )
        assert screen.query_one("#cad-internal").has_class("-current")
        area.move_cursor(area.document.end)
        await pilot.press(*" B")
        await pilot.press("ctrl+t")
        await until(lambda: pane.template == "progress", pilot=pilot)
        assert (
            "We have identified the root cause as Database connection pool exhaustion." in area.text
            and area.text.startswith("INC-1 · SEV-1")
        )
        await pilot.press("ctrl+n", "ctrl+n")  # executives, then the status page again
        await until(lambda: pane.audience == "status-page", pilot=pilot)
        assert area.text.endswith(" A") and pane.template == "progress"
        _, _, drafts, _ = await until_stored(
            db,
            incident,
            lambda e, s, d, c: (
                d.get("comms.internal.initial", "").endswith(" B")
                and d.get("comms.selected") == "status-page/progress"
            ),
        )
        assert drafts["comms.status-page.progress"].endswith("15:24 UTC. A")


async def test_a_draft_typed_then_the_link_drops_is_there_on_reattach(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        await pilot.click("#comms-draft")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+t")  # executives, progress
        await until(
            lambda: (pane.audience, pane.template) == ("executives", "progress"), pilot=pilot
        )
        area = screen.query_one("#comms-draft", TextArea)
        area.move_cursor(area.document.end)
        await pilot.press(*" Board call at 16:00.")
        typed = area.text
        await pilot.press("ctrl+q")  # gone at once: no time for the autosave timer
    _, _, drafts, _ = await stored(db, incident)
    assert drafts["comms.executives.progress"] == typed

    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        assert (pane.audience, pane.template) == ("executives", "progress")
        assert screen.query_one("#comms-draft", TextArea).text == typed


# ---------------------------------------------------------------------- send
async def test_send_records_the_exact_text_and_resets_only_that_audience(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        pane = screen.query_one(CommsPane)
        await pilot.click("#comms-draft")
        await pilot.press("ctrl+n", "ctrl+n")
        await until(lambda: pane.audience == "executives", pilot=pilot)
        await pilot.press("f7", *"Checkout down for 15%.", "enter", *"  Next: 15:30 UTC ")
        text = screen.query_one("#comms-draft", TextArea).text
        assert text == "Checkout down for 15%.\n  Next: 15:30 UTC "
        await pilot.press("ctrl+s")
        exec_label = screen.query_one("#cad-executives", Label)
        await until(lambda: not exec_label.has_class("-overdue"), pilot=pilot)
        assert str(exec_label.render()) == "exec 15:00"
        assert screen.query_one("#cad-internal").has_class("-overdue")  # not reset
        # Sent an initial response: the next draft for them is a progress update.
        assert pane.template == "progress"
        rows = screen.query_one("#timeline").entries
        assert (rows[-1].text, rows[-1].action) == ("Update sent to executives", text.strip())
    events, state, drafts, _ = await stored(db, incident)
    sent = events[-1]
    assert sent.payload == CommsSent(
        audience="executives", template="initial", message=text.strip()
    )
    assert sent.occurred_at == FROZEN and sent.owner == "@alice"
    assert state.last_sent("executives").message == text.strip()
    assert "comms.executives.initial" not in drafts


# ---------------------------------------------------------------------- copy, file, history
async def test_copy_write_to_a_file_and_the_history(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        text = screen.query_one("#comms-draft", TextArea).text
        await pilot.press("f2")
        await until(lambda: app.clipboard == text, pilot=pilot)
        await until(lambda: said(app, "to the clipboard (OSC 52"), pilot=pilot)

        target = tmp_path / "out" / "update.txt"
        target.parent.mkdir(mode=0o755)
        for attempt in range(2):
            await pilot.press("f3")
            await until(lambda: isinstance(app.screen, WriteFileDialog), pilot=pilot)
            field = app.screen.query_one("#file-path", Input)
            assert field.value.endswith("INC-1-status-page-progress-20261125T150800Z.txt")
            field.value = str(target)
            await pilot.press("enter")
            await until(lambda: app.screen is screen, pilot=pilot)
            if attempt == 0:
                await until(lambda: target.exists(), pilot=pilot)
                assert stat.S_IMODE(target.stat().st_mode) == 0o600
                assert target.read_text(encoding="utf-8") == text + "\n"
                target.write_text("kept", encoding="utf-8")
        await until(lambda: said(app, "already exists"), pilot=pilot)
        assert target.read_text(encoding="utf-8") == "kept"  # never replaced

        await pilot.press("1", "h")
        await until(lambda: isinstance(app.screen, SentHistory), pilot=pilot)
        history = app.screen.query_one("#history-list", OptionList)
        assert history.option_count == 2
        first = str(history.get_option_at_index(0).prompt)
        assert first.startswith(
            "2026-11-25 14:48:00Z Status page · Progress update · @customer-support"
        )
        assert DEMO_PROGRESS in first
        app.screen.query_one("#history-audience").value = "internal"
        await until(
            lambda: "Nothing sent yet" in str(history.get_option_at_index(0).prompt), pilot=pilot
        )
        app.screen.query_one("#history-audience").value = "__all__"
        await until(lambda: history.option_count == 2, pilot=pilot)
        history.focus()
        await pilot.press("enter")
        await until(lambda: app.clipboard == DEMO_PROGRESS, pilot=pilot)
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot=pilot)


async def test_edit_in_editor_on_a_private_temporary_file(tmp_path, monkeypatch):
    db = tmp_path / "w.db"
    incident = await seed(db)
    script, seen = tmp_path / "editor.py", tmp_path / "seen.txt"
    script.write_text(
        "import os, stat, sys\n"
        "p = sys.argv[1]\n"
        f"open({str(seen)!r}, 'w').write(oct(stat.S_IMODE(os.stat(p).st_mode)) + ' ' + p)\n"
        "if os.environ.get('EDITOR_FAILS'):\n    sys.exit(3)\n"
        "with open(p, 'a') as f:\n    f.write(' Edited in vim.\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        app.suspend = contextlib.nullcontext  # the test terminal cannot be handed over
        screen = await wait_ready(pilot)
        area = screen.query_one("#comms-draft", TextArea)
        before = area.text
        await pilot.press("f4")
        await until(lambda: area.text == before + " Edited in vim.", pilot=pilot)
        mode, path = seen.read_text().split(" ", 1)
        assert mode == "0o600" and not os.path.exists(path)  # private, then removed
        _, _, drafts, _ = await until_stored(
            db, incident, lambda e, s, d, c: "comms.status-page.progress" in d
        )
        assert drafts["comms.status-page.progress"] == before + " Edited in vim."

        monkeypatch.setenv("EDITOR_FAILS", "1")
        await pilot.press("f4")
        await until(lambda: said(app, "exited with status 3"), pilot=pilot)
        assert area.text == before + " Edited in vim."
        monkeypatch.setenv("EDITOR", "")
        await pilot.press("f4")
        await until(lambda: said(app, "$EDITOR is not set"), pilot=pilot)


# ---------------------------------------------------------------------- cadence
async def test_the_cadence_dialog_records_overrides_for_this_severity(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("u")
        await until(lambda: isinstance(app.screen, CadenceDialog), pilot=pilot)
        dialog = app.screen
        assert dialog.query_one(".dialog").border_title == "Update cadence at SEV-1"
        dialog.query_one("#cadence-internal", Input).value = "soon"
        await pilot.press("enter")
        await until(lambda: said(app, "give minutes from 1 to 1440"), pilot=pilot)
        assert app.screen is dialog
        dialog.query_one("#cadence-internal", Input).value = "off"
        dialog.query_one("#cadence-executives", Input).value = "60"
        await pilot.press("enter")
        await until(lambda: text_of(screen, "#cad-executives") == "exec 22:00", pilot=pilot)
        assert text_of(screen, "#cad-internal") == "int off"
        assert screen.query_one("#cad-internal").has_class("-none")
    events, state, _, _ = await stored(db, incident)
    assert [e.payload for e in events[-2:]] == [
        CadenceSet(audience="internal", severity="SEV-1", minutes=0),
        CadenceSet(audience="executives", severity="SEV-1", minutes=60),
    ]
    assert state.cadence == {"SEV-1": {"internal": 0, "executives": 60}}


# ---------------------------------------------------------------------- who must be told
async def test_notification_ticks_offer_the_emergency_contacts(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("i")
        checklist = screen.query_one(NotifyList)
        assert app.focused is checklist

        def prompts():
            return [
                str(checklist.get_option_at_index(i).prompt) for i in range(checklist.option_count)
            ]

        assert prompts() == ["☐ All hands", "☐ Executives"]  # SEV-1 in the playbook

        await pilot.press("space")
        await until(lambda: isinstance(app.screen, ContactPicker), pilot=pilot)
        options = app.screen.query_one("#pick-contact", OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == [
            "On-Call Engineer → @devops-troubleshooter",
            "Database Admin → @database-optimizer",
            "Security Team → @security-auditor",
            "Customer Comms → @customer-support",
            "Nobody in particular",
        ]
        await pilot.press("down", "down", "down", "enter")
        await until(lambda: prompts()[0].startswith("☑"), pilot=pilot)
        assert prompts()[0] == "☑ All hands  15:08Z via @customer-support"

        await pilot.press("down", "enter")  # Executives: the picker, cancelled
        await until(lambda: isinstance(app.screen, ContactPicker), pilot=pilot)
        await pilot.press("escape")
        await until(lambda: app.screen is screen, pilot=pilot)
        await pilot.pause()
        assert prompts()[1] == "☐ Executives"  # (and nothing stored for them: see below)

        await pilot.press("up", "space")  # untick: no picker
        await until(lambda: prompts()[0] == "☐ All hands", pilot=pilot)
    events, state, _, _ = await stored(db, incident)
    assert [e.payload for e in events[-2:]] == [
        Notified(party="All hands", contact="@customer-support"),
        Notified(party="All hands", done=False),
    ]
    assert not state.notified["All hands"].done


async def test_the_contacts_dialog_edits_the_roster_offered_when_assigning(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("c")
        await until(lambda: isinstance(app.screen, ContactsDialog), pilot=pilot)
        dialog = app.screen
        assert [c.role for c in dialog.rows()][:5] == [
            "On-Call Engineer",
            "Database Admin",
            "Security Team",
            "Customer Comms",
            "Executive Escalation",
        ]
        dialog.query_one("#role-5", Input).value = ""
        dialog.query_one("#who-5", Input).value = "@nobody"  # a contact without a role
        await pilot.press("enter")
        await until(lambda: said(app, "needs a role"), pilot=pilot)
        assert app.screen is dialog
        dialog.query_one("#who-4", Input).value = "@cto"
        dialog.query_one("#who-5", Input).value = ""
        await pilot.press("ctrl+n")
        await until(lambda: app.focused is dialog.query_one("#role-6", Input), pilot=pilot)
        await pilot.press(*"Scribe", "tab", *"@bob", "enter")
        await until(lambda: app.screen is screen, pilot=pilot)
        await until(lambda: said(app, "Emergency contacts saved (6)"), pilot=pilot)

        await pilot.press("a")
        await until(lambda: isinstance(app.screen, ParticipantDialog), pilot=pilot)
        suggest = app.screen.query_one("#p-suggest", OptionList)
        prompts = [str(suggest.get_option_at_index(i).prompt) for i in range(suggest.option_count)]
        assert "☎ Executive Escalation → @cto" in prompts
        assert "☎ Scribe → @bob" in prompts
        suggest.highlighted = prompts.index("☎ Executive Escalation → @cto")
        suggest.focus()
        await pilot.press("enter")
        await until(lambda: app.screen.query_one("#p-name", Input).value == "@cto", pilot=pilot)
        await pilot.press("escape")
    _, _, _, roster = await stored(db, incident)
    assert roster[4] == Contact(role="Executive Escalation", contact="@cto")
    assert roster[5] == Contact(role="Scribe", contact="@bob") and len(roster) == 6


# ---------------------------------------------------------------------- templates, warnings
async def test_user_templates_are_used_and_broken_ones_reported(tmp_path):
    folder = tmp_path / "config" / "templates"
    folder.mkdir(parents=True)
    (folder / "initial.txt").write_text(
        "[incident]: [service] is degraded.\nNext update by [next update].\n", encoding="utf-8"
    )
    (folder / "progress.txt").write_text("Root cause: [isue]", encoding="utf-8")
    (folder / "resolution.txt").write_text("\n", encoding="utf-8")
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await until(
            lambda: said(
                app, "progress.txt: unknown placeholder [isue]; using the built-in progress update"
            ),
            pilot=pilot,
        )
        await until(
            lambda: said(app, "resolution.txt: it is empty; using the built-in resolution"),
            pilot=pilot,
        )
        area = screen.query_one("#comms-draft", TextArea)
        assert area.text.startswith("We have identified the root cause as Database")
        await pilot.click("#comms-draft")
        await pilot.press("ctrl+t", "ctrl+t")  # progress → resolution → initial
        pane = screen.query_one(CommsPane)
        await until(lambda: pane.template == "initial", pilot=pilot)
        assert area.text == "INC-1: checkout-api is degraded.\nNext update by 15:24 UTC."


async def test_a_warning_before_the_update_is_due_then_overdue(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    clock = FrozenClock(FROZEN)
    store = await Store.open(db)
    try:
        state = await store.load_state(incident)
        for audience in ("status-page", "internal", "executives"):
            await store.append(comms_cmd.send_update(clock, state, audience, "All good"))
    finally:
        await store.close()
    bells = []
    app = make_app(db, incident, clock=clock)
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        bar = screen.query_one(StatusBar)
        assert bar.parts["update"] == Part("✉ page 15:00")
        area = screen.query_one("#comms-draft", TextArea)
        assert area.text.endswith("Next update by 15:24 UTC.")
        # The session's clock moved: what the IC sees follows it (no wait for the next
        # one-second tick); each wait is on what is awaited itself, the notice included.
        clock.advance(minutes=12, seconds=30)
        await until(lambda: bar.parts["update"] == Part("✉ page 02:30", "-soon"), pilot=pilot)
        # An untouched draft follows the clock: sent now, it promises the next by 15:36.
        await until(lambda: area.text.endswith("Next update by 15:36 UTC."), pilot=pilot)
        await until(
            lambda: said(app, "Update to Status page due in 02:30 (15:23 UTC)"), pilot=pilot
        )
        await until(lambda: screen.query_one("#cad-internal").has_class("-soon"), pilot=pilot)
        assert not bells
        clock.advance(minutes=3)
        await until(
            lambda: bar.parts["update"] == Part("✉ page OVERDUE 00:30", "-overdue"), pilot=pilot
        )
        await until(
            lambda: said(app, "Update to Executives is OVERDUE (was due 15:23 UTC)"), pilot=pilot
        )
        await until(lambda: len(bells) == 3, pilot=pilot, seen=lambda: bells)  # one per late
        await until(lambda: screen.query_one(CommsPane).has_class("-overdue"), pilot=pilot)
        assert len(bells) == 3
        assert clock.now() == FROZEN + timedelta(minutes=15, seconds=30)
