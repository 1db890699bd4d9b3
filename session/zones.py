"""Time zones by name: the host's own, and one a person types (``--tz``, the source dialog).

A log source's lines carry times without a zone more often than with one; the source's zone
says how to read them (``incident.evidence.line_time``). This reads the tz database and the
environment, which the pure domain does not.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident.errors import InvalidInput

_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def parse_zone(text: str) -> tzinfo:
    """``Europe/Berlin``, ``UTC`` (or ``Z``), or a fixed ``+HH:MM``; anything else refused
    with one line."""
    name = text.strip()
    if name.upper() in ("UTC", "Z"):
        return UTC
    m = _OFFSET.fullmatch(name)
    if m:
        sign, hours, minutes = m.groups()
        if int(hours) > 23 or int(minutes) > 59:
            raise InvalidInput(f"bad time zone {text!r}: an offset is -23:59 to +23:59")
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-offset if sign == "-" else offset) if offset else UTC
    try:
        if not name or name.startswith("/") or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {text!r}: give an IANA name (Europe/Berlin), UTC or +HH:MM"
        ) from None


def host_zone() -> tzinfo:
    """The host's local zone: ``$TZ`` when it names one, else ``/etc/localtime``'s, else
    the offset the C library uses now."""
    tz = os.environ.get("TZ", "").removeprefix(":")
    if tz:
        try:
            return parse_zone(tz)
        except InvalidInput:
            pass
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            return parse_zone(target.split("zoneinfo/", 1)[1])
    except (OSError, InvalidInput):
        pass
    return datetime.now().astimezone().tzinfo or UTC
