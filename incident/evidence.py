"""Evidence from a log line: its provenance, a timestamp read from the line, and a digest.

A pinned line says where it came from (the source's command or file, the line number), when
warroom read it, when the line itself says it happened (when it says so), a few lines of
context, and a SHA-256 over line and context so that a post-mortem can show it was not
edited afterwards (:func:`verify`). In a redacted report or export the digest is over the
redacted context the evidence carries; the original is kept only in the unredacted store.

The line and its context are the plain text a person saw in the pane: a program's colour
codes (SGR, taken out by ``session.log_buffer``) are not in them, every other control is,
made visible. The capture store keeps the line as it came, codes and all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from incident.journal import Evidence

_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")
_SYSLOG = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) "
    r"(\d{2}:\d{2}:\d{2})\b"
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def line_time(text: str, *, read_at: datetime) -> datetime | None:
    """The timestamp a log line carries (ISO-8601 or syslog), as UTC; None when it has none.

    A time without a zone is taken as UTC; a syslog time (no year) gets the year it was read.
    """
    m = _ISO.search(text)
    if m:
        date, clock, frac, zone = m.groups()
        zone = (
            "+00:00" if zone in (None, "Z") else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
        )
        try:
            at = datetime.fromisoformat(f"{date}T{clock}{(frac or '')[:7]}{zone}")
        except ValueError:
            return None
        return at.astimezone(UTC)
    m = _SYSLOG.search(text)
    if m:
        month, day, clock = m.groups()
        try:
            at = datetime.strptime(
                f"{read_at.year} {_MONTHS.index(month) + 1} {day} {clock}", "%Y %m %d %H:%M:%S"
            ).replace(tzinfo=UTC)
        except ValueError:
            return None
        return at
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
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> Evidence:
    """Evidence for ``line``, with ``before``/``after`` context lines as read."""
    context = (*before, line, *after)
    return Evidence(
        source=source,
        source_id=source_id,
        line_no=line_no,
        read_at=read_at,
        line_time=line_time(line, read_at=read_at),
        line=line,
        context=context,
        sha256=digest(context),
    )
