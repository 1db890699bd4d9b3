"""When a log line says it happened: its header's timestamp, as an aware UTC instant.

Pure: no I/O, no clock; the caller gives the moment the line was read and the zone of its
source (the host's zone by default, or the one set for the source).

The rules, each one a choice made here:

- **The header, not the message.** The time is the first timestamp from the start of the
  line, and only one that begins a field (after an optional ``[``, ``(`` or a syslog
  ``<PRI>``) among the first :data:`LEAD_FIELDS` + 1 fields and the first
  :data:`HEADER_CHARS` characters. Only the first :data:`HEAD_CHARS` characters of a line are
  ever read, so a 64 KiB line costs what a short one does. The fields before it must not
  be words of a message (letters only, a closing ``.,:;!?`` aside, and not all capitals as
  ``INFO`` is): ``user logged in at 2026-01-01 10:00`` has no header time (None), while
  ``app.log``, ``[pod/web/app]``, ``<34>1`` or ``INFO`` may come first. Two exceptions:
  any fields before a ``|`` label (``web-1  | 2026-...``), and the web access log's
  ``[10/Oct/2000:13:55:36 -0700]`` after any ``host ident user`` (and a vhost).
  A time glued to a file name (``nova-api.log.1.2017-05-16_13:53:08``) does not begin a
  field, so is never the header's. The first field that begins a timestamp decides: when
  its date or time is impossible (``2026-02-30``, hour 25) the line's time is None, never
  a later one.
- **Epoch columns** are read only in layouts that say so reliably (BGL, Thunderbird, HPC, a
  line that begins ``1286536308.779``): ten digits, not after ``read_at`` + :data:`SKEW`.
  BGL and Thunderbird lines give their alert flag, the seconds, a local date and a node
  before a local time: their time is the seconds (UTC, so no zone is assumed), checked
  against that local date (within a day), with the fraction of BGL's full local timestamp
  ``2005-06-03-15.42.50.675872`` when it is the same instant seen from a whole
  quarter-hour offset.
- **Year.** A year in the line is kept, even in the future. A two-digit year is the one
  nearest to ``read_at``'s year (``08`` is 2008, ``99`` read in 2026 is 1999). A line
  without a year gets the latest year that does not put it after ``read_at`` + :data:`SKEW`
  (read on 5 December, ``Dec 10`` is last year's; ``Feb 29`` the latest leap year's).
  SKEW is one day: clocks drift, and a source whose zone is set wrong (by up to 14 hours)
  must be off by those hours, not by a year.
- **Zone.** A zone in the line wins (``Z``/``UTC``/``GMT`` are ``UTC``, offsets are
  normalised to ``+HH:MM``). A line without one is in ``zone``, DST-aware; a wall time that
  happens twice (autumn) or never (spring) is read with ``fold=0``: the first of the two,
  and a skipped one with the offset from before the change.
- **Fraction.** Kept to the microsecond; digits past the sixth (nanoseconds) are cut, not
  rounded. A weekday in the line is not checked against its date.
- **Structured records.** A JSON object or a logfmt line has its time in a key (``ts``,
  ``time``, ``@timestamp``...: :mod:`incident.linetime_structured`), wherever it sits among
  the first keys: a written time is read with the same shapes, a number is Unix seconds
  (or milliseconds, 13 digits) in UTC.
- Nothing raises: what cannot be read is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from incident.linetime_formats import (
    BGL_FULL,
    EPOCH_LAYOUTS,
    SHAPES,
    EpochLayout,
    Shape,
    Stamp,
    micros,
    offset_of,
    stamp_of,
)
from incident.linetime_structured import Found, structured_time

SKEW = timedelta(days=1)
HEAD_CHARS = 320  # only this much of a line is ever looked at
HEADER_CHARS = 128  # a header timestamp begins within this many characters
LEAD_FIELDS = 4  # and after at most this many fields
EPOCH_MIN = 1_000_000_000  # ten digits: 2001-09-09 onwards

_UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal"}
)
_COLOUR = re.compile(r"(?:\x1b|\u241b)\[[0-9;]*m")  # SGR, raw or made visible (␛)
_LEAD_JUNK = re.compile(r"(?:\s|\ufeff|⟨U\+FEFF⟩)+")
_FIELD = re.compile(r"\S+")
_OPENER = re.compile(r"(?:<\d{1,3}>)?(?P<open>[\[(]?)")
_TRAILING_PUNCT = ".,:;!?"


@dataclass(frozen=True, slots=True)
class LineTime:
    """A line's own time: ``at`` (aware, UTC, microseconds kept), the zone it was read in
    (the line's own, or the assumed one's name) and whether zone and year were assumed."""

    at: datetime
    zone: str
    zone_assumed: bool
    year_assumed: bool


def zone_name(zone: tzinfo) -> str:
    """``Europe/Berlin`` for a ZoneInfo, ``UTC`` for UTC, ``+05:30`` for a fixed offset."""
    if isinstance(zone, ZoneInfo) and zone.key:
        return "UTC" if zone.key in _UTC_NAMES else zone.key
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        if not offset:
            return "UTC"
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(offset) // timedelta(minutes=1)
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return zone.tzname(None) or str(zone)


def read_line_time(text: str, *, read_at: datetime, zone: tzinfo) -> LineTime | None:
    """The time ``text``'s header gives, or None (no header time, or one that cannot be)."""
    if read_at.tzinfo is None:
        read_at = read_at.replace(tzinfo=UTC)
    try:
        return _read(text, read_at, zone)
    except (ValueError, OverflowError):  # a date out of range at a zone's edge
        return None


