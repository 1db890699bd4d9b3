"""The timestamp shapes real logs begin with, as anchored patterns, and what each one read.

Each :class:`Shape` is matched at one position only (the start of a field of the line's
header, see :mod:`incident.linetime`), never searched for, and ends at a boundary (the end,
a space, a bracket, ``|``, ``,``...), so that a time glued to a file name
(``nova-api.log.1.2017-05-16_13:53:08``, ``backup-2026-01-01_10:00.tar``) is never one.
A pattern only says what the line wrote; :mod:`incident.linetime` decides what it means
(year, zone, validity).

The epoch layouts (:data:`EPOCH_LAYOUTS`) read whole-header shapes whose time is a column
of Unix seconds: BGL and Thunderbird (``- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 ...``),
HPC (``134681 node-246 unix.hw state_change.unavailable 1077804742 1 ...``) and a line that
begins with seconds and a fraction (squid's access log, ``journalctl -o short-unix``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}

_MN = r"(?P<mname>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_WD = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_HMS = r"(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
_FRAC = r"(?:[.,](?P<frac>\d{1,9}))?"
# A zone written after the time: Z, +01, +0100, +01:00 glued; " +0100", " UTC" after a space.
_TZ = r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?| ?(?:UTC|GMT)\b| [+-]\d{2}:?\d{2})?"
# Where a timestamp may end: the end, a space, a closing bracket, a column separator, or a
# colon that closes a field (``Dec 10 06:55:46: ...``). ␍ is a CR made visible.
_END = r"(?=$|[\s\])|,;\"'\u240d]|:(?:\s|$))"


@dataclass(frozen=True, slots=True)
class Shape:
    """One timestamp shape: its pattern, whether it must sit in ``[...]`` and whether it may
    follow any ``lead`` fields (the web access log's ``host ident user``), not only fields
    that look like a header."""

    name: str
    pattern: re.Pattern[str]
    bracketed: bool = False
    any_lead: int = 0


def _shape(name: str, pattern: str, *, bracketed: bool = False, any_lead: int = 0) -> Shape:
    return Shape(name, re.compile(pattern), bracketed, any_lead)


SHAPES: tuple[Shape, ...] = (
    # ISO-8601 and its relatives: T or space, . or , fraction, optional zone; also the
    # Go log / nginx error log 2026/12/05, a weekday first (journalctl -o short-full).
    _shape(
        "iso",
        rf"(?:{_WD},? )?(?P<Y>\d{{4}})(?P<sep>[-/.])(?P<mon>\d{{2}})(?P=sep)(?P<d>\d{{2}})[T ]"
        rf"(?P<H>\d{{2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}){_FRAC})?{_TZ}{_END}",
    ),
    # BGL's full timestamp, 2005-06-03-15.42.50.675872.
    _shape(
        "bgl",
        r"(?P<Y>\d{4})-(?P<mon>\d{2})-(?P<d>\d{2})-(?P<H>\d{2})\.(?P<M>\d{2})\.(?P<S>\d{2})"
        rf"(?:\.(?P<frac>\d{{1,9}}))?{_END}",
    ),
    # ISO-8601 basic, 20261205T083647Z.
    _shape(
        "iso-basic",
        r"(?P<Y>\d{4})(?P<mon>\d{2})(?P<d>\d{2})T(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})"
        rf"{_FRAC}{_TZ}{_END}",
    ),
    # The health app's yyyyMMdd-H:m:s:SSS (fields not always padded; SSS is milliseconds).
    _shape(
        "yyyymmdd-hms",
        r"(?P<Y>\d{4})(?P<mon>\d{2})(?P<d>\d{2})-(?P<H>\d{1,2}):(?P<M>\d{1,2}):(?P<S>\d{1,2})"
        rf"(?::(?P<ms>\d{{1,3}}))?{_END}",
    ),
    # HDFS's yyMMdd HHmmss (digits only, so the fields are checked by the pattern itself).
    _shape(
        "yymmdd-hhmmss",
        r"(?P<y>\d{2})(?P<mon>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01]) "
        rf"(?P<H>[01]\d|2[0-3])(?P<M>[0-5]\d)(?P<S>[0-5]\d){_END}",
    ),
    # log4j / Spark yy/MM/dd HH:mm:ss.
    _shape("yy/mm/dd", rf"(?P<y>\d{{2}})/(?P<mon>\d{{2}})/(?P<d>\d{{2}}) {_HMS}{_FRAC}{_END}"),
    # Android logcat MM-dd HH:mm:ss.SSS (no year).
    _shape("logcat", rf"(?P<mon>\d{{2}})-(?P<d>\d{{2}}) {_HMS}(?:\.(?P<frac>\d{{1,9}}))?{_END}"),
    # klog / glog: a level letter, MMdd, the time (no year).
    _shape(
        "klog",
        rf"[IWEF](?P<mon>\d{{2}})(?P<d>\d{{2}}) {_HMS}(?:\.(?P<frac>\d{{1,9}}))?{_END}",
    ),
    # ctime, as the Apache error log writes it: [Sun Dec 04 04:47:44 2005], also .123456.
    _shape("ctime", rf"{_WD} {_MN} {{1,2}}(?P<d>\d{{1,2}}) {_HMS}{_FRAC} (?P<Y>\d{{4}}){_END}"),
    # RFC 3164 syslog and journalctl (short, short-precise): Dec 10 06:55:46, Jul  1 ...
    _shape(
        "syslog",
        rf"(?:{_WD} )?{_MN} {{1,2}}(?P<d>\d{{1,2}})(?: (?P<Y>\d{{4}}))? {_HMS}{_FRAC}{_END}",
    ),
    # Tomcat 05-Dec-2026 08:36:47.123, log4j DATE and Redis 05 Dec 2026 08:36:47,123,
    # Django [05/Dec/2026 08:36:47], RFC 2822 Sat, 05 Dec 2026 08:36:47 +0000.
    _shape(
        "dd-mon-yyyy",
        rf"(?:{_WD},? )?(?P<d>\d{{1,2}})(?P<sep>[-/ ]){_MN}(?P=sep)(?P<Y>\d{{4}}) "
        rf"{_HMS}{_FRAC}{_TZ}{_END}",
    ),
    # The web access log (common/combined): host ident user [10/Oct/2000:13:55:36 -0700].
    _shape(
        "clf",
        rf"(?P<d>\d{{2}})/{_MN}/(?P<Y>\d{{4}}):{_HMS}(?:\.(?P<frac>\d{{1,9}}))?"
        r"(?: (?P<tz>[+-]\d{4}))?(?=\])",
        bracketed=True,
        any_lead=4,
    ),
    # Proxifier: [10.30 16:49:06] (MM.dd, no year).
    _shape("mm.dd", rf"(?P<mon>\d{{2}})\.(?P<d>\d{{2}}) {_HMS}(?=\])", bracketed=True),
)

BGL_FULL = next(shape for shape in SHAPES if shape.name == "bgl")


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a timestamp wrote, unchecked: ``year`` None when it gave none, ``short_year``
    when it gave two digits, ``tz`` the zone as written (None when it gave none)."""

    year: int | None
    short_year: bool
    month: int
    day: int
    hour: int
    minute: int
    second: int
    micro: int
    tz: str | None


def stamp_of(m: re.Match[str]) -> Stamp:
    """The fields a shape's match read."""
    g = m.groupdict()
    if g.get("Y"):
        year, short = int(g["Y"]), False
    elif g.get("y"):
        year, short = int(g["y"]), True
    else:
        year, short = None, False
    month = MONTHS[g["mname"]] if g.get("mname") else int(g["mon"])
    micro = int(g["ms"]) * 1000 if g.get("ms") else micros(g.get("frac") or "")
    tz = g.get("tz")
    return Stamp(
        year=year,
        short_year=short,
        month=month,
        day=int(g["d"]),
        hour=int(g["H"]),
        minute=int(g["M"]),
        second=int(g.get("S") or 0),
        micro=micro,
        tz=tz.strip() if tz else None,
    )


def micros(digits: str) -> int:
    """A decimal fraction's microseconds; digits past the sixth (nanoseconds) are cut."""
    return int(digits[:6].ljust(6, "0"))


_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})?")
MAX_OFFSET = timedelta(hours=18)


