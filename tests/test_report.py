"""The incident report: the playbook's format, a pure function of the journal.

The golden file is rewritten with ``WARROOM_UPDATE_GOLDEN=1``; read the diff before committing.
"""

from __future__ import annotations

import json
import os
import random
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident import commands as cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.evidence import from_log_line, place
from incident.journal import Event, Evidence
from incident.model import Resolution, Severity, Status
from incident.report import UNKNOWN, duration, render_json, render_markdown, report_data
from incident.state import fold

GOLDEN = Path(__file__).parent / "golden"
T0 = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("WARROOM_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def playbook_example(journal, clock: FrozenClock) -> list[Event]:
    """The playbook's own example: API 500 errors from DB pool exhaustion, 14:30 to 15:00."""
    j, c = journal, clock

    def at(h: int, m: int, s: int = 0) -> None:
        c.set(T0.replace(hour=h, minute=m, second=s))

    at(14, 30)
    j.add(
        cmd.declare(
            c,
            "API 500 errors",
            Severity.SEV1,
            service="Authentication service",
            impact="Users cannot log in; the API returns 500 errors",
            detected_by="Monitoring alert on the API 5xx rate",
            commander="@incident-response-orchestrator",
        )
    )
    j.add(
        cmd.note(
            c,
            j.state,
            "Alert fired: API 500 errors",
            action="Acknowledged, began investigation",
            owner="@devops-troubleshooter",
        )
    )
    at(14, 31)
    for name, role in [
        ("@debugger", "technical_lead"),
        ("@devops-troubleshooter", "operations"),
        ("@database-optimizer", "database"),
        ("@customer-support", "communications"),
    ]:
        j.add(cmd.assign(c, j.state, name, role, owner="@incident-response-orchestrator"))
    at(14, 35)
    j.add(
        cmd.note(
            c,
            j.state,
            "Identified DB connection pool exhausted",
            action="Increased pool size",
            owner="@database-optimizer",
        )
    )
    at(14, 45)
    j.add(
        cmd.note(
            c,
            j.state,
            "Deployed fix to production",
            action="Emergency release",
            owner="@deployment-orchestrator",
        )
    )
    at(15, 0)
    j.add(
        cmd.note(
            c,
            j.state,
            "Confirmed resolution",
            action="Monitoring normal",
            owner="@devops-troubleshooter",
        )
    )
    j.add(
        cmd.set_status(
            c,
            j.state,
            Status.RESOLVED,
            owner="@incident-response-orchestrator",
            resolution=Resolution(
                immediate="Increased connection pool size",
                permanent="Fixed connection leak in auth service",
                deployed="v2.3.2 with connection management fix",
            ),
        )
    )
    at(15, 20)
    for field, value in [
        ("status_page", "Updated"),
        ("root_cause.what", "Database connection pool exhaustion"),
        ("root_cause.why", "Spike in traffic + connection leak in auth service"),
        ("root_cause.where", "Authentication service v2.3.1"),
        ("impact_summary.users_affected", "~2,500 (15% of active users)"),
        ("impact_summary.failed_requests", "~12,000"),
        ("impact_summary.revenue_impact", "Estimated $X,XXX"),
    ]:
        j.add(cmd.set_field(c, j.state, field, value, owner="@documentation-specialist"))
    for text in [
        "Add connection pool monitoring alerts",
        "Implement circuit breaker for DB connections",
        "Update load testing scenarios",
        "Review all service connection handling",
    ]:
        j.add(cmd.add_action_item(c, j.state, text, owner="@documentation-specialist"))
    return j.events


@pytest.fixture
def example(journal, frozen_clock: FrozenClock) -> list[Event]:
    return playbook_example(journal, frozen_clock)


@pytest.fixture
def bare(journal, frozen_clock: FrozenClock) -> list[Event]:
    journal.add(cmd.declare(frozen_clock, "Something is off", Severity.SEV3))
    return journal.events


# ------------------------------------------------------------------ the playbook format
def test_example_matches_golden(example: list[Event]) -> None:
    text = render_markdown(example)
    assert text == _golden("report_example.md", text)


def test_example_has_the_playbook_sections(example: list[Event]) -> None:
    lines = render_markdown(example).splitlines()
    assert lines[0] == "## Incident Report - INC-1"
    assert "### Status: ✅ RESOLVED" in lines
    headings = [ln for ln in lines if ln.startswith("### ")]
    assert headings == [
        "### Status: ✅ RESOLVED",
        "### Incident Details",
        "### Timeline",
        "### Root Cause",
        "### Resolution",
        "### Impact Summary",
        "### Action Items",
        "### Participants",
        "### Metrics",
    ]
    i = lines.index("### Timeline")
    assert lines[i + 1 : i + 3] == [
        "| Time (UTC) | Event | Action Taken | Owner |",
        "|------------|-------|--------------|-------|",
    ]
    for row in [
        "| 14:30 | Alert fired: API 500 errors | Acknowledged, began investigation "
        "| @devops-troubleshooter |",
        "| 14:35 | Identified DB connection pool exhausted | Increased pool size "
        "| @database-optimizer |",
        "| 14:45 | Deployed fix to production | Emergency release | @deployment-orchestrator |",
        "| 15:00 | Confirmed resolution | Monitoring normal | @devops-troubleshooter |",
    ]:
        assert row in lines
    for line in [
        "- **Severity**: SEV-1",
        "- **Started**: 2026-11-25 14:30 UTC",
        "- **Status Page**: Updated",
        "- **What**: Database connection pool exhaustion",
        "- **Why**: Spike in traffic + connection leak in auth service",
        "- **Where**: Authentication service v2.3.1",
        "- **Immediate**: Increased connection pool size",
        "- **Permanent**: Fixed connection leak in auth service",
        "- **Deployed**: v2.3.2 with connection management fix",
        "- **Duration**: 30 minutes",
        "- **Users Affected**: \\~2,500 (15% of active users)",  # ~ escaped (strikethrough)
        "- **Failed Requests**: \\~12,000",
        "- **Revenue Impact**: Estimated $X,XXX",
        "1. [ ] Add connection pool monitoring alerts",
        "4. [ ] Review all service connection handling",
        "- Incident Commander: @incident-response-orchestrator",
        "- Technical Lead: @debugger",
        "- Operations: @devops-troubleshooter",
        "- Database: @database-optimizer",
        "- Communications: @customer-support",
    ]:
        assert line in lines
    assert UNKNOWN not in "\n".join(lines)


def test_duration_is_computed_from_the_journal(journal, frozen_clock: FrozenClock) -> None:
    journal.add(
        cmd.declare(frozen_clock, "t", Severity.SEV2, started_at=T0 - timedelta(minutes=20))
    )
    frozen_clock.advance(hours=1, minutes=5)
    journal.add(cmd.set_status(frozen_clock, journal.state, Status.RESOLVED))
    assert duration(journal.state) == "1 hour 25 minutes"
    assert "- **Duration**: 1 hour 25 minutes" in render_markdown(journal.events)
    assert report_data(journal.events)["duration_seconds"] == 85 * 60


def test_open_incident_duration_says_ongoing(bare: list[Event]) -> None:
    assert (
        "- **Duration**: Ongoing (started 2026-11-25 14:30 UTC, not yet resolved)"
        in render_markdown(bare)
    )
    assert report_data(bare)["duration_seconds"] is None


def test_action_items_done_and_owner(journal, frozen_clock: FrozenClock) -> None:
    journal.add(cmd.declare(frozen_clock, "t", Severity.SEV2))
    journal.add(cmd.add_action_item(frozen_clock, journal.state, "alerts", item_owner="@db"))
    journal.add(cmd.add_action_item(frozen_clock, journal.state, "breaker"))
    journal.add(cmd.update_action_item(frozen_clock, journal.state, 1, done=True))
    lines = render_markdown(journal.events).splitlines()
    assert "1. [x] alerts (@db)" in lines
    assert "2. [ ] breaker" in lines


def test_timeline_time_shows_the_date_on_other_days(journal, frozen_clock) -> None:
    journal.add(cmd.declare(frozen_clock, "t", Severity.SEV2))
    frozen_clock.advance(hours=10)
    journal.add(cmd.note(frozen_clock, journal.state, "next morning"))
    assert "| 2026-11-26 00:30 | next morning |  |  |" in render_markdown(journal.events)


# ------------------------------------------------------------------ nothing invented
def test_unknown_fields_read_not_yet_known(bare: list[Event]) -> None:
    lines = render_markdown(bare).splitlines()
    for label in [
        "Detected",
        "Impact",
        "Status Page",
        "Service",
        "What",
        "Why",
        "Where",
        "Immediate",
        "Permanent",
        "Deployed",
        "Users Affected",
        "Failed Requests",
        "Revenue Impact",
    ]:
        assert f"- **{label}**: {UNKNOWN}" in lines
    assert f"_{UNKNOWN}: no action items recorded._" in lines
    assert f"- Incident Commander: {UNKNOWN}" in lines
    assert f"- Technical Lead: {UNKNOWN}" in lines
    assert "### Status: 🚨 ACTIVE" in lines
    assert "- **Severity**: SEV-3" in lines


def test_cleared_field_is_unknown_again(journal, frozen_clock: FrozenClock) -> None:
    journal.add(cmd.declare(frozen_clock, "t", Severity.SEV2, service="auth"))
    journal.add(cmd.set_field(frozen_clock, journal.state, "service", ""))
    assert f"- **Service**: {UNKNOWN}" in render_markdown(journal.events)


def test_free_roles_are_listed_after_the_playbook_roles(journal, frozen_clock) -> None:
    journal.add(cmd.declare(frozen_clock, "t", Severity.SEV2))
    journal.add(cmd.assign(frozen_clock, journal.state, "@z", "Scribe"))
    journal.add(cmd.assign(frozen_clock, journal.state, "@a", "Customer liaison"))
    lines = render_markdown(journal.events).splitlines()
    end = lines.index("### Metrics") - 1  # the blank line that ends the section
    assert lines[end - 2 : end] == ["- Customer liaison: @a", "- Scribe: @z"]


# ------------------------------------------------------------------ determinism
def test_same_events_same_bytes(example: list[Event]) -> None:
    first = render_markdown(example).encode()
    assert render_markdown(list(example)).encode() == first
    rng = random.Random(3)
    for _ in range(10):
        shuffled = example[:]
        rng.shuffle(shuffled)
        assert render_markdown(shuffled).encode() == first
        assert render_json(shuffled).encode() == render_json(example).encode()


# ------------------------------------------------------------------ corrections
def test_corrections_in_the_report(journal, frozen_clock: FrozenClock) -> None:
    j, c = journal, frozen_clock
    j.add(cmd.declare(c, "t", Severity.SEV2))
    typo = j.add(cmd.note(c, j.state, "pool exhaustd"))
    wrong = j.add(cmd.note(c, j.state, "wrong incident"))
    j.add(timeline_cmd.correct(c, j.state, typo, text="pool exhausted"))
    j.add(timeline_cmd.correct(c, j.state, wrong, retract=True))
    text = render_markdown(j.events)
    assert "| pool exhausted (corrected) |" in text
    assert "| ~~wrong incident~~ (retracted) |" in text
    assert f"| Corrected entry #{typo.id} | Timeline corrected |" in text
    assert "exhaustd" not in text


def test_evidence_section(journal, frozen_clock: FrozenClock) -> None:
    j, c = journal, frozen_clock
    j.add(cmd.declare(c, "t", Severity.SEV2))
    j.add(
        timeline_cmd.pin(
            c,
            j.state,
            Evidence(
                source="app.log",
                line="ERROR pool | full\x1b[2J",
                line_no=42,
                sha256="0123456789abcdef" * 4,
            ),
        )
    )
    gone = j.add(timeline_cmd.pin(c, j.state, Evidence(source="x.log", line="retracted line")))
    j.add(timeline_cmd.correct(c, j.state, gone, retract=True))
    lines = render_markdown(j.events).splitlines()
    i = lines.index("### Evidence")
    assert lines[i + 1 :] == [
        "- 2026-11-25T14:30:00Z app.log, line 42: `ERROR pool | full␛[2J` "
        "(sha256 0123456789abcdef…)"
    ]


def test_grep_evidence_cites_the_file_and_its_line_number(journal, frozen_clock) -> None:
    """A grep's pinned match says which file and which of its lines, not the pane's count."""
    j, c = journal, frozen_clock
    j.add(cmd.declare(c, "t", Severity.SEV2))
    line = "Apache.log:11: [error] [client 1.2.3.4] File does not exist"
    ev = from_log_line(
        source=r"grep '\[error\]' /var/log/Apache.log",
        source_id="s1",
        line=line,
        line_no=4,  # the pane's: the 4th match
        read_at=c.now(),
        zone=UTC,
        grep=True,
    )
    assert (ev.path, ev.line_no, place(ev)) == ("Apache.log", 11, "Apache.log line 11")
    j.add(timeline_cmd.pin(c, j.state, ev))
    lines = render_markdown(j.events).splitlines()
    evidence = lines[lines.index("### Evidence") + 1]
    assert evidence.startswith("- 2026-11-25T14:30:00Z grep ")  # (Markdown-escaped)
    assert "/var/log/Apache.log, Apache.log line 11: `Apache.log:11: [error]" in evidence
    not_grep = from_log_line(
        source="x", source_id="s2", line=line, line_no=4, read_at=c.now(), zone=UTC
    )
    assert (not_grep.path, not_grep.line_no, place(not_grep)) == (None, 4, "line 4")


# ------------------------------------------------------------------ hostile text
def test_pipes_and_newlines_are_escaped_in_cells(journal, frozen_clock) -> None:
    j, c = journal, frozen_clock
    j.add(cmd.declare(c, "t", Severity.SEV2))
    j.add(cmd.note(c, j.state, "a | b\nc\r\nd", action="x|y\\z", owner="@o|p"))
    row = next(ln for ln in render_markdown(j.events).splitlines() if ln.startswith("| 14:30 | a"))
    assert row == "| 14:30 | a \\| b c d | x\\|y\\\\z | @o\\|p |"
    assert row.count(" | ") == 3  # still exactly four cells


EVIL = "\x1b]52;c;cm0gLXJm\x07\x1b[2J\x1bc\x9b31m\u202eevil\x7f\x00"


def _hostile(j, c: FrozenClock) -> list[Event]:
    j.add(
        cmd.declare(
            c,
            f"title {EVIL}".replace("\x00", ""),
            Severity.SEV2,
            service=EVIL[:-1],
            impact=EVIL[:-1],
            detected_by=EVIL[:-1],
            commander=f"@ic{EVIL[:-1]}",
        )
    )
    j.add(cmd.note(c, j.state, f"note {EVIL[:-1]}", action=EVIL[:-1], owner=EVIL[:-1]))
    j.add(cmd.assign(c, j.state, f"@x{EVIL[:-1]}", f"role{EVIL[:-1]}"))
    j.add(cmd.set_field(c, j.state, "root_cause.what", f"multi\nline {EVIL[:-1]}"))
    j.add(cmd.add_action_item(c, j.state, EVIL[:-1], item_owner=EVIL[:-1]))
    j.add(timeline_cmd.pin(c, j.state, Evidence(source=EVIL, line=EVIL)))
    return j.events


def test_control_characters_are_neutralised(journal, frozen_clock: FrozenClock) -> None:
    md = render_markdown(_hostile(journal, frozen_clock))
    assert [f"U+{ord(ch):04X}" for ch in md if _unsafe(ch)] == []
    assert "␛]52;c;cm0gLXJm␇␛[2J␛c⟨U+009B⟩31m⟨U+202E⟩evil␡" in md
    assert "- **What**: multi line ␛\\]52" in md  # [ and ] escaped: no link
    lines = md.splitlines()
    rows = lines[lines.index("### Timeline") + 1 : lines.index("### Root Cause") - 1]
    assert len(rows) == 2 + len(journal.events)
    assert all(len(re.split(r"(?<!\\)\|", row)) == 6 for row in rows)  # four cells each


def test_json_is_inert_too(journal, frozen_clock: FrozenClock) -> None:
    events = _hostile(journal, frozen_clock)
    text = render_json(events)
    assert [f"U+{ord(ch):04X}" for ch in text if _unsafe(ch) and ch != "\n"] == []
    data = json.loads(text)
    assert data["incident"]["service"] == EVIL[:-1]  # the data itself is kept exactly
    assert data["events"][-1]["payload"]["line"] == EVIL
    assert render_json(events) == text


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\n"


def test_json_has_every_field_and_parses(example: list[Event]) -> None:
    text = render_json(example)
    assert text == render_json(example)
    data = json.loads(text)
    assert set(data) == {
        "format",
        "incident",
        "number",
        "duration_seconds",
        "timeline",
        "events",
        "metrics",
        "secrets_redacted",
        "emergency_contacts",
        "evidence_digests",
    }
    assert data["metrics"]["time_to_resolve_seconds"] == 1800.0
    assert data["secrets_redacted"] is None
    assert data["format"] == 1
    assert data["number"] == "INC-1"
    assert data["duration_seconds"] == 1800.0
    state = fold(example)
    assert set(data["incident"]) == set(state.model_dump())
    assert data["incident"]["root_cause"] == {
        "what": "Database connection pool exhaustion",
        "why": "Spike in traffic + connection leak in auth service",
        "where": "Authentication service v2.3.1",
    }
    assert data["incident"]["status"] == "RESOLVED"
    assert data["incident"]["action_items"]["1"]["text"] == "Add connection pool monitoring alerts"
    assert len(data["events"]) == len(data["timeline"]) == len(example)
    assert [e["id"] for e in data["events"]] == sorted(e.id for e in example)
    assert [Event.model_validate(e) for e in data["events"]] == example
    row = data["timeline"][1]
    assert set(row) == {
        "id",
        "occurred_at",
        "recorded_at",
        "kind",
        "text",
        "action",
        "owner",
        "corrected",
        "retracted",
        "payload",
    }
    assert (row["occurred_at"], row["text"]) == (
        "2026-11-25T14:30:00Z",
        "Alert fired: API 500 errors",
    )
