"""A log source's zone: ``warroom tail --tz`` and the console's add-source dialog record it
with the source (the host's zone when none is given), a zone nobody knows is refused in one
line, and a line pinned from the source is read in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident.journal import Evidence
from storage.paths import ENV_VAR
from storage.store import Store
from tests.console_support import make_app, notices, seed, wait_ready
from tests.test_cli import assert_refused, ok
from tests.test_console_sources import ready_source
from tests.waiting import until


@pytest.fixture
def inc1(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.setenv(ENV_VAR, str(db_path))
    monkeypatch.setenv("WARROOM_USER", "@tester")
    monkeypatch.setenv("TZ", "America/New_York")  # (this host's zone, for the default)
    assert ok(capsys, "declare", "API 500 errors", "--severity", "SEV-2") == "INC-1\n"
    return db_path


def zones(capsys) -> dict[str, str | None]:
    state = json.loads(ok(capsys, "report", "1", "--format", "json"))["incident"]
    return {sid: s["spec"]["zone"] for sid, s in state["sources"].items()}


def test_tail_records_the_zone_given_or_the_hosts(inc1: Path, capsys) -> None:
    ok(capsys, "tail", "1", "--cmd", "tail -F /var/log/app.log", "--tz", "Europe/Berlin")
    ok(capsys, "tail", "1", "--grep", "ERROR", "/var/log/x.log", "--tz", "+05:30")
    ok(capsys, "tail", "1", "--cmd", "journalctl -f")
    assert zones(capsys) == {"s1": "Europe/Berlin", "s2": "+05:30", "s3": "America/New_York"}


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--cmd", "tail -F x", "--tz", "Mars/Olympus_Mons"), "unknown time zone 'Mars/Olympus"),
        (("--grep", "E", "x.log", "--tz", "+25:00"), "unknown time zone '+25:00'"),
        (("--cmd", "tail -F x", "--tz", "../../etc/passwd"), "unknown time zone"),
        (("--list", "--tz", "UTC"), "--tz goes with --cmd or --grep"),
    ],
)
def test_tail_refuses_a_zone_it_does_not_know(inc1: Path, capsys, argv, words) -> None:
    line = assert_refused(capsys, inc1, "tail", "1", *argv)
    assert words in line, line
    assert zones(capsys) == {}


async def open_dialog(pilot):
    await pilot.press("plus")
    return await until(
        lambda: pilot.app.screen.__class__.__name__ == "SourceDialog" and pilot.app.screen,
        pilot=pilot,
        what="the source dialog",
    )


async def test_the_dialog_records_a_zone_and_refuses_a_bad_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        before = dict(app.state.sources)
        dialog = await open_dialog(pilot)
        assert "this host's: America/New_York" in str(dialog.query_one("#src-zone").placeholder)
        dialog.query_one("#src-command").value = "tail -F /var/log/app.log"
        dialog.query_one("#src-zone").value = "Mars/Olympus_Mons"
        dialog.query_one("#src-zone").focus()
        await pilot.press("enter")
        await until(
            lambda: any("unknown time zone" in n.message for n in notices(app)),
            pilot=pilot,
            what="the refusal",
            seen=lambda: notices(app),
        )
        assert app.screen is dialog and app.state.sources == before  # nothing recorded

        dialog.query_one("#src-zone").value = "Europe/Berlin"
        await pilot.press("enter")
        added = await until(
            lambda: [s for sid, s in app.state.sources.items() if sid not in before],
            pilot=pilot,
            what="the source recorded",
        )
        assert added[0].spec.zone == "Europe/Berlin"

        dialog = await open_dialog(pilot)  # no zone typed: the host's
        dialog.query_one("#src-command").value = "journalctl -f"
        dialog.query_one("#src-command").focus()
        await pilot.press("enter")
        await until(lambda: len(app.state.sources) == len(before) + 2, pilot=pilot)
        assert [s.spec.zone for s in app.state.sources.values()][-1] == "America/New_York"


async def test_a_line_pinned_from_a_source_is_read_in_its_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # (the host's zone is not the source's)
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        dialog = await open_dialog(pilot)
        dialog.query_one("#src-command").value = "echo '2005-12-05 20:15:57.123 ERROR pool'"
        dialog.query_one("#src-name").value = "berlin"
        dialog.query_one("#src-zone").value = "Europe/Berlin"
        dialog.query_one("#src-command").focus()
        await pilot.press("enter")
        sid = await until(
            lambda: next((k for k, s in app.state.sources.items() if s.spec.name == "berlin"), 0),
            pilot=pilot,
            what="the source recorded",
        )
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 1, pilot=pilot, what="the line read")
        await pilot.press("3")
        pane.view.focus()
        await until(lambda: app.focused is pane.view, pilot=pilot, what="the log view focused")
        await pilot.press("end", "enter")
        await until(
            lambda: any(
                isinstance(e.event.payload, Evidence)
                for e in app.screen.query_one("#timeline").entries
            ),
            pilot=pilot,
            what="the line pinned",
        )
    async with await Store.open(db, read_only=True) as store:
        ev = [e for e in await store.events(incident) if isinstance(e.payload, Evidence)][-1]
    assert ev.payload.line_time is not None
    assert ev.payload.line_time.isoformat() == "2005-12-05T19:15:57.123000+00:00"
    assert (ev.payload.line_zone, ev.payload.zone_assumed) == ("Europe/Berlin", True)
