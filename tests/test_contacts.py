"""The emergency contacts roster: schema 3, seeded from the playbook on first use, edited as a
whole (with a check that nobody changed it meanwhile), read-only without writing, and listed
in the incident report."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from incident import commands as cmd
from incident.errors import InvalidInput, InvalidTransition
from incident.model import Severity
from incident.playbook import Contact, load_playbook
from incident.report import render_json, render_markdown
from storage import schema
from storage.store import Store
from tui.cli import main

PLAYBOOK = list(load_playbook().emergency_contacts)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_the_roster_is_seeded_from_the_playbook_once(db_path: Path):
    async with await Store.open(db_path) as store:
        first = await store.contacts.roster()
        assert first == PLAYBOOK
        assert [c.role for c in first] == [
            "On-Call Engineer",
            "Database Admin",
            "Security Team",
            "Customer Comms",
            "Executive Escalation",
        ]
        assert first[-1].contact == ""  # "[Define based on org]": not invented
        saved = await store.contacts.put([], expected=first, by="@alice")
        assert saved == []
    async with await Store.open(db_path) as store:
        assert await store.contacts.roster() == []  # emptied on purpose: not seeded again


async def test_edits_are_checked_and_kept_in_order(db_path: Path):
    async with await Store.open(db_path) as store:
        roster = await store.contacts.roster()
        new = [
            Contact(role=" Executive Escalation ", contact="@cto"),
            Contact(role="", contact=""),  # a blank row is dropped
            *roster[:2],
            Contact(role="Scribe", contact=""),
        ]
        saved = await store.contacts.put(new, expected=roster, by="@alice")
        assert [(c.role, c.contact) for c in saved] == [
            ("Executive Escalation", "@cto"),
            ("On-Call Engineer", "@devops-troubleshooter"),
            ("Database Admin", "@database-optimizer"),
            ("Scribe", ""),
        ]
        assert await store.contacts.roster() == saved
        for bad in (
            [Contact(role="", contact="@x")],
            [Contact(role="A", contact="1"), Contact(role="a", contact="2")],
            [Contact(role="A\x00", contact="")],
        ):
            with pytest.raises(InvalidInput):
                await store.contacts.put(bad)
        assert await store.contacts.roster() == saved
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT DISTINCT updated_by FROM contacts").fetchall() == [("@alice",)]
    finally:
        conn.close()


async def test_a_change_made_elsewhere_is_not_undone(db_path: Path):
    async with await Store.open(db_path) as mine, await Store.open(db_path) as theirs:
        seen = await mine.contacts.roster()
        await theirs.contacts.put([*seen, Contact(role="Scribe", contact="@bob")], expected=seen)
        with pytest.raises(InvalidTransition, match="changed elsewhere"):
            await mine.contacts.put(seen[:1], expected=seen)
        assert (await mine.contacts.roster())[-1] == Contact(role="Scribe", contact="@bob")


async def test_reading_without_seeding_writes_nothing(db_path: Path):
    async with await Store.open(db_path):
        pass
    before = sha(db_path)
    async with await Store.open(db_path, read_only=True) as ro:
        assert await ro.contacts.roster() == PLAYBOOK
    async with await Store.open(db_path) as store:
        assert await store.contacts.roster(seed=False) == PLAYBOOK
        assert store.local_commits == 0
    assert sha(db_path) == before


async def test_a_schema_2_database_is_upgraded(db_path: Path):
    conn = sqlite3.connect(db_path)
    try:
        for version, sql in schema.migrations()[:2]:
            conn.executescript(sql)
            conn.execute(f"PRAGMA user_version={version}")
        conn.execute(f"PRAGMA application_id={schema.APPLICATION_ID}")
        conn.commit()
    finally:
        conn.close()
    async with await Store.open(db_path) as store:
        assert await store.scalar("PRAGMA user_version") == schema.latest_version() >= 3
        assert await store.contacts.roster() == PLAYBOOK


# ---------------------------------------------------------------------- the report
def test_the_report_lists_the_roster_after_the_participants(journal, frozen_clock):
    journal.add(cmd.declare(frozen_clock, "Down", Severity.SEV2, commander="@alice"))
    roster = [
        Contact(role="On-Call Engineer", contact="@ops"),
        Contact(role="Executive Escalation", contact=""),
        Contact(role="Security [b]Team[/b]", contact="@sec\x1b[31m"),
    ]
    md = render_markdown(journal.events, contacts=roster)
    lines = md.splitlines()
    at = lines.index("### Emergency Contacts")
    assert lines[at - 2].startswith("- ") and "### Participants" in lines[:at]
    assert lines.index("### Participants") < at < lines.index("### Metrics")
    assert lines[at + 1 : at + 4] == [
        "- On-Call Engineer: @ops",
        "- Executive Escalation: Not yet known",
        "- Security \\[b\\]Team\\[/b\\]: @sec␛\\[31m",
    ]  # (Markdown-escaped, as typed)
    assert render_markdown(journal.events, contacts=roster) == md  # deterministic
    assert "### Emergency Contacts" not in render_markdown(journal.events)
    empty = render_markdown(journal.events, contacts=[]).splitlines()
    assert empty[empty.index("### Emergency Contacts") + 1] == "_No emergency contacts recorded._"
    # The JSON report has the same roster (raw values; JSON output is made safe whole).
    data = json.loads(render_json(journal.events, contacts=roster))
    assert data["emergency_contacts"] == [
        {"role": "On-Call Engineer", "contact": "@ops"},
        {"role": "Executive Escalation", "contact": ""},
        {"role": "Security [b]Team[/b]", "contact": "@sec\x1b[31m"},
    ]
    assert "\x1b" not in render_json(journal.events, contacts=roster)  # escaped as \u001b
    assert json.loads(render_json(journal.events))["emergency_contacts"] is None


def test_warroom_report_reads_the_roster_without_writing(db_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("WARROOM_DB", str(db_path))
    assert main(["declare", "Down", "--severity", "SEV-2"]) == 0
    capsys.readouterr()
    before = sha(db_path)
    assert main(["report", "INC-1"]) == 0
    out = capsys.readouterr().out
    assert "### Emergency Contacts\n- On-Call Engineer: @devops-troubleshooter\n" in out
    assert main(["report", "INC-1", "--format", "json"]) == 0
    roster = json.loads(capsys.readouterr().out)["emergency_contacts"]
    assert roster[0] == {"role": "On-Call Engineer", "contact": "@devops-troubleshooter"}
    assert roster == [c.model_dump() for c in PLAYBOOK]
    assert sha(db_path) == before
