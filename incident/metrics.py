"""Post-mortem metrics, computed from the journal alone.

Times to detect, acknowledge, mitigate and resolve; time at each severity and in each phase
(against the playbook's budgets); updates sent on time or late; commands run; evidence
pinned. Milestones recorded out of order are flagged, never silently reordered. An open
incident is measured up to its last recorded event, so the same journal always gives the
same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from incident.comms import cadence_minutes
from incident.journal import (
    ChecklistTicked,
    CommandEvent,
    Declared,
    Event,
    Evidence,
    timeline,
)
from incident.model import PhaseId, Severity
from incident.playbook import load_playbook
from incident.state import IncidentState, fold

K = TypeVar("K")  # what a history records: a severity, a phase


@dataclass(frozen=True)
class PhaseSpan:
    phase: PhaseId
    spent: timedelta
    budget: timedelta | None

    @property
    def over(self) -> timedelta | None:
        if self.budget is None or self.spent <= self.budget:
            return None
        return self.spent - self.budget


@dataclass(frozen=True)
class UpdateCheck:
    audience: str
    at: datetime
    due: datetime

    @property
    def late_by(self) -> timedelta | None:
        return self.at - self.due if self.at > self.due else None


@dataclass
class Metrics:
    started_at: datetime
    detected_at: datetime
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    measured_until: datetime
    severity_time: dict[Severity, timedelta] = field(default_factory=dict)
    phases: list[PhaseSpan] = field(default_factory=list)
    updates: list[UpdateCheck] = field(default_factory=list)
    commands_run: int = 0
    evidence_pinned: int = 0
    out_of_order: list[str] = field(default_factory=list)

    def since_start(self, at: datetime | None) -> timedelta | None:
        return at - self.started_at if at is not None else None

    @property
    def time_to_detect(self) -> timedelta:
        return self.detected_at - self.started_at

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return self.since_start(self.acknowledged_at)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return self.since_start(self.mitigated_at)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self.since_start(self.resolved_at)

    @property
    def updates_on_time(self) -> int:
        return sum(1 for u in self.updates if u.late_by is None)

    @property
    def updates_late(self) -> int:
        return sum(1 for u in self.updates if u.late_by is not None)


def _spans(history: Sequence[tuple[K, datetime]], until: datetime) -> list[tuple[K, timedelta]]:
    out = []
    for i, (what, at) in enumerate(history):
        end = history[i + 1][1] if i + 1 < len(history) else until
        out.append((what, max(end - at, timedelta(0))))
    return out


def compute(events: Sequence[Event]) -> Metrics:
    """The metrics of the incident these events describe."""
    state = fold(events)
    rows = timeline(list(events))
    live = [r for r in rows if not r.retracted]
    until = state.resolved_at or max((r.occurred_at for r in live), default=state.declared_at)
    ack = next(
        (
            r.occurred_at
            for r in live
            if isinstance(r.event.payload, ChecklistTicked)
            and r.event.payload.item == "immediate:0"
            and r.event.payload.done
        ),
        None,
    )
    m = Metrics(
        started_at=state.started_at,
        detected_at=state.declared_at,
        acknowledged_at=ack,
        mitigated_at=state.mitigated_at,
        resolved_at=state.resolved_at,
        measured_until=until,
    )
    for sev, spent in _spans(state.severity_history, until):
        m.severity_time[sev] = m.severity_time.get(sev, timedelta(0)) + spent
    pb = load_playbook()
    for phase, spent in _spans(state.phase_history, until):
        budget = pb.phase(phase).budget_minutes
        m.phases.append(PhaseSpan(phase, spent, timedelta(minutes=budget) if budget else None))
    m.updates = _update_checks(state, events)
    m.commands_run = sum(
        1
        for r in live
        if isinstance(r.event.payload, CommandEvent)
        and r.event.payload.op in ("started", "restarted")
    )
    m.evidence_pinned = sum(1 for r in live if isinstance(r.event.payload, Evidence))
    m.out_of_order = _order_problems(m)
    return m


def _update_checks(state: IncidentState, events: Sequence[Event]) -> list[UpdateCheck]:
    """Each sent update against the time it was due: the previous update to the same
    audience (or the declaration) plus the cadence in force just before it was sent (the
    severity then, and the incident's own cadence override for it, if any). An update to an
    audience with no cadence at the time is never late."""
    ordered = sorted(events, key=lambda e: e.sort_key)
    checks = []
    last: dict[str, datetime] = {}
    for sent in state.comms:
        then = fold(
            [e for e in ordered if e.occurred_at < sent.at or isinstance(e.payload, Declared)]
        )
        minutes = cadence_minutes(then, sent.audience)
        since = last.get(sent.audience, state.declared_at)
        due = since + timedelta(minutes=minutes) if minutes else sent.at
        checks.append(UpdateCheck(sent.audience, sent.at, due))
        last[sent.audience] = sent.at
    return checks


def _order_problems(m: Metrics) -> list[str]:
    def stamp(at: datetime) -> str:
        return at.strftime("%Y-%m-%d %H:%M:%S UTC")

    pairs = [
        ("detected", m.detected_at, "started", m.started_at),
        ("acknowledged", m.acknowledged_at, "started", m.started_at),
        ("mitigated", m.mitigated_at, "started", m.started_at),
        ("resolved", m.resolved_at, "started", m.started_at),
        ("resolved", m.resolved_at, "mitigated", m.mitigated_at),
        ("mitigated", m.mitigated_at, "acknowledged", m.acknowledged_at),
    ]
    return [
        f"{a} ({stamp(at_a)}) is recorded before {b} ({stamp(at_b)})"
        for a, at_a, b, at_b in pairs
        if at_a is not None and at_b is not None and at_a < at_b
    ]
