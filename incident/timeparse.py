"""Reading times people type: ISO-8601 with a zone, or a bare ``HH:MM`` meaning today, UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from incident.errors import InvalidInput

# A backdated entry may be late; an entry from the future is a typo.
FUTURE_TOLERANCE = timedelta(minutes=2)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(?:Z|UTC))?", re.IGNORECASE)


def parse_when(text: str, now: datetime) -> datetime:
    """Parse ``text`` into an aware UTC datetime no later than ``now`` (plus a little skew).

    Accepted: ISO-8601 with ``Z`` or an offset (``2026-11-25T14:30:00+01:00``), ISO-8601
    without a zone (read as UTC, as every time in warroom is), and ``HH:MM[:SS]`` for today in
    UTC (yesterday when today's would be in the future).
    """
    raw = text.strip()
    if not raw:
        raise InvalidInput("empty time: give ISO-8601 (2026-11-25T14:30Z) or HH:MM in UTC")
    m = _CLOCK.fullmatch(raw)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h > 23 or mi > 59 or s > 59:
            raise InvalidInput(f"bad time {text!r}: hours 0-23, minutes and seconds 0-59")
        at = now.astimezone(UTC).replace(hour=h, minute=mi, second=s, microsecond=0)
        if at > now + FUTURE_TOLERANCE:
            at -= timedelta(days=1)
        return at
    iso = raw[:-1] + "+00:00" if raw[-1:] in "zZ" else raw
    iso = re.sub(r"\s*UTC$", "+00:00", iso, flags=re.IGNORECASE)
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        raise InvalidInput(
            f"bad time {text!r}: give ISO-8601 (2026-11-25T14:30:00Z) or HH:MM in UTC"
        ) from None
    try:
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC datetime
        raise InvalidInput(f"bad time {text!r}: out of range") from None
    if at.year < 1970:
        raise InvalidInput(f"bad time {text!r}: before 1970")
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput(f"time {text!r} is in the future (now is {iso_z(now)})")
    return at


def when_notes(
    text: str, at: datetime, now: datetime, *, started: datetime | None = None
) -> list[str]:
    """What a person should hear about a time they typed, though it is accepted: a bare
    ``HH:MM`` that landed on another day than today, a time before the incident began."""
    notes = []
    if _CLOCK.fullmatch(text.strip()) and at.date() != now.astimezone(UTC).date():
        notes.append(
            f"{text.strip()} is later than now ({now:%H:%M}Z), so it was taken as "
            f"yesterday: {iso_z(at)}"
        )
    if started is not None and at < started:
        notes.append(
            f"{iso_z(at)} is before the incident began ({iso_z(started)}): "
            "recorded as given, out of order (e corrects an entry's time)"
        )
    return notes


def iso_z(at: datetime) -> str:
    """``2026-11-25T14:30:00Z`` (microseconds only when present)."""
    at = at.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if at.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return at.strftime(fmt)


def human_duration(delta: timedelta) -> str:
    """``30 minutes``, ``1 hour 5 minutes``, ``2 days 3 hours``; under a minute in seconds."""
    total = int(delta.total_seconds())
    if total < 0:
        return "-" + human_duration(-delta)
    if total < 60:
        return f"{total} second{'s' if total != 1 else ''}"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2])


def clock_delta(delta: timedelta) -> str:
    """``12:05`` or ``1:02:03``; negative deltas get a leading minus."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m:02d}:{s:02d}"
