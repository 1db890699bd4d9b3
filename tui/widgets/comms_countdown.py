"""What the comms pane says of each audience's update: when the next is due (or how late it
is), that none is scheduled, or, once the incident is resolved, that a resolution notice is
owed to it; and the pane's subtitle naming the audiences that are late or owed one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incident import comms
from incident.timeparse import clock_delta


def countdown_text(
    c: comms.Countdown, now: datetime, *, short: bool = True, tight: bool = False
) -> str:
    """``page 12:00``, ``page LATE 05:00`` (tight: ``page +05:00``), ``page off``, ``page
    owed``; long: ``OVERDUE 05:00 (was due 15:03Z)``, ``next 15:23Z, in 15:00``,
    ``resolution notice owed``."""
    name = f"{c.short} " if short else ""
    if c.state == "owed":
        return f"{name}owed" if short else "resolution notice owed"
    if c.due is None:
        if c.minutes == 0:
            return f"{name}off" if short else "no scheduled updates (cadence off)"
        return f"{name}-" if short else "resolved: no updates due"
    if c.state == "overdue":
        late = clock_delta(now - c.due)
        if short:
            return f"{name}+{late}" if tight else f"{name}LATE {late}"
        return f"OVERDUE {late} (was due {c.due:%H:%M}Z)"
    left = clock_delta(c.due - now)
    return f"{name}{left}" if short else f"next {c.due:%H:%M}Z, in {left}"


def subtitle(countdowns: Sequence[comms.Countdown]) -> str:
    """``UPDATE OVERDUE: Status page, Executives``; once resolved, ``RESOLUTION OWED:
    Status page, Executives``; else nothing."""
    for state, heading in (("overdue", "UPDATE OVERDUE"), ("owed", "RESOLUTION OWED")):
        names = [c.label for c in countdowns if c.state == state]
        if names:
            return f"{heading}: " + ", ".join(names)
    return ""


def warning(c: comms.Countdown, now: datetime) -> tuple[str, str, float] | None:
    """What to say (text, severity, seconds shown) as an update becomes due soon or late."""
    if c.due is None:
        return None
    if c.state == "soon":
        left = clock_delta(c.due - now)
        return f"Update to {c.label} due in {left} ({c.due:%H:%M} UTC)", "warning", 10
    if c.state == "overdue":
        return f"Update to {c.label} is OVERDUE (was due {c.due:%H:%M} UTC)", "error", 20
    return None