def offset_of(tz: str) -> tuple[timedelta, str] | None:
    """A written zone as an offset and its name (``UTC`` for Z/UTC/GMT, else ``+HH:MM``);
    None when it is not a possible offset (``+25:00``, ``+01:75``)."""
    if tz in ("Z", "UTC", "GMT"):
        return timedelta(0), "UTC"
    m = _OFFSET.fullmatch(tz)
    if m is None:
        return None
    sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
    delta = timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or delta > MAX_OFFSET:
        return None
    return (-delta if sign == "-" else delta), f"{sign}{hours:02d}:{minutes:02d}"


@dataclass(frozen=True, slots=True)
class EpochLayout:
    """A header whose time is a column of Unix seconds, at field ``field``; ``dated`` when
    the layout also gives the local date (yyyy.MM.dd) the seconds must agree with, and
    ``full_at`` the field where a full local timestamp may give the seconds' fraction."""

    name: str
    pattern: re.Pattern[str]
    field: int
    dated: bool = False
    full_at: int | None = None


EPOCH_LAYOUTS: tuple[EpochLayout, ...] = (
    # squid, journalctl -o short-unix: 1286536308.779 ... (a fraction makes it a time).
    EpochLayout("epoch-first", re.compile(r"(?P<epoch>\d{10})\.(?P<frac>\d{1,9})(?=\s|$)"), 0),
    # BGL / Thunderbird: alert flag, seconds, local date, node, then the local time.
    EpochLayout(
        "bgl",
        re.compile(
            r"\S+ +(?P<epoch>\d{10}) +(?P<Y>\d{4})\.(?P<mon>\d{2})\.(?P<d>\d{2}) +\S+(?=\s|$)"
        ),
        1,
        dated=True,
        full_at=4,
    ),
    # HPC: log id, node, component, state, seconds, a numeric flag, the message.
    EpochLayout("hpc", re.compile(r"\d+ +\S+ +\S+ +\S+ +(?P<epoch>\d{10}) +\d+(?=\s|$)"), 4),
)
