"""The incident at a glance: what the console's first frame shows, in plain values.

The console's first frame is the status bar and the newest timeline rows. Everything in it
is here as plain data (standard library only: no pydantic), so that it can be read from the
store and painted before the domain models are even imported; the validated incident
replaces it a moment later (``tui/app.py``). The status bar always draws a :class:`Glance`:
before that moment one read back from the store, after it one made from the folded state.

- :class:`Glance`: the status bar's facts, folded up to the state event ``upto``. The store
  keeps one per incident, written in the transaction of every event that changes the state,
  so it is current exactly when ``upto`` is the incident's newest state event.
- :class:`Row`: one timeline row as it reads now; :func:`corrected` applies ``edit``
  corrections to it (``incident.journal.timeline`` uses the same function).
- :class:`Peek`: a glance and the newest rows: the first frame.

The glance of a folded state is made by ``incident/glance_of.py``, which needs the domain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

WARN_BEFORE = timedelta(minutes=3)  # an update due within this is "soon"


def clock_at(now: datetime, resolved_at: datetime | None) -> datetime:
    """What the incident clock reads against: ``now``, or the resolution while the incident
    is resolved (the clock stops there; reopened, it runs again from the start)."""
    return now if resolved_at is None else min(now, resolved_at)


def due_state(due: datetime | None, now: datetime) -> str:
    """``none``, ``ok``, ``soon`` (within three minutes) or ``overdue``."""
    if due is None:
        return "none"
    if now >= due:
        return "overdue"
    if due - now <= WARN_BEFORE:
        return "soon"
    return "ok"


@dataclass(frozen=True)
class Glance:
    """The status bar's facts about one incident."""

    incident_id: int
    upto: int  # the id of the newest state event folded into it
    title: str
    severity: str  # "SEV-1"
    status: str  # "ACTIVE", "MITIGATED", "RESOLVED"
    status_emoji: str
    started_at: datetime
    phase_number: int
    phase_name: str  # the phase's first word: "Triage", "Root"...
    phase_budget_minutes: int | None
    phase_started_at: datetime
    update_short: str | None  # the audience whose update is due first, if any is due
    update_due: datetime | None
    resolved_at: datetime | None = None  # the incident clock stops there
    resolution_owed: tuple[str, ...] = ()  # the audiences owed a resolution notice (short)

    @property
    def number(self) -> str:
        return f"INC-{self.incident_id}"

    @property
    def severity_rank(self) -> int:
        return int(self.severity[-1])

    @property
    def resolved(self) -> bool:
        return self.status == "RESOLVED"

    def clock_at(self, now: datetime) -> datetime:
        """The moment the incident clock reads (elapsed time, time in the phase)."""
        return clock_at(now, self.resolved_at)

    def to_json(self) -> str:
        return json.dumps(
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Glance:
        """Raises ``ValueError`` (or ``TypeError``, ``KeyError``) for anything not written
        by :meth:`to_json`."""
        data = json.loads(text)
        times = ("started_at", "phase_started_at", "update_due", "resolved_at")
        for k in times:
            if data.get(k) is not None:
                data[k] = _aware(datetime.fromisoformat(data[k]))
        owed = data.get("resolution_owed", [])
        if not (isinstance(owed, list) and all(isinstance(a, str) for a in owed)):
            raise TypeError("resolution_owed: not a list of names")
        data["resolution_owed"] = tuple(owed)
        glance = cls(**data)
        for name, kind in (
            ("incident_id", int),
            ("upto", int),
            ("title", str),
            ("severity", str),
            ("status", str),
            ("status_emoji", str),
            ("phase_number", int),
            ("phase_name", str),
        ):
            if not isinstance(getattr(glance, name), kind):
                raise TypeError(f"{name}: not a {kind.__name__}")
        if not (
            isinstance(glance.phase_budget_minutes, int | None)
            and isinstance(glance.update_short, str | None)
            and glance.severity in ("SEV-1", "SEV-2", "SEV-3")
        ):
            raise TypeError("a field of the wrong type")
        return glance


@dataclass(frozen=True, slots=True)
class Fix:
    """What one ``edit`` event changes (None: that field stays)."""

    id: int
    text: str | None = None
    action: str | None = None
    owner: str | None = None
    occurred_at: datetime | None = None
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """A timeline row as it reads now."""

    id: int
    kind: str
    occurred_at: datetime
    text: str
    action: str
    owner: str
    corrected: bool = False
    retracted: bool = False


def corrected(row: Row, fixes: Iterable[Fix]) -> Row:
    """``row`` with its corrections applied in the order they were written."""
    fixes = sorted(fixes, key=lambda f: f.id)
    if not fixes:
        return row
    text, action, owner, at, retracted = (
        row.text,
        row.action,
        row.owner,
        row.occurred_at,
        row.retracted,
    )
    for f in fixes:
        text = f.text if f.text is not None else text
        action = f.action if f.action is not None else action
        owner = f.owner if f.owner is not None else owner
        at = f.occurred_at if f.occurred_at is not None else at
        retracted = f.retracted
    return replace(
        row,
        text=text,
        action=action,
        owner=owner,
        occurred_at=at,
        corrected=True,
        retracted=retracted,
    )


def fix_from_payload(event_id: int, payload: dict[str, Any]) -> Fix:
    """A :class:`Fix` from an ``edit`` event's stored payload (``TypeError`` if odd)."""
    at = payload.get("occurred_at")
    fix = Fix(
        event_id,
        payload.get("text"),
        payload.get("action"),
        payload.get("owner"),
        _aware(datetime.fromisoformat(at)) if at is not None else None,
        bool(payload.get("retracted", False)),
    )
    if not all(isinstance(v, str | None) for v in (fix.text, fix.action, fix.owner)):
        raise TypeError("an edit with a field of the wrong type")
    return fix


@dataclass(frozen=True)
class Peek:
    """The first frame: the glance and the newest rows (oldest first, corrections applied)."""

    glance: Glance
    rows: Sequence[Row]


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a time without a zone")
    return at
