"""Time zones from the world around: the host's own, and one a person types (``--tz``).

A log line without a zone is read in its source's zone (:mod:`incident.linetime`): the
host's by default, or one set for the source.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident.errors import InvalidInput
from incident.linetime_formats import offset_of

LOCALTIME = Path("/etc/localtime")
_UTC_WORDS = frozenset(
    {"utc", "z", "etc/utc", "uct", "etc/uct", "zulu", "etc/zulu", "universal", "etc/universal"}
)


def host_zone() -> tzinfo:
    """The host's zone: ``$TZ`` (an IANA name, ``:`` allowed before it; set but empty is
    UTC), else the name ``/etc/localtime`` links to, else what the C library says now (a
    fixed offset: it knows no name)."""
    raw = os.environ.get("TZ")
    if raw is not None:
        name = raw.removeprefix(":").strip()
        if not name:
            return UTC
        zone = _named(_after_zoneinfo(name) if name.startswith("/") else name)
        if zone is not None:
            return zone
    else:
        try:
            target = os.readlink(LOCALTIME)
        except OSError:  # no such file, or not a link
            target = ""
        zone = _named(_after_zoneinfo(target)) if target else None
        if zone is not None:
            return zone
    return datetime.now().astimezone().tzinfo or UTC


def parse_zone(text: str) -> tzinfo:
    """A zone a person typed: an IANA name (``Europe/Berlin``), ``UTC`` or an offset
    (``+05:30``, ``-0700``); :class:`InvalidInput` for anything else."""
    raw = text.strip()
    if raw.lower() in _UTC_WORDS:
        return UTC
    if raw and raw[0] in "+-":
        offset = offset_of(raw)
        if offset is not None:
            return timezone(offset[0]) if offset[0] else UTC
    else:
        zone = _named(raw) if raw else None
        if zone is not None:
            return zone
    raise InvalidInput(
        f"unknown time zone {text!r}: give an IANA name (Europe/Berlin), UTC or an offset (+05:30)"
    )


def _named(name: str) -> tzinfo | None:
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return UTC if name.lower() in _UTC_WORDS else zone


def _after_zoneinfo(path: str) -> str:
    """``Europe/Berlin`` from ``/usr/share/zoneinfo/Europe/Berlin``; "" when not there."""
    _, found, name = path.partition("zoneinfo/")
    return name if found else ""
