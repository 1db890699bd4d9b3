"""The demo incident: the playbook's own example (API 500s from database connection pool
exhaustion), forty minutes in, with a timeline, a checklist in progress, a log source, sent
updates and an overdue one. ``warroom demo`` and the screenshots are made from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from incident import commands as c
from incident import comms_commands as comms_cmd
from incident import source_commands as source_cmd
from incident.clock import Clock, FrozenClock
from incident.journal import Event, SourceSpec
from incident.model import PhaseId, Resolution, Severity, Status
from incident.ports import Journal
from incident.state import IncidentState, apply

AGO = timedelta(minutes=38)

Step = tuple[float, Callable[[FrozenClock, IncidentState], Event]]


def _steps(log_command: str) -> list[Step]:
    o, d, db = "@devops-troubleshooter", "@debugger", "@database-optimizer"
    return [
        (0.5, lambda k, s: c.tick(k, s, "immediate:0", owner="@alice")),
        (
            0.6,
            lambda k, s: c.note(
                k,
                s,
                "Alert fired: API 500 errors on checkout",
                action="Acknowledged, began investigation",
                owner=o,
            ),
        ),
        (1.5, lambda k, s: c.assign(k, s, o, "operations", owner="@alice")),
        (1.7, lambda k, s: c.assign(k, s, d, "technical_lead", owner="@alice")),
        (
            2.5,
            lambda k, s: c.set_severity(
                k, s, Severity.SEV1, owner="@alice", reason="5xx past 25% of users, checkout down"
            ),
        ),
        (2.8, lambda k, s: c.tick(k, s, "immediate:1", owner="@alice")),
        (3.0, lambda k, s: c.tick(k, s, "triage:0", owner=o)),
        (
            4.0,
            lambda k, s: comms_cmd.send_update(
                k,
                s,
                "status-page",
                "We are aware of issues affecting checkout-api. Our team is investigating. "
                "Updates every 15 minutes.",
                template="initial",
                owner="@customer-support",
            ),
        ),
        (4.2, lambda k, s: c.tick(k, s, "immediate:2", owner="@alice")),
        (
            4.5,
            lambda k, s: source_cmd.add_source(
                k, s, SourceSpec(kind="cmd", name="api-log", command=log_command, cwd="/"), owner=o
            ),
        ),
        (5.0, lambda k, s: c.tick(k, s, "triage:1", owner=o)),
        (
            5.5,
            lambda k, s: c.note(
                k,
                s,
                "Error logs: 'too many connections' from auth-svc",
                action="Pinned log lines",
                owner=d,
            ),
        ),
        (
            7.0,
            lambda k, s: c.note(
                k,
                s,
                "Identified DB connection pool exhausted",
                action="Increased pool size 50 → 200",
                owner=db,
            ),
        ),
        (7.2, lambda k, s: c.assign(k, s, db, "database", owner="@alice")),
        (8.0, lambda k, s: c.tick(k, s, "triage:3", owner=db)),
        (9.0, lambda k, s: c.tick(k, s, "immediate:3", owner="@alice")),
        (
            10.0,
            lambda k, s: c.set_status(
                k,
                s,
                Status.MITIGATED,
                owner="@alice",
                resolution=Resolution(immediate="Increased connection pool size"),
            ),
        ),
        (12.0, lambda k, s: c.set_phase(k, s, PhaseId.ROOT_CAUSE, owner="@alice")),
        (13.0, lambda k, s: c.assign(k, s, "@customer-support", "communications", owner="@alice")),
        (
            15.0,
            lambda k, s: c.set_field(
                k, s, "root_cause.what", "Database connection pool exhaustion", owner=d
            ),
        ),
        (16.0, lambda k, s: c.tick(k, s, "root_cause:0", owner=d)),
        (
            18.0,
            lambda k, s: comms_cmd.send_update(
                k,
                s,
                "status-page",
                "We have identified the root cause as Database connection pool exhaustion. "
                "A fix is being implemented. ETA: 15:30 UTC",
                template="progress",
                owner="@customer-support",
            ),
        ),
        (
            24.0,
            lambda k, s: c.note(
                k,
                s,
                "Connection leak in auth service v2.3.1 under retry",
                action="Reproduced in staging",
                owner=d,
            ),
        ),
        (24.5, lambda k, s: c.tick(k, s, "root_cause:1", owner=d)),
        (
            26.0,
            lambda k, s: c.add_action_item(
                k, s, "Add connection pool monitoring alerts", item_owner=o, owner="@alice"
            ),
        ),
        (
            26.5,
            lambda k, s: c.add_action_item(
                k, s, "Implement circuit breaker for DB connections", item_owner=d, owner="@alice"
            ),
        ),
        (
            31.0,
            lambda k, s: c.note(
                k,
                s,
                "Leak traced to missing release on token refresh",
                action="Fix in review (expedited)",
                owner=d,
            ),
        ),
    ]


async def seed_demo(
    journal: Journal, clock: Clock, *, log_command: str, owner: str = "@alice"
) -> int:
    """Write the demo incident into ``journal``, ending at ``clock.now()``; return its id."""
    end = clock.now()
    start = end - AGO
    k = FrozenClock(start)
    declared = await journal.declare(
        c.declare(
            k,
            "Checkout API returning 500 errors",
            Severity.SEV2,
            service="checkout-api",
            impact="Users cannot complete checkout; ~15% of requests failing",
            detected_by="PagerDuty alert: API 5xx rate above 5%",
            commander=owner,
            owner=owner,
        )
    )
    state = await journal.load_state(declared.incident_id)
    for minutes, step in _steps(log_command):
        k.set(start + timedelta(minutes=minutes))
        saved = await journal.append(step(k, state))
        apply(state, saved)
    return declared.incident_id
