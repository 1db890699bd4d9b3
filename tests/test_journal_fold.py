"""The journal and its fold: the incident is whatever its events say, in time order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from incident import commands as cmd
from incident import comms_commands as comms_cmd
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.journal import (
    Edit,
    Event,
    Evidence,
    FieldSet,
    Note,
    SourceSpec,
    timeline,
)
from incident.kinds import ROW_ONLY_KINDS, STATE_KINDS, EventKind
from incident.model import (
    ActionItem,
    ImpactSummary,
    Participant,
    PhaseId,
    Resolution,
    RootCause,
    Severity,
    Status,
    StatusPage,
)
from incident.state import fold

T0 = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def declared(journal, frozen_clock: FrozenClock):
    journal.add(
        cmd.declare(
            frozen_clock,
            "API 500 errors",
            Severity.SEV2,
            service="auth",
            impact="logins fail",
            detected_by="alert",
            commander="@ic",
        )
    )
    return journal


def _busy(journal, clock: FrozenClock) -> None:
    """A journal with a bit of everything, one minute apart."""
    journal.add(cmd.declare(clock, "API 500 errors", Severity.SEV2, commander="@ic"))
    for build in [
        lambda s: cmd.note(clock, s, "alert fired", action="acked", owner="@ops"),
        lambda s: cmd.set_severity(clock, s, Severity.SEV1, reason="full outage"),
        lambda s: cmd.tick(clock, s, "immediate:0"),
        lambda s: cmd.assign(clock, s, "@db", "database"),
        lambda s: cmd.set_phase(clock, s, PhaseId.ROOT_CAUSE),
        lambda s: cmd.set_field(clock, s, "root_cause.what", "pool exhaustion"),
        lambda s: cmd.add_action_item(clock, s, "add pool alerts", item_owner="@db"),
        lambda s: cmd.set_status(clock, s, Status.MITIGATED),
        lambda s: comms_cmd.send_update(clock, s, "customers", "fixed soon", template="progress"),
        lambda s: comms_cmd.notify(clock, s, "Executives"),
        lambda s: cmd.tick(clock, s, "immediate:0", done=False),
        lambda s: cmd.set_status(clock, s, Status.RESOLVED),
    ]:
        clock.advance(minutes=1)
        journal.add(build(journal.state))


# ------------------------------------------------------------------ declare
def test_fold_from_declare(declared) -> None:
    s = declared.state
    assert (s.id, s.number, s.title) == (1, "INC-1", "API 500 errors")
    assert s.severity is Severity.SEV2
    assert s.status is Status.ACTIVE
    assert s.phase is PhaseId.TRIAGE
    assert (s.service, s.impact, s.detected_by) == ("auth", "logins fail", "alert")
    assert s.started_at == s.declared_at == T0
    assert s.commander == "@ic"
    assert s.participants == {"@ic": Participant(name="@ic", role="commander")}
    assert s.status_history == [(Status.ACTIVE, T0)]
    assert s.severity_history == [(Severity.SEV2, T0)]
    assert s.phase_history == [(PhaseId.TRIAGE, T0)]
    assert s.phase_started_at == T0
    assert s.status_page is StatusPage.UNKNOWN
    assert s.root_cause == RootCause() and s.resolution == Resolution()
    assert s.impact_summary == ImpactSummary()
    assert s.resolved_at is None and s.mitigated_at is None
    assert (s.last_event_id, s.last_event_at) == (1, T0)


def test_fold_needs_a_declaration(journal, frozen_clock: FrozenClock) -> None:
    note = Event(occurred_at=T0, recorded_at=T0, text="x", payload=Note())
    with pytest.raises(ValueError, match="declared"):
        fold([note])


def test_declared_earlier_start(journal, frozen_clock: FrozenClock) -> None:
    journal.add(cmd.declare(frozen_clock, "t", Severity.SEV3, started_at=minutes(-20)))
    s = journal.state
    assert s.started_at == minutes(-20)
    assert s.declared_at == frozen_clock.now()  # declared now, about a start 20 min ago


# ------------------------------------------------------------------ histories
def test_status_severity_phase_histories(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    c.advance(minutes=5)
    j.add(cmd.set_severity(c, j.state, Severity.SEV1))
    c.advance(minutes=5)
    j.add(cmd.set_phase(c, j.state, PhaseId.ROOT_CAUSE))
    c.advance(minutes=5)
    j.add(cmd.set_status(c, j.state, Status.MITIGATED))
    c.advance(minutes=5)
    j.add(cmd.set_status(c, j.state, Status.RESOLVED))
    c.advance(minutes=5)
    j.add(cmd.set_status(c, j.state, Status.ACTIVE))
    c.advance(minutes=5)
    j.add(cmd.set_status(c, j.state, Status.RESOLVED))
    s = j.state
    assert s.severity is Severity.SEV1
    assert s.severity_history == [(Severity.SEV2, T0), (Severity.SEV1, minutes(5))]
    assert s.phase is PhaseId.ROOT_CAUSE
    assert s.phase_history == [(PhaseId.TRIAGE, T0), (PhaseId.ROOT_CAUSE, minutes(10))]
    assert s.phase_started_at == minutes(10)
    assert s.status_history == [
        (Status.ACTIVE, T0),
        (Status.MITIGATED, minutes(15)),
        (Status.RESOLVED, minutes(20)),
        (Status.ACTIVE, minutes(25)),
        (Status.RESOLVED, minutes(30)),
    ]
    assert s.mitigated_at == minutes(15)
    assert s.resolved_at == minutes(30)  # the last resolution, after the reopening


def test_reopened_is_not_resolved(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.set_status(c, j.state, Status.RESOLVED))
    assert j.state.resolved_at == T0
    c.advance(minutes=1)
    j.add(cmd.set_status(c, j.state, Status.ACTIVE))
    assert j.state.resolved_at is None


def test_status_carries_resolution(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(
        cmd.set_status(c, j.state, Status.MITIGATED, resolution=Resolution(immediate="bigger pool"))
    )
    j.add(
        cmd.set_status(
            c,
            j.state,
            Status.RESOLVED,
            resolution=Resolution(permanent="leak fixed", deployed="v2.3.2"),
        )
    )
    assert j.state.resolution == Resolution(
        immediate="bigger pool", permanent="leak fixed", deployed="v2.3.2"
    )


# ------------------------------------------------------------------ checklist, people
def test_checklist_tick_untick(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    c.advance(minutes=1)
    j.add(cmd.tick(c, j.state, "triage:0", owner="@ops"))
    tick = j.state.checklist["triage:0"]
    assert (tick.done, tick.at, tick.by) == (True, minutes(1), "@ops")
    c.advance(minutes=1)
    j.add(cmd.tick(c, j.state, "triage:0", done=False, owner="@ic"))
    tick = j.state.checklist["triage:0"]
    assert (tick.done, tick.at, tick.by) == (False, minutes(2), "@ic")
    assert list(j.state.checklist) == ["triage:0"]


def test_participants_join_and_leave(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.assign(c, j.state, "@debugger", "technical_lead"))
    j.add(cmd.assign(c, j.state, "@dba", "database"))
    assert set(j.state.participants) == {"@ic", "@debugger", "@dba"}
    j.add(cmd.assign(c, j.state, "@dba", "Scribe"))  # a new role replaces the old
    assert j.state.participants["@dba"] == Participant(name="@dba", role="Scribe")
    j.add(cmd.release(c, j.state, "@debugger"))
    assert set(j.state.participants) == {"@ic", "@dba"}
    j.add(cmd.release(c, j.state, "@ic"))
    assert j.state.commander is None


# ------------------------------------------------------------------ fields
@pytest.mark.parametrize(
    ("field", "read"),
    [
        ("title", lambda s: s.title),
        ("service", lambda s: s.service),
        ("impact", lambda s: s.impact),
        ("detected_by", lambda s: s.detected_by),
        ("root_cause.what", lambda s: s.root_cause.what),
        ("root_cause.why", lambda s: s.root_cause.why),
        ("root_cause.where", lambda s: s.root_cause.where),
        ("resolution.immediate", lambda s: s.resolution.immediate),
        ("resolution.permanent", lambda s: s.resolution.permanent),
        ("resolution.deployed", lambda s: s.resolution.deployed),
        ("impact_summary.users_affected", lambda s: s.impact_summary.users_affected),
        ("impact_summary.failed_requests", lambda s: s.impact_summary.failed_requests),
        ("impact_summary.revenue_impact", lambda s: s.impact_summary.revenue_impact),
        ("postmortem.went_well", lambda s: s.postmortem.went_well),
        ("postmortem.went_wrong", lambda s: s.postmortem.went_wrong),
        ("postmortem.lucky", lambda s: s.postmortem.lucky),
    ],
)
def test_field_set(declared, frozen_clock: FrozenClock, field: str, read) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.set_field(c, j.state, field, "  first value  "))
    assert read(j.state) == "first value"
    j.add(cmd.set_field(c, j.state, field, "second"))
    assert read(j.state) == "second"
    if field != "title":
        j.add(cmd.set_field(c, j.state, field, ""))
        assert read(j.state) is None


def test_dotted_field_keeps_siblings(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.set_field(c, j.state, "root_cause.what", "pool"))
    j.add(cmd.set_field(c, j.state, "root_cause.why", "leak"))
    assert j.state.root_cause == RootCause(what="pool", why="leak")


def test_status_page_field(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.set_field(c, j.state, "status_page", "Updated"))
    assert j.state.status_page is StatusPage.UPDATED
    j.add(cmd.set_field(c, j.state, "status_page", "not required"))
    assert j.state.status_page is StatusPage.NOT_REQUIRED
    j.add(cmd.set_field(c, j.state, "status_page", None))
    assert j.state.status_page is StatusPage.UNKNOWN


def test_postmortem_is_not_shared_between_states(declared, frozen_clock: FrozenClock) -> None:
    before = declared.state
    declared.add(cmd.set_field(frozen_clock, before, "postmortem.lucky", "it was Sunday"))
    assert declared.state.postmortem.lucky == "it was Sunday"
    assert fold(declared.events[:1]).postmortem.lucky is None


# ------------------------------------------------------------------ action items, comms
def test_action_items_add_and_update(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.add_action_item(c, j.state, "pool alerts", item_owner="@db"))
    j.add(cmd.add_action_item(c, j.state, "circuit breaker"))
    assert j.state.action_items == {
        1: ActionItem(id=1, text="pool alerts", owner="@db"),
        2: ActionItem(id=2, text="circuit breaker"),
    }
    j.add(cmd.update_action_item(c, j.state, 2, done=True))
    j.add(cmd.update_action_item(c, j.state, 1, text="pool alerts at 80%"))
    j.add(cmd.update_action_item(c, j.state, 2, item_owner="@sre"))
    assert j.state.action_items == {
        1: ActionItem(id=1, text="pool alerts at 80%", owner="@db"),
        2: ActionItem(id=2, text="circuit breaker", owner="@sre", done=True),
    }
    j.add(cmd.update_action_item(c, j.state, 2, done=False))
    assert j.state.action_items[2].done is False


def test_comms_and_last_sent(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(
        comms_cmd.send_update(
            c, j.state, "status page", "investigating", template="initial", owner="@comms"
        )
    )
    c.advance(minutes=15)
    j.add(comms_cmd.send_update(c, j.state, "executives", "root cause found"))
    s = j.state
    assert [(u.audience, u.at, u.template, u.message, u.by) for u in s.comms] == [
        ("status page", T0, "initial", "investigating", "@comms"),
        ("executives", minutes(15), None, "root cause found", ""),
    ]
    assert s.last_sent().audience == "executives"
    assert s.last_sent("status page").message == "investigating"
    assert s.last_sent("customers") is None


def test_notify(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(comms_cmd.notify(c, j.state, "Executives", contact="@vp", owner="@ic"))
    assert j.state.notified["Executives"].done is True
    assert j.state.notified["Executives"].by == "@ic"
    c.advance(minutes=1)
    j.add(comms_cmd.notify(c, j.state, "Executives", done=False))
    assert j.state.notified["Executives"].done is False
    assert j.state.notified["Executives"].at == minutes(1)


# ------------------------------------------------------------------ source ledger
def test_source_ledger(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    spec = SourceSpec(kind="cmd", name="app", command="tail -F app.log")
    j.add(source_cmd.add_source(c, j.state, spec))
    src = j.state.sources["s1"]
    assert (src.state, src.spec, src.added_at) == ("added", spec, T0)
    c.advance(seconds=1)
    j.add(source_cmd.source_ledger(c, j.state, "s1", "started", pid=4242))
    src = j.state.sources["s1"]
    assert (src.state, src.pid, src.changed_at) == ("started", 4242, minutes(1 / 60))
    c.advance(seconds=1)
    j.add(source_cmd.source_ledger(c, j.state, "s1", "exited", exit_code=3))
    src = j.state.sources["s1"]
    assert (src.state, src.pid, src.exit_code) == ("exited", None, 3)
    j.add(source_cmd.source_ledger(c, j.state, "s1", "restarted", pid=4343))
    src = j.state.sources["s1"]
    assert (src.state, src.pid, src.exit_code) == ("started", 4343, None)
    grep = SourceSpec(kind="grep", name="errors", pattern="ERROR", paths=("/var/log/x",))
    j.add(source_cmd.add_source(c, j.state, grep))
    assert list(j.state.sources) == ["s1", "s2"]
    j.add(source_cmd.source_ledger(c, j.state, "s2", "failed", reason="no such file"))
    assert (j.state.sources["s2"].state, j.state.sources["s2"].reason) == ("failed", "no such file")


def test_ledger_entry_for_unknown_source_is_ignored(declared, frozen_clock) -> None:
    declared.add(source_cmd.source_ledger(frozen_clock, declared.state, "s9", "started", pid=1))
    assert declared.state.sources == {}


# ------------------------------------------------------------------ time order
def test_backdated_note_before_declaration(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    c.advance(minutes=10)
    j.add(cmd.note(c, j.state, "first alert fired", at=minutes(-5)))
    s = j.state
    assert s.title == "API 500 errors"
    assert s.status_history == [(Status.ACTIVE, T0)]
    rows = timeline(j.events)
    assert [r.text for r in rows][:1] == ["first alert fired"]
    assert rows[0].occurred_at == minutes(-5)


def test_fold_is_order_independent(journal, frozen_clock: FrozenClock) -> None:
    _busy(journal, frozen_clock)
    want = fold(journal.events)
    rng = random.Random(7)
    for _ in range(20):
        shuffled = journal.events[:]
        rng.shuffle(shuffled)
        assert fold(shuffled) == want
        assert timeline(shuffled) == timeline(journal.events)


def test_events_at_the_same_moment_apply_in_id_order(declared, frozen_clock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.set_field(c, j.state, "service", "first"))
    j.add(cmd.set_field(c, j.state, "service", "second"))
    assert j.events[1].occurred_at == j.events[2].occurred_at
    assert fold(reversed(j.events)).service == "second"


def test_state_at_a_past_moment(journal, frozen_clock: FrozenClock) -> None:
    _busy(journal, frozen_clock)
    assert journal.state.status is Status.RESOLVED
    for n in range(0, 13):
        t = minutes(n)
        past = fold(e for e in journal.events if e.occurred_at <= t)
        expect = fold(journal.events[: n + 1])
        assert past == expect
    at_7 = fold(e for e in journal.events if e.occurred_at <= minutes(7.5))
    assert at_7.status is Status.ACTIVE
    assert at_7.severity is Severity.SEV1
    assert at_7.phase is PhaseId.ROOT_CAUSE
    assert at_7.root_cause.what == "pool exhaustion"
    assert 1 in at_7.action_items
    assert at_7.checklist["immediate:0"].done is True
    at_8 = fold(e for e in journal.events if e.occurred_at <= minutes(8))
    assert at_8.status is Status.MITIGATED


def test_state_kinds() -> None:
    assert {"note", "evidence", "edit"}.isdisjoint(STATE_KINDS)
    assert {"declared", "status", "field", "command"} <= STATE_KINDS
    assert len(STATE_KINDS) == len(EventKind) - 3
    assert set(EventKind) == STATE_KINDS | ROW_ONLY_KINDS and not STATE_KINDS & ROW_ONLY_KINDS


def test_notes_evidence_edits_do_not_change_state(declared, frozen_clock) -> None:
    j, c = declared, frozen_clock
    before = j.state
    j.add(cmd.note(c, j.state, "hello"))
    j.add(timeline_cmd.pin(c, j.state, Evidence(source="app.log", line="ERROR pool")))
    j.add(timeline_cmd.correct(c, j.state, j.events[1], text="hello again"))
    after = j.state
    assert after.model_dump(exclude={"last_event_id"}) == before.model_dump(
        exclude={"last_event_id"}
    )
    assert after.last_event_id == 4


# ------------------------------------------------------------------ timeline and edits
def test_timeline_applies_corrections(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    c.advance(minutes=10)
    note = j.add(cmd.note(c, j.state, "pool exhaustd", action="none", owner="@ops"))
    other = j.add(cmd.note(c, j.state, "wrong incident"))
    c.advance(minutes=1)
    j.add(timeline_cmd.correct(c, j.state, note, text="pool exhausted"))
    j.add(
        timeline_cmd.correct(
            c, j.state, note, action="raised pool size", owner_field="@db", occurred_at=minutes(5)
        )
    )
    j.add(timeline_cmd.correct(c, j.state, other, retract=True))
    rows = {r.id: r for r in timeline(j.events)}
    fixed = rows[note.id]
    assert (fixed.text, fixed.action, fixed.owner, fixed.occurred_at) == (
        "pool exhausted",
        "raised pool size",
        "@db",
        minutes(5),
    )
    assert fixed.corrected and not fixed.retracted
    assert fixed.event == note  # the original is kept as it was written
    assert rows[other.id].retracted and rows[other.id].text == "wrong incident"
    edits = [r for r in rows.values() if r.kind is EventKind.EDIT]
    assert [r.text for r in edits] == [
        f"Corrected entry #{note.id}",
        f"Corrected entry #{note.id}",
        f"Retracted entry #{other.id}",
    ]
    assert len(rows) == len(j.events)
    order = [r.id for r in timeline(j.events)]
    assert order.index(note.id) == 1  # moved to 14:35, just after the declaration


def test_timeline_later_correction_wins(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    note = j.add(cmd.note(c, j.state, "v1"))
    j.add(timeline_cmd.correct(c, j.state, note, retract=True))
    j.add(timeline_cmd.correct(c, j.state, note, text="v3"))
    row = next(r for r in timeline(j.events) if r.id == note.id)
    assert (row.text, row.retracted, row.corrected) == ("v3", False, True)


def test_timeline_order_and_unsaved_events(declared, frozen_clock: FrozenClock) -> None:
    j, c = declared, frozen_clock
    j.add(cmd.note(c, j.state, "b", at=minutes(-1)))
    j.add(cmd.note(c, j.state, "c"))
    assert [r.text for r in timeline(j.events)] == ["b", j.events[0].text, "c"]
    unsaved = Event(occurred_at=T0, recorded_at=T0, text="x", payload=Note(), corrects=1)
    assert [r.id for r in timeline([unsaved])] == [0]


# ------------------------------------------------------------------ serialisation
def test_events_json_round_trip(journal, frozen_clock: FrozenClock) -> None:
    _busy(journal, frozen_clock)
    j, c = journal, frozen_clock
    j.add(
        source_cmd.add_source(
            c,
            j.state,
            SourceSpec(kind="grep", name="g", pattern="x", paths=("/a", "/b"), ignore_case=True),
        )
    )
    j.add(source_cmd.source_ledger(c, j.state, "s1", "exited", exit_code=1))
    j.add(
        timeline_cmd.pin(
            c,
            j.state,
            Evidence(
                source="app.log",
                line="E\x1b[31m",
                line_no=3,
                read_at=T0,
                sha256="ab" * 32,
                snapshot={"cpu": 93.5, "load": [1, 2]},
            ),
        )
    )
    j.add(timeline_cmd.correct(c, j.state, j.events[1], occurred_at=minutes(-1), retract=True))
    j.add(comms_cmd.set_cadence(c, j.state, "executives", 30))
    assert {e.kind for e in j.events} == set(EventKind)
    for e in j.events:
        assert Event.model_validate_json(e.model_dump_json()) == e


def test_event_rejects_naive_times_and_unknown_payloads() -> None:
    with pytest.raises(ValueError):
        Event(occurred_at=datetime(2026, 1, 1), recorded_at=T0, text="x", payload=Note())
    with pytest.raises(ValueError):
        Event(occurred_at=T0, recorded_at=T0, text="x", payload={"kind": "gossip"})
    with pytest.raises(ValueError):
        FieldSet(field="colour", value="red")
    assert Edit().retracted is False
