"""Evidence from a log line: its provenance, a timestamp read from the line, and a digest.

A pinned line says where it came from (the source's command or file, the line number), when
warroom read it, when the line itself says it happened (when it says so: in the zone the
line names, or else in its source's zone, and then it says the zone was assumed), a few lines of
context, and a SHA-256 over line and context so that a post-mortem can show it was not
edited afterwards (:func:`verify`). In a redacted report or export the digest is over the
redacted context the evidence carries; the original is kept only in the unredacted store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from incident.journal import Evidence

_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")
_SYSLOG = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) "
    r"(\d{2}:\d{2}:\d{2})\b"
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, slots=True)
class LineTime:
    """When a log line says it happened: the instant (UTC), the zone it was read in (the
    line's own offset, or the source's zone when the line names none), and what was
    assumed to read it."""

    at: datetime
    zone: str
    zone_assumed: bool
    year_assumed: bool


def zone_name(zone: tzinfo) -> str:
    """A zone's name: its IANA key (``Europe/Berlin``), ``UTC``, or a fixed ``+HH:MM``."""
    key = getattr(zone, "key", None)
    if isinstance(key, str) and key:
        return key
    offset = zone.utcoffset(None)
    if offset is None:
        return str(zone.tzname(None) or zone)
    if not offset:
        return "UTC"
    minutes = round(abs(offset.total_seconds()) / 60)
    return f"{'-' if offset < timedelta(0) else '+'}{minutes // 60:02d}:{minutes % 60:02d}"


def line_time(text: str, *, read_at: datetime, zone: tzinfo) -> LineTime | None:
    """The timestamp a log line carries (ISO-8601 or syslog); None when it has none.

    A time with an offset (``Z``, ``+02:00``) is in that offset; a time without one is taken
    in ``zone`` (the source's zone), and says so; a syslog time (no year) gets the year it
    was read, in ``zone``.
    """
    m = _ISO.search(text)
    if m:
        date, clock, frac, offset = m.groups()
        try:
            at = datetime.fromisoformat(f"{date}T{clock}{(frac or '')[:7]}")
            if offset is None:
                return LineTime(
                    at.replace(tzinfo=zone).astimezone(UTC), zone_name(zone), True, False
                )
            offset = "+00:00" if offset == "Z" else offset
            offset = offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"
            at = datetime.fromisoformat(f"{at.isoformat()}{offset}")
        except ValueError:
            return None
        return LineTime(at.astimezone(UTC), zone_name(at.tzinfo or UTC), False, False)
    m = _SYSLOG.search(text)
    if m:
        month, day, clock = m.groups()
        year = read_at.astimezone(zone).year
        try:
            at = datetime.strptime(
                f"{year} {_MONTHS.index(month) + 1} {day} {clock}", "%Y %m %d %H:%M:%S"
            )
        except ValueError:
            return None
        return LineTime(at.replace(tzinfo=zone).astimezone(UTC), zone_name(zone), True, True)
    return None


def digest(context: Sequence[str]) -> str:
    """SHA-256 of the lines (the pinned one among its context), each ended by a newline."""
    h = hashlib.sha256()
    for part in context:
        h.update(part.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


def verify(evidence: Evidence) -> bool:
    """Whether the evidence's SHA-256 is the digest of the context it carries (a line
    pinned from a log, as stored or as a redacted artefact carries it). A host snapshot has
    no context to check, and is False."""
    return bool(evidence.context) and evidence.sha256 == digest(evidence.context)


def from_log_line(
    *,
    source: str,
    source_id: str | None,
    line: str,
    line_no: int | None,
    read_at: datetime,
    zone: tzinfo,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> Evidence:
    """Evidence for ``line``, with ``before``/``after`` context lines as read; a time in the
    line without a zone is read in ``zone`` (the source's), and the evidence says so."""
    context = (*before, line, *after)
    when = line_time(line, read_at=read_at, zone=zone)
    return Evidence(
        source=source,
        source_id=source_id,
        line_no=line_no,
        read_at=read_at,
        line_time=when.at if when else None,
        line_zone=when.zone if when else None,
        zone_assumed=when.zone_assumed if when else False,
        line=line,
        context=context,
        sha256=digest(context),
    )
