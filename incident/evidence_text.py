"""How a pinned line's own time reads, in the timeline's detail and in the report: the
instant in UTC, and the zone it was read in, and whether that zone was the line's own or
assumed (its source's). Nothing is said when the line has no time: never a guess."""

from __future__ import annotations

from datetime import UTC, datetime

from incident.journal import Evidence


def utc_text(at: datetime) -> str:
    """``2005-12-05 19:15:57 UTC``, with the fraction of a second the line gave
    (milliseconds, or microseconds when it gave more)."""
    at = at.astimezone(UTC)
    if not at.microsecond:
        frac = ""
    elif at.microsecond % 1000:
        frac = f".{at.microsecond:06d}"
    else:
        frac = f".{at.microsecond // 1000:03d}"
    return f"{at:%Y-%m-%d %H:%M:%S}{frac} UTC"


def zone_note(ev: Evidence) -> str:
    """``zone assumed: Europe/Berlin``, ``zone from the line: +01:00``, or, for evidence
    pinned before zones were recorded, ``zone not recorded``."""
    if ev.line_zone is None:
        return "zone not recorded"
    return f"zone {'assumed' if ev.zone_assumed else 'from the line'}: {ev.line_zone}"


def line_time_text(ev: Evidence) -> str | None:
    """``2005-12-05 19:15:57.123 UTC (zone assumed: Europe/Berlin)``; None: no time."""
    if ev.line_time is None:
        return None
    return f"{utc_text(ev.line_time)} ({zone_note(ev)})"
