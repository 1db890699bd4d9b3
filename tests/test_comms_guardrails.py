"""Comms guard-rails in the domain: the placeholders a draft still holds, a message with
them refused unless confirmed, the resolution notices owed once resolved, and the incident
clock that stops at the resolution (in the glance the status bar draws too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident import commands as cmd
from incident import comms
from incident import comms_commands as comms_cmd
from incident.clock import FrozenClock
from incident.errors import InvalidInput
from incident.glance import Glance
from incident.glance_of import glance_of
from incident.journal import CommsSent
from incident.model import Severity, Status
from tests.conftest import T0, MemoryJournal

PLACEHOLDER = st.sampled_from(sorted(comms.PLACEHOLDERS))
PLAIN = st.text(st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)), max_size=40)


# ---------------------------------------------------------------------- what is unfilled
@given(st.lists(st.tuples(PLAIN, PLACEHOLDER), max_size=6), PLAIN)
def test_unfilled_names_each_placeholder_left_once_in_order(pieces, tail):
    text = "".join(a + p for a, p in pieces) + tail
    assert comms.unfilled(text) == list(dict.fromkeys(p for _, p in pieces))


@given(PLAIN)
def test_text_without_placeholders_has_nothing_unfilled(text):
    assert comms.unfilled(text) == []
    assert comms.unfilled(f"see [the dashboard]({text}) [Service] [time" + text) == []


def _incident(service, root_cause, commander):
    clock = FrozenClock(T0)
    j = MemoryJournal()
    j.add(cmd.declare(clock, "Checkout down", Severity.SEV2, service=service, commander=commander))
    if root_cause:
        j.add(cmd.set_field(clock, j.state, "root_cause.what", root_cause))
    return j.state


FACT = st.one_of(st.none(), st.sampled_from(["checkout-api", "pool exhaustion", "@alice"]))


@given(
    template=st.sampled_from(comms.TEMPLATES),
    audience=st.sampled_from(comms.AUDIENCES),
    service=FACT,
    root_cause=FACT,
    commander=FACT,
    eta=FACT,
)
def test_a_draft_holds_unfilled_exactly_the_facts_not_known(
    template, audience, service, root_cause, commander, eta
):
    state = _incident(service, root_cause, commander)
    draft = comms.render(template, state, T0, audience=audience, eta=eta)
    values = comms.facts(state, audience, T0, eta=eta)
    body = comms.header(state, audience) + comms.builtin_template(template)
    expected = [p for p in comms.unfilled(body) if not values[p]]
    assert comms.unfilled(draft) == expected


def test_sending_a_message_with_placeholders_needs_confirming():
    clock = FrozenClock(T0)
    state = _incident("checkout-api", None, None)
    text = "We have identified the root cause as [issue]. ETA: [time]"
    with pytest.raises(InvalidInput) as refused:
        comms_cmd.send_update(clock, state, "status-page", text, template="progress")
    assert str(refused.value) == (
        "the message still holds [issue] and [time] unfilled: fill them in, "
        "or confirm sending it as it is"
    )
    sent = comms_cmd.send_update(
        clock, state, "status-page", text, template="progress", unfilled_ok=True
    )
    assert sent.payload == CommsSent(audience="status-page", template="progress", message=text)
    assert comms_cmd.send_update(clock, state, "internal", "All good").action == "All good"


# ---------------------------------------------------------------------- resolution owed
def test_resolution_notices_are_owed_to_each_audience_sent_updates():
    clock = FrozenClock(T0)
    j = MemoryJournal()
    j.add(cmd.declare(clock, "Checkout down", Severity.SEV2, service="checkout-api"))

    def send(audience, template):
        j.add(comms_cmd.send_update(clock, j.state, audience, "Update", template=template))

    send("status-page", "initial")
    send("executives", "initial")
    send("executives", "progress")
    assert comms.resolution_owed(j.state) == []  # not resolved
    j.add(cmd.set_status(clock, j.state, Status.RESOLVED))
    assert comms.resolution_owed(j.state) == ["status-page", "executives"]  # internal: none sent
    states = {c.audience: c.state for c in comms.countdowns(j.state, clock.now())}
    assert states == {"status-page": "owed", "internal": "none", "executives": "owed"}
    assert glance_of(j.state, 1).resolution_owed == ("page", "exec")
    send("executives", "resolution")
    assert comms.resolution_owed(j.state) == ["status-page"]
    send("status-page", "resolution")
    assert comms.resolution_owed(j.state) == []
    assert glance_of(j.state, 1).resolution_owed == ()
    # Reopened: nothing owed while it is open; resolved again after a new update, owed again.
    j.add(cmd.set_status(clock, j.state, Status.ACTIVE))
    assert comms.resolution_owed(j.state) == []
    send("executives", "progress")
    j.add(cmd.set_status(clock, j.state, Status.RESOLVED))
    assert comms.resolution_owed(j.state) == ["executives"]


def test_a_resolution_notice_sent_just_before_resolving_counts():
    clock = FrozenClock(T0)
    j = MemoryJournal()
    j.add(cmd.declare(clock, "Checkout down", Severity.SEV2))
    j.add(comms_cmd.send_update(clock, j.state, "internal", "Fixed", template="resolution"))
    j.add(cmd.set_status(clock, j.state, Status.RESOLVED))
    assert comms.resolution_owed(j.state) == []


# ---------------------------------------------------------------------- the clock stops
def test_the_incident_clock_stops_at_the_resolution_and_runs_again_when_reopened():
    clock = FrozenClock(T0)
    j = MemoryJournal()
    j.add(cmd.declare(clock, "Checkout down", Severity.SEV2))
    clock.advance(minutes=40)
    j.add(cmd.set_status(clock, j.state, Status.RESOLVED))
    later = T0 + timedelta(hours=3)
    assert j.state.clock_at(later) == T0 + timedelta(minutes=40)
    glance = glance_of(j.state, 2)
    assert glance.resolved_at == T0 + timedelta(minutes=40)
    assert glance.clock_at(later) == T0 + timedelta(minutes=40)
    assert Glance.from_json(glance.to_json()) == glance
    clock.set(later)
    j.add(cmd.set_status(clock, j.state, Status.ACTIVE))
    assert j.state.clock_at(later) == later
    assert glance_of(j.state, 3).clock_at(later) == later


def test_a_glance_written_before_these_fields_still_reads():
    clock = FrozenClock(T0)
    j = MemoryJournal()
    j.add(cmd.declare(clock, "Checkout down", Severity.SEV2))
    glance = glance_of(j.state, 1)
    old = glance.to_json().replace(', "resolved_at": null, "resolution_owed": []', "")
    assert "resolved_at" not in old
    assert Glance.from_json(old) == glance
    with pytest.raises(TypeError):
        Glance.from_json(glance.to_json().replace('"resolution_owed": []', '"resolution_owed": 1'))
