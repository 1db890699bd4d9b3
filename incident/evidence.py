"""Evidence from a log line: its provenance, a timestamp read from the line, and a digest.

A pinned line says where it came from (the source's command or file, the line number), when
warroom read it, when the line itself says it happened (when it says so: in the zone the
line names, or else in its source's zone, and then it says the zone was assumed), a few lines of
context, and a SHA-256 over line and context so that a post-mortem can show it was not
edited afterwards (:func:`verify`). In a redacted report or export the digest is over the
redacted context the evidence carries; the original is kept only in the unredacted store.

The line and its context are the plain text a person saw in the pane: a program's colour
codes (SGR, taken out by ``session.log_buffer``) are not in them, every other control is,
made visible. The capture store keeps the line as it came, codes and all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, tzinfo

from incident.grep_lines import parse_match
from incident.journal import Evidence
from incident.linetime import LineTime, read_line_time, zone_name

__all__ = ["LineTime", "digest", "from_log_line", "line_time", "verify", "zone_name"]


def line_time(text: str, *, read_at: datetime, zone: tzinfo) -> LineTime | None:
    """When the line says it happened (its header's timestamp, :mod:`incident.linetime`);
    None when it says nothing that can be read without a guess."""
    return read_line_time(text, read_at=read_at, zone=zone)


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


def place(evidence: Evidence) -> str:
    """Where a pinned line is: ``Apache.log line 11`` (a grep's file), ``line 4`` (a
    command's output), or "" when not known."""
    if not evidence.line_no:
        return ""
    line = f"line {evidence.line_no}"
    return f"{evidence.path} {line}" if evidence.path else line


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
    grep: bool = False,
) -> Evidence:
    """Evidence for ``line``, with ``before``/``after`` context lines as read; a time in the
    line without a zone is read in ``zone`` (the source's), and the evidence says so. A
    ``grep`` source's line says its file and that file's line number (``path:N: text``): the
    evidence cites those (``path``, ``line_no``), not the pane's count of matches."""
    context = (*before, line, *after)
    path, own = None, line
    if grep and (found := parse_match(line)) is not None:
        path, line_no, own = found  # (the time is the file line's, after grep's prefix)
    when = line_time(own, read_at=read_at, zone=zone)
    return Evidence(
        source=source,
        source_id=source_id,
        line_no=line_no,
        path=path,
        read_at=read_at,
        line_time=when.at if when else None,
        line_zone=when.zone if when else None,
        zone_assumed=when.zone_assumed if when else False,
        line=line,
        context=context,
        sha256=digest(context),
    )
