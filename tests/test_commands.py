"""Every command checks its input against the state and writes self-explaining rows."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta

import pytest

from incident import commands as cmd
from incident import comms_commands as comms_cmd
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.checks import MAX_TEXT
from incident.clock import FrozenClock
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import (
    ActionItemChanged,
    ChecklistTicked,
    CommandEvent,
    CommsSent,
    Declared,
    Edit,
    Evidence,
    FieldSet,
    Note,
    Notified,
    ParticipantChanged,
    PhaseChanged,
    SeverityChanged,
    SourceSpec,
    StatusChanged,
)
from incident.model import PhaseId, Resolution, Severity, Status

T0 = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
BAD_TEXT = [
    ("", "cannot be empty"),
    ("   \n ", "cannot be empty"),
    ("a\x00b", "NUL"),
    ("x" * (MAX_TEXT + 1), "too long"),
]


@pytest.fixture
def j(journal, frozen_clock: FrozenClock):
    journal.add(cmd.declare(frozen_clock, "API 500 errors", Severity.SEV2, commander="@ic"))
    return journal


def test_event_times(j, frozen_clock: FrozenClock) -> None:
    frozen_clock.advance(minutes=10)
    e = cmd.note(frozen_clock, j.state, "x")
    assert e.occurred_at == e.recorded_at == T0 + timedelta(minutes=10)
    back = cmd.note(frozen_clock, j.state, "x", at=T0 - timedelta(minutes=3))
    assert back.occurred_at == T0 - timedelta(minutes=3)
    assert back.recorded_at == T0 + timedelta(minutes=10)
    assert e.incident_id == 1 and e.id is None


# ------------------------------------------------------------------ declare
def test_declare(frozen_clock: FrozenClock) -> None:
    e = cmd.declare(
        frozen_clock,
        "  API 500 errors ",
        Severity.SEV1,
        service=" auth ",
        impact="",
        detected_by="PagerDuty",
        commander="@ic",
        owner="@me",
    )
    assert e.text == "Incident declared SEV-1: API 500 errors"
    assert e.action == "Response: All hands, executive notification"
    assert e.owner == "@ic"
    assert e.payload == Declared(
        title="API 500 errors",
        severity=Severity.SEV1,
        started_at=T0,
        service="auth",
        impact=None,
        detected_by="PagerDuty",
        commander="@ic",
    )
    assert e.incident_id == 0
    assert cmd.declare(frozen_clock, "t", Severity.SEV3, owner="@me").owner == "@me"


def test_declare_backdated(frozen_clock: FrozenClock) -> None:
    start = T0 - timedelta(minutes=12)
    e = cmd.declare(frozen_clock, "t", Severity.SEV2, started_at=start)
    assert e.occurred_at == e.payload.started_at == start
    assert e.recorded_at == T0
    assert e.action == "Response: Core team, stakeholder notification"


@pytest.mark.parametrize(
    ("title", "match"), [*BAD_TEXT[:3], ("x" * (cmd.MAX_TITLE + 1), "too long")]
)
def test_declare_rejects_bad_title(frozen_clock: FrozenClock, title: str, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        cmd.declare(frozen_clock, title, Severity.SEV2)


def test_declare_title_at_the_limit(frozen_clock: FrozenClock) -> None:
    assert cmd.declare(frozen_clock, "x" * cmd.MAX_TITLE, Severity.SEV2).payload.title


def test_declare_rejects_nul_in_optional_fields(frozen_clock: FrozenClock) -> None:
    for field in ("service", "impact", "detected_by", "commander"):
        with pytest.raises(InvalidInput, match="NUL"):
            cmd.declare(frozen_clock, "t", Severity.SEV2, **{field: "a\x00"})


# ------------------------------------------------------------------ note
def test_note(j, frozen_clock: FrozenClock) -> None:
    e = cmd.note(
        frozen_clock,
        j.state,
        " Alert fired: API 500 errors ",
        action="Acknowledged, began investigation",
        owner="@devops-troubleshooter",
    )
    assert (e.text, e.action, e.owner) == (
        "Alert fired: API 500 errors",
        "Acknowledged, began investigation",
        "@devops-troubleshooter",
    )
    assert isinstance(e.payload, Note)
    bare = cmd.note(frozen_clock, j.state, "x")
    assert (bare.action, bare.owner) == ("", "")


@pytest.mark.parametrize(("text", "match"), BAD_TEXT)
def test_note_rejects_bad_text(j, frozen_clock: FrozenClock, text: str, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        cmd.note(frozen_clock, j.state, text)


def test_note_rejects_bad_action_and_owner(j, frozen_clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="NUL"):
        cmd.note(frozen_clock, j.state, "x", action="\x00")
    with pytest.raises(InvalidInput, match="too long"):
        cmd.note(frozen_clock, j.state, "x", owner="@" * 201)


# ------------------------------------------------------------------ status, severity, phase
def test_set_status(j, frozen_clock: FrozenClock) -> None:
    e = cmd.set_status(frozen_clock, j.state, Status.MITIGATED, owner="@ic")
    assert (e.text, e.action, e.owner) == (
        "Status ACTIVE → MITIGATED 🔧",
        "Impact mitigated; monitoring",
        "@ic",
    )
    assert e.payload == StatusChanged(status=Status.MITIGATED, previous=Status.ACTIVE)
    e = cmd.set_status(frozen_clock, j.state, Status.RESOLVED)
    assert (e.text, e.action) == (
        "Status ACTIVE → RESOLVED ✅",
        "Resolved; post-incident procedures begin",
    )
    j.add(e)
    e = cmd.set_status(frozen_clock, j.state, Status.ACTIVE)
    assert (e.text, e.action) == ("Status RESOLVED → ACTIVE 🚨", "Reopened; response resumes")


def test_set_status_resolution_is_the_action(j, frozen_clock: FrozenClock) -> None:
    res = Resolution(immediate="Increased pool size", permanent="leak fixed")
    e = cmd.set_status(frozen_clock, j.state, Status.RESOLVED, resolution=res)
    assert e.action == "Increased pool size"
    assert e.payload.resolution == res


@pytest.mark.parametrize("status", list(Status))
def test_set_status_same_is_refused(j, frozen_clock: FrozenClock, status: Status) -> None:
    if status is not Status.ACTIVE:
        j.add(cmd.set_status(frozen_clock, j.state, status))
    with pytest.raises(InvalidTransition, match=f"INC-1 is already {status.value}"):
        cmd.set_status(frozen_clock, j.state, status)


def test_set_severity(j, frozen_clock: FrozenClock) -> None:
    e = cmd.set_severity(frozen_clock, j.state, Severity.SEV1, reason=" full outage ", owner="@ic")
    assert (e.text, e.action, e.owner) == (
        "Severity raised SEV-2 → SEV-1: full outage",
        "Response: All hands, executive notification",
        "@ic",
    )
    assert e.payload == SeverityChanged(
        severity=Severity.SEV1, previous=Severity.SEV2, reason="full outage"
    )
    e = cmd.set_severity(frozen_clock, j.state, Severity.SEV3, reason="   ")
    assert (e.text, e.action) == (
        "Severity lowered SEV-2 → SEV-3",
        "Response: Standard team, normal hours",
    )
    assert e.payload.reason is None


def test_set_severity_refuses_same_and_bad_reason(j, frozen_clock: FrozenClock) -> None:
    with pytest.raises(InvalidTransition, match="already SEV-2"):
        cmd.set_severity(frozen_clock, j.state, Severity.SEV2)
    with pytest.raises(InvalidInput, match="NUL"):
        cmd.set_severity(frozen_clock, j.state, Severity.SEV1, reason="\x00")


def test_set_phase(j, frozen_clock: FrozenClock) -> None:
    e = cmd.set_phase(frozen_clock, j.state, PhaseId.ROOT_CAUSE, owner="@ic")
    assert (e.text, e.action) == ("Phase 2: Root Cause Analysis (30 min budget)", "Lead: @debugger")
    assert e.payload == PhaseChanged(phase=PhaseId.ROOT_CAUSE, previous=PhaseId.TRIAGE)
    e = cmd.set_phase(frozen_clock, j.state, PhaseId.DEPLOY)
    assert (e.text, e.action) == (
        "Phase 4: Deployment & Validation",
        "Lead: @deployment-orchestrator (emergency mode)",
    )
    with pytest.raises(InvalidTransition, match="already in that phase"):
        cmd.set_phase(frozen_clock, j.state, PhaseId.TRIAGE)


# ------------------------------------------------------------------ checklist
def test_tick(j, frozen_clock: FrozenClock) -> None:
    e = cmd.tick(frozen_clock, j.state, "immediate:0", owner="@ic")
    assert (e.text, e.action, e.owner) == (
        "✔ Acknowledge - Confirm receipt of incident",
        "Checklist item done",
        "@ic",
    )
    assert e.payload == ChecklistTicked(item="immediate:0", done=True)
    j.add(e)
    with pytest.raises(InvalidTransition, match="already done"):
        cmd.tick(frozen_clock, j.state, "immediate:0")
    e = cmd.tick(frozen_clock, j.state, "immediate:0", done=False)
    assert (e.text, e.action) == (
        "✘ Unchecked Acknowledge - Confirm receipt of incident",
        "Checklist item reopened",
    )


def test_untick_what_was_never_ticked(j, frozen_clock: FrozenClock) -> None:
    with pytest.raises(InvalidTransition, match="already not done"):
        cmd.tick(frozen_clock, j.state, "triage:1", done=False)


@pytest.mark.parametrize("key", ["triage:9", "lunch:0", "triage", "", "triage:²"])
def test_tick_unknown_key(j, frozen_clock: FrozenClock, key: str) -> None:
    with pytest.raises(InvalidInput, match="unknown checklist item"):
        cmd.tick(frozen_clock, j.state, key)


# ------------------------------------------------------------------ people
def test_assign_and_release(j, frozen_clock: FrozenClock) -> None:
    e = cmd.assign(frozen_clock, j.state, " @debugger ", "technical_lead", owner="@ic")
    assert (e.text, e.action, e.owner) == (
        "@debugger joined as Technical Lead",
        "Role assigned: Technical Lead",
        "@ic",
    )
    assert e.payload == ParticipantChanged(name="@debugger", role="technical_lead")
    j.add(e)
    e = cmd.release(frozen_clock, j.state, "@debugger")
    assert (e.text, e.action) == ("@debugger left (Technical Lead)", "Role released")
    assert e.payload == ParticipantChanged(name="@debugger", role="technical_lead", op="leave")
    assert cmd.assign(frozen_clock, j.state, "x", "Scribe").text == "x joined as Scribe"


def test_assign_and_release_validation(j, frozen_clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="name cannot be empty"):
        cmd.assign(frozen_clock, j.state, " ", "database")
    with pytest.raises(InvalidInput, match="role cannot be empty"):
        cmd.assign(frozen_clock, j.state, "@x", "")
    with pytest.raises(InvalidInput, match="too long"):
        cmd.assign(frozen_clock, j.state, "x" * 201, "database")
    with pytest.raises(InvalidInput, match="not a participant of INC-1"):
        cmd.release(frozen_clock, j.state, "@nobody")


# ------------------------------------------------------------------ fields
def test_set_field(j, frozen_clock: FrozenClock) -> None:
    e = cmd.set_field(frozen_clock, j.state, "root_cause.what", " pool exhaustion ", owner="@x")
    assert (e.text, e.action, e.owner) == (
        "Set root cause: what: pool exhaustion",
        "Incident record updated",
        "@x",
    )
    assert e.payload == FieldSet(field="root_cause.what", value="pool exhaustion")
    e = cmd.set_field(frozen_clock, j.state, "impact_summary.users_affected", "")
    assert e.text == "Cleared impact summary: users affected"
    assert e.payload.value is None


@pytest.mark.parametrize(
    "field", ["colour", "root_cause", "root_cause.how", "id", "status", "severity", ""]
)
def test_set_field_unknown(j, frozen_clock: FrozenClock, field: str) -> None:
    with pytest.raises(InvalidInput, match="unknown field"):
        cmd.set_field(frozen_clock, j.state, field, "x")


def test_set_field_rejects_nul_and_empty_title(j, frozen_clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="NUL"):
        cmd.set_field(frozen_clock, j.state, "service", "a\x00")
    with pytest.raises(InvalidInput, match="title cannot be empty"):
        cmd.set_field(frozen_clock, j.state, "title", "  ")


def test_set_field_status_page_must_be_known(j, frozen_clock: FrozenClock) -> None:
    e = cmd.set_field(frozen_clock, j.state, "status_page", "updated")
    assert e.payload.value == "Updated"
    assert cmd.set_field(frozen_clock, j.state, "status_page", "").payload.value is None
    with pytest.raises(InvalidInput, match="status page"):
        cmd.set_field(frozen_clock, j.state, "status_page", "bogus")


# ------------------------------------------------------------------ action items
def test_action_items(j, frozen_clock: FrozenClock) -> None:
    e = cmd.add_action_item(
        frozen_clock, j.state, " Add pool alerts ", item_owner="@db", owner="@ic"
    )
    assert (e.text, e.action, e.owner) == (
        "Action item 1: Add pool alerts",
        "Action item added",
        "@ic",
    )
    assert e.payload == ActionItemChanged(
        op="add", item_id=1, text="Add pool alerts", owner="@db", done=False
    )
    j.add(e)
    assert cmd.add_action_item(frozen_clock, j.state, "next").payload.item_id == 2
    for done, word in [(True, "done"), (False, "reopened"), (None, "updated")]:
        e = cmd.update_action_item(frozen_clock, j.state, 1, done=done)
        assert (e.text, e.action) == (f"Action item 1 {word}", "Action item changed")
        assert e.payload.done is done
        if done:
            j.add(e)  # (done, then reopened)


def test_an_action_item_marked_as_it_already_is_is_refused(j, frozen_clock) -> None:
    j.add(cmd.add_action_item(frozen_clock, j.state, "alerts", due="2026-12-01"))
    with pytest.raises(InvalidTransition, match="action item 1 is already open"):
        cmd.update_action_item(frozen_clock, j.state, 1, done=False)
    j.add(cmd.update_action_item(frozen_clock, j.state, 1, done=True))
    with pytest.raises(InvalidTransition, match="action item 1 is already done"):
        cmd.update_action_item(frozen_clock, j.state, 1, done=True)
    item = j.state.action_items[1]
    assert (item.done, item.due) == (True, "2026-12-01")


@pytest.mark.parametrize("due", ["tomorrow", "2026-13-01", "2026-2-1", " "])
def test_an_action_item_due_date_is_a_calendar_date(j, frozen_clock, due) -> None:
    with pytest.raises(InvalidInput, match="due date"):
        cmd.add_action_item(frozen_clock, j.state, "alerts", due=due)


def test_action_item_validation(j, frozen_clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="cannot be empty"):
        cmd.add_action_item(frozen_clock, j.state, "")
    with pytest.raises(InvalidInput, match="no action item 7 in INC-1"):
        cmd.update_action_item(frozen_clock, j.state, 7, done=True)


# ------------------------------------------------------------------ comms
def test_send_update(j, frozen_clock: FrozenClock) -> None:
    e = comms_cmd.send_update(
        frozen_clock, j.state, "status page", " Investigating ", template="initial", owner="@comms"
    )
    assert (e.text, e.action, e.owner) == ("Update sent to status page", "Investigating", "@comms")
    assert e.payload == CommsSent(
        audience="status page", template="initial", message="Investigating"
    )
    with pytest.raises(InvalidInput, match="message cannot be empty"):
        comms_cmd.send_update(frozen_clock, j.state, "x", " ")


def test_notify(j, frozen_clock: FrozenClock) -> None:
    e = comms_cmd.notify(frozen_clock, j.state, "Executives", contact="@vp")
    assert (e.text, e.action) == ("Notified: Executives", "Contacted @vp")
    assert e.payload == Notified(party="Executives", contact="@vp")
    e = comms_cmd.notify(frozen_clock, j.state, "Executives", done=False)
    assert (e.text, e.action) == ("Un-notified: Executives", "Notification checklist")
    with pytest.raises(InvalidInput, match="party cannot be empty"):
        comms_cmd.notify(frozen_clock, j.state, "")


# ------------------------------------------------------------------ sources and evidence
def test_add_source(j, frozen_clock: FrozenClock) -> None:
    spec = SourceSpec(kind="cmd", name="app", command="tail -F app.log")
    e = source_cmd.add_source(frozen_clock, j.state, spec)
    assert (e.text, e.action) == (
        "Log source app added: tail -F app.log",
        "Source recorded; consoles start it",
    )
    assert e.payload == CommandEvent(source_id="s1", op="added", spec=spec)
    j.add(e)
    grep = SourceSpec(kind="grep", name="err", pattern="ERROR", paths=("/a", "/b"))
    e = source_cmd.add_source(frozen_clock, j.state, grep)
    assert e.text == "Log source err added: grep ERROR /a /b"
    assert e.payload.source_id == "s2"
    with pytest.raises(InvalidInput, match="source s1 already exists"):
        source_cmd.add_source(frozen_clock, j.state, spec, source_id="s1")


@pytest.mark.parametrize(
    ("pattern", "kw", "paths", "expected"),
    [
        (r"\[error\]", {}, ("/var/log/Apache.log",), r"grep '\[error\]' /var/log/Apache.log"),
        ('it\'s a "test"', {}, ("/a b/c.log",), "grep 'it'\"'\"'s a \"test\"' '/a b/c.log'"),
        (
            "-x",
            {"fixed": True, "ignore_case": True, "invert": True},
            ("/a",),
            "grep -F -i -v -e -x /a",
        ),
    ],
)
def test_the_ledger_records_a_grep_pattern_as_typed_and_quoted(
    j, frozen_clock: FrozenClock, pattern: str, kw: dict, paths: tuple, expected: str
) -> None:
    r"""The ledger said ``grep '\\[error\\]'`` (a Python repr) for ``\[error\]``: a shell
    line, quoted as a shell would need it, says what was typed."""
    spec = SourceSpec(kind="grep", name="g", pattern=pattern, paths=paths, **kw)
    e = source_cmd.add_source(frozen_clock, j.state, spec)
    assert e.text == f"Log source g added: {expected}"
    words = shlex.split(expected)  # (what a shell makes of it: the pattern as typed)
    assert words[-1 - len(paths)] == pattern and words[-len(paths) :] == list(paths)


@pytest.mark.parametrize(
    ("op", "kw", "detail"),
    [
        ("started", {"pid": 42}, "pid 42"),
        ("restarted", {"pid": 43}, "pid 43"),
        ("exited", {"exit_code": 1}, "exit code 1"),
        ("stopped", {}, "stopped by the IC"),
        ("failed", {"reason": "ENOENT"}, "ENOENT"),
        ("failed", {}, "failed to start"),
    ],
)
def test_source_ledger(j, frozen_clock: FrozenClock, op: str, kw: dict, detail: str) -> None:
    j.add(
        source_cmd.add_source(
            frozen_clock, j.state, SourceSpec(kind="cmd", name="app", command="x")
        )
    )
    e = source_cmd.source_ledger(frozen_clock, j.state, "s1", op, **kw)
    assert (e.text, e.action) == (f"Log source app {op}: {detail}", "Command ledger")
    assert e.payload.op == op


@pytest.mark.parametrize(
    ("op", "kw", "detail"),
    [
        ("started", {}, "a grep in the console's own process, over 2 paths"),
        (
            "restarted",
            {"reason": "re-run"},
            "a grep in the console's own process, over 2 paths; re-run",
        ),
        ("exited", {}, "ended"),
    ],
)
def test_a_grep_source_has_no_pid_in_the_ledger(
    j, frozen_clock: FrozenClock, op: str, kw: dict, detail: str
) -> None:
    """A grep runs inside the console: the ledger says so, where it said "pid None"."""
    grep = SourceSpec(kind="grep", name="err", pattern="ERROR", paths=("/a", "/b*.log"))
    j.add(source_cmd.add_source(frozen_clock, j.state, grep))
    e = source_cmd.source_ledger(frozen_clock, j.state, "s1", op, **kw)
    assert e.text == f"Log source err {op}: {detail}"
    assert "None" not in e.text


def test_pin(j, frozen_clock: FrozenClock) -> None:
    ev = Evidence(source="app.log", line="ERROR pool exhausted", line_no=12)
    e = timeline_cmd.pin(frozen_clock, j.state, ev, owner="@ops")
    assert (e.text, e.action, e.owner) == (
        "Evidence from app.log: ERROR pool exhausted",
        "Pinned as evidence",
        "@ops",
    )
    assert e.payload == ev
    long = timeline_cmd.pin(frozen_clock, j.state, Evidence(source="s", line="y" * 500))
    assert long.text == "Evidence from s: " + "y" * 199 + "…"
    assert (
        timeline_cmd.pin(frozen_clock, j.state, ev, note_text="the smoking gun").text
        == "the smoking gun"
    )


# ------------------------------------------------------------------ corrections
def test_correct(j, frozen_clock: FrozenClock) -> None:
    note = j.add(cmd.note(frozen_clock, j.state, "typo"))
    e = timeline_cmd.correct(frozen_clock, j.state, note, text=" fixed ", owner="@ic")
    assert (e.text, e.action, e.owner, e.corrects) == (
        f"Corrected entry #{note.id}",
        "Timeline corrected",
        "@ic",
        note.id,
    )
    assert e.payload == Edit(text="fixed")
    e = timeline_cmd.correct(frozen_clock, j.state, note, retract=True)
    assert e.text == f"Retracted entry #{note.id}"
    assert e.payload == Edit(retracted=True)
    when = T0 - timedelta(minutes=1)
    e = timeline_cmd.correct(
        frozen_clock, j.state, note, action="a", owner_field="@o", occurred_at=when
    )
    assert e.payload == Edit(action="a", owner="@o", occurred_at=when)


def test_correct_validation(j, frozen_clock: FrozenClock) -> None:
    note = j.add(cmd.note(frozen_clock, j.state, "typo"))
    edit = j.add(timeline_cmd.correct(frozen_clock, j.state, note, text="fixed"))
    with pytest.raises(InvalidInput, match="not a correction"):
        timeline_cmd.correct(frozen_clock, j.state, edit, text="again")
    with pytest.raises(InvalidInput, match="needs a new value"):
        timeline_cmd.correct(frozen_clock, j.state, note)
    unsaved = cmd.note(frozen_clock, j.state, "not saved")
    with pytest.raises(InvalidInput, match="only a saved event"):
        timeline_cmd.correct(frozen_clock, j.state, unsaved, text="x")
    other = note.model_copy(update={"incident_id": 2})
    with pytest.raises(InvalidInput, match="only a saved event"):
        timeline_cmd.correct(frozen_clock, j.state, other, text="x")
    with pytest.raises(InvalidInput, match="cannot be empty"):
        timeline_cmd.correct(frozen_clock, j.state, note, text="  ")


def test_correct_validates_columns(j, frozen_clock: FrozenClock) -> None:
    note = j.add(cmd.note(frozen_clock, j.state, "typo", action="a", owner="@o"))
    with pytest.raises(InvalidInput, match="NUL"):
        timeline_cmd.correct(frozen_clock, j.state, note, action="\x00")
    with pytest.raises(InvalidInput, match="too long"):
        timeline_cmd.correct(frozen_clock, j.state, note, owner_field="o" * 201)
    cleared = timeline_cmd.correct(frozen_clock, j.state, note, action="", owner_field=" ")
    assert cleared.payload == Edit(action="", owner="")
