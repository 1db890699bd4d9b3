"""The incident's facts kept current during the response (``incident/facts.py``): each
change a journal event, the fold showing the latest, the old value kept in the journal; the
drafts and the report filled from them; action items with owner, due date and state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident import commands as cmd
from incident import comms, facts
from incident import comms_commands as comms_cmd
from incident.clock import FrozenClock
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import FieldSet, ParticipantChanged
from incident.model import Severity
from incident.report import UNKNOWN, render_markdown
from incident.state import fold
from tests.conftest import T0, MemoryJournal


def declared(journal, clock, **facts_):
    journal.add(cmd.declare(clock, "Checkout down", Severity.SEV2, **facts_))
    return journal


def edit(journal, clock, **changes):
    saved = [journal.add(e) for e in facts.edit(clock, journal.state, changes, owner="@ic")]
    clock.advance(minutes=1)
    return saved


def test_each_change_is_an_event_and_the_fold_keeps_the_latest(journal, frozen_clock) -> None:
    declared(journal, frozen_clock, service="checkout-api", commander="@alice")
    events = edit(
        journal,
        frozen_clock,
        service="payments-api",
        impact="15% of checkouts fail",
        detected_by="pager",
        status_page="https://status.example.com/incidents/42",
        root_cause="pool exhaustion",
        eta="15:30 UTC",
        commander="@bob",
        title="Checkout and payments down",
    )
    assert len(events) == 8
    assert all(e.owner == "@ic" for e in events)
    s = journal.state
    assert (s.title, s.service, s.impact, s.detected_by) == (
        "Checkout and payments down",
        "payments-api",
        "15% of checkouts fail",
        "pager",
    )
    assert s.status_page_url == "https://status.example.com/incidents/42"
    assert (s.root_cause.what, s.eta, s.commander) == ("pool exhaustion", "15:30 UTC", "@bob")
    edit(journal, frozen_clock, service="checkout-api", eta="16:00 UTC", commander="@alice")
    s = journal.state
    assert (s.service, s.eta, s.commander) == ("checkout-api", "16:00 UTC", "@alice")
    # the old values stay in the journal, in order
    services = [
        e.payload.value
        for e in journal.events
        if isinstance(e.payload, FieldSet) and e.payload.field == "service"
    ]
    assert services == ["payments-api", "checkout-api"]
    commanders = [
        e.payload.name for e in journal.events if isinstance(e.payload, ParticipantChanged)
    ]
    assert commanders == ["@bob", "@alice"]
    assert set(s.participants) == {"@alice", "@bob"}  # both took part


def test_an_unchanged_fact_makes_no_event(journal, frozen_clock) -> None:
    declared(journal, frozen_clock, service="api")
    events = facts.edit(frozen_clock, journal.state, {"service": "api", "eta": "soon"})
    assert [e.payload.field for e in events] == ["eta"]
    with pytest.raises(InvalidTransition, match="nothing changed: INC-1 already has"):
        facts.edit(frozen_clock, journal.state, {"service": " api "})


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, "nothing to change"),
        ({"service": "  "}, "the service cannot be empty"),
        ({"eta": ""}, "the eta cannot be empty"),
        ({"title": "x" * 301}, "the title is too long"),
        ({"status_page": "status.example.com"}, "is not a web address"),
        ({"status_page": "ftp://status.example.com"}, "is not a web address"),
        ({"status_page": "https://"}, "is not a web address"),
        ({"status_page": "https://[::1"}, "is not a web address"),
        ({"status_page": "https://a b.example"}, "is not a web address"),
        ({"colour": "red"}, "unknown fact 'colour'"),
        ({"service": "ok", "status_page": "nope"}, "is not a web address"),
    ],
)
def test_a_bad_value_changes_nothing(journal, frozen_clock, changes, problem) -> None:
    declared(journal, frozen_clock)
    with pytest.raises(InvalidInput, match=problem):
        facts.edit(frozen_clock, journal.state, changes)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["service", "impact", "eta", "root_cause", "commander"]),
            st.sampled_from(["a", "b", "c"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_the_fold_always_shows_the_last_value_set(edits) -> None:
    clock, journal = FrozenClock(T0), MemoryJournal()
    declared(journal, clock)
    last: dict[str, str] = {}
    for fact, value in edits:
        try:
            for e in facts.edit(clock, journal.state, {fact: value}):
                journal.add(e)
        except InvalidTransition:
            assert last.get(fact) == value  # refused only when it already was so
        last[fact] = value
        clock.advance(seconds=10)
    state = fold(journal.events)
    for fact, value in last.items():
        assert facts.current(state, fact) == value


def test_the_state_at_an_earlier_moment_has_the_values_of_then(journal, frozen_clock) -> None:
    declared(journal, frozen_clock, service="api")
    edit(journal, frozen_clock, service="gateway", eta="15:00")
    middle = frozen_clock.now()
    edit(journal, frozen_clock, service="db", eta="16:00")
    then = fold([e for e in journal.events if e.occurred_at < middle])
    assert (then.service, then.eta) == ("gateway", "15:00")
    assert (journal.state.service, journal.state.eta) == ("db", "16:00")


# ------------------------------------------------------------------ the drafts
def test_the_drafts_fill_from_the_facts_as_soon_as_they_are_known(journal, frozen_clock):
    declared(journal, frozen_clock)
    s = journal.state
    assert "affecting [service]." in comms.render("initial", s, T0)
    assert "root cause as [issue]. A fix is being implemented. ETA: [time]" in comms.render(
        "progress", s, T0
    )
    edit(journal, frozen_clock, service="checkout-api", impact="checkouts fail", eta="15:30 UTC")
    s = journal.state
    assert "affecting checkout-api." in comms.render("initial", s, T0)
    progress = comms.render("progress", s, T0)
    assert "root cause as checkouts fail. A fix is being implemented. ETA: 15:30 UTC" in progress
    edit(journal, frozen_clock, root_cause="pool exhaustion")  # the root cause, once known
    assert "root cause as pool exhaustion." in comms.render("progress", journal.state, T0)
    # an ETA given with the draft still wins over the incident's own
    assert "ETA: 16:00 UTC" in comms.render("progress", journal.state, T0, eta="16:00 UTC")


def test_the_status_page_link_is_in_the_internal_drafts_once_recorded(journal, frozen_clock):
    declared(journal, frozen_clock)
    assert "Status page" not in comms.render("initial", journal.state, T0, audience="internal")
    edit(journal, frozen_clock, status_page="https://status.example.com/i/42")
    for audience in ("internal", "executives"):
        text = comms.render("initial", journal.state, T0, audience=audience)
        assert "Status page: https://status.example.com/i/42\n" in text
    assert "status.example.com" not in comms.render("initial", journal.state, T0)
    assert comms.check_template("See [status page] for more.") == []


# ------------------------------------------------------------------ the report
def test_the_report_shows_the_latest_facts_and_the_link(journal, frozen_clock) -> None:
    declared(journal, frozen_clock, service="api")
    edit(journal, frozen_clock, service="gateway", impact="logins fail", eta="15:30 UTC")
    edit(journal, frozen_clock, status_page="https://status.example.com/i_42", root_cause="leak")
    lines = render_markdown(journal.events).splitlines()
    assert "- **Service**: gateway" in lines
    assert "- **Impact**: logins fail" in lines
    assert "- **ETA**: 15:30 UTC" in lines
    assert "- **What**: leak" in lines
    assert f"- **Status Page**: {UNKNOWN} (https://status.example.com/i\\_42)" in lines
    # the old value is on the timeline, as it was set
    assert any("Set service: gateway" in line for line in lines)


def test_the_status_page_reads_updated_once_an_update_went_there(journal, frozen_clock):
    declared(journal, frozen_clock)
    journal.add(comms_cmd.send_update(frozen_clock, journal.state, "internal", "hi"))
    assert f"- **Status Page**: {UNKNOWN}" in render_markdown(journal.events).splitlines()
    journal.add(comms_cmd.send_update(frozen_clock, journal.state, "status-page", "We know."))
    assert "- **Status Page**: Updated" in render_markdown(journal.events).splitlines()
    journal.add(cmd.set_field(frozen_clock, journal.state, "status_page", "Not Required"))
    assert "- **Status Page**: Not Required" in render_markdown(journal.events).splitlines()


def test_the_report_lists_each_action_item_with_owner_due_date_and_state(journal, frozen_clock):
    declared(journal, frozen_clock)
    s = journal.state
    journal.add(cmd.add_action_item(frozen_clock, s, "alerts", item_owner="@db", due="2026-12-01"))
    journal.add(cmd.add_action_item(frozen_clock, journal.state, "breaker", due="2026-12-15"))
    journal.add(cmd.add_action_item(frozen_clock, journal.state, "runbook"))
    journal.add(cmd.update_action_item(frozen_clock, journal.state, 1, done=True))
    lines = render_markdown(journal.events).splitlines()
    i = lines.index("### Action Items")
    assert lines[i + 1 : i + 4] == [
        "1. [x] alerts (@db, due 2026-12-01)",
        "2. [ ] breaker (due 2026-12-15)",
        "3. [ ] runbook",
    ]


def test_the_commander_is_the_one_named_last(journal, frozen_clock) -> None:
    declared(journal, frozen_clock, commander="@alice")
    journal.add(cmd.assign(frozen_clock, journal.state, "@bob", "commander"))
    assert journal.state.commander == "@bob"
    frozen_clock.advance(minutes=1)
    journal.add(cmd.assign(frozen_clock, journal.state, "@alice", "commander"))
    assert journal.state.commander == "@alice"
    assert facts.current(journal.state, "commander") == "@alice"
    with pytest.raises(InvalidTransition):
        facts.edit(frozen_clock, journal.state, {"commander": "@alice"})