def _read(text: str, read_at: datetime, zone: tzinfo) -> LineTime | None:
    raw = text[:HEAD_CHARS]
    cut = len(text) > HEAD_CHARS
    head = _COLOUR.sub("", raw)
    junk = _LEAD_JUNK.match(head)
    if junk:
        head = head[junk.end() :]
    if (record := structured_time(head)) is not None:
        return _structured(record, head, cut, read_at, zone)
    fields = [
        (f.start(), f.group())
        for f, _ in zip(_FIELD.finditer(head), range(LEAD_FIELDS + 1), strict=False)
        if f.start() < HEADER_CHARS
    ]
    epochs = {
        layout.field: layout
        for layout in EPOCH_LAYOUTS
        if layout.field < len(fields) and layout.pattern.match(head)
    }
    for index, (start, _) in enumerate(fields):
        if index in epochs:
            found = _epoch(epochs[index], head, fields, read_at, zone)
            if found is not None:
                return found
        opener = _OPENER.match(head, start)  # all optional: it always matches
        at, bracket = (opener.end(), opener["open"]) if opener else (start, "")
        for shape in SHAPES:
            if shape.bracketed and bracket != "[":
                continue
            m = shape.pattern.match(head, at)
            if m is None or (cut and m.end() == len(head)):
                continue
            if not _lead_ok(shape, [token for _, token in fields[:index]]):
                return None  # a timestamp in the message: the line has no header time
            return _resolve(stamp_of(m), read_at, zone)
    return None


def _structured(
    record: Found, head: str, cut: bool, read_at: datetime, zone: tzinfo
) -> LineTime | None:
    """A JSON or logfmt record's time: a number is Unix seconds (or milliseconds); a written
    one is read with the header shapes, where its value starts."""
    if record.epoch is not None:
        if record.epoch < EPOCH_MIN:
            return None
        at = datetime.fromtimestamp(record.epoch, UTC) + timedelta(microseconds=record.micro)
        if at > read_at + SKEW:
            return None
        return LineTime(at=at, zone="UTC", zone_assumed=False, year_assumed=False)
    if record.start is None:
        return None
    for shape in SHAPES:
        if shape.bracketed:
            continue
        m = shape.pattern.match(head, record.start)
        if m is not None and not (cut and m.end() == len(head)):
            return _resolve(stamp_of(m), read_at, zone)
    return None


def _lead_ok(shape: Shape, lead: list[str]) -> bool:
    """Whether the fields before a timestamp are a header's (not words of a message)."""
    if len(lead) <= shape.any_lead:
        return True
    if lead and lead[-1].endswith("|"):
        return True
    return not any(_is_word(token) for token in lead)


