"""Communications in the domain: drafts from the templates (known facts filled, unknown ones
left as visible placeholders, nothing invented), the cadence per audience across severity
changes on a frozen clock, the notification checklist, and send on the timeline."""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone

import pytest

from incident import commands as cmd
from incident import comms
from incident import comms_commands as comms_cmd
from incident.clock import FrozenClock
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import CadenceSet, CommsSent, timeline
from incident.model import Severity, Status
from tests.conftest import T0

EST = timezone(timedelta(hours=-5), "EST")
TOKENS = re.compile(r"\[[a-z ]+\]")


def bare(journal, clock, severity=Severity.SEV2):
    """An incident about which nothing but the title is known."""
    journal.add(cmd.declare(clock, "Checkout down", severity))
    return journal


def full(journal, clock):
    """An incident with every fact a template can use."""
    journal.add(
        cmd.declare(
            clock,
            "Checkout down",
            Severity.SEV1,
            service="checkout-api",
            impact="15% of checkouts fail",
            commander="@alice",
        )
    )
    journal.add(cmd.set_field(clock, journal.state, "root_cause.what", "pool exhaustion"))
    return journal


# ---------------------------------------------------------------------- rendering
def test_every_template_with_nothing_known_keeps_every_placeholder(journal, frozen_clock):
    s = bare(journal, frozen_clock).state
    now = T0
    assert comms.render("initial", s, now) == (
        "We are aware of issues affecting [service]. Our team is investigating. "
        "Updates every 15 minutes. Next update by 14:46 UTC."
    )
    assert comms.render("progress", s, now) == (
        "We have identified the root cause as [issue]. A fix is being implemented. "
        "ETA: [time] Next update by 14:46 UTC."
    )
    assert comms.render("resolution", s, now) == (
        "The issue has been resolved. All services are operating normally. "
        "We apologize for any inconvenience."
    )
    # Internal and executive drafts open with the facts of the incident: unknown ones stay.
    for audience in ("internal", "executives"):
        text = comms.render("progress", s, now, audience=audience)
        assert text.splitlines()[:3] == [
            "INC-1 · SEV-2 · ACTIVE · Checkout down",
            "Impact: [impact]",
            "Incident commander: [commander]",
        ]
        assert set(TOKENS.findall(text)) == {"[impact]", "[commander]", "[issue]", "[time]"}


def test_every_template_with_everything_known_fills_every_placeholder(journal, frozen_clock):
    s = full(journal, frozen_clock).state
    for template in comms.TEMPLATES:
        for audience in comms.AUDIENCES:
            text = comms.render(template, s, T0, audience=audience, eta="15:30 UTC", local=EST)
            assert not TOKENS.findall(text), (template, audience, text)
    assert comms.render("initial", s, T0, local=EST) == (
        "We are aware of issues affecting checkout-api. Our team is investigating. "
        "Updates every 15 minutes. Next update by 14:46 UTC (09:46 EST)."
    )
    assert comms.render("progress", s, T0, eta="15:30 UTC") == (
        "We have identified the root cause as pool exhaustion. A fix is being implemented. "
        "ETA: 15:30 UTC Next update by 14:46 UTC."
    )
    exec_text = comms.render("initial", s, T0, audience="executives")
    assert exec_text.startswith(
        "INC-1 · SEV-1 · ACTIVE · Checkout down\n"
        "Impact: 15% of checkouts fail\n"
        "Incident commander: @alice\n\n"
    )


def test_nothing_is_invented_the_eta_above_all(journal, frozen_clock):
    """Known facts come from the state: a fact that is not there never appears."""
    s = full(journal, frozen_clock).state
    text = comms.render("progress", s, T0)
    assert "ETA: [time]" in text  # warroom never guesses an ETA
    s.service = None
    assert "affecting [service]." in comms.render("initial", s, T0)
    s.service = "   "  # blank is not known either
    assert "affecting [service]." in comms.render("initial", s, T0)


def test_the_promise_follows_the_audience_cadence_and_says_local_time(journal, frozen_clock):
    s = bare(journal, frozen_clock, Severity.SEV3).state
    text = comms.render("initial", s, T0 + timedelta(seconds=20), local=EST)
    assert "Updates every 30 minutes. Next update by 15:01 UTC (10:01 EST)." in text
    journal.add(comms_cmd.set_cadence(frozen_clock, journal.state, "status-page", 0))
    s = journal.state
    text = comms.render("initial", s, T0)
    assert "Updates every [cadence]." in text and "Next update" not in text  # none scheduled
    # A template that places the next update itself gets it there, not at the end.
    own = "Next: [next update]. Still on [service]."
    assert comms.render("progress", s, T0, text=own, audience="internal").endswith(
        "\n\nNext: 15:01 UTC. Still on [service]."
    )


