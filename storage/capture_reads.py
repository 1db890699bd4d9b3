"""Reads of the captured output of log sources (written by :mod:`storage.capture`).

A part of :class:`storage.store.Store` (``store.captures``), over its plumbing
(``storage/plumbing.py``); review mode
shows what the sources printed around a moment, and attach restores a pane's last lines.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from incident.grep_lines import ResumePoints, parse_match
from storage.capture import CapturedLine
from storage.plumbing import Plumbing
from storage.sql import ts


class CaptureReads:
    """Captured lines by source and line number, or by the time they were read."""

    def __init__(self, db: Plumbing) -> None:
        self.db = db

    async def read(
        self,
        incident_id: int,
        source_id: str,
        *,
        limit: int = 10_000,
        after_no: int = 0,
        max_bytes: int | None = None,
    ) -> list[CapturedLine]:
        """The last ``limit`` captured lines of a source (after ``after_no``), oldest first.

        With ``max_bytes``, only the newest of them whose texts take no more than that in
        memory (``sys.getsizeof``, as a pane counts them): they are read newest first and
        the reading stops at the budget, so a source of 64 KiB lines costs an attach what
        it shows, not ``limit`` times 64 KiB."""
        sql = (
            "SELECT no, err, read_at, text FROM captured_lines WHERE incident_id=? AND "
            "source_id=? AND no>? ORDER BY no DESC LIMIT ?"
        )
        params = (incident_id, source_id, after_no, limit)
        rows = await (
            self.db.rows(sql, params)
            if max_bytes is None
            else self.db.rows_within(sql, params, _text_size, max_bytes)
        )
        return [CapturedLine(no, bool(err), at, text) for no, err, at, text in reversed(rows)]

    async def between(
        self, incident_id: int, start: datetime, end: datetime, *, limit: int = 200
    ) -> list[tuple[str, CapturedLine]]:
        """Captured lines of every source read between ``start`` and ``end``: (source, line)."""
        rows = await self.db.rows(
            "SELECT source_id, no, err, read_at, text FROM captured_lines WHERE incident_id=? "
            "AND read_at BETWEEN ? AND ? ORDER BY read_at, source_id, no LIMIT ?",
            (incident_id, ts(start), ts(end), limit),
        )
        return [(sid, CapturedLine(no, bool(err), at, text)) for sid, no, err, at, text in rows]

    async def grep_resume_points(self, incident_id: int, source_id: str) -> ResumePoints:
        """Where a grep source's capture ends, file by file: the last match captured of each
        file (``path:N: line``, incident/grep_lines.py), as ``{path: (N, line)}``; a grep
        restarted resumes after them. One pass over the source's lines, grouped by what
        comes before the first ": " (the path and the number) less its digits."""
        rows = await self.db.rows(
            "SELECT text FROM captured_lines WHERE incident_id=? AND source_id=? AND no IN ("
            "SELECT max(no) FROM captured_lines WHERE incident_id=? AND source_id=? AND err=0 "
            "AND instr(text, ': ') > 0 "
            "GROUP BY rtrim(substr(text, 1, instr(text, ': ') - 1), '0123456789'))",
            (incident_id, source_id, incident_id, source_id),
        )
        points: ResumePoints = {}
        for (text,) in rows:
            found = parse_match(text)
            if found is not None:
                shown, no, line = found
                points[shown] = (no, line)
        return points

    async def last_no(self, incident_id: int, source_id: str) -> int:
        """The highest line number captured for the source (0 when none)."""
        return await self.db.scalar(
            "SELECT coalesce(max(no), 0) FROM captured_lines WHERE incident_id=? AND source_id=?",
            (incident_id, source_id),
        )


def _text_size(row: Any) -> int:
    return sys.getsizeof(row[3])