def _is_word(token: str) -> bool:
    """A word of prose: letters only (a closing ``.,:;!?`` aside), not all capitals."""
    bare = token.rstrip(_TRAILING_PUNCT)
    return bare.isalpha() and not bare.isupper()


def _resolve(stamp: Stamp, read_at: datetime, zone: tzinfo) -> LineTime | None:
    if stamp.hour > 23 or stamp.minute > 59 or stamp.second > 59:
        return None
    if stamp.tz is not None:
        offset = offset_of(stamp.tz)
        if offset is None:
            return None
        tz: tzinfo = timezone(offset[0])
        name, assumed = offset[1], False
    else:
        tz, name, assumed = zone, zone_name(zone), True
    if stamp.year is None:
        at = _latest(stamp, tz, read_at)
    else:
        year = _century(stamp.year, read_at) if stamp.short_year else stamp.year
        at = _instant(stamp, year, tz)
    if at is None:
        return None
    return LineTime(at=at, zone=name, zone_assumed=assumed, year_assumed=stamp.year is None)


def _instant(stamp: Stamp, year: int, tz: tzinfo) -> datetime | None:
    """The UTC instant of the stamp's wall time in ``year`` and ``tz`` (fold=0); None when
    that date does not exist."""
    try:
        wall = datetime(
            year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second, stamp.micro
        )
    except ValueError:
        return None
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _latest(stamp: Stamp, tz: tzinfo, read_at: datetime) -> datetime | None:
    """The stamp in the latest year that does not put it after ``read_at`` + SKEW (eight
    years back at most: a Feb 29 finds its leap year, an impossible date finds none)."""
    year = read_at.astimezone(tz).year + 1
    for candidate in range(year, year - 9, -1):
        at = _instant(stamp, candidate, tz)
        if at is not None and at <= read_at + SKEW:
            return at
    return None


def _century(short: int, read_at: datetime) -> int:
    """The year ending in ``short`` nearest to ``read_at``'s year (the earlier on a tie)."""
    now = read_at.astimezone(UTC).year
    base = now - now % 100 + short
    return min((base - 100, base, base + 100), key=lambda y: (abs(y - now), y))


def _epoch(
    layout: EpochLayout,
    head: str,
    fields: list[tuple[int, str]],
    read_at: datetime,
    zone: tzinfo,
) -> LineTime | None:
    m = layout.pattern.match(head)
    if m is None:
        return None
    seconds = int(m.group("epoch"))
    if seconds < EPOCH_MIN:
        return None
    at = datetime.fromtimestamp(seconds, UTC)
    if at > read_at + SKEW:
        return None
    if layout.dated:
        try:
            local_date = datetime(int(m["Y"]), int(m["mon"]), int(m["d"]), tzinfo=UTC)
        except ValueError:
            return None
        if abs(at - local_date - timedelta(hours=12)) > timedelta(hours=36):
            return None  # the seconds are not that day's (a day either side, for the zone)
    micro = 0
    if m.groupdict().get("frac"):
        micro = micros(m["frac"])
    elif layout.full_at is not None and layout.full_at < len(fields):
        micro = _same_second_fraction(head, fields[layout.full_at][0], at)
    return LineTime(
        at=at + timedelta(microseconds=micro), zone="UTC", zone_assumed=False, year_assumed=False
    )


def _same_second_fraction(head: str, start: int, at: datetime) -> int:
    """The fraction of BGL's full local timestamp at ``start`` when it is ``at`` seen from
    a whole quarter-hour offset, else 0."""
    m = BGL_FULL.pattern.match(head, start)
    if m is None:
        return 0
    stamp = stamp_of(m)
    local = _instant(stamp, stamp.year, UTC) if stamp.year is not None else None
    if local is None:
        return 0
    gap = local.replace(microsecond=0) - at
    if gap % timedelta(minutes=15) or abs(gap) > timedelta(hours=18):
        return 0
    return stamp.micro