def test_values_are_filled_once_and_shown_safely(journal, frozen_clock):
    journal.add(
        cmd.declare(
            frozen_clock, "T [service] \x1b]52;c;AAAA\x07", Severity.SEV2, service="api\nEU"
        )
    )
    text = comms.render("initial", journal.state, T0, audience="internal")
    first = text.splitlines()[0]
    assert "[service]" in first  # a title containing a placeholder is not filled again
    assert "\x1b" not in text and "␛" in first
    assert "affecting api EU." in text


# ---------------------------------------------------------------------- templates
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "it is empty"),
        ("  \n", "it is empty"),
        ("Down: [servce]", "unknown placeholder [servce]"),
        ("Down: [Service]", "unknown placeholder [Service] (did you mean [service]?)"),
        ("Down\x1b[2J", "it contains control characters"),
        ("x" * 4001, "it is too long"),
    ],
)
def test_a_broken_template_is_named(text, problem):
    assert any(p.startswith(problem) for p in comms.check_template(text))


def test_a_good_template_passes():
    assert (
        comms.check_template(
            "[incident] [severity]: [service] is down. ETA [time].\n"
            "Next update by [next update] (every [cadence])."
        )
        == []
    )
    assert comms.builtin_template("initial").endswith("Updates every [cadence].")
    for t in comms.TEMPLATES:
        assert comms.check_template(comms.builtin_template(t)) == []


# ---------------------------------------------------------------------- cadence
def test_cadence_per_audience_across_severity_changes(journal, frozen_clock):
    clock: FrozenClock = frozen_clock
    j = bare(journal, clock)  # SEV-2: every 15 minutes for everyone
    at = lambda m: T0 + timedelta(minutes=m)  # noqa: E731

    def due() -> dict[str, object]:
        return {a: comms.next_update_due(j.state, a) for a in comms.AUDIENCES}

    assert due() == {a: at(15) for a in comms.AUDIENCES}
    clock.set(at(5))
    j.add(comms_cmd.send_update(clock, j.state, "status-page", "We are aware.", template="initial"))
    j.add(comms_cmd.set_cadence(clock, j.state, "executives", 60))
    assert due() == {"status-page": at(20), "internal": at(15), "executives": at(60)}

    clock.set(at(13))
    states = {c.audience: c.state for c in comms.countdowns(j.state, clock.now())}
    assert states == {"status-page": "ok", "internal": "soon", "executives": "ok"}
    assert comms.most_urgent(j.state, clock.now()).audience == "internal"

    j.add(cmd.set_severity(clock, j.state, Severity.SEV3))  # every 30 minutes
    assert due() == {"status-page": at(35), "internal": at(30), "executives": at(30)}

    clock.set(at(16))
    j.add(cmd.set_severity(clock, j.state, Severity.SEV1))  # every 15; exec override was SEV-2
    assert due() == {"status-page": at(20), "internal": at(15), "executives": at(15)}
    states = {c.audience: c.state for c in comms.countdowns(j.state, clock.now())}
    assert states == {"status-page": "ok", "internal": "overdue", "executives": "overdue"}
    assert comms.most_urgent(j.state, clock.now()).audience == "internal"  # ties: in order

    clock.set(at(17))
    j.add(comms_cmd.send_update(clock, j.state, "internal", "Update", template="progress"))
    assert comms.next_update_due(j.state, "internal") == at(32)
    j.add(cmd.set_severity(clock, j.state, Severity.SEV2))  # the SEV-2 override again
    assert due() == {"status-page": at(20), "internal": at(32), "executives": at(60)}
    assert comms.most_urgent(j.state, clock.now()).audience == "status-page"

    j.add(comms_cmd.set_cadence(clock, j.state, "internal", 0))
    assert comms.next_update_due(j.state, "internal") is None
    assert comms.due_state(None, clock.now()) == "none"
    j.add(comms_cmd.set_cadence(clock, j.state, "executives", None))  # back to the playbook
    assert comms.next_update_due(j.state, "executives") == at(15)

    j.add(cmd.set_status(clock, j.state, Status.RESOLVED))
    assert due() == {a: None for a in comms.AUDIENCES}
    assert comms.most_urgent(j.state, clock.now()) is None


def test_due_state_edges():
    assert comms.due_state(T0, T0) == "overdue"
    assert comms.due_state(T0, T0 - timedelta(minutes=3)) == "soon"
    assert comms.due_state(T0, T0 - timedelta(minutes=3, seconds=1)) == "ok"


def test_set_cadence_is_checked_and_explains_itself(journal, frozen_clock):
    j = bare(journal, frozen_clock)
    with pytest.raises(InvalidInput):
        comms_cmd.set_cadence(frozen_clock, j.state, "twitter", 15)
    with pytest.raises(InvalidInput):
        comms_cmd.set_cadence(frozen_clock, j.state, "internal", 1441)
    with pytest.raises(InvalidTransition):
        comms_cmd.set_cadence(frozen_clock, j.state, "internal", None)  # already the default
    e = j.add(comms_cmd.set_cadence(frozen_clock, j.state, "status-page", 45))
    assert e.payload == CadenceSet(audience="status-page", severity=Severity.SEV2, minutes=45)
    assert e.text == "Update cadence for Status page at SEV-2: every 45 minutes"
    assert e.action == "Playbook default: every 15 minutes (status page: every 15-30 minutes)"
    e = j.add(comms_cmd.set_cadence(frozen_clock, j.state, "internal", 0, severity=Severity.SEV1))
    assert e.text == "Update cadence for Internal at SEV-1: no scheduled updates"
    assert j.state.cadence == {"SEV-2": {"status-page": 45}, "SEV-1": {"internal": 0}}


def test_one_minute_is_said_in_the_singular(journal, frozen_clock):
    """A count of one reads "every 1 minute", in the event, its action and the drafts (it
    was "every 1 minutes")."""
    j = bare(journal, frozen_clock)
    e = j.add(comms_cmd.set_cadence(frozen_clock, j.state, "internal", 1))
    assert e.text == "Update cadence for Internal at SEV-2: every 1 minute"
    assert comms.facts(j.state, "internal", frozen_clock.now())["[cadence]"] == "1 minute"
    assert comms.facts(j.state, "executives", frozen_clock.now())["[cadence]"] == "15 minutes"
    e = j.add(comms_cmd.set_cadence(frozen_clock, j.state, "internal", None))
    assert e.text == "Update cadence for Internal at SEV-2: back to the playbook's 15 minutes"


# ---------------------------------------------------------------------- send, notify
def test_send_puts_the_exact_text_on_the_timeline(journal, frozen_clock):
    j = bare(journal, frozen_clock)
    text = "Line one\n  Line two with [service] left as is"
    frozen_clock.advance(minutes=7)
    sent = j.add(
        comms_cmd.send_update(
            frozen_clock,
            j.state,
            "executives",
            "  " + text + "\n",
            template="progress",
            owner="@alice",
            unfilled_ok=True,  # the IC confirmed sending it with [service] in it
        )
    )
    assert sent.payload == CommsSent(audience="executives", template="progress", message=text)
    row = timeline(j.events)[-1]
    assert (row.text, row.action, row.owner) == ("Update sent to executives", text, "@alice")
    assert row.occurred_at == T0 + timedelta(minutes=7)
    last = j.state.last_sent("executives")
    assert (last.message, last.at, last.template) == (text, row.occurred_at, "progress")
    assert j.state.last_sent("internal") is None


def test_notification_checklist_follows_the_severity(journal, frozen_clock):
    j = bare(journal, frozen_clock)
    items = comms.notify_checklist(j.state)
    assert [(i.party, i.required, i.done) for i in items] == [
        ("Core team", True, False),
        ("Stakeholders", True, False),
    ]
    j.add(comms_cmd.notify(frozen_clock, j.state, "Stakeholders", contact="@customer-support"))
    j.add(cmd.set_severity(frozen_clock, j.state, Severity.SEV1))
    items = comms.notify_checklist(j.state)
    assert [(i.party, i.required, i.done) for i in items] == [
        ("All hands", True, False),
        ("Executives", True, False),
        ("Stakeholders", False, True),
    ]
    assert items[2].tick.contact == "@customer-support"
    j.add(comms_cmd.notify(frozen_clock, j.state, "Stakeholders", done=False))
    assert not comms.notify_checklist(j.state)[2].done


def test_timezones_in_the_stamp():
    at = T0.replace(minute=46)
    assert comms.stamp(at, None) == "14:46 UTC"
    assert comms.stamp(at, UTC) == "14:46 UTC"
    assert comms.stamp(at, EST) == "14:46 UTC (09:46 EST)"
